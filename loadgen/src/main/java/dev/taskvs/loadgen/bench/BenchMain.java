package dev.taskvs.loadgen.bench;

import dev.taskvs.engine.cli.ProcessExit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.taskvs.loadgen.LoadgenMain;
import dev.taskvs.loadgen.report.Svg;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./kvs bench}: the side-by-side benchmark of issue 7 in one command. Each configuration (memcached, the
 * kernel kvs-server, kvs-server on the engine over shm, over DPDK memif, over a veth with kernel clients in a
 * namespace) gets the same loadgen settings: the closed-loop saturation throughput, then the open-loop latency at
 * half of memcached's saturation rate, and the server's CPU per request from /proc. It prints a table, draws SVG
 * plots and rewrites its own section of BENCHMARKS.md. {@code --conn-sweep} runs the connection-scalability sweep.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The side-by-side benchmark: memcached vs kvs-server on kernel sockets vs kvs-server on the " +
        "engine (shm, DPDK memif, veth), same loadgen settings; table, SVG plots, BENCHMARKS.md section.",
        "Needs root for the veth configuration (it creates and removes a veth pair and a namespace in 10.211.x)."})
public final class BenchMain implements Callable<Integer>
{
    static final String BEGIN = "<!-- kvs bench: begin (written by ./kvs bench; rerunning it replaces this section) -->";
    static final String END = "<!-- kvs bench: end -->";
    static final String SWEEP_BEGIN = "<!-- kvs bench --conn-sweep: begin (rerunning it replaces this section) -->";
    static final String SWEEP_END = "<!-- kvs bench --conn-sweep: end -->";

    @Option(names = "--quick", description = "Short runs (1 s warm-up, 3 s measured, one repetition): within 3 minutes.")
    boolean quick;

    @Option(names = "--conn-sweep", description = "The connection-scalability sweep (100 to 50,000 connections) " +
        "instead: memcached, kvs-server kernel, kvs-server engine over shm; with --configs also responder-shm, the " +
        "generator's ceiling at each count.")
    boolean connSweep;

    @Option(names = "--out", paramLabel = "DIR", description = "Plots and the summary go here. Default: docs/bench.")
    Path out;

    @Option(names = "--raw", paramLabel = "DIR", description = "Each loadgen run's JSON, .hgrm and output. " +
        "Default: target/bench.")
    Path raw;

    @Option(names = "--markdown", paramLabel = "FILE", description = "The file whose bench section is rewritten; " +
        "'none' writes none. Default: BENCHMARKS.md.")
    String markdown;

    @Option(names = "--configs", split = ",", description = "Configurations to run: memcached, kvs-kernel, " +
        "kvs-engine-shm, kvs-engine-memif, kvs-engine-veth, responder-shm (the generator's ceiling). Default: all.")
    List<String> configs;

    @Option(names = "--sizes", split = ",", description = "Value sizes in bytes. Default: 64,256.")
    List<Integer> sizes = List.of(64, 256);

    @Option(names = "--connections", defaultValue = "64", description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--pipeline", defaultValue = "8", description = "Requests in flight per connection. Default: ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--warmup", description = "Warm-up per run (with --conn-sweep too). Default: 2s (--quick 1s).")
    String warmup;

    @Option(names = "--duration", description = "Measured time per run. Default: 10s (--quick 3s); with " +
        "--conn-sweep 5s (--quick 2s).")
    String duration;

    @Option(names = "--repeat", description = "Closed-loop repetitions (the median is reported); with --conn-sweep, " +
        "rounds over all the connection counts. Default: 3 (--quick 1).")
    Integer repeat;

    @Option(names = "--open-rate", defaultValue = "0", paramLabel = "QPS",
        description = "Open-loop rate; 0: half of memcached's saturation rate at that value size, measured first.")
    double openRate;

    @Option(names = "--sweep-connections", split = ",",
        description = "Connection counts of --conn-sweep. Default: 100,1000,5000,10000,20000,50000 " +
        "(--quick 100,1000,10000,50000). Where the largest is more than one process may open, the kernel servers " +
        "run in as many processes (each with a loadgen of its own) at every count.")
    List<Integer> sweepConnections;

    private final long started = System.nanoTime();

    public static void main(final String[] args)
    {
        ProcessExit.exit("kvs bench", () -> new CommandLine(new BenchMain()).execute(args));
    }

    static Path root()
    {
        return Path.of(System.getProperty("kvs.root", ".")).toAbsolutePath().normalize();
    }

    void say(final String line)
    {
        final long s = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "[bench %d:%02d] %s%n", s / 60, s % 60, line);
        System.out.flush();
    }

