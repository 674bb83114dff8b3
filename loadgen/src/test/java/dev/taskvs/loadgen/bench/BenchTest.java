package dev.taskvs.loadgen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's pieces, and one tiny real run (memcached against the kernel kvs-server, 1 s each). */
class BenchTest
{
    @Test
    void shouldAddUserAndSystemTicksAfterACommandNameWithSpacesAndParentheses()
    {
        final String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 12345 0 3 0 250 75 0 0 20 0 31 0 " +
            "1000 5000000 20000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";
        assertEquals(325, ProcCpu.ticks(line));
        assertTrue(ProcCpu.ticks(ProcessHandle.current().pid()) > 0, "this JVM has used some CPU");
        assertEquals(-1, ProcCpu.ticks(Long.MAX_VALUE));
        assertEquals(10.0, ProcCpu.usPerRequest(100, 100_000), 1e-9);
        assertTrue(Double.isNaN(ProcCpu.usPerRequest(5, 0)));
    }

    @Test
    void shouldChargeTheServersCpuOverTheWholeSecondsOfTheMeasuredWindow()
    {
        final LoadgenRun.CpuWindow w = new LoadgenRun.CpuWindow();
        assertTrue(LoadgenRun.progress("[  1.0s] warmup     90,000 ops/s  p50 1ms  errors 0  open 64", w, 1000));
        assertTrue(LoadgenRun.progress("[  2.0s] warmup    100,000 ops/s  p50 1ms  errors 0  open 64", w, 1050));
        assertTrue(LoadgenRun.progress("[  3.0s] run       100,000 ops/s  p50 1ms  errors 0  open 64", w, 1100));
        assertTrue(LoadgenRun.progress("[  4.0s] run       300,000 ops/s (target 1) p50 1ms", w, 1150));
        assertTrue(!LoadgenRun.progress("stack tas: shm /dev/shm/x", w, 2000));
        assertEquals(400_000, w.requests);
        assertEquals(100, w.ticks());
        assertEquals(2.5, w.usPerRequest(), 1e-9);
        assertEquals(50.0, w.percentOfCore(), 1e-9);
    }

    @Test
    void shouldReadLoadgensJson()
    {
        final String json = "{\n  \"configuration\": {\n    \"rate\": 0\n  },\n  \"ops_per_sec\": 123456.500,\n" +
            "  \"target_rate\": 0,\n  \"achieved_rate\": 123456.500,\n  \"requests\": 617282,\n" +
            "  \"keys_requested\": 5,\n  \"latency_us\": {\n    \"count\": 617282,\n    \"mean\": 5.000,\n" +
            "    \"p50\": 10.000,\n    \"p90\": 20.000,\n    \"p99\": 30.500,\n    \"p999\": 40.000,\n" +
            "    \"p9999\": 50.000,\n    \"max\": 60.000\n  },\n  \"errors\": 3,\n  \"errors_by_kind\": {},\n" +
            "  \"generator\": {\n    \"cpu_percent_per_thread\": 42.000\n  }\n}\n";
        final Measurement m = Measurement.fromJson(json);
        assertEquals(123456.5, m.opsPerSec, 1e-9);
        assertEquals(617282, m.requests);
        assertEquals(10, m.p50, 1e-9);
        assertEquals(30.5, m.p99, 1e-9);
        assertEquals(40, m.p999, 1e-9);
        assertEquals(50, m.p9999, 1e-9);
        assertEquals(3, m.errors);
        assertEquals(42, m.loadgenCpuPercent, 1e-9);
        // Kernel sockets: no lanes.
        assertTrue(Double.isNaN(m.loadgenLanesFullPercent));
        assertFalse(m.toString().contains("lanes"), m.toString());

        final Measurement engine = Measurement.fromJson(json.replace("  }\n}\n", "  },\n  \"engine_lanes\": {\n" +
            "    \"burst_size\": 32,\n    \"receive_bursts\": 1000,\n    \"full_bursts\": 975,\n" +
            "    \"full_burst_percent\": 97.500,\n    \"segments_per_burst\": 31.200\n  }\n}\n"));
        assertEquals(97.5, engine.loadgenLanesFullPercent, 1e-9);
        assertTrue(engine.toString().endsWith(", loadgen lanes 98% full"), engine.toString());
    }

