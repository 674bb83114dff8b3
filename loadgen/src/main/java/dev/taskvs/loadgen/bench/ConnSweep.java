package dev.taskvs.loadgen.bench;

import dev.taskvs.loadgen.LoadgenMain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./kvs bench --conn-sweep}: closed-loop throughput (pipeline 1) from 100 to 50,000 connections for
 * memcached, kvs-server on kernel sockets and kvs-server on the engine over shm (the TAS paper's
 * connection-scalability figure). Each server starts once; each point is a fresh loadgen.
 */
final class ConnSweep
{
    /** Descriptors a kernel server needs beyond one per connection (listeners, logs, epoll, the JVM's own). */
    static final int KERNEL_FD_MARGIN = 1024;
    /** The engine servers' --flow-id-seed: any fixed non-zero value, so every sweep meets the same order. */
    static final String FLOW_ID_SEED = "7";
    /** The most processes a sharded kernel point may take; above, the point is skipped. */
    static final int MAX_SHARDS = 8;
    /** The kernel servers' threads in one process: the bench's two CPUs (Setup's -t 2). */
    static final int KERNEL_SERVER_THREADS = 2;

    private ConnSweep()
    {
    }

    /**
     * How many processes a kernel point takes: one, unless its connections need more descriptors than one process
     * may open (the open-files limit, {@code limit}; -1 when unknown), then as many as hold them all; more than
     * {@link #MAX_SHARDS} when a process has no room for connections at all.
     */
    static int shards(final int connections, final long limit)
    {
        if (limit <= 0 || connections + (long)KERNEL_FD_MARGIN <= limit)
        {
            return 1;
        }
        if (limit <= KERNEL_FD_MARGIN)
        {
            return MAX_SHARDS + 1;
        }
        final long perProcess = limit - KERNEL_FD_MARGIN;
        return (int)Math.min(MAX_SHARDS + 1L, (connections + perProcess - 1) / perProcess);
    }

    /** The soft limit on open files of this process (raised by ./kvs to the hard limit), or -1. */
    static long openFileLimit(final String limits)
    {
        for (final String line : limits.split("\n"))
        {
            if (line.startsWith("Max open files"))
            {
                final String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return "unlimited".equals(f[0]) ? Long.MAX_VALUE : Long.parseLong(f[0]);
            }
        }
        return -1;
    }