    List<Setup.Kind> kinds(final List<Setup.Kind> all)
    {
        if (configs == null || configs.isEmpty())
        {
            return all;
        }
        final List<Setup.Kind> chosen = new ArrayList<>();
        for (final Setup.Kind k : all)
        {
            if (configs.contains(k.id))
            {
                chosen.add(k);
            }
        }
        for (final String c : configs)
        {
            if (all.stream().noneMatch(k -> k.id.equals(c)))
            {
                throw new IllegalArgumentException("--configs " + c + " is not one of this mode's: " +
                    all.stream().map(k -> k.id).reduce((a, b) -> a + ", " + b).orElse(""));
            }
        }
        return chosen;
    }

    @Override
    public Integer call() throws Exception
    {
        final Path rootDir = root();
        final Path outDir = (out != null ? out : rootDir.resolve("docs/bench")).toAbsolutePath();
        final Path rawDir = (raw != null ? raw : rootDir.resolve("target/bench")).toAbsolutePath();
        Files.createDirectories(outDir);
        Files.createDirectories(rawDir);
        final String command = System.getProperty("kvs.command", "./kvs bench");
        final Path md = markdown == null ? rootDir.resolve("BENCHMARKS.md") :
            "none".equals(markdown) ? null : Path.of(markdown).toAbsolutePath();
        try
        {
            if (connSweep)
            {
                return ConnSweep.run(this, outDir, rawDir, md, command);
            }
            return sideBySide(outDir, rawDir, md, command);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            return 2;
        }
    }

    long warmupNs()
    {
        return LoadgenMain.parseDuration("--warmup", warmup != null ? warmup : quick ? "1s" : "2s");
    }

    long durationNs()
    {
        return LoadgenMain.parseDuration("--duration", duration != null ? duration : quick ? "3s" : "10s");
    }

    static String seconds(final long ns)
    {
        return (ns / 1_000_000) + "ms";
    }

    List<String> commonArgs(final int size)
    {
        return new ArrayList<>(List.of("--connections", Integer.toString(connections), "--pipeline",
            Integer.toString(pipeline), "--threads", "1", "--keys", "100000", "--key-size", "16", "--get-ratio", "0.9",
            "--value-size", Integer.toString(size), "--warmup", seconds(warmupNs()), "--duration",
            seconds(durationNs())));
    }

