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
 * scripts/scaling/run-conn-sweep.sh for real, shrunk to this machine: the four configurations (the engine over
 * a shm wire, memcached and kvs-server on kernel sockets, loadgen's responder on the engine) at two small counts,
 * one round, from this build's classes instead of a jlink bundle. Every run must be ok without errors, and the
 * summary, JSON, plots and per-thread CPU written.
 */
class ConnSweepScriptTest
{
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunEveryConfigurationAtEveryCountAndWriteTheResults(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final ScriptRun run = ScriptRun.run("run-conn-sweep.sh", dir, out, Map.of(
            "MEMCACHED", System.getProperty("kvs.memcached", "/usr/bin/memcached"), "COUNTS", "10 40", "ROUNDS", "1",
            "CONFIGS", "engine memcached kernel responder",
            "CPUS", "2", "WARMUP", "1s", "DURATION", "4s"), 170);
        final String log = run.log();
        assertTrue(run.finished, "the sweep did not finish:\n" + log);
        assertEquals(0, run.exitValue, log);

        final List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        final List<Map<String, String>> rows = ScriptRun.rows(csv);
        assertEquals(4 * 2, rows.size(), String.join("\n", csv));
        for (final Map<String, String> row : rows)
        {
            assertEquals("ok", row.get("status"), row + "\n" + log);
            assertEquals("0", row.get("errors"), row + "\n" + log);
            assertTrue(Double.parseDouble(row.get("ops_per_sec")) > 500, row.toString());
            // Read between loadgen's progress lines: always inside the measured phase, so never blank.
            assertTrue(Double.parseDouble(row.get("server_cpu_us_per_req")) > 0, row.toString());
            assertTrue(Double.parseDouble(row.get("loadgen_cpu_cores_busy")) > 0.1, row.toString());
        }
        assertEquals(List.of("engine", "memcached", "kernel", "responder"),
            rows.stream().map(r -> r.get("config")).distinct().toList(), String.join("\n", csv));

        final String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("command:") && summary.contains("memcached:") &&
            summary.matches("(?s).*engine:\n +10 connections: .*\n +40 connections: .*\n  change from 10 " +
            "connections: 40: [+-][0-9]+ % \\(CPU/req [+-][0-9]+ %\\)\n.*"), summary);
        // What backed each engine's flow state: the cache server's and the responder's at exit, loadgen's per run.
        for (final String line : List.of("engine, round 1, server at exit: flow records ",
            "responder, round 1, server at exit: flow records ", "engine, 40 connections, round 1, loadgen: flow records "))
        {
            assertTrue(summary.contains(line), line + "\n" + summary);
        }
        assertTrue(summary.contains("on huge pages; rings "), summary);
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"config\": \"memcached\""));
        assertTrue(Files.readString(out.resolve("conn-sweep.svg")).contains("memcached 1.6 (kernel)"));
        assertTrue(Files.readString(out.resolve("conn-sweep-cpu.svg")).contains("us per request"));
        assertTrue(Files.readString(out.resolve("conn-sweep.svg")).contains("generator ceiling"));
        // The engine server's threads apart, and its flow ids shuffled as a long-running server's are.
        final String threads = Files.readString(out.resolve("run-engine-r1/threads-40.txt"));
        assertTrue(threads.contains("fast-path-0") && threads.contains("kvs-app-0"), threads);
        assertTrue(Files.readString(out.resolve("run-engine-r1/server.log"))
            .contains("flow ids shuffled with seed 7"));
        assertTrue(Files.readString(out.resolve("run-responder-r1/threads-40.txt")).contains("fast-path-0"));
        try (var files = Files.list(dir))
        {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".wire")), "the wire file was left");
        }
    }
}
