package dev.taskvs.loadgen.scaling;

import dev.taskvs.engine.TcpEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/scaling/run-conn-ab.sh for real, shrunk: one pair, the engine at one small count, with this build's
 * tas-engine as A's jars (the same code, so only the plumbing is under test): both sweeps run, and the summary
 * names what A put ahead and sets A's and B's numbers side by side.
 */
class ConnAbScriptTest
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunAThenBAndSetThemSideBySide(@TempDir final Path dir) throws Exception
    {
        final String aJars = Path.of(TcpEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final Path out = dir.resolve("out");
        final ScriptRun run = ScriptRun.run("run-conn-ab.sh", dir, out, Map.of("A_JARS", aJars, "PAIRS", "1",
            "COUNTS", "20", "CPUS", "2", "WARMUP", "1s", "DURATION", "4s"), 110);
        final String log = run.log();
        assertTrue(run.finished, "the A/B did not finish:\n" + log);
        assertEquals(0, run.exitValue, log);
        final String summary = Files.readString(out.resolve("ab-summary.txt"));
        assertTrue(summary.contains("A:        " + aJars + " ahead of B's class paths"), summary);
        assertTrue(summary.matches("(?s).*\nengine, 20 connections: requests/s A [0-9]+, B [0-9]+; medians [0-9]+ and " +
            "[0-9]+, B/A [0-9.]+; CPU us/req A [0-9.]+, B [0-9.]+\n.*"), summary);
        assertTrue(Files.exists(out.resolve("A-1/results.csv")) && Files.exists(out.resolve("B-1/results.csv")));
    }
}