    private int sideBySide(final Path outDir, final Path rawDir, final Path md, final String command)
        throws IOException, InterruptedException
    {
        final List<Setup.Kind> kinds = kinds(List.of(Setup.Kind.values()));
        final int reps = repeat != null ? repeat : quick ? 1 : 3;
        final long runTimeout = 60 + (warmupNs() + durationNs()) / 1_000_000_000L * 2;
        final Machine machine = Machine.current();
        final String loadBefore = Machine.loadAverage();
        final ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
        say("machine: " + machine + "; load average " + loadBefore);
        say(String.format(Locale.ROOT, "%d configurations x %s B; %d connections, pipeline %d, 90%% gets; closed loop " +
            "x%d, then open loop at half memcached's rate; %s warm-up, %s measured", kinds.size(), sizes,
            connections, pipeline, reps, seconds(warmupNs()), seconds(durationNs())));
        final List<Row> rows = new ArrayList<>();
        final double[] openRates = new double[sizes.size()];
        for (final Setup.Kind kind : kinds)
        {
            final List<Row> mine = new ArrayList<>();
            for (final int size : sizes)
            {
                final Row row = new Row(kind, size);
                mine.add(row);
                rows.add(row);
            }
            say(kind.label + ": starting (" + kind.description + ")");
            if (kind.perValueSize())
            {
                for (int i = 0; i < sizes.size(); i++)
                {
                    try (Setup setup = new Setup(kind, rawDir, 4096,
                        List.of("--value-size", Integer.toString(sizes.get(i)))))
                    {
                        if (started(setup, List.of(mine.get(i))))
                        {
                            measureSize(setup, rawDir, i, mine, reps, runTimeout, openRates);
                        }
                    }
                }
            }
            else
            {
                try (Setup setup = new Setup(kind, rawDir, 4096, List.of()))
                {
                    if (started(setup, mine))
                    {
                        for (int i = 0; i < sizes.size(); i++)
                        {
                            if (!measureSize(setup, rawDir, i, mine, reps, runTimeout, openRates))
                            {
                                break;
                            }
                        }
                    }
                }
            }
            for (final Row r : mine)
            {
                if (r.status == null && r.closed.isEmpty())
                {
                    r.status = "failed: the server stopped";
                }
            }
        }
        final String loadAfter = Machine.loadAverage();
        final List<String[]> cells = Table.cells(rows);
        System.out.println();
        System.out.print(Table.text(cells));
        final List<String[]> targets = Table.targets(rows, sizes);
        System.out.println();
        System.out.print(Table.text(targets));
        final List<String> plots = plots(rows, outDir);
        say("plots: " + String.join(", ", plots));
        final String section = section(rows, cells, targets, plots, machine, date, command, loadBefore, loadAfter,
            reps, md == null ? outDir : md.getParent(), outDir);
        Files.writeString(outDir.resolve("bench.md"), section);
        if (md != null)
        {
            rewriteSection(md, BEGIN, END, section);
            say("wrote the bench section of " + md);
        }
        boolean errors = false;
        for (final Row r : rows)
        {
            for (final Measurement m : r.closed)
            {
                errors |= m.errors > 0;
            }
            errors |= r.open != null && r.open.errors > 0;
        }
        return errors ? 1 : 0;
    }

    /** Starts the configuration's server; on failure marks the rows and says why. */
    private boolean started(final Setup setup, final List<Row> rows) throws InterruptedException
    {
        try
        {
            setup.start();
            return true;
        }
        catch (final RuntimeException | IOException ex)
        {
            rows.forEach(r -> r.status = "failed: " + oneLine(ex));
            say(setup.kind.label + ": " + rows.get(0).status);
            return false;
        }
    }

    /**
     * The closed-loop repetitions and the open-loop run of one value size against a started server.
     *
     * @return false when the rest of this server's sizes cannot run (loadgen refused the path, the server died).
     */
    private boolean measureSize(final Setup setup, final Path rawDir, final int i, final List<Row> mine,
        final int reps, final long runTimeout, final double[] openRates) throws InterruptedException
    {
        final Setup.Kind kind = setup.kind;
        final int size = sizes.get(i);
        final Row row = mine.get(i);
        try
        {
            for (int rep = 1; rep <= reps; rep++)
            {
                final List<String> args = commonArgs(size);
                args.addAll(setup.loadgenTarget());
                final Measurement m = LoadgenRun.run(setup.loadgenPrefix(), args, setup.serverPid(), rawDir,
                    kind.id + "-" + size + "-closed-" + rep, runTimeout);
                row.closed.add(m);
                say(String.format(Locale.ROOT, "%s %d B closed loop %d/%d: %s; server %.0f%% of a core, " +
                    "loadgen %.0f%%", kind.label, size, rep, reps, m, m.serverCpuPercent, m.loadgenCpuPercent));
            }
            if (kind == Setup.Kind.MEMCACHED)
            {
                openRates[i] = row.saturation().opsPerSec / 2;
            }
            final double rate = openRate > 0 ? openRate : openRates[i] > 0 ? openRates[i] :
                row.saturation().opsPerSec / 2;
            final List<String> args = commonArgs(size);
            args.addAll(List.of("--rate", String.format(Locale.ROOT, "%.0f", rate), "--no-preload"));
            args.addAll(setup.loadgenTarget());
            row.open = LoadgenRun.run(setup.loadgenPrefix(), args, setup.serverPid(), rawDir,
                kind.id + "-" + size + "-open", runTimeout);
            say(String.format(Locale.ROOT, "%s %d B open loop at %,.0f req/s: %s", kind.label, size, rate, row.open));
            return true;
        }
        catch (final LoadgenRun.Refused ex)
        {
            mine.forEach(r ->
            {
                r.status = "skipped: loadgen has no --nic dpdk yet";
                r.detail = "loadgen said: " + ex.getMessage().replaceAll("^loadgen: ", "");
            });
            say(kind.label + ": " + row.status);
            return false;
        }
        catch (final RuntimeException | IOException ex)
        {
            row.status = "failed: " + oneLine(ex) + (setup.serverAlive() ? "" :
                " (server: " + setup.serverLogTail() + ")");
            say(kind.label + " " + size + " B: " + row.status);
            return setup.serverAlive();
        }
    }

