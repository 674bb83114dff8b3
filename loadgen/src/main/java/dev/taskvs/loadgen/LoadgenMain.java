package dev.taskvs.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.taskvs.client.Protocol;
import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.cli.EngineOptions;
import dev.taskvs.engine.cli.ProcessExit;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.loadgen.report.Outputs;
import dev.taskvs.loadgen.report.Report;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.loadgen.report.Svg;
import dev.taskvs.loadgen.responder.EngineResponder;
import dev.taskvs.loadgen.responder.Responder;
import dev.taskvs.loadgen.responder.ResponderCommand;
import dev.taskvs.loadgen.stack.EngineStack;
import dev.taskvs.loadgen.stack.LoadStack;
import dev.taskvs.loadgen.workload.Arrivals;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./kvs loadgen}: drives memcached-protocol servers with many pipelined connections and reports honest
 * throughput and tail latency. Exit status: 0 when every reply checked out, 1 when any error was counted (value
 * mismatch, protocol error, error reply, lost connection, timeout), 2 for bad options, 3 when the run could not
 * start (no connection, worker failure).
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, versionProvider = LoadgenMain.Version.class,
    sortOptions = false, subcommands = ResponderCommand.class,
    description = {
        "Load generator for memcached-protocol servers: open loop (--rate, Poisson arrivals, latency from the " +
        "intended send time) or closed loop; every reply is verified.",
        "Example: ./kvs loadgen --server 127.0.0.1:11211 --connections 64 --pipeline 16 --value-size 64 " +
        "--warmup 2s --duration 8s --json out.json"})
