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
 * one round, from this build's classes instead of a jlink bundle, in the default layout (two server CPUs, the
 * layout the many-core runs use). Every run must be ok without errors, and the summary, JSON, plots and per-thread
 * CPU written. The engine server spread over four server CPUs (two lanes, two app threads) runs apart, engine
 * only: with every configuration at four server CPUs on this machine's two, one clean-clone run of four found a
 * run's CPU window blank.
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
            assertEquals("1", row.get("processes"), row.toString());
            // How full loadgen's lanes ran: a share on the engine, nothing on kernel sockets.
            final String full = row.get("loadgen_lanes_full_pct");
            if (row.get("config").equals("engine") || row.get("config").equals("responder"))
            {
                final double pct = Double.parseDouble(full);
                assertTrue(pct >= 0 && pct <= 100, row.toString());
            }
            else
            {
                assertEquals("", full, row.toString());
            }
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
        // How near each engine server's lanes came to being the limit, from its counters at exit.
        for (final String config : List.of("engine", "responder"))
        {
            assertTrue(summary.matches("(?s).*\n  " + config + ", round 1: receive polls [0-9.]+ % full \\([0-9]+ of " +
                "[1-9][0-9]*\\), [0-9.]+ retries on a full transmit ring per segment sent\n.*"), summary);
        }
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

    /**
     * Above what one process may open, the kernel points run as shards: here at most 100 connections a process, so
     * the largest count, 250, takes three memcached processes and three loadgens, and every count runs that way
     * (each loadgen with its slice of the connections and keys, the rates summed).
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldShardTheKernelServersAboveWhatOneProcessMayOpen(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final ScriptRun run = ScriptRun.run("run-conn-sweep.sh", dir, out, Map.of(
            "MEMCACHED", System.getProperty("kvs.memcached", "/usr/bin/memcached"), "COUNTS", "40 250", "ROUNDS", "1",
            "CONFIGS", "memcached", "CPUS", "2", "PROCESS_FDS", "1124", "WARMUP", "1s", "DURATION", "4s"), 80);
        final String log = run.log();
        assertTrue(run.finished, "the sweep did not finish:\n" + log);
        assertEquals(0, run.exitValue, log);
        final List<Map<String, String>> rows = ScriptRun.rows(Files.readAllLines(out.resolve("results.csv")));
        assertEquals(2, rows.size(), rows.toString());
        final Path runDir = out.resolve("run-memcached-r1");
        for (final Map<String, String> row : rows)
        {
            assertEquals("ok", row.get("status"), log);
            assertEquals("3", row.get("processes"), row.toString());
            assertEquals("0", row.get("errors"), log);
            assertTrue(Double.parseDouble(row.get("server_cpu_us_per_req")) > 0, row.toString());
            // The point's rate is the three loadgens' together, each holding its slice of the connections.
            final int n = Integer.parseInt(row.get("connections"));
            double sum = 0;
            for (int shard = 1; shard <= 3; shard++)
            {
                final String json = Files.readString(runDir.resolve("loadgen-" + n + (shard == 1 ? "" : "-shard" +
                    shard) + ".json"));
                assertTrue(json.contains("\"connections\": " + (n / 3 + (shard - 1 < n % 3 ? 1 : 0)) + ","), json);
                assertTrue(json.contains("\"keys\": 33333"), json);
                final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"ops_per_sec\": ([0-9.]+)")
                    .matcher(json);
                assertTrue(m.find(), json);
                sum += Double.parseDouble(m.group(1));
            }
            assertEquals(sum, Double.parseDouble(row.get("ops_per_sec")), 1.0, row.toString());
        }
        for (int shard = 1; shard <= 3; shard++)
        {
            assertTrue(Files.exists(runDir.resolve("server-shard" + shard + ".log")), "shard " + shard);
        }
        final String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("(3 server and 3 loadgen processes)") && summary.contains(
            "memcached and kernel server -t 2 in 3 processes of -t 1 (with as many loadgens); open files ") &&
            summary.contains("so a kernel process holds at most 100 connections"), summary);
    }

    /** The engine server on four server CPUs (shared with loadgen on this machine's two): two lanes, two app threads. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldSpreadTheEngineServerOverItsCpus(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final ScriptRun run = ScriptRun.run("run-conn-sweep.sh", dir, out, Map.of("COUNTS", "40", "ROUNDS", "1",
            "CONFIGS", "engine", "CPUS", "2", "SERVER_CPUS", "4", "WARMUP", "1s", "DURATION", "4s"), 80);
        final String log = run.log();
        assertTrue(run.finished, "the sweep did not finish:\n" + log);
        assertEquals(0, run.exitValue, log);
        final List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        final List<Map<String, String>> rows = ScriptRun.rows(csv);
        assertEquals(1, rows.size(), String.join("\n", csv));
        assertEquals("ok", rows.get(0).get("status"), log);
        assertEquals("0", rows.get(0).get("errors"), log);
        assertTrue(Double.parseDouble(rows.get(0).get("ops_per_sec")) > 500, rows.toString());
        final String threads = Files.readString(out.resolve("run-engine-r1/threads-40.txt"));
        for (final String thread : List.of("fast-path-0", "fast-path-1", "kvs-app-0", "kvs-app-1", "slow-path"))
        {
            assertTrue(threads.contains(thread), thread + "\n" + threads);
        }
        final String serverLog = Files.readString(out.resolve("run-engine-r1/server.log"));
        assertTrue(serverLog.contains("(2 queues), dedicated threading, 2 app contexts") &&
            serverLog.contains("flow ids shuffled with seed 7"), serverLog);
        final String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("engine server --stack-cores 0,1,1 --app-cores 2; memcached and kernel server -t 4"),
            summary);
    }

    /**
     * How the servers are laid out on a 16-CPU machine: by default (two server CPUs) one lane, one app thread and
     * the slow path beside it, as every many-core sweep so far ran; with more, half of them lanes and the rest app
     * threads, the slow path on the last; SERVER_LANES overrides the split.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSpreadTheServersOverTheirCpus(@TempDir final Path dir) throws Exception
    {
        assertPlan(dir, Map.of("COUNTS", "100 10000"), "server CPUs 0,1; loadgen CPUs 2,3,4,5,6,7,8,9,10,11,12,13,14,15: ",
            "engine server --stack-cores 0,1 --app-cores 1; memcached and kernel server -t 2;");
        // 50,000 connections under 20,000 open files: the kernel servers in three processes, their threads split.
        assertPlan(dir, Map.of("SERVER_CPUS", "8"), "server CPUs 0,1,2,3,4,5,6,7; loadgen CPUs 8,9,10,11,12,13,14,15: ",
            "engine server --stack-cores 0,1,2,3,7 --app-cores 4; memcached and kernel server -t 8 in 3 processes of " +
            "-t 3 (with as many loadgens); open files ", "so a kernel process holds at most 18976 connections");
        assertPlan(dir, Map.of("SERVER_CPUS", "6", "SERVER_LANES", "2"), "server CPUs 0,1,2,3,4,5; ",
            "engine server --stack-cores 0,1,5 --app-cores 4; memcached and kernel server -t 6 in 3 processes of -t 2");
    }

    private static void assertPlan(final Path dir, final Map<String, String> env, final String... parts)
        throws Exception
    {
        final Map<String, String> all = new java.util.HashMap<>(env);
        all.put("CPUS", "16");
        all.put("DRY_RUN", "1");
        // The lent machines' limit, whatever this one's is.
        all.put("PROCESS_FDS", "20000");
        final ScriptRun run = ScriptRun.run("run-conn-sweep.sh", dir, dir.resolve("out"), all, 20);
        final String log = run.log();
        assertEquals(0, run.exitValue, log);
        for (final String part : parts)
        {
            assertTrue(log.contains(part), part + "\n" + log);
        }
    }
}