    static String oneLine(final Throwable ex)
    {
        final String m = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        final String line = m.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private List<String> plots(final List<Row> rows, final Path outDir) throws IOException
    {
        final List<String> written = new ArrayList<>();
        final List<Setup.Kind> kinds = new ArrayList<>();
        for (final Row r : rows)
        {
            if (!kinds.contains(r.kind) && r.measured())
            {
                kinds.add(r.kind);
            }
        }
        final List<String> groups = new ArrayList<>();
        sizes.forEach(s -> groups.add(s + " B values"));
        final double[][] tput = new double[kinds.size()][sizes.size()];
        final double[][] cpu = new double[kinds.size()][sizes.size()];
        final List<String> names = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++)
        {
            names.add(kinds.get(k).label);
            for (int s = 0; s < sizes.size(); s++)
            {
                final Row r = Table.find(rows, kinds.get(k), sizes.get(s));
                tput[k][s] = r != null && r.measured() ? r.saturation().opsPerSec : Double.NaN;
                cpu[k][s] = r != null && r.measured() ? r.saturation().serverCpuUsPerRequest : Double.NaN;
            }
        }
        Files.writeString(outDir.resolve("throughput.svg"), Charts.bars("Requests/s at saturation (closed loop, " +
            connections + " connections x pipeline " + pipeline + ")", "requests/s", groups, names, tput));
        written.add("throughput.svg");
        Files.writeString(outDir.resolve("cpu-per-request.svg"), Charts.bars("Server CPU time per request at " +
            "saturation (/proc utime+stime)", "microseconds", groups, names, cpu));
        written.add("cpu-per-request.svg");
        for (final int size : sizes)
        {
            final List<Svg.Series> series = new ArrayList<>();
            double rate = 0;
            for (final Setup.Kind k : kinds)
            {
                final Row r = Table.find(rows, k, size);
                if (r != null && r.open != null && r.open.hgrm != null && Files.exists(r.open.hgrm))
                {
                    series.add(Charts.percentileSeries(k.label, r.open.hgrm));
                    rate = r.open.targetRate;
                }
            }
            if (!series.isEmpty())
            {
                final String name = "latency-" + size + ".svg";
                Files.writeString(outDir.resolve(name), Svg.percentilePlot(String.format(Locale.ROOT,
                    "Latency by percentile, %d B values, open loop at %,.0f req/s", size, rate), series));
                written.add(name);
            }
        }
        return written;
    }

