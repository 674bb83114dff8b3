package dev.taskvs.server;

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
    @Option(names = "--stack", defaultValue = "kernel",
        description = "Network stack: kernel (Linux sockets) or tas (the userspace engine). Default: ${DEFAULT-VALUE}.")
    String stack;

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
        if (!"kernel".equals(stack))
        {
            System.err.println("--stack " + stack + ": the userspace engine transport is not built yet; " +
                "use --stack kernel");
            return 2;
        }
        final ServerConfig config;
        final KvsServer server;
        try
        {
            config = toConfig();
            server = KvsServer.start(config);
        }
        catch (final IllegalArgumentException | ArithmeticException | java.io.UncheckedIOException ex)
        {
            // A bad option or a port in use is the user's to fix: one line, no stack trace.
            System.err.println("kvs server: " + describe(ex));
            return 2;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kvs-sigterm"));
        System.out.println("kvs-server " + ServerContext.VERSION + " on kernel sockets, listening on " +
            config.listenAddress + ":" + server.port() + " (" + config.threads + " threads, " + config.memoryLimitMb +
            " MB, max " + config.maxConnections + " connections)");
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
        System.exit(new CommandLine(new KvsServerMain()).execute(args));
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
