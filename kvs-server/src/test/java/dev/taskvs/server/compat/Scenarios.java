package dev.taskvs.server.compat;

import java.util.ArrayList;
import java.util.List;

/** Every side-by-side scenario, text, meta and binary. */
public final class Scenarios
{
    private Scenarios()
    {
    }

    public static List<Scenario> all()
    {
        final List<Scenario> all = new ArrayList<>();
        all.addAll(TextScenarios.all());
        all.addAll(MetaScenarios.all());
        all.addAll(BinaryScenarios.all());
        return all;
    }
}