    @Test
    void shouldWriteTheTableTheTargetsAndItsOwnSectionOnly(@TempDir final Path dir) throws Exception
    {
        final Row mc = row(Setup.Kind.MEMCACHED, 64, 100_000, 8.0, 900, 5000);
        final Row shm = row(Setup.Kind.KVS_SHM, 64, 350_000, 1.5, 400, 2000);
        final Row memif = new Row(Setup.Kind.KVS_MEMIF, 64);
        memif.status = "skipped: loadgen has no --nic dpdk yet";
        final List<Row> rows = List.of(mc, shm, memif);
        final String md = Table.markdown(Table.cells(rows));
        assertTrue(md.contains("| memcached 1.6 (kernel) | 64 B | 100,000 | 8.00 us |"), md);
        assertTrue(md.contains("| kvs-server engine, DPDK memif | 64 B | skipped: loadgen has no --nic dpdk yet |"), md);
        assertTrue(Table.text(Table.cells(rows)).contains("skipped: loadgen has no --nic dpdk yet"));
        final String targets = Table.plainMarkdown(Table.targets(rows, List.of(64)));
        assertTrue(targets.contains("| throughput >= 3x memcached | 64 B | 3.50x (350,000 vs 100,000 req/s) | yes |"),
            targets);
        assertTrue(targets.contains("| 0.19x (1.50 us vs 8.00 us) | yes |"), targets);
        assertTrue(targets.contains("p99.99 below memcached's at 50,000 req/s | 64 B | 2.00 ms vs 5.00 ms | yes |"),
            targets);

        final Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\n\n## Someone else's\n\ntheirs\n");
        BenchMain.rewriteSection(file, BenchMain.BEGIN, BenchMain.END, "## Mine\n\nfirst\n");
        BenchMain.rewriteSection(file, BenchMain.BEGIN, BenchMain.END, "## Mine\n\nsecond\n");
        final String text = Files.readString(file);
        assertEquals("# Benchmarks\n\n## Someone else's\n\ntheirs\n\n" + BenchMain.BEGIN + "\n## Mine\n\nsecond\n" +
            BenchMain.END + "\n", text);

        final String svg = Charts.bars("t", "req/s", List.of("64 B"), List.of("a", "b"),
            new double[][] {{1}, {Double.NaN}});
        assertTrue(svg.startsWith("<svg") && svg.contains("n/a"), svg);
        assertEquals(20_000, ConnSweep.openFileLimit("Max open files            20000                20000   files\n"));
    }

    @Test
    void connSweepSplitsAKernelPointOverAsManyProcessesAsTheOpenFilesLimitTakes()
    {
        // 20,000 descriptors leave 18,976 connections a process.
        assertEquals(1, ConnSweep.shards(10_000, 20_000));
        assertEquals(1, ConnSweep.shards(18_976, 20_000));
        assertEquals(2, ConnSweep.shards(18_977, 20_000));
        assertEquals(2, ConnSweep.shards(20_000, 20_000));
        assertEquals(3, ConnSweep.shards(50_000, 20_000));
        assertEquals(1, ConnSweep.shards(50_000, 1_048_576), "every count fits");
        assertEquals(1, ConnSweep.shards(50_000, -1), "limit unknown");
        assertEquals(ConnSweep.MAX_SHARDS + 1, ConnSweep.shards(50_000, 4096), "more than the processes allowed");
        assertEquals(ConnSweep.MAX_SHARDS + 1, ConnSweep.shards(2000, 1024), "no room for connections");
        assertEquals(1, ConnSweep.shards(10, 1100), "what fits runs in one");
    }

