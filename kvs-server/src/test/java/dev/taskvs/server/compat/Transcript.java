package dev.taskvs.server.compat;

import java.util.ArrayList;
import java.util.List;

/** What one server answered to a conversation, step by step, in a comparable and a readable rendering. */
public final class Transcript
{
    final String server;
    final List<String> compare = new ArrayList<>();
    final List<String> display = new ArrayList<>();
    final List<List<Long>> clocks = new ArrayList<>();
    final List<Boolean> timedOut = new ArrayList<>();

    Transcript(final String server)
    {
        this.server = server;
    }

    void add(final String compareText, final String displayText, final List<Long> stepClocks, final boolean timeout)
    {
        compare.add(compareText);
        display.add(displayText);
        clocks.add(List.copyOf(stepClocks));
        timedOut.add(timeout);
    }

    public String comparable()
    {
        return String.join("", compare);
    }

    public String readable()
    {
        return String.join("", display);
    }

    /** Whether some step waited out its deadline (never right for the reference server). */
    public boolean anyTimeout()
    {
        return timedOut.contains(Boolean.TRUE);
    }

    @Override
    public String toString()
    {
        return server + ":\n" + readable();
    }
}