    private String section(final List<Row> rows, final List<String[]> cells, final List<String[]> targets,
        final List<String> plots, final Machine machine, final ZonedDateTime date, final String command,
        final String loadBefore, final String loadAfter, final int reps, final Path mdDir, final Path outDir)
    {
        final String rel = mdDir.relativize(outDir).toString();
        final StringBuilder b = new StringBuilder();
        b.append("## The side-by-side benchmark (`./kvs bench`)\n\n");
        b.append("Written by `./kvs bench` (the `dev.taskvs.loadgen.bench` package); rerunning it replaces this " +
            "section and the plots in `").append(rel).append("/`.\n\n");
        b.append("- **Command**: `").append(command).append("`\n");
        b.append("- **Date**: ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(" UTC; " +
            "load average ").append(loadBefore).append(" before, ").append(loadAfter).append(" after.\n");
        b.append("- **Machine**: `nproc` = ").append(machine.nproc).append(", ").append(machine.cpuModel).append(", ")
            .append(machine.memoryMb / 1024).append(" GiB RAM, Linux ").append(machine.kernel).append(", ")
            .append(machine.java).append(". Server, loadgen and (on the engine rows) both engines share these " +
            "CPUs.\n");
        b.append(String.format(Locale.ROOT, "- **Workload** (every configuration): `./kvs loadgen --connections %d " +
            "--pipeline %d --threads 1 --keys 100000 --key-size 16 --get-ratio 0.9 --value-size 64|256 --warmup %s " +
            "--duration %s`, text protocol, uniform keys, every value verified. Saturation: closed loop, %s. " +
            "Latency: open loop (`--rate`, Poisson arrivals, latency from the intended send time) at half of " +
            "memcached's saturation rate at that size, measured first in the same run. Server CPU per request: " +
            "utime+stime of the server process from `/proc/PID/stat` over the whole seconds of the measured window " +
            "(read at each of loadgen's progress lines), divided by the requests completed in them.\n",
            connections, pipeline, seconds(warmupNs()), seconds(durationNs()),
            reps == 1 ? "one run" : "median of " + reps + " runs (all runs in brackets)"));
        b.append("\n| configuration | how it runs |\n|---|---|\n");
        final List<Setup.Kind> seen = new ArrayList<>();
        for (final Row r : rows)
        {
            if (!seen.contains(r.kind))
            {
                seen.add(r.kind);
                b.append("| ").append(r.kind.label).append(" | ").append(r.kind.description).append(" |\n");
            }
        }
        b.append('\n').append(Table.markdown(cells)).append('\n');
        b.append("**Targets** (issue 7, item 4: the engine path against memcached, same run):\n\n");
        b.append(targets.size() > 1 ? Table.plainMarkdown(targets) : "No engine configuration was measured.\n");
        b.append('\n').append(ceiling(rows, sizes));
        for (final String p : plots)
        {
            b.append("![").append(p.replace(".svg", "")).append("](").append(rel).append('/').append(p).append(")\n");
        }
        b.append('\n').append(Notes.limits(rows, machine, sizes, loadBefore, loadAfter)).append('\n');
        return b.toString();
    }

    /**
     * Issue 6, item 6: the generator's own ceiling (its run against the store-less responder) next to the fastest
     * server of the same run, per value size; empty when the responder was not measured.
     */
    static String ceiling(final List<Row> rows, final List<Integer> sizes)
    {
        final StringBuilder b = new StringBuilder();
        for (final int size : sizes)
        {
            final Row responder = Table.find(rows, Setup.Kind.RESPONDER_SHM, size);
            if (responder == null || !responder.measured())
            {
                continue;
            }
            Row fastest = null;
            for (final Row r : rows)
            {
                if (r.kind != Setup.Kind.RESPONDER_SHM && r.valueSize == size && r.measured() &&
                    (fastest == null || r.saturation().opsPerSec > fastest.saturation().opsPerSec))
                {
                    fastest = r;
                }
            }
            final Measurement m = responder.saturation();
            b.append(String.format(Locale.ROOT, "- %d B: one loadgen thread issued and verified %,.0f requests/s " +
                "against its responder (busy %.0f%% of the time)", size, m.opsPerSec, m.loadgenCpuPercent));
            if (fastest != null)
            {
                b.append(String.format(Locale.ROOT, ", %.1fx the fastest server here (%s, %,.0f requests/s)",
                    m.opsPerSec / fastest.saturation().opsPerSec, fastest.kind.label,
                    fastest.saturation().opsPerSec));
            }
            b.append(".\n");
        }
        return b.length() == 0 ? "" : "**The generator's own ceiling** (issue 6, item 6; same loadgen settings, " +
            "the responder stores nothing and answers on its own engine over shm):\n\n" + b + "\n";
    }

    /** Replaces the text between begin and end markers (inclusive) of a file, or appends it when absent. */
    static void rewriteSection(final Path file, final String begin, final String end, final String body)
        throws IOException
    {
        final String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        final String block = begin + "\n" + body.strip() + "\n" + end + "\n";
        final int from = text.indexOf(begin);
        final int to = text.indexOf(end);
        final String updated;
        if (from >= 0 && to > from)
        {
            updated = text.substring(0, from) + block + text.substring(to + end.length()).replaceFirst("^\n", "");
        }
        else
        {
            updated = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") +
                block;
        }
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }
}
