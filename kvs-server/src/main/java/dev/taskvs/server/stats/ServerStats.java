package dev.taskvs.server.stats;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Server-wide statistics: connection counts kept by the transport, plus one {@link WorkerStats} per worker
 * thread (each written by its own thread only, summed when {@code stats} is asked for).
 */
public final class ServerStats
{
    public final AtomicLong currConnections = new AtomicLong();
    public final AtomicLong totalConnections = new AtomicLong();
    public final AtomicLong rejectedConnections = new AtomicLong();
    /** Connections ever set up (memcached's connection_structures). */
    public final AtomicLong connectionStructures = new AtomicLong();
    public volatile boolean acceptingConnections = true;
    public final long startNanos = System.nanoTime();

    private final CopyOnWriteArrayList<WorkerStats> workers = new CopyOnWriteArrayList<>();

    /** Registers a worker's counters; called once per worker thread at start. */
    public WorkerStats newWorker()
    {
        final WorkerStats w = new WorkerStats();
        workers.add(w);
        return w;
    }

    public void forEachWorker(final Consumer<WorkerStats> consumer)
    {
        workers.forEach(consumer);
    }

    /** stats reset: zero the resettable counters of every worker. */
    public void reset()
    {
        totalConnections.set(0);
        rejectedConnections.set(0);
        workers.forEach(WorkerStats::reset);
    }
}