public final class LoadgenMain implements Callable<Integer>
{
    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT",
        description = "Target server; repeat for several (connections are spread round-robin). Default: " +
        "127.0.0.1:11211.")
    List<String> servers = new ArrayList<>();

    @Option(names = "--stack", defaultValue = "kernel",
        description = "Network stack: kernel (Linux sockets) or tas (the userspace engine, configured by the " +
        "engine options at the end: --nic, --ip, --iface, --shm, --threading, --stack-cores ...; --idle also sets " +
        "how the engine's threads wait). With --nic loopback an in-process engine responder answers at --server. " +
        "Default: ${DEFAULT-VALUE}.")
    String stack;

    /** The engine's own options ({@code kvs engine}, the server), added in {@link #run} without its --idle. */
    final EngineOptions engine = new EngineOptions();

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--connections"}, defaultValue = "16",
        description = "Connections in all, spread over the threads (1.." + LoadgenConfig.MAX_CONNECTIONS +
        "). Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = {"-t", "--threads"}, defaultValue = "1",
        description = "Event-loop threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = {"-d", "--pipeline"}, defaultValue = "1",
        description = "Requests in flight per connection (1.." + LoadgenConfig.MAX_PIPELINE +
        "). Default: ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = {"-P", "--protocol"}, defaultValue = "text",
        description = "text, meta or binary. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--value-size", defaultValue = "64",
        description = "Value sizes: N, MIN-MAX, N:W,N:W (weighted), normal:MEAN,SD, exp:MEAN, " +
        "gpareto:LOC,SCALE,SHAPE, fb_value. Default: ${DEFAULT-VALUE}.")
    String valueSize;

    @Option(names = {"-n", "--keys"}, defaultValue = "100000", description = "Key space size. Default: ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = {"-K", "--key-size"}, defaultValue = "16",
        description = "Key length in bytes (enough digits for --keys .. 250). Default: ${DEFAULT-VALUE}.")
    int keySize;

    @Option(names = "--key-dist", defaultValue = "uniform",
        description = "Key popularity: uniform, zipf (skew 0.99), zipf:SKEW, sequential. Default: ${DEFAULT-VALUE}.")
    String keyDist;

    @Option(names = {"-g", "--get-ratio"}, description = "Fraction of requests that are gets (0..1). Default: 0.9.")
    Double getRatio;

    @Option(names = "--set-ratio", description = "Fraction of requests that are sets (0..1); the rest are gets.")
    Double setRatio;

    @Option(names = {"-m", "--multiget"}, defaultValue = "1",
        description = "Keys per get request (1.." + LoadgenConfig.MAX_MULTIGET + "). Default: ${DEFAULT-VALUE}.")
    int multiget;

    @Option(names = {"-r", "--rate"}, defaultValue = "0", paramLabel = "QPS",
        description = "Offered requests/s over all connections: open loop. 0 or absent: closed loop.")
    double rate;

    @Option(names = "--arrivals", defaultValue = "poisson",
        description = "Open-loop inter-arrival times: poisson or fixed. Default: ${DEFAULT-VALUE}.")
    String arrivals;

    @Option(names = {"-w", "--warmup"}, defaultValue = "1s", description = "Warm-up, not measured. Default: ${DEFAULT-VALUE}.")
    String warmup;

    @Option(names = {"-D", "--duration"}, defaultValue = "10s",
        description = "Measured time (e.g. 500ms, 10s, 2m). Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--preload", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Store every key before measuring (--no-preload skips it). Default: ${DEFAULT-VALUE}.")
    boolean preload;

    @Option(names = "--preload-only", description = "Store every key, then exit.")
    boolean preloadOnly;

    @Option(names = "--connect-rate", defaultValue = "5000",
        description = "New connections per second during the ramp-up. Default: ${DEFAULT-VALUE}.")
    double connectRate;

    @Option(names = "--connect-timeout", defaultValue = "5s", description = "Default: ${DEFAULT-VALUE}.")
    String connectTimeout;

    @Option(names = "--drain-timeout", defaultValue = "2s",
        description = "After the run, how long outstanding requests may take before they count as timeouts. " +
        "Default: ${DEFAULT-VALUE}.")
    String drainTimeout;

    @Option(names = "--idle", defaultValue = "hybrid",
        description = "How threads wait: spin, hybrid (block when the next send is >= 1 ms away), block. " +
        "Default: ${DEFAULT-VALUE}.")
    String idle;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (keys, arrivals, values). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Print a progress line every second on stderr. Default: ${DEFAULT-VALUE}.")
    boolean progress;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON.")
    Path json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Write the latency percentile distribution (.hgrm, us).")
    Path hgrm;

    @Option(names = "--hdr-log", paramLabel = "FILE", description = "Write per-second latency histograms (HdrHistogram log, ns).")
    Path hdrLog;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the latency percentile plot (SVG; .html wraps it).")
    Path plot;

    @Option(names = "--sweep", description = "Step the offered rate up to saturation; report and plot throughput " +
        "against latency.")
    boolean sweep;

    @Option(names = "--sweep-steps", defaultValue = "8", description = "Rates in a sweep (2..100). Default: ${DEFAULT-VALUE}.")
    int sweepSteps;

    @Option(names = "--sweep-max", defaultValue = "0", paramLabel = "QPS",
        description = "Highest rate of a sweep; 0: 120%% of a closed-loop peak measured first.")
    double sweepMax;

    @Override
    public Integer call()
    {
        final LoadgenConfig config;
        try
        {
            config = toConfig().conclude();
            if ("tas".equals(config.stack))
            {
                config.engine = engineSettings(config);
            }
            else
            {
                LoadStack.forName(config.stack).close();
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("loadgen: " + ex.getMessage());
            return 2;
        }
        final PrintStream progressOut = config.progress ? System.err : null;
        try (Loadgen loadgen = new Loadgen(config, progressOut))
        {
            if (config.hdrLog != null)
            {
                loadgen.logTo(new HistogramLogWriter(config.hdrLog.toFile()));
            }
            loadgen.connect();
            if (config.preload)
            {
                loadgen.preload();
            }
            if (config.preloadOnly)
            {
                final long errors = loadgen.errorsTotal();
                System.out.println("preload done, " + errors + " errors");
                return errors == 0 ? 0 : 1;
            }
            if (config.sweep)
            {
                return runSweep(config, loadgen);
            }
            final RunResult result = loadgen.run(config.rate);
            System.out.print(Report.format(result));
            writeOutputs(config, result);
            return result.errorsTotal() == 0 ? 0 : 1;
        }
        catch (final IOException ex)
        {
            System.err.println("loadgen: " + ex.getMessage());
            return 3;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 3;
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("loadgen: " + ex.getMessage());
            return 3;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("loadgen: " + ex.getMessage());
            return 2;
        }
    }

    /**
     * The engine for {@code --stack tas}, from the engine's options: its context (ring size chosen from the
     * workload unless {@code --buffer-kb} is given, the waiting from {@code --idle}) and how to open its NIC. With
     * {@code --nic loopback} an engine responder on the wire's other end answers at the (single) server address.
     */
    private EngineStack.Settings engineSettings(final LoadgenConfig config)
    {
        final String ip = engine.ip();
        final int slash = ip.indexOf('/');
        try
        {
            Ipv4Address.parse(slash < 0 ? ip : ip.substring(0, slash));
            final int prefix = slash < 0 ? 24 : Integer.parseInt(ip.substring(slash + 1));
            if (prefix < 1 || prefix > 32)
            {
                throw new IllegalArgumentException("prefix " + prefix + " not 1..32");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--ip " + ip + " is not A.B.C.D/NN (" + ex.getMessage() + ")");
        }
        final String threading = engine.threading().toLowerCase(Locale.ROOT);
        if (!List.of("shared", "dedicated", "invoker").contains(threading))
        {
            throw new IllegalArgumentException("--threading " + engine.threading() +
                " is not one of: shared, dedicated, invoker");
        }
        for (final InetSocketAddress server : config.servers)
        {
            if (!(server.getAddress() instanceof java.net.Inet4Address))
            {
                throw new IllegalArgumentException("--server " + server.getHostString() + ":" + server.getPort() +
                    " must be an IPv4 address with --stack tas");
            }
        }
        final EngineContext ctx;
        try
        {
            ctx = engine.context("loadgen");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--stack tas: " + ex.getMessage());
        }
        ctx.idleStrategy(config.idle == LoadgenConfig.Idle.SPIN ? "spin" : "backoff");
        if (!spec.commandLine().getParseResult().hasMatchedOption("--buffer-kb"))
        {
            final dev.taskvs.loadgen.protocol.WireProtocol wire =
                dev.taskvs.loadgen.protocol.WireProtocol.of(config.protocol, config.keySpace());
            final int maxValue = config.valueContent().sizes().max();
            final int window = Math.max(config.pipeline * (Math.max(wire.maxGetLength(config.multiget),
                wire.maxSetLength(maxValue)) + 64), config.pipeline * config.multiget *
                (wire.maxValueUnitLength(maxValue) + 64));
            final int ring = EngineStack.ringSize(window, config.connections);
            ctx.rxBufferSize(ring).txBufferSize(ring);
        }
        final EngineStack.Settings settings = new EngineStack.Settings().context(ctx);
        final String nic = engine.nic();
        switch (nic)
        {
            case "loopback":
            {
                if (config.servers.size() != 1)
                {
                    throw new IllegalArgumentException("--nic loopback answers one --server (an in-process engine " +
                        "responder): give exactly one");
                }
                final InetSocketAddress server = config.servers.get(0);
                // As on shm: memory does not corrupt frames, so neither engine writes or checks checksums.
                final LoopbackWire wire = new LoopbackWire().checksumOffload(true);
                final Responder.Options options = new Responder.Options();
                options.port = server.getPort();
                options.valueSize = config.valueSize;
                options.seed = config.seed;
                final int prefix = slash < 0 ? 24 : Integer.parseInt(ip.substring(slash + 1));
                final EngineResponder[] responder = new EngineResponder[1];
                settings.nic(() ->
                {
                    responder[0] = EngineResponder.start(options, engine.context("responder")
                        .address(server.getAddress().getHostAddress() + "/" + prefix)
                        .threading(dev.taskvs.engine.sched.ThreadingMode.SHARED).idleStrategy("backoff"),
                        wire.endpointB());
                    return wire.endpointA();
                }, "loopback to an in-process engine responder at " + server.getAddress().getHostAddress() + ":" +
                    server.getPort() + " (on its own thread)");
                settings.afterClose = () ->
                {
                    if (responder[0] != null)
                    {
                        responder[0].close();
                    }
                };
                return settings;
            }
            case "tap":
                return settings.nic(engine::openNic, "tap " + engine.iface() + " (kernel side " +
                    engine.kernelAddress() + ")");
            case "shm":
                return settings.nics(engine::openNics, "shm " + engine.shm() +
                    (engine.lanes() > 1 ? " (" + engine.lanes() + " queues)" : ""));
            case "afpacket":
                return settings.nic(engine::openNic, "afpacket " + engine.iface());
            case "dpdk":
                // As ./kvs engine: EAL from --dpdk-args on the defaults, the port from --dpdk-port or the first
                // device --dpdk-args names; one queue, closed (and a hot-plugged device removed) with the stack.
                if (engine.dpdkDevice() == null)
                {
                    throw new IllegalArgumentException("--nic dpdk needs a device: --dpdk-args " +
                        "\"--vdev=net_memif0,role=client,id=0,socket=/tmp/kvs.sock,socket-abstract=no\" (probed at " +
                        "init) or --dpdk-port net_af_packet0,iface=veth0 (hot-plugged)");
                }
                return settings.nic(engine::openNic, "dpdk " + engine.dpdkDevice());
            default:
                throw new IllegalArgumentException("--nic " + nic + " is not one of: loopback, shm, tap, afpacket, dpdk");
        }
    }

    private static int runSweep(final LoadgenConfig config, final Loadgen loadgen)
        throws InterruptedException, IOException
    {
        double max = config.sweepMax;
        if (max == 0)
        {
            final RunResult peak = loadgen.run(0);
            max = 1.2 * peak.opsPerSecond();
            System.out.printf(Locale.ROOT, "closed-loop peak %,.0f requests/s: sweeping to %,.0f%n",
                peak.opsPerSecond(), max);
        }
        final List<RunResult> steps = loadgen.sweep(max);
        for (final RunResult r : steps)
        {
            System.out.print(Report.format(r));
            System.out.println();
        }
        System.out.print(Report.formatSweep(steps));
        long errors = 0;
        final List<Object> jsonSteps = new ArrayList<>();
        final Svg.Series p50 = new Svg.Series("p50");
        final Svg.Series p99 = new Svg.Series("p99");
        final Svg.Series p999 = new Svg.Series("p99.9");
        for (final RunResult r : steps)
        {
            errors += r.errorsTotal();
            jsonSteps.add(Outputs.toJson(r));
            p50.add(r.opsPerSecond(), RunResult.us(r.latency, 50));
            p99.add(r.opsPerSecond(), RunResult.us(r.latency, 99));
            p999.add(r.opsPerSecond(), RunResult.us(r.latency, 99.9));
        }
        if (config.json != null)
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            final RunResult last = steps.get(steps.size() - 1);
            m.put("configuration", last.configuration);
            m.put("sweep_max_rate", max);
            m.put("ops_per_sec", steps.stream().mapToDouble(RunResult::opsPerSecond).max().orElse(0));
            m.put("errors", errors);
            m.put("steps", jsonSteps);
            Outputs.writeJson(config.json, m);
        }
        if (config.plot != null)
        {
            Outputs.writePlot(config.plot, Svg.sweepPlot("loadgen sweep: throughput vs latency",
                List.of(p50, p99, p999)), "loadgen sweep");
        }
        if (config.hgrm != null)
        {
            Outputs.writeHgrm(config.hgrm, steps.get(steps.size() - 1).latency);
        }
        return errors == 0 ? 0 : 1;
    }

    private static void writeOutputs(final LoadgenConfig config, final RunResult result) throws IOException
    {
        if (config.json != null)
        {
            Outputs.writeJson(config.json, Outputs.toJson(result));
        }
        if (config.hgrm != null)
        {
            Outputs.writeHgrm(config.hgrm, result.latency);
        }
        if (config.plot != null)
        {
            final String title = String.format(Locale.ROOT, "latency by percentile: %s %s, %,.0f req/s",
                result.configuration.get("protocol"), result.openLoop ? "open loop" : "closed loop",
                result.opsPerSecond());
            Outputs.writePlot(config.plot, Svg.percentilePlot(title, List.of(
                Svg.percentileSeries("latency (from intended send)", result.latency),
                Svg.percentileSeries("service time (from actual send)", result.service))), title);
        }
    }

    LoadgenConfig toConfig()
    {
        final LoadgenConfig c = new LoadgenConfig();
        if (!servers.isEmpty())
        {
            c.servers = new ArrayList<>();
            for (final String s : servers)
            {
                c.servers.add(parseServer(s));
            }
        }
        c.stack = stack;
        c.connections = connections;
        c.threads = threads;
        c.pipeline = pipeline;
        c.protocol = parseEnum(Protocol.class, "--protocol", protocol, "text, meta, binary");
        c.valueSize = valueSize;
        c.keys = keys;
        c.keySize = keySize;
        c.keyDist = keyDist;
        if (getRatio != null && setRatio != null && Math.abs(getRatio + setRatio - 1.0) > 1e-9)
        {
            throw new IllegalArgumentException("--get-ratio " + getRatio + " and --set-ratio " + setRatio +
                " must add up to 1 (give one of them)");
        }
        c.getRatio = getRatio != null ? getRatio : setRatio != null ? 1.0 - setRatio : 0.9;
        if (setRatio != null && (setRatio < 0 || setRatio > 1))
        {
            throw new IllegalArgumentException("--set-ratio = " + setRatio + " is out of range: must be 0..1");
        }
        c.multiget = multiget;
        c.rate = rate;
        c.arrivals = parseEnum(Arrivals.class, "--arrivals", arrivals, "poisson, fixed");
        c.warmupNs = parseDuration("--warmup", warmup);
        c.durationNs = parseDuration("--duration", duration);
        c.preload = preload;
        c.preloadOnly = preloadOnly;
        c.connectRate = connectRate;
        c.connectTimeoutNs = parseDuration("--connect-timeout", connectTimeout);
        c.drainTimeoutNs = parseDuration("--drain-timeout", drainTimeout);
        c.idle = parseEnum(LoadgenConfig.Idle.class, "--idle", idle, "spin, hybrid, block");
        c.seed = seed;
        c.progress = progress;
        c.json = json;
        c.hgrm = hgrm;
        c.hdrLog = hdrLog;
        c.plot = plot;
        c.sweep = sweep;
        c.sweepSteps = sweepSteps;
        c.sweepMax = sweepMax;
        return c;
    }

    static InetSocketAddress parseServer(final String text)
    {
        final int colon = text.lastIndexOf(':');
        final String host = colon < 0 ? text : text.substring(0, colon);
        int port = 11211;
        if (colon >= 0)
        {
            try
            {
                port = Integer.parseInt(text.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                port = -1;
            }
        }
        if (host.isEmpty() || port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("--server " + text + " is not HOST:PORT with a port in 1..65535");
        }
        return new InetSocketAddress(host, port);
    }

    static <E extends Enum<E>> E parseEnum(final Class<E> type, final String option, final String text,
        final String accepted)
    {
        try
        {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(option + " " + text + " is not one of: " + accepted);
        }
    }

    /** {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1500us}; a bare number is seconds. */
    public static long parseDuration(final String option, final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (t.endsWith("ms"))
            {
                return (long)(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6);
            }
            if (t.endsWith("us"))
            {
                return (long)(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3);
            }
            if (t.endsWith("s"))
            {
                return (long)(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9);
            }
            if (t.endsWith("m"))
            {
                return TimeUnit.MINUTES.toNanos(1) * Long.parseLong(t.substring(0, t.length() - 1));
            }
            if (t.endsWith("h"))
            {
                return TimeUnit.HOURS.toNanos(1) * Long.parseLong(t.substring(0, t.length() - 1));
            }
            return (long)(Double.parseDouble(t) * 1e9);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " " + text + " is not a duration such as 500ms, 10s, 2m");
        }
    }

    public static void main(final String[] args)
    {
        ProcessExit.exit("loadgen", () -> run(args));
    }

    public static int run(final String... args)
    {
        final LoadgenMain main = new LoadgenMain();
        final CommandLine commandLine = new CommandLine(main);
        // The engine's options mean the same here as in `kvs engine` and the server; only its --idle gives way to
        // loadgen's own (which also sets how the engine's threads wait).
        final CommandSpec engineOptions = CommandSpec.forAnnotatedObject(main.engine);
        engineOptions.remove(engineOptions.findOption("--idle"));
        commandLine.getCommandSpec().addMixin("engine", engineOptions);
        return commandLine.setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {"loadgen 0.1.0"};
        }
    }
}
