package dev.taskvs.loadgen.worker;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * One worker's latency histograms, recorded without an atomic instruction per value.
 * <p>
 * HdrHistogram's {@code Recorder} is safe to call from anywhere because every value pays two atomic
 * read-modify-writes, and its concurrent histograms more; at 2.5 M requests/s and three values a request that was a
 * seventh of the generator's thread. Here the worker opens one writer section per pass of its loop ({@link #enter},
 * {@link #exit}) and records any number of values into plain histograms inside it. The reader swaps the active set
 * with a spare and flips the phaser, which waits for the pass in progress to end: at most one blocking poll (10 ms).
 * Values recorded outside a writer section could land in a set being read; the worker records only inside one.
 */
public final class LatencyRecorder
{
    /** How long the reader yields between checks while a pass is still running. */
    private static final long FLIP_YIELD_NS = 50_000;

    /** The histograms of one interval, in nanoseconds. */
    public static final class Interval
    {
        /** Intended send to completion, per kind of request. */
        public final Histogram get = WorkerStats.newHistogram();
        public final Histogram set = WorkerStats.newHistogram();
        /** Actual send to completion. */
        public final Histogram service = WorkerStats.newHistogram();
        /** How late the generator sent measured requests that had room in their window (open loop only). */
        public final Histogram lag = WorkerStats.newHistogram();

        void reset()
        {
            get.reset();
            set.reset();
            service.reset();
            lag.reset();
        }
    }

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Interval active = new Interval();
    private Interval spare = new Interval();

    /** Writer: open a section; pass the result to {@link #exit}. */
    public long enter()
    {
        return phaser.writerCriticalSectionEnter();
    }

    public void exit(final long token)
    {
        phaser.writerCriticalSectionExit(token);
    }

    /** Writer, inside a section: a completed request's latency from its intended send time, and its service time. */
    void recordCompletion(final boolean get, final long latencyNs, final long serviceNs)
    {
        final Interval interval = active;
        (get ? interval.get : interval.set).recordValue(latencyNs);
        interval.service.recordValue(serviceNs);
    }

    /** Writer, inside a section. */
    void recordLag(final long lagNs)
    {
        active.lag.recordValue(lagNs);
    }

    /**
     * Reader (one thread at a time): everything recorded since the last call. The returned set stays valid until
     * the next call.
     */
    public Interval sample()
    {
        phaser.readerLock();
        try
        {
            final Interval filled = active;
            spare.reset();
            active = spare;
            phaser.flipPhase(FLIP_YIELD_NS);
            spare = filled;
            return filled;
        }
        finally
        {
            phaser.readerUnlock();
        }
    }
}