    @Test
    void shouldGiveEachShardItsSliceAndLoopbackAddressesOfItsOwn()
    {
        final Path work = Path.of("/nonexistent");
        final List<Setup> setups = List.of(new Setup(Setup.Kind.MEMCACHED, work, 20_000, List.of(), 1, "-shard1"),
            new Setup(Setup.Kind.MEMCACHED, work, 20_000, List.of(), 1, "-shard2"),
            new Setup(Setup.Kind.MEMCACHED, work, 20_000, List.of(), 1, "-shard3"));
        final List<String> args = List.of("--connections", "50000", "--pipeline", "1", "--keys", "100000",
            "--connect-rate", "20000", "--no-preload", "--server", "127.0.0.1:11211", "--server", "127.0.0.2:11211");
        final List<List<String>> shards = ConnSweep.shardArgs(setups, 50_000, args);
        assertEquals(3, shards.size());
        // Not started: their ports read 0.
        assertEquals(List.of("--connections", "16667", "--pipeline", "1", "--keys", "33333", "--connect-rate", "6666",
            "--no-preload", "--server", "127.0.0.1:0", "--server", "127.0.0.2:0", "--server", "127.0.0.3:0",
            "--server", "127.0.0.4:0"), shards.get(0));
        assertEquals("16666", shards.get(2).get(1));
        assertEquals(List.of("--server", "127.0.0.9:0", "--server", "127.0.0.10:0", "--server", "127.0.0.11:0",
            "--server", "127.0.0.12:0"), shards.get(2).subList(9, 17));
        // Fewer connections than servers: a loadgen per connection, none without.
        final List<List<String>> two = ConnSweep.shardArgs(setups, 2, args);
        assertEquals(2, two.size());
        assertEquals("1", two.get(1).get(1));
    }

    @Test
    void shouldCombineShardedLoadgenResults()
    {
        final Measurement a = new Measurement();
        a.opsPerSec = 40_000;
        a.requests = 200_000;
        a.errors = 1;
        a.p50 = 900;
        a.p99 = 3000;
        a.p9999 = 9000;
        a.max = 12_000;
        a.loadgenCpuPercent = 30;
        final Measurement b = new Measurement();
        b.opsPerSec = 35_000;
        b.requests = 175_000;
        b.p50 = 1000;
        b.p99 = 2500;
        b.p9999 = 9500;
        b.max = 11_000;
        b.loadgenCpuPercent = 50;
        final Measurement m = Measurement.combine(List.of(a, b));
        assertEquals(75_000, m.opsPerSec, 1e-9);
        assertEquals(375_000, m.requests);
        assertEquals(1, m.errors);
        assertEquals(1000, m.p50, 1e-9, "the worst shard's");
        assertEquals(3000, m.p99, 1e-9);
        assertEquals(9500, m.p9999, 1e-9);
        assertEquals(12_000, m.max, 1e-9);
        assertEquals(40, m.loadgenCpuPercent, 1e-9);
        assertEquals(2, m.processes);
        assertTrue(m.toString().endsWith(", 2 server and 2 loadgen processes"), m.toString());
    }

    @Test
    void connSweepReportsMediansOverRoundsAndTheChangeFromTheFirstCount()
    {
        final List<Measurement> runs = List.of(sweepRun(764_000, 300, 1.27, 97), sweepRun(960_000, 200, 1.10, 98),
            sweepRun(807_000, 241, Double.NaN, 96));
        assertEquals(807_000, ConnSweep.median(runs, m -> m.opsPerSec), 1e-9);
        assertEquals(1.185, ConnSweep.median(runs, m -> m.serverCpuUsPerRequest), 1e-9, "NaN left out, even count");
        assertTrue(Double.isNaN(ConnSweep.median(List.of(), m -> m.opsPerSec)));
        assertEquals("807,000 (764k-960k; p99 241 us, server 1.19 us/req, generator 97 %)", ConnSweep.cell(runs));
        assertEquals("807,000 (p99 241 us, generator 96 %)", ConnSweep.cell(List.of(runs.get(2))));
        // On the engine the generator's lanes too.
        runs.get(2).loadgenLanesFullPercent = 99.6;
        assertEquals("807,000 (p99 241 us, generator 96 %, its lanes 100 % full)", ConnSweep.cell(List.of(runs.get(2))));
        assertEquals("1.05M", Charts.compact(1_049_999));
        assertEquals("requests/s 1,000 -3 %, 50,000 -20 %", ConnSweep.change("requests/s",
            List.of(100, 1000, 10_000, 50_000), new double[] {800_000, 776_000, Double.NaN, 640_000}));
        assertEquals("x: no first point", ConnSweep.change("x", List.of(100, 1000), new double[] {Double.NaN, 1}));
        assertEquals("x: one point only", ConnSweep.change("x", List.of(100), new double[] {5}));
    }

    private static Measurement sweepRun(final double ops, final double p99, final double cpu, final double generator)
    {
        final Measurement m = new Measurement();
        m.opsPerSec = ops;
        m.p99 = p99;
        m.serverCpuUsPerRequest = cpu;
        m.loadgenCpuPercent = generator;
        return m;
    }

