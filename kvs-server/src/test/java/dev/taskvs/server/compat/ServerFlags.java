package dev.taskvs.server.compat;

import java.util.ArrayList;
import java.util.List;

import dev.taskvs.server.ServerConfig;

/**
 * The settings a scenario needs, written once and translated both to memcached's command line and to our
 * {@link ServerConfig}, so the two servers under comparison always run with the same limits.
 */
public final class ServerFlags
{
    public static final ServerFlags DEFAULTS = new ServerFlags();

    /** -m, MiB. */
    public long memoryMb = 64;
    /** -I, bytes; 0 keeps the default (1 MiB). */
    public int itemSizeMax;
    /** -c. */
    public int maxConnections = 1024;
    /** -t. */
    public int threads = 2;
    /** -F. */
    public boolean flushDisabled;
    /** -A. */
    public boolean shutdownEnabled;
    /**
     * memcached only: {@code -o no_lru_crawler,no_slab_reassign -W}, the subsystems kvs-server does not have (LRU
     * crawler, slab mover, watch log stream), so that memcached answers their commands as we do.
     */
    public boolean withoutCrawlerMoverWatch;

    public ServerFlags memoryMb(final long mb)
    {
        final ServerFlags copy = copy();
        copy.memoryMb = mb;
        return copy;
    }

    public ServerFlags itemSizeMax(final int bytes)
    {
        final ServerFlags copy = copy();
        copy.itemSizeMax = bytes;
        return copy;
    }

    public ServerFlags maxConnections(final int connections)
    {
        final ServerFlags copy = copy();
        copy.maxConnections = connections;
        return copy;
    }

    public ServerFlags threads(final int count)
    {
        final ServerFlags copy = copy();
        copy.threads = count;
        return copy;
    }

    public ServerFlags flushDisabled()
    {
        final ServerFlags copy = copy();
        copy.flushDisabled = true;
        return copy;
    }

    public ServerFlags withoutCrawlerMoverWatch()
    {
        final ServerFlags copy = copy();
        copy.withoutCrawlerMoverWatch = true;
        return copy;
    }

    public ServerFlags shutdownEnabled()
    {
        final ServerFlags copy = copy();
        copy.shutdownEnabled = true;
        return copy;
    }

    /** memcached's flags for these settings, without -p/-l/-U. */
    public List<String> memcachedArgs()
    {
        final List<String> args = new ArrayList<>();
        args.add("-m");
        args.add(Long.toString(memoryMb));
        if (itemSizeMax > 0)
        {
            args.add("-I");
            args.add(Integer.toString(itemSizeMax));
        }
        args.add("-c");
        args.add(Integer.toString(maxConnections));
        args.add("-t");
        args.add(Integer.toString(threads));
        if (flushDisabled)
        {
            args.add("-F");
        }
        if (shutdownEnabled)
        {
            args.add("-A");
        }
        if (withoutCrawlerMoverWatch)
        {
            args.add("-o");
            args.add("no_lru_crawler,no_slab_reassign");
            args.add("-W");
        }
        return args;
    }

    /** Our server's configuration for these settings, on an ephemeral loopback port. */
    public ServerConfig serverConfig()
    {
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.memoryLimitMb = memoryMb;
        if (itemSizeMax > 0)
        {
            config.itemSizeMax = itemSizeMax;
        }
        config.maxConnections = maxConnections;
        config.threads = threads;
        config.flushDisabled = flushDisabled;
        config.shutdownEnabled = shutdownEnabled;
        return config;
    }

    @Override
    public String toString()
    {
        return String.join(" ", memcachedArgs());
    }

    private ServerFlags copy()
    {
        final ServerFlags copy = new ServerFlags();
        copy.memoryMb = memoryMb;
        copy.itemSizeMax = itemSizeMax;
        copy.maxConnections = maxConnections;
        copy.threads = threads;
        copy.flushDisabled = flushDisabled;
        copy.shutdownEnabled = shutdownEnabled;
        copy.withoutCrawlerMoverWatch = withoutCrawlerMoverWatch;
        return copy;
    }
}
