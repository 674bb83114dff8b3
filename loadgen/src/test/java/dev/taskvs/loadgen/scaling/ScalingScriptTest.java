package dev.taskvs.loadgen.scaling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/scaling/run-scaling.sh for real, shrunk to this machine: one point with two server lanes over a
 * multi-queue shm wire, from this build's classes instead of a jlink bundle. It must finish, write its three
 * result files, and show both lanes receiving with no frame passed between them.
 */
class ScalingScriptTest
{
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldRunAPointWithTwoLanesAndWriteItsResults(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final ScriptRun run = ScriptRun.run("run-scaling.sh", dir, out, Map.of("SWEEP", "2", "CPUS", "2",
            "WARMUP", "1s", "DURATION", "5s", "CONNECTIONS", "32", "KEYS", "2000"), 140);
        final Path serverLog = out.resolve("point-2").resolve("server.log");
        final String log = run.log() +
            (Files.exists(serverLog) ? "\nserver log:\n" + Files.readString(serverLog) : "");
        assertTrue(run.finished, "the sweep did not finish:\n" + log);
        assertEquals(0, run.exitValue, log);

        final List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(2, csv.size(), String.join("\n", csv));
        final Map<String, String> point = ScriptRun.rows(csv).get(0);
        assertEquals("ok", point.get("status"), log);
        assertEquals("2", point.get("stack_cores"));
        assertEquals("0", point.get("errors"), log);
        assertTrue(Double.parseDouble(point.get("ops_per_sec")) > 1_000, point.toString());
        final String[] lanes = point.get("server_lane_segments_in").split(";");
        assertEquals(2, lanes.length, point.toString());
        for (final String lane : lanes)
        {
            assertTrue(Long.parseLong(lane) > 1_000, "a lane received little: " + point);
        }
        assertEquals("0", point.get("server_frames_steered"), point.toString());
        assertTrue(Double.parseDouble(point.get("server_cpu_cores_busy")) > 0.1, point.toString());
        assertTrue(Double.parseDouble(point.get("loadgen_cpu_cores_busy")) > 0.1, point.toString());
        assertTrue(Double.parseDouble(point.get("loadgen_thread_busy_pct")) > 0, point.toString());
        final String threads = Files.readString(out.resolve("point-2").resolve("threads.txt"));
        assertTrue(threads.matches("(?s).*server:\n +[0-9.]+%  \\S+\n.*loadgen:\n +[0-9.]+%  \\S+\n.*"), threads);

        final String json = Files.readString(out.resolve("results.json"));
        assertTrue(json.contains("\"status\": \"ok\"") && json.contains("\"server_lane_segments_in\": \""), json);
        final String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("command:") && summary.contains("N=2 ") && summary.contains("steered 0") &&
            summary.contains("% busy"), summary);
        assertTrue(Files.readString(out.resolve("scaling.svg")).contains("requests/s against cores"));
        try (var files = Files.list(dir))
        {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".wire")), "the wire file was left");
        }
    }
}
