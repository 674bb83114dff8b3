package dev.taskvs.server.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a scenario on the reference memcached and on a candidate server (each freshly started with the scenario's
 * flags), writes both transcripts under {@code target/compat/}, and fails with the first differing step when the
 * normalized transcripts differ.
 */
public final class SideBySide
{
    static final Path REPORT_DIR = Paths.get("target", "compat");
    private static final long CLOCK_TOLERANCE = 1;

    private SideBySide()
    {
    }

    public static void check(final Scenario scenario, final ServerKind candidateKind, final String reportName)
    {
        check(scenario, candidateKind::start, reportName);
    }

    /** As {@link #check(Scenario, ServerKind, String)} with any way of starting the candidate. */
    public static void check(final Scenario scenario,
        final java.util.function.Function<ServerFlags, CacheServer> starter, final String reportName)
    {
        final Transcript reference;
        try (CacheServer server = ServerKind.MEMCACHED.start(scenario.flags))
        {
            reference = scenario.conversation.run(server);
        }
        final Transcript candidate;
        try (CacheServer server = starter.apply(scenario.flags))
        {
            candidate = scenario.conversation.run(server);
        }
        write(reportName, scenario, reference, candidate);
        if (reference.anyTimeout())
        {
            fail("scenario " + scenario + " is wrong: the reference memcached did not meet an expectation in time\n"
                + reference);
        }
        compare(scenario, reference, candidate);
    }

    static void compare(final Scenario scenario, final Transcript reference, final Transcript candidate)
    {
        final int steps = reference.compare.size();
        for (int i = 0; i < steps; i++)
        {
            final String expected = reference.compare.get(i);
            final String actual = candidate.compare.get(i);
            if (!expected.equals(actual))
            {
                fail(mismatch(scenario, reference, candidate, i, "responses differ"));
            }
            final List<Long> expectedClocks = reference.clocks.get(i);
            final List<Long> actualClocks = candidate.clocks.get(i);
            for (int c = 0; c < expectedClocks.size(); c++)
            {
                if (Math.abs(expectedClocks.get(c) - actualClocks.get(c)) > CLOCK_TOLERANCE)
                {
                    fail(mismatch(scenario, reference, candidate, i, "clock values (TTL, seconds since access) differ by"
                        + " more than " + CLOCK_TOLERANCE + ": " + expectedClocks + " vs " + actualClocks));
                }
            }
        }
    }

    private static String mismatch(
        final Scenario scenario,
        final Transcript reference,
        final Transcript candidate,
        final int step,
        final String what)
    {
        return "scenario " + scenario + " (flags " + scenario.flags + "): " + what + " at step " + (step + 1) + "\n"
            + "--- " + reference.server + " (normalized)\n" + reference.compare.get(step)
            + "--- " + candidate.server + " (normalized)\n" + candidate.compare.get(step)
            + "--- " + reference.server + " (as sent)\n" + reference.display.get(step)
            + "--- " + candidate.server + " (as sent)\n" + candidate.display.get(step)
            + "=== whole conversation, " + reference.server + ":\n" + reference.readable()
            + "=== whole conversation, " + candidate.server + ":\n" + candidate.readable();
    }

    static void write(final String reportName, final Scenario scenario, final Transcript reference,
        final Transcript candidate)
    {
        try
        {
            final Path dir = REPORT_DIR.resolve(reportName);
            Files.createDirectories(dir);
            final String file = scenario.id().replaceAll("[^A-Za-z0-9._-]+", "_");
            Files.writeString(dir.resolve(file + ".txt"),
                "# " + scenario + " (flags " + scenario.flags + ")\n"
                    + "=== " + reference.server + "\n" + reference.readable()
                    + "=== " + candidate.server + "\n" + candidate.readable(),
                StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            System.out.println("[compat] could not write the transcript of " + scenario + ": " + ex);
        }
    }
}
