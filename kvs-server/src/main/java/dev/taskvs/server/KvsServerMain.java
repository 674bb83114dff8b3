package dev.taskvs.server;

import dev.taskvs.engine.cli.ProcessExit;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./kvs server}: the cache server, with memcached's flags where memcached has the same setting. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = KvsServerMain.Version.class,
    sortOptions = false,
    description = "A memcached-compatible cache. Speaks the text, meta and binary protocols on one port.")
public final class KvsServerMain implements Callable<Integer>
{
    @Option(names = "--stack", defaultValue = "auto",
        description = "Network stack: tas (the userspace engine), kernel (Linux sockets), or auto: the engine on a " +
            "new TAP device when this process may create one (root, /dev/net/tun), else kernel sockets. " +
            "Default: ${DEFAULT-VALUE}.")
    String stack;

    @Option(names = "--nic", defaultValue = "tap",
        description = "Engine packet I/O: tap, afpacket, shm or dpdk. Default: ${DEFAULT-VALUE}.")
    String nic;

    @Option(names = "--ip", defaultValue = "10.211.0.2/24",
        description = "The engine's own address and prefix; clients connect to it. Default: ${DEFAULT-VALUE}.")
    String ip;

    @Option(names = "--gateway", description = "The engine's default gateway. Default: none.")
    String gateway;

    @Option(names = "--iface", defaultValue = "kvs0",
        description = "TAP device to create, interface for afpacket, or DPDK device (devargs). Default: ${DEFAULT-VALUE}.")
    String iface;

    @Option(names = "--kernel-ip",
        description = "With --nic tap: the kernel side's address. Default: the subnet's first address; 'none' leaves it.")
    String kernelIp;

    @Option(names = "--shm", defaultValue = "/dev/shm/tas-kvs.wire",
        description = "Shared-memory wire for --nic shm (the first side creates it). Default: ${DEFAULT-VALUE}.")
    String shm;

    @Option(names = "--shm-peer-queues", defaultValue = "0",
        description = "With --nic shm, when the server creates the wire: queues (lanes) the other side may bring. " +
            "The server has one queue per lane (--stack-cores, all but the last). Default: as many as the server's.")
    int shmPeerQueues;

    @Option(names = "--dpdk-args", defaultValue = "",
        description = "EAL arguments for --nic dpdk, on top of the defaults (--no-huge -m 256 --no-shconf --no-pci), " +
            "as in ./kvs engine, e.g. \"--vdev=net_memif0,role=server,id=0,socket=/tmp/kvs.sock,socket-abstract=no\". " +
            "Default: none.")
    String dpdkArgs;

    @Option(names = "--dpdk-port",
        description = "With --nic dpdk: the port, a device probed at init (default: the first one --dpdk-args names, " +
            "else --iface) or devargs to hot-plug, e.g. net_af_packet0,iface=veth0.")
    String dpdkPort;

    @Option(names = "--stack-cores", split = ",",
        description = "Cores for the fast-path lane(s), then the slow path (dedicated threading). Default: unpinned.")
    int[] stackCores = new int[0];

    @Option(names = "--app-cores", defaultValue = "1",
        description = "Cache workers on the engine, one app context each. Default: ${DEFAULT-VALUE}.")
    int appCores;

    @Option(names = "--threading", defaultValue = "shared",
        description = "shared: engine and workers on one thread (2-core machines); dedicated: a thread each. " +
            "Default: ${DEFAULT-VALUE}.")
    String threading;

    @Option(names = "--idle", defaultValue = "nap",
        description = "Engine idle strategy: spin, yield, backoff, nap, park. Default: ${DEFAULT-VALUE}.")
    String idle;

    @Option(names = "--cc", defaultValue = "DCTCP_RATE",
        description = "Engine congestion control: DCTCP_RATE, TIMELY, CONST_RATE. Default: ${DEFAULT-VALUE}.")
    dev.taskvs.engine.slowpath.cc.CongestionControlKind cc;

    @Option(names = "--buffer-kb", defaultValue = "64",
        description = "Per-connection RX and TX ring, KiB (power of two). Default: ${DEFAULT-VALUE}.")
    int bufferKb;

    @Option(names = "--max-flows", defaultValue = "0",
        description = "Engine flow slots; 0 = 2 x -c + 1024. Default: ${DEFAULT-VALUE}.")
    int maxFlows;

    @Option(names = "--flow-id-seed", defaultValue = "0",
        description = "0: the engine hands out flow ids lowest first; else it shuffles them with this seed, as a " +
            "long-running server's closes do (benchmarks). Default: ${DEFAULT-VALUE}.")
    long flowIdSeed;

    @Option(names = "--ack-delay-us", defaultValue = "200",
        description = "How long a small request's ACK may wait for the answer to carry it; 0 = at once; keep it " +
            "well under the clients' minimum RTO. Default: ${DEFAULT-VALUE}.")
    long ackDelayUs;

    @Option(names = "--time-wait-ms", defaultValue = "60000",
        description = "TIME_WAIT after the server closes first, ms. Default: ${DEFAULT-VALUE}.")
    long timeWaitMs;