    static int run(final BenchMain bench, final Path outDir, final Path rawDir, final Path md, final String command)
        throws IOException, InterruptedException
    {
        // loadgen's responder (what the generator can do at each count) only when asked for by name.
        final List<Setup.Kind> kinds = bench.configs == null || bench.configs.isEmpty() ?
            List.of(Setup.Kind.MEMCACHED, Setup.Kind.KVS_KERNEL, Setup.Kind.KVS_SHM) :
            bench.kinds(List.of(Setup.Kind.MEMCACHED, Setup.Kind.KVS_KERNEL, Setup.Kind.KVS_SHM,
                Setup.Kind.RESPONDER_SHM));
        final long limit = openFileLimit(Machine.read("/proc/self/limits"));
        final List<Integer> counts = bench.sweepConnections != null ? bench.sweepConnections : bench.quick ?
            List.of(100, 1000, 10_000, 50_000) : List.of(100, 1000, 5000, 10_000, 20_000, 50_000);
        final int most = counts.stream().mapToInt(Integer::intValue).max().orElse(100);
        final Machine machine = Machine.current();
        final String loadBefore = Machine.loadAverage();
        final ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
        final String warmup = bench.warmup != null ? bench.warmup : bench.quick ? "1s" : "2s";
        final String duration = bench.duration != null ? bench.duration : bench.quick ? "2s" : "5s";
        // Checked here, not first by the loadgen of the first point after the server has started.
        LoadgenMain.parseDuration("--warmup", warmup);
        LoadgenMain.parseDuration("--duration", duration);
        final int connectRate = 20_000;
        final int rounds = bench.repeat != null ? bench.repeat : bench.quick ? 1 : 3;
        if (rounds < 1)
        {
            throw new IllegalArgumentException("--repeat must be at least 1: " + rounds);
        }
        bench.say("machine: " + machine + "; open files limit " + limit + "; connections " + counts + "; " + rounds +
            (rounds == 1 ? " round" : " rounds over all counts, medians reported"));
        final List<String> header = new ArrayList<>(List.of("connections"));
        final List<double[][]> points = new ArrayList<>();
        final List<double[][]> cpuPoints = new ArrayList<>();
        final String[][] cells = new String[counts.size()][kinds.size()];
        final List<String> notes = new ArrayList<>();
        final List<String> changes = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++)
        {
            final Setup.Kind kind = kinds.get(k);
            header.add(kind.label);
            final List<double[]> pts = new ArrayList<>();
            final List<double[]> cpu = new ArrayList<>();
            // Shuffled flow ids: a fresh engine hands them out lowest first, so the server would walk its per-flow
            // state in the generator's order, in address order, which a long-running server never does.
            final List<String> extra = kind.engine() ?
                List.of("--buffer-kb", "4", "--flow-id-seed", FLOW_ID_SEED) : List.of();
            // memcached refuses a -c above what it may open: stay under this process's limit (inherited).
            // The engine holds connections as flows, not file descriptors: only the kernel servers meet the limit.
            // More connections than one process may open: every point of the kind in as many server processes
            // (and loadgens) as the largest takes, so that its curve changes with the connections alone.
            // At most MAX_SHARDS: counts beyond what they hold are skipped.
            final int kindShards = kind.engine() ? 1 : Math.min(MAX_SHARDS, shards(most, limit));
            if (counts.stream().noneMatch(n -> kind.engine() || shards(n, limit) <= kindShards))
            {
                // Not even the smallest count fits: start no server at all.
                for (int i = 0; i < counts.size(); i++)
                {
                    cells[i][k] = "skipped (ulimit -n " + limit + ")";
                }
                points.add(new double[0][]);
                cpuPoints.add(new double[0][]);
                continue;
            }
            bench.say(kind.label + ": starting for " + most + " connections");
            final int perShard = (most + kindShards - 1) / kindShards;
            final int serverLimit = kind.engine() ? most + 1000 :
                (int)Math.min(perShard + 1000L, limit > 0 ? limit - 256 : perShard + 1000L);
            final List<Setup> setups = new ArrayList<>();
            for (int s = 0; s < kindShards; s++)
            {
                setups.add(kindShards == 1 ? new Setup(kind, rawDir, serverLimit, extra) : new Setup(kind, rawDir,
                    serverLimit, extra, (KERNEL_SERVER_THREADS + kindShards - 1) / kindShards, "-shard" + (s + 1)));
            }
            final Setup setup = setups.get(0);
            try
            {
                try
                {
                    for (final Setup each : setups)
                    {
                        each.start();
                    }
                }
                catch (final RuntimeException | IOException ex)
                {
                    for (int i = 0; i < counts.size(); i++)
                    {
                        cells[i][k] = "server failed";
                    }
                    notes.add(kind.label + ": " + BenchMain.oneLine(ex));
                    points.add(new double[0][]);
                    cpuPoints.add(new double[0][]);
                    continue;
                }
                // Rounds over all the counts, not repetitions of one count in a row: whatever drifts on a shared
                // machine during the sweep then touches every point alike.
                final List<List<Measurement>> runs = new ArrayList<>();
                counts.forEach(n -> runs.add(new ArrayList<>()));
                final boolean[] failed = new boolean[counts.size()];
                boolean serverStopped = false;
                for (int round = 0; round < rounds && !serverStopped; round++)
                {
                    for (int i = 0; i < counts.size(); i++)
                    {
                        final int n = counts.get(i);
                        if (!kind.engine() && shards(n, limit) > kindShards)
                        {
                            cells[i][k] = "skipped (ulimit -n " + limit + ")";
                            continue;
                        }
                        if (failed[i])
                        {
                            continue;
                        }
                        final List<String> args = new ArrayList<>(List.of("--connections", Integer.toString(n),
                            "--pipeline", "1", "--threads", "1", "--keys", "100000", "--key-size", "16",
                            "--get-ratio", "0.9", "--value-size", "64", "--warmup", warmup, "--duration", duration,
                            "--connect-rate", Integer.toString(connectRate), "--connect-timeout", "10s"));
                        if (round > 0 || i > 0)
                        {
                            args.add("--no-preload");
                        }
                        args.addAll(setup.loadgenTarget());
                        final String name = "sweep-" + kind.id + "-" + n + (rounds > 1 ? "-r" + (round + 1) : "");
                        try
                        {
                            final Measurement m = kindShards == 1 ?
                                LoadgenRun.run(setup.loadgenPrefix(), args, setup.serverPid(), rawDir, name,
                                    90 + n / connectRate * 3L) :
                                LoadgenRun.runShards(setup.loadgenPrefix(), shardArgs(setups, n, args), pids(setups),
                                    rawDir, name, 90 + n / connectRate * 3L);
                            runs.get(i).add(m);
                            bench.say(String.format(Locale.ROOT, "%s, %,d connections (round %d of %d): %s",
                                kind.label, n, round + 1, rounds, m));
                        }
                        catch (final RuntimeException | IOException ex)
                        {
                            failed[i] = true;
                            cells[i][k] = "failed";
                            notes.add(kind.label + ", " + n + " connections: " + BenchMain.oneLine(ex));
                            bench.say(kind.label + ", " + n + " connections: failed: " + BenchMain.oneLine(ex));
                            if (setups.stream().anyMatch(each -> !each.serverAlive()))
                            {
                                final Setup dead = setups.stream().filter(each -> !each.serverAlive()).findFirst()
                                    .orElse(setup);
                                notes.add(kind.label + ": the server stopped: " + dead.serverLogTail());
                                serverStopped = true;
                                break;
                            }
                        }
                    }
                }
                final double[] rates = new double[counts.size()];
                final double[] cpus = new double[counts.size()];
                for (int i = 0; i < counts.size(); i++)
                {
                    final List<Measurement> ms = runs.get(i);
                    if (ms.isEmpty() || failed[i])
                    {
                        rates[i] = Double.NaN;
                        cpus[i] = Double.NaN;
                        continue;
                    }
                    rates[i] = median(ms, m -> m.opsPerSec);
                    cpus[i] = median(ms, m -> m.serverCpuUsPerRequest);
                    pts.add(new double[] {counts.get(i), rates[i]});
                    if (!Double.isNaN(cpus[i]))
                    {
                        cpu.add(new double[] {counts.get(i), cpus[i]});
                    }
                    cells[i][k] = cell(ms);
                }
                changes.add(kind.label + ": " + change("requests/s", counts, rates) + "; " +
                    change("server CPU per request", counts, cpus));
            }
            finally
            {
                for (final Setup each : setups)
                {
                    each.close();
                }
            }
            points.add(pts.toArray(new double[0][]));
            cpuPoints.add(cpu.toArray(new double[0][]));
        }
        for (int i = 0; i < counts.size(); i++)
        {
            for (int k = 0; k < kinds.size(); k++)
            {
                if (cells[i][k] == null)
                {
                    cells[i][k] = "-";
                }
            }
        }
        final List<String[]> table = new ArrayList<>();
        table.add(header.toArray(new String[0]));
        for (int i = 0; i < counts.size(); i++)
        {
            final String[] row = new String[kinds.size() + 1];
            row[0] = String.format(Locale.ROOT, "%,d", counts.get(i));
            System.arraycopy(cells[i], 0, row, 1, kinds.size());
            table.add(row);
        }
        System.out.println();
        System.out.print(Table.text(table));
        changes.forEach(System.out::println);
        final List<String> names = new ArrayList<>();
        kinds.forEach(kk -> names.add(kk.label));
        Files.writeString(outDir.resolve("conn-sweep.svg"), Charts.logXLines("Requests/s against connections " +
            "(closed loop, pipeline 1, 64 B, 90% gets)", "connections (log scale)", "requests/s", names, points));
        // The server's own CPU per request: on a machine where the load generator shares the CPUs, the part of
        // the throughput curve that is the server's.
        Files.writeString(outDir.resolve("conn-sweep-cpu.svg"), Charts.logXLines("Server CPU time per request " +
            "against connections (from /proc)", "connections (log scale)", "us per request", names, cpuPoints));
        final Path mdDir = md == null ? outDir : md.getParent();
        final StringBuilder b = new StringBuilder();
        b.append("## Connection scalability (`./kvs bench --conn-sweep`)\n\n");
        b.append("- **Command**: `").append(command).append("`\n");
        b.append("- **Date**: ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
            .append(" UTC; load average ").append(loadBefore).append(" before, ").append(Machine.loadAverage())
            .append(" after. **Machine**: ").append(machine).append(". Open files limit ").append(limit).append(".\n");
        b.append("- **Workload**: each point a fresh `./kvs loadgen --connections N --pipeline 1 --threads 1 " +
            "--value-size 64 --get-ratio 0.9 --warmup ").append(warmup).append(" --duration ").append(duration)
            .append(" --connect-rate ").append(connectRate).append("` (closed loop; every connection keeps one " +
            "request in flight), the server started once for all points (memcached and kvs-server with `-c` above " +
            "the largest N, the engine server with `--buffer-kb 4 --flow-id-seed " + FLOW_ID_SEED + "`, its flow " +
            "ids shuffled as a long-running server's closes leave them, not handed out in the generator's order); " +
            "over loopback a loadgen holding more than 20,000 connections spreads them over 127.0.0.1-4, and each " +
            "of several loadgens (the kernel servers in processes, below) uses four addresses of its own (one " +
            "ephemeral port range per address). ")
            .append(rounds == 1 ? "One run per point. Cells: requests/s (" : rounds + " rounds over all the counts " +
                "(each round runs every count once, so drift on the machine touches every point alike). Cells: the " +
                "median requests/s (lowest-highest; then medians of ")
            .append("p99 latency, the server's CPU time per request from /proc over the measured window, and how " +
                "busy the load generator's thread was; on the engine also how many of the generator's lane polls " +
                "were full, which near 100 % says its lanes, not the server, were the limit).\n\n");
        b.append(Table.plainMarkdown(table)).append('\n');
        if (!changes.isEmpty())
        {
            b.append("Change from ").append(String.format(Locale.ROOT, "%,d", counts.get(0)))
                .append(" connections, medians:\n\n");
            changes.forEach(c -> b.append("- ").append(c).append('\n'));
            b.append('\n');
        }
        b.append("![conn-sweep](").append(mdDir.relativize(outDir)).append("/conn-sweep.svg)\n");
        b.append("![conn-sweep-cpu](").append(mdDir.relativize(outDir)).append("/conn-sweep-cpu.svg)\n\n");
        for (final String n : notes)
        {
            b.append("- ").append(n).append('\n');
        }
        if (kinds.stream().anyMatch(kind -> !kind.engine()) && shards(most, limit) > 1)
        {
            final int shards = Math.min(MAX_SHARDS, shards(most, limit));
            b.append(String.format(Locale.ROOT, "- The kernel servers in %d processes at every count: %,d " +
                "connections need more descriptors than one process may open under the open files limit of %d (one " +
                "a connection plus %d). Each serves its slice with %d thread(s) (the bench's %d split between them), " +
                "each with a loadgen of its own holding its slice of the connections and keys; requests/s are " +
                "summed, latency is the worst process's.%n", shards, most, limit, KERNEL_FD_MARGIN,
                (KERNEL_SERVER_THREADS + shards - 1) / shards, KERNEL_SERVER_THREADS));
        }
        b.append("- With pipeline 1, each request is a round trip per connection: with N connections the load " +
            "generator's one thread and the server each handle N sockets' readiness (epoll on the kernel paths, " +
            "the engine's flow table on the shm path). All run on the same CPUs here.\n");
        Files.writeString(outDir.resolve("conn-sweep.md"), b.toString());
        if (md != null)
        {
            BenchMain.rewriteSection(md, BenchMain.SWEEP_BEGIN, BenchMain.SWEEP_END, b.toString());
            bench.say("wrote the conn-sweep section of " + md);
        }
        return 0;
    }

