package dev.taskvs.server.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects scenarios of one family; every protocol's list is built with it. */
final class Catalogue
{
    private final String family;
    private final List<Scenario> scenarios = new ArrayList<>();

    Catalogue(final String family)
    {
        this.family = family;
    }

    Catalogue add(final String name, final Consumer<Conversation.Builder> script)
    {
        return add(name, ServerFlags.DEFAULTS, script);
    }

    Catalogue add(final String name, final ServerFlags flags, final Consumer<Conversation.Builder> script)
    {
        final Conversation.Builder builder = Conversation.script();
        script.accept(builder);
        for (final Scenario existing : scenarios)
        {
            if (existing.name.equals(name))
            {
                throw new IllegalStateException("two scenarios named " + family + "/" + name);
            }
        }
        scenarios.add(new Scenario(family, name, flags, builder.build()));
        return this;
    }

    List<Scenario> scenarios()
    {
        return scenarios;
    }
}