    @Option(names = "--rto-retries", defaultValue = "8",
        description = "Retransmission timeouts before a silent client is reset. Default: ${DEFAULT-VALUE}.")
    int rtoRetries;

    @Option(names = "--syn-cookies", defaultValue = "ON_OVERFLOW",
        description = "SYN cookies for SYNs past -b (ON_OVERFLOW, as Linux's tcp_syncookies=1), for every SYN " +
            "(ALWAYS) or none (OFF: those SYNs are dropped). Default: ${DEFAULT-VALUE}.")
    dev.taskvs.engine.SynCookieMode synCookies;

    @Option(names = "--keepalive-s", defaultValue = "0",
        description = "TCP keepalive: idle seconds before probing a client; 0 = off (as memcached). Default: ${DEFAULT-VALUE}.")
    int keepaliveSeconds;

    @Option(names = "--keepalive-interval-s", defaultValue = "75",
        description = "Seconds between keepalive probes. Default: ${DEFAULT-VALUE}.")
    int keepaliveIntervalSeconds;

    @Option(names = "--keepalive-probes", defaultValue = "9",
        description = "Unanswered keepalive probes before the reset. Default: ${DEFAULT-VALUE}.")
    int keepaliveProbes;

    @Option(names = {"-p", "--port"}, defaultValue = "11211", description = "TCP port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = {"-l", "--listen"}, defaultValue = "0.0.0.0",
        description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = {"-c", "--conn-limit"}, defaultValue = "1024",
        description = "Most simultaneous connections; more are refused. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = {"-t", "--threads"}, defaultValue = "4", description = "Worker threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = {"-m", "--memory-limit"}, defaultValue = "64",
        description = "Item memory in megabytes. Default: ${DEFAULT-VALUE}.")
    long memoryMb;

    @Option(names = {"-I", "--max-item-size"}, defaultValue = "1m",
        description = "Largest item (k/m suffixes; 1k..1024m). Default: ${DEFAULT-VALUE}.")
    String maxItemSize;

    @Option(names = {"-M", "--disable-evictions"}, description = "Return an error when memory is full instead of evicting.")
    boolean noEviction;

    @Option(names = {"-C", "--disable-cas"}, description = "Disable CAS.")
    boolean casDisabled;

    @Option(names = {"-R", "--max-reqs-per-event"}, defaultValue = "20",
        description = "Requests per connection per turn before yielding. Default: ${DEFAULT-VALUE}.")
    int requestsPerEvent;

    @Option(names = {"-b", "--listen-backlog"}, defaultValue = "1024",
        description = "Listen backlog. Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = {"-F", "--disable-flush-all"}, description = "Refuse flush_all.")
    boolean flushDisabled;

    @Option(names = {"-A", "--enable-shutdown"}, description = "Allow the shutdown command.")
    boolean shutdownEnabled;

    @Option(names = "-v", description = "Verbose (repeat for more).")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-o", "--extended"}, split = ",",
        description = "Extended options: idle_timeout=SECONDS (0 = never), max_line=BYTES (2048), " +
            "max_multiget_line=BYTES (1m), output_high_water=BYTES (256k), store_segments=N (64).")
    List<String> extended = List.of();