    /**
     * One loadgen's arguments per server of a sharded kernel point, from the point's {@code args} (whose target is
     * the first server's): each its slice of the connections, of the keys (so the servers hold the key space once
     * between them) and of the connect rate, aimed at its own server through four loopback addresses of its own
     * (127.0.0.4s+1 to 4s+4): the kernel's ephemeral ports, about 28,000, are a range per destination address, and
     * the connections of the last minute's points still hold theirs in TIME_WAIT.
     */
    static List<List<String>> shardArgs(final List<Setup> setups, final int n, final List<String> args)
    {
        // Never a loadgen without connections: with fewer connections than servers, some servers stay idle.
        final int shards = Math.min(setups.size(), n);
        final List<List<String>> out = new ArrayList<>();
        for (int s = 0; s < shards; s++)
        {
            final int part = n / shards + (s < n % shards ? 1 : 0);
            final List<String> a = new ArrayList<>();
            for (int i = 0; i < args.size(); i++)
            {
                final String arg = args.get(i);
                if (arg.equals("--server"))
                {
                    i++;
                    continue;
                }
                a.add(arg);
                if (i + 1 < args.size() && (arg.equals("--connections") || arg.equals("--keys") ||
                    arg.equals("--connect-rate")))
                {
                    final long value = Long.parseLong(args.get(++i));
                    a.add(Long.toString(arg.equals("--connections") ? part : Math.max(1, value / shards)));
                }
            }
            for (int i = 1; i <= 4; i++)
            {
                a.addAll(List.of("--server", "127.0.0." + (4 * s + i) + ":" + setups.get(s).port()));
            }
            out.add(a);
        }
        return out;
    }

