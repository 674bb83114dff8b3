package dev.taskvs.server;

import dev.taskvs.server.stats.ConnectionRegistry;
import dev.taskvs.server.stats.ServerStats;
import dev.taskvs.server.stats.StatsReport;
import dev.taskvs.server.store.Store;

/**
 * What every protocol session can reach: settings, the store, the statistics, the list of connections (for
 * {@code stats conns}) and the shutdown action. One per server; shared by all workers.
 */
public final class ServerContext
{
    public static final String VERSION = "1.6.18-taskvs-0.1.0";

    private final ServerConfig config;
    private final Store store;
    private final ServerStats stats;
    private volatile ConnectionRegistry connections = ConnectionRegistry.NONE;
    private volatile Runnable shutdownAction = () -> { };
    private volatile int verbosity;
    private final String stackName;
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.function.Consumer<StatsReport.Sink>> statsGroups =
        new java.util.concurrent.ConcurrentHashMap<>();

    public ServerContext(final ServerConfig config, final Store store, final String stackName)
    {
        this.config = config;
        this.store = store;
        this.stats = new ServerStats();
        this.verbosity = config.verbosity;
        this.stackName = stackName;
    }

    public ServerConfig config()
    {
        return config;
    }

    public Store store()
    {
        return store;
    }

    public ServerStats stats()
    {
        return stats;
    }

    /** "kernel" or "tas": which transport serves this server. */
    public String stackName()
    {
        return stackName;
    }

    /** Adds a {@code stats NAME} group (the engine transport's {@code stats tas}). */
    public void statsGroup(final String name, final java.util.function.Consumer<StatsReport.Sink> group)
    {
        statsGroups.put(name, group);
    }

    /** @return the group's renderer, or null when no transport registered one. */
    public java.util.function.Consumer<StatsReport.Sink> statsGroup(final String name)
    {
        return statsGroups.get(name);
    }

    public ConnectionRegistry connections()
    {
        return connections;
    }

    public void connections(final ConnectionRegistry registry)
    {
        this.connections = registry;
    }

    /** Runs the server's shutdown (the {@code shutdown} command, when enabled with -A). */
    public void requestShutdown()
    {
        shutdownAction.run();
    }

    public void shutdownAction(final Runnable action)
    {
        this.shutdownAction = action;
    }

    public int verbosity()
    {
        return verbosity;
    }

    public void verbosity(final int level)
    {
        this.verbosity = level;
    }
}
