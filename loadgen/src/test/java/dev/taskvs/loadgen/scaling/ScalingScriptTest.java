package dev.taskvs.loadgen.scaling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    private static final Path SCRIPT = Path.of("..", "scripts", "scaling", "run-scaling.sh");

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldRunAPointWithTwoLanesAndWriteItsResults(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final String classPath = System.getProperty("java.class.path");
        final ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), out.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log.txt").toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("SERVER_CP", classPath);
        pb.environment().put("LOADGEN_CP", classPath);
        pb.environment().put("SWEEP", "2");
        pb.environment().put("CPUS", "2");
        pb.environment().put("WARMUP", "1s");
        pb.environment().put("DURATION", "5s");
        pb.environment().put("CONNECTIONS", "32");
        pb.environment().put("KEYS", "2000");
        pb.environment().put("SHM_DIR", dir.toString());
        final Process process = pb.start();
        final boolean finished = process.waitFor(140, TimeUnit.SECONDS);
        if (!finished)
        {
            process.destroyForcibly();
        }
        final Path serverLog = out.resolve("point-2").resolve("server.log");
        final String log = Files.readString(dir.resolve("log.txt")) +
            (Files.exists(serverLog) ? "\nserver log:\n" + Files.readString(serverLog) : "");
        assertTrue(finished, "the sweep did not finish:\n" + log);
        assertEquals(0, process.exitValue(), log);

        final List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(2, csv.size(), String.join("\n", csv));
        final String[] header = csv.get(0).split(",");
        final String[] row = csv.get(1).split(",", -1);
        assertEquals(header.length, row.length, csv.get(1));
        final java.util.Map<String, String> point = new java.util.HashMap<>();
        for (int i = 0; i < header.length; i++)
        {
            point.put(header[i], row[i]);
        }
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
