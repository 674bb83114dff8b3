package dev.taskvs.loadgen.worker;

import java.util.concurrent.CountDownLatch;

/** A command from the coordinator to every worker: preload the keys, run a measurement, or shut down. */
public final class Phase
{
    public enum Kind
    {
        PRELOAD, RUN, SHUTDOWN
    }

    public final Kind kind;
    /** Offered requests per second over all connections of all workers; 0 for closed loop. */
    public final double rate;
    public final long startNs;
    public final long measureStartNs;
    public final long endNs;
    final CountDownLatch done;

    public Phase(final Kind kind, final double rate, final long startNs, final long measureStartNs, final long endNs,
        final int workers)
    {
        this.kind = kind;
        this.rate = rate;
        this.startNs = startNs;
        this.measureStartNs = measureStartNs;
        this.endNs = endNs;
        this.done = new CountDownLatch(workers);
    }

    public static Phase preload(final int workers)
    {
        return new Phase(Kind.PRELOAD, 0, 0, 0, Long.MAX_VALUE, workers);
    }

    public static Phase shutdown(final int workers)
    {
        return new Phase(Kind.SHUTDOWN, 0, 0, 0, 0, workers);
    }

    public boolean awaitDone(final long millis) throws InterruptedException
    {
        return done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
