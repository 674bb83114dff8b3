package dev.taskvs.server;

/**
 * Every server setting with memcached's default; the CLI fills it in, {@link #conclude()} checks ranges once
 * before any thread starts.
 */
public final class ServerConfig
{
    public static final int KEY_MAX_LENGTH = 250;

    /** --stack: "kernel" (Linux sockets) or "tas" (the userspace engine, settings in {@link #tas}). */
    public String stack = "kernel";
    /** The engine's settings, used with {@code stack = "tas"}. */
    public final dev.taskvs.server.transport.tas.TasConfig tas = new dev.taskvs.server.transport.tas.TasConfig();

    /** -p */
    public int port = 11211;
    /** -l */
    public String listenAddress = "0.0.0.0";
    /** -c: connection limit; connections beyond it get "ERROR Too many open connections" and are closed. */
    public int maxConnections = 1024;
    /** -t: worker (event-loop) threads. */
    public int threads = 4;
    /** -m: item memory in MiB. */
    public long memoryLimitMb = 64;
    /** -I: largest item (key, value and header together), bytes. */
    public int itemSizeMax = 1024 * 1024;
    /** -M: answer SERVER_ERROR out of memory instead of evicting. */
    public boolean noEviction;
    /** -C: no CAS (every CAS reads 0). */
    public boolean casDisabled;
    /** -R: requests handled per read event before yielding to other connections. */
    public int requestsPerEvent = 20;
    /** -b: listen backlog. */
    public int backlog = 1024;
    /** -F: refuse flush_all. */
    public boolean flushDisabled;
    /** -A: allow the shutdown command. */
    public boolean shutdownEnabled;
    /** -v (count). */
    public int verbosity;
    /** Longest text command line accepted before the connection is closed (memcached: 2048, except get/gets). */
    public int maxLineLength = 2048;
    /** Longest get/gets line (large multi-gets), bytes. */
    public int maxMultiGetLineLength = 1024 * 1024;
    /** Pending output above which a connection stops reading requests (back-pressure). */
    public int outputHighWaterMark = 256 * 1024;
    /** Idle connections are closed after this many seconds; 0 = never (memcached -o idle_timeout). */
    public int idleTimeoutSeconds;
    /** Store segments (lock stripes); a power of two. */
    public int storeSegments = 64;

    public ServerConfig conclude()
    {
        require(port >= 0 && port <= 65535, "port", port, "0..65535");
        require(maxConnections >= 1, "max connections (-c)", maxConnections, ">= 1");
        require(threads >= 1 && threads <= 1024, "threads (-t)", threads, "1..1024");
        require(memoryLimitMb >= 1 && memoryLimitMb <= 1L << 32, "memory limit (-m)", memoryLimitMb,
            "1 .. 4294967296 MB");
        require(itemSizeMax >= 1024 && itemSizeMax <= 1024 * 1024 * 1024, "item size max (-I)", itemSizeMax,
            "1k..1024m");
        require(itemSizeMax <= memoryLimitMb * 1024 * 1024, "item size max (-I)", itemSizeMax,
            "<= the memory limit (-m)");
        require(requestsPerEvent >= 1, "requests per event (-R)", requestsPerEvent, ">= 1");
        require(backlog >= 1, "backlog (-b)", backlog, ">= 1");
        require(maxLineLength >= 256, "max line length", maxLineLength, ">= 256");
        require(outputHighWaterMark >= 4096, "output high-water mark", outputHighWaterMark, ">= 4096");
        require(Integer.bitCount(storeSegments) == 1 && storeSegments <= 65536, "store segments", storeSegments,
            "a power of two up to 65536");
        require(idleTimeoutSeconds >= 0, "idle timeout (-o idle_timeout)", idleTimeoutSeconds, ">= 0 (0 = never)");
        require(maxMultiGetLineLength >= maxLineLength && maxMultiGetLineLength <= 64 * 1024 * 1024,
            "max multi-get line (-o max_multiget_line)", maxMultiGetLineLength, "max line length .. 64m");
        require("kernel".equals(stack) || "tas".equals(stack), "--stack " + stack, 0, "kernel or tas");
        if ("tas".equals(stack))
        {
            tas.conclude();
        }
        require(listenAddress != null && !listenAddress.isBlank(), "listen address (-l)", 0, "an address");
        return this;
    }

    private static void require(final boolean ok, final String what, final long value, final String limit)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(what + " = " + value + " is out of range: must be " + limit);
        }
    }
}