    private static long[] pids(final List<Setup> setups)
    {
        return setups.stream().mapToLong(Setup::serverPid).toArray();
    }

    /** @return the median of the values that are numbers, NaN when none is. */
    static double median(final List<Measurement> runs, final java.util.function.ToDoubleFunction<Measurement> value)
    {
        return median(runs.stream().mapToDouble(value).toArray());
    }

    /** @return the median of the values that are numbers, NaN when none is. */
    static double median(final double[] values)
    {
        final double[] v = java.util.Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0)
        {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** One point's cell: median requests/s (the range over the rounds), then the medians of the rest. */
    static String cell(final List<Measurement> runs)
    {
        final StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%,.0f (",
            median(runs, m -> m.opsPerSec)));
        if (runs.size() > 1)
        {
            final double lo = runs.stream().mapToDouble(m -> m.opsPerSec).min().orElse(Double.NaN);
            final double hi = runs.stream().mapToDouble(m -> m.opsPerSec).max().orElse(Double.NaN);
            b.append(Charts.compact(lo)).append('-').append(Charts.compact(hi)).append("; ");
        }
        b.append("p99 ").append(Table.us(median(runs, m -> m.p99)));
        final double cpu = median(runs, m -> m.serverCpuUsPerRequest);
        if (!Double.isNaN(cpu))
        {
            b.append(String.format(Locale.ROOT, ", server %.2f us/req", cpu));
        }
        final double generator = median(runs, m -> m.loadgenCpuPercent);
        if (!Double.isNaN(generator))
        {
            b.append(String.format(Locale.ROOT, ", generator %.0f %%", generator));
        }
        // On the engine: how many of the generator's lane polls were full (near 100 %: its lanes were the limit).
        final double lanesFull = median(runs, m -> m.loadgenLanesFullPercent);
        if (!Double.isNaN(lanesFull))
        {
            b.append(String.format(Locale.ROOT, ", its lanes %.0f %% full", lanesFull));
        }
        final long errors = runs.stream().mapToLong(m -> m.errors).sum();
        if (errors > 0)
        {
            b.append(", ").append(errors).append(" errors");
        }
        return b.append(')').toString();
    }

    /**
     * How a value moved from the first count to each later one, e.g. "requests/s 1,000 -3 %, 10,000 -16 %"; counts
     * without a number are left out.
     */
    static String change(final String what, final List<Integer> counts, final double[] values)
    {
        final StringBuilder b = new StringBuilder(what);
        if (values.length == 0 || Double.isNaN(values[0]) || values[0] == 0)
        {
            return b.append(": no first point").toString();
        }
        boolean any = false;
        for (int i = 1; i < values.length; i++)
        {
            if (Double.isNaN(values[i]))
            {
                continue;
            }
            b.append(any ? ", " : " ").append(String.format(Locale.ROOT, "%,d %+.0f %%", counts.get(i),
                (values[i] / values[0] - 1) * 100));
            any = true;
        }
        return any ? b.toString() : b.append(": one point only").toString();
    }
}
