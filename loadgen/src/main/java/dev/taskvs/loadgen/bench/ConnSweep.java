package dev.taskvs.loadgen.bench;

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
    private ConnSweep()
    {
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
        final List<Integer> counts = bench.sweepConnections != null ? bench.sweepConnections : bench.quick ?
            List.of(100, 1000, 10_000, 50_000) : List.of(100, 1000, 5000, 10_000, 20_000, 50_000);
        final List<Setup.Kind> kinds = bench.kinds(List.of(Setup.Kind.MEMCACHED, Setup.Kind.KVS_KERNEL,
            Setup.Kind.KVS_SHM));
        final long limit = openFileLimit(Machine.read("/proc/self/limits"));
        final int most = counts.stream().mapToInt(Integer::intValue).max().orElse(100);
        final Machine machine = Machine.current();
        final String loadBefore = Machine.loadAverage();
        final ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
        final String warmup = bench.quick ? "1s" : "2s";
        final String duration = bench.duration != null ? bench.duration : bench.quick ? "2s" : "5s";
        final int connectRate = 20_000;
        bench.say("machine: " + machine + "; open files limit " + limit + "; connections " + counts);
        final List<String> header = new ArrayList<>(List.of("connections"));
        final List<double[][]> points = new ArrayList<>();
        final List<double[][]> cpuPoints = new ArrayList<>();
        final String[][] cells = new String[counts.size()][kinds.size()];
        final List<String> notes = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++)
        {
            final Setup.Kind kind = kinds.get(k);
            header.add(kind.label);
            final List<double[]> pts = new ArrayList<>();
            final List<double[]> cpu = new ArrayList<>();
            final List<String> extra = kind.engine() ? List.of("--buffer-kb", "4") : List.of();
            bench.say(kind.label + ": starting for " + most + " connections");
            // memcached refuses a -c above what it may open: stay under this process's limit (inherited).
            // The engine holds connections as flows, not file descriptors: only the kernel servers meet the limit.
            final int serverLimit = kind.engine() ? most + 1000 :
                (int)Math.min(most + 1000L, limit > 0 ? limit - 256 : most + 1000L);
            try (Setup setup = new Setup(kind, rawDir, serverLimit, extra))
            {
                try
                {
                    setup.start();
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
                for (int i = 0; i < counts.size(); i++)
                {
                    final int n = counts.get(i);
                    if (!kind.engine() && limit > 0 && n + 1024L > limit)
                    {
                        cells[i][k] = "skipped (ulimit -n " + limit + ")";
                        continue;
                    }
                    final List<String> args = new ArrayList<>(List.of("--connections", Integer.toString(n),
                        "--pipeline", "1", "--threads", "1", "--keys", "100000", "--key-size", "16", "--get-ratio",
                        "0.9", "--value-size", "64", "--warmup", warmup, "--duration", duration, "--connect-rate",
                        Integer.toString(connectRate), "--connect-timeout", "10s"));
                    if (i > 0)
                    {
                        args.add("--no-preload");
                    }
                    args.addAll(setup.loadgenTarget());
                    try
                    {
                        final Measurement m = LoadgenRun.run(setup.loadgenPrefix(), args, setup.serverPid(), rawDir,
                            "sweep-" + kind.id + "-" + n, 90 + n / connectRate * 3L);
                        pts.add(new double[] {n, m.opsPerSec});
                        if (!Double.isNaN(m.serverCpuUsPerRequest))
                        {
                            cpu.add(new double[] {n, m.serverCpuUsPerRequest});
                        }
                        cells[i][k] = String.format(Locale.ROOT, "%,.0f (p99 %s%s%s)", m.opsPerSec, Table.us(m.p99),
                            Double.isNaN(m.serverCpuUsPerRequest) ? "" :
                                String.format(Locale.ROOT, ", server %.2f us/req", m.serverCpuUsPerRequest),
                            m.errors > 0 ? ", " + m.errors + " errors" : "");
                        bench.say(String.format(Locale.ROOT, "%s, %,d connections: %s", kind.label, n, m));
                    }
                    catch (final RuntimeException | IOException ex)
                    {
                        cells[i][k] = "failed";
                        notes.add(kind.label + ", " + n + " connections: " + BenchMain.oneLine(ex));
                        bench.say(kind.label + ", " + n + " connections: failed: " + BenchMain.oneLine(ex));
                        if (!setup.serverAlive())
                        {
                            notes.add(kind.label + ": the server stopped: " + setup.serverLogTail());
                            break;
                        }
                    }
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
            "the largest N, the engine server with `--buffer-kb 4`); over loopback above 20,000 connections " +
            "loadgen spreads them over 127.0.0.1-4 (one ephemeral port range per address). Cells: requests/s " +
            "(p99 latency, the server's CPU time per request from /proc over the measured window).\n\n");
        b.append(Table.plainMarkdown(table)).append('\n');
        b.append("![conn-sweep](").append(mdDir.relativize(outDir)).append("/conn-sweep.svg)\n");
        b.append("![conn-sweep-cpu](").append(mdDir.relativize(outDir)).append("/conn-sweep-cpu.svg)\n\n");
        for (final String n : notes)
        {
            b.append("- ").append(n).append('\n');
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
}