    private static Row row(final Setup.Kind kind, final int size, final double ops, final double cpu,
        final double p99, final double p9999)
    {
        final Row r = new Row(kind, size);
        final Measurement closed = new Measurement();
        closed.opsPerSec = ops;
        closed.serverCpuUsPerRequest = cpu;
        r.closed.add(closed);
        final Measurement open = new Measurement();
        open.targetRate = 50_000;
        open.achievedRate = 50_000;
        open.p99 = p99;
        open.p9999 = p9999;
        r.open = open;
        return r;
    }

    /**
     * Run {@code ./kvs bench} with {@code args}, its plots under {@code dir/out}, runs under {@code dir/raw}.
     *
     * @return the section it wrote (to {@code dir/B.md}).
     */
    private static String runBench(final Path dir, final String... args) throws Exception
    {
        assertTrue(Files.isExecutable(Path.of(Setup.memcached())),
            "memcached is not installed: ./kvs test installs it (scripts/install-test-deps.sh)");
        final List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--out", dir.resolve("out").toString(), "--raw", dir.resolve("raw").toString(),
            "--markdown", dir.resolve("B.md").toString()));
        assertEquals(0, new CommandLine(new BenchMain()).execute(all.toArray(new String[0])));
        return Files.readString(dir.resolve("B.md"));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldRunMemcachedTheKernelServerAndTheGeneratorCeilingSideBySide(@TempDir final Path dir) throws Exception
    {
        final String md = runBench(dir, "--configs", "memcached,kvs-kernel,responder-shm", "--sizes", "64",
            "--warmup", "1s", "--duration", "1s", "--repeat", "1", "--connections", "8", "--pipeline", "4");
        assertTrue(md.startsWith(BenchMain.BEGIN), md);
        assertTrue(md.matches("(?s).*\\| memcached 1\\.6 \\(kernel\\) \\| 64 B \\| [0-9,]+ \\| [0-9.]+ us \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| kvs-server kernel \\| 64 B \\| [0-9,]+ \\| [0-9.]+ us \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| loadgen's responder, shm \\(generator ceiling\\) \\| 64 B \\| [0-9,]+ \\|.*"),
            md);
        assertTrue(md.matches("(?s).*- 64 B: one loadgen thread issued and verified [0-9,]+ requests/s against its " +
            "responder \\(busy [0-9]+% of the time\\), [0-9.]+x the fastest server here.*"), md);
        assertTrue(Files.readString(dir.resolve("out/throughput.svg")).contains("kvs-server kernel"));
        assertTrue(Files.readString(dir.resolve("out/latency-64.svg")).contains("polyline"));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void connSweepShouldRunEveryCountInRoundsAndWriteItsOwnSection(@TempDir final Path dir) throws Exception
    {
        final String md = runBench(dir, "--conn-sweep", "--quick", "--configs", "memcached,responder-shm",
            "--sweep-connections", "20,300", "--repeat", "2", "--warmup", "500ms", "--duration", "1s");
        assertTrue(md.startsWith(BenchMain.SWEEP_BEGIN), md);
        assertTrue(md.contains("| connections | memcached 1.6 (kernel) | loadgen's responder, shm (generator ceiling) |"),
            md);
        for (final String count : List.of("20", "300"))
        {
            // Each cell: the median of the two rounds with their range, p99 and the generator's busy share.
            assertTrue(md.matches("(?s).*\\| " + count + " \\| [0-9,]+ \\([0-9.]+[kM]?-[0-9.]+[kM]?; p99 [^|]*" +
                "generator [0-9]+ %\\) \\| [0-9,]+ \\([0-9.]+[kM]?-[0-9.]+[kM]?; p99 [^|]*\\) \\|.*"), md);
        }
        assertTrue(md.contains("--warmup 500ms --duration 1s"), md); // the sweep takes both from the command
        assertTrue(md.contains("Change from 20 connections, medians:"), md);
        assertTrue(md.matches("(?s).*- memcached 1\\.6 \\(kernel\\): requests/s 300 [-+][0-9]+ %.*"), md);
        assertTrue(!md.contains("failed") && !md.contains("errors)"), md);
        assertTrue(Files.readString(dir.resolve("out/conn-sweep.svg")).contains("memcached 1.6 (kernel)"));
        assertTrue(Files.readString(dir.resolve("out/conn-sweep-cpu.svg")).contains("us per request"));
    }
}