    @Override
    public Integer call() throws Exception
    {
        final ServerConfig config;
        KvsServer server;
        try
        {
            config = toConfig();
            if ("auto".equals(stack))
            {
                final String why = TasAvailability.whyNot(config);
                if (why == null)
                {
                    config.stack = "tas";
                    try
                    {
                        server = KvsServer.start(config);
                    }
                    catch (final RuntimeException ex)
                    {
                        System.err.println("kvs server: not on the engine (" + describe(ex) + "); " +
                            "serving on kernel sockets");
                        config.stack = "kernel";
                        server = KvsServer.start(config);
                    }
                }
                else
                {
                    System.err.println("kvs server: not on the engine (" + why + "); serving on kernel sockets");
                    config.stack = "kernel";
                    server = KvsServer.start(config);
                }
            }
            else
            {
                server = KvsServer.start(config);
            }
        }
        catch (final IllegalArgumentException | IllegalStateException | ArithmeticException |
            java.io.UncheckedIOException ex)
        {
            // A bad option or a port in use is the user's to fix: one line, no stack trace.
            System.err.println("kvs server: " + describe(ex));
            return 2;
        }
        final KvsServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "kvs-sigterm"));
        if (server.tas() != null)
        {
            final dev.taskvs.server.transport.tas.TasConfig tas = config.tas;
            System.out.println("kvs-server " + ServerContext.VERSION + " on the TAS engine (" +
                server.tas().nicDescription() + ", " + tas.threading + " threading, " + tas.appCores + " app context" +
                (tas.appCores == 1 ? "" : "s") + ", " + config.memoryLimitMb + " MB, max " + config.maxConnections +
                " connections" + (tas.flowIdSeed == 0 ? "" : ", flow ids shuffled with seed " + tas.flowIdSeed) + ")");
            System.out.println("clients connect to " + server.tas().clientAddress() +
                ("tap".equals(tas.nic) && !"none".equals(tas.kernelIp) ?
                " (the kernel's side of " + tas.iface + " is " + tas.kernelAddress() + ")" : ""));
        }
        else
        {
            System.out.println("kvs-server " + ServerContext.VERSION + " on kernel sockets, listening on " +
                config.listenAddress + ":" + server.port() + " (" + config.threads + " threads, " +
                config.memoryLimitMb + " MB, max " + config.maxConnections + " connections)");
        }
        System.out.flush();
        server.awaitShutdown();
        return 0;
    }

    ServerConfig toConfig()
    {
        final ServerConfig c = new ServerConfig();
        c.port = port;
        c.listenAddress = listen;
        c.maxConnections = maxConnections;
        c.threads = threads;
        c.memoryLimitMb = memoryMb;
        c.itemSizeMax = parseSize(maxItemSize);
        c.noEviction = noEviction;
        c.casDisabled = casDisabled;
        c.requestsPerEvent = requestsPerEvent;
        c.backlog = backlog;
        c.flushDisabled = flushDisabled;
        c.shutdownEnabled = shutdownEnabled;
        c.verbosity = verbose.length;
        c.stack = "auto".equals(stack) ? "kernel" : stack;
        c.tas.nic = nic;
        c.tas.ip = ip;
        c.tas.gateway = gateway;
        c.tas.iface = iface;
        c.tas.kernelIp = kernelIp;
        c.tas.shm = shm;
        c.tas.shmPeerQueues = shmPeerQueues;
        c.tas.dpdkArgs = dpdkArgs;
        c.tas.dpdkPort = dpdkPort;
        c.tas.stackCores = stackCores;
        c.tas.appCores = appCores;
        c.tas.threading = threading;
        c.tas.idle = idle;
        c.tas.cc = cc;
        c.tas.bufferKb = bufferKb;
        c.tas.maxFlows = maxFlows;
        c.tas.flowIdSeed = flowIdSeed;
        c.tas.ackDelayUs = ackDelayUs;
        c.tas.timeWaitMs = timeWaitMs;
        c.tas.rtoRetries = rtoRetries;
        c.tas.synCookies = synCookies;
        c.tas.keepaliveSeconds = keepaliveSeconds;
        c.tas.keepaliveIntervalSeconds = keepaliveIntervalSeconds;
        c.tas.keepaliveProbes = keepaliveProbes;
        if (!"auto".equals(stack) && !"kernel".equals(stack) && !"tas".equals(stack))
        {
            throw new IllegalArgumentException("--stack " + stack + " is not a stack: use auto, tas or kernel");
        }
        for (final String opt : extended)
        {
            final int eq = opt.indexOf('=');
            final String name = eq < 0 ? opt : opt.substring(0, eq);
            final String value = eq < 0 ? "" : opt.substring(eq + 1);
            switch (name)
            {
                case "idle_timeout": c.idleTimeoutSeconds = parseInt(name, value); break;
                case "max_line": c.maxLineLength = parseInt(name, value); break;
                case "output_high_water": c.outputHighWaterMark = parseSize(value); break;
                case "max_multiget_line": c.maxMultiGetLineLength = parseSize(value); break;
                case "store_segments": c.storeSegments = parseInt(name, value); break;
                default: throw new CommandLine.ParameterException(new CommandLine(this), "unknown -o option: " + opt);
            }
        }
        return c.conclude();
    }

    private static String describe(final Exception ex)
    {
        if (ex instanceof java.io.UncheckedIOException && ex.getCause() != null)
        {
            return ex.getMessage() + ": " + ex.getCause().getMessage();
        }
        if (ex instanceof java.nio.channels.UnresolvedAddressException)
        {
            return "cannot resolve the listen address (-l)";
        }
        return ex.getMessage();
    }

    private static int parseInt(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("-o " + option + ": not a number: '" + value + "'");
        }
    }

    static int parseSize(final String text)
    {
        final String t = text.trim().toLowerCase();
        long multiplier = 1;
        String digits = t;
        if (t.endsWith("k"))
        {
            multiplier = 1024;
            digits = t.substring(0, t.length() - 1);
        }
        else if (t.endsWith("m"))
        {
            multiplier = 1024 * 1024;
            digits = t.substring(0, t.length() - 1);
        }
        final long v;
        try
        {
            v = Math.multiplyExact(Long.parseLong(digits), multiplier);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a size: '" + text + "' (bytes, or a number with a k or m suffix)");
        }
        if (v > Integer.MAX_VALUE || v < 0)
        {
            throw new IllegalArgumentException("size " + text + " is out of range: 0.." + Integer.MAX_VALUE + " bytes");
        }
        return (int)v;
    }

    public static void main(final String[] args)
    {
        ProcessExit.exit("kvs server", () -> new CommandLine(new KvsServerMain()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {"kvs-server " + ServerContext.VERSION};
        }
    }
}
