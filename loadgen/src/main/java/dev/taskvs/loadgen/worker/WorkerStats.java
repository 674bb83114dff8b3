package dev.taskvs.loadgen.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.taskvs.loadgen.protocol.ErrorKind;
import org.HdrHistogram.Histogram;

/**
 * What one worker measured: counters the main thread reads while the worker runs (single writer, counted in a plain
 * array and published with ordered stores once a millisecond and before every wait) and a {@link LatencyRecorder}
 * that the main thread samples once a second and merges across workers without loss. Latencies are recorded in
 * nanoseconds.
 */
public final class WorkerStats
{
    /** Latencies above this are recorded as this (one hour); the count stays exact. */
    public static final long HIGHEST_NS = TimeUnit.HOURS.toNanos(1);
    public static final int DIGITS = 3;

    public static final int SENT = 0;
    public static final int COMPLETED = 1;
    public static final int MEASURED_SENT = 2;
    public static final int MEASURED_COMPLETED = 3;
    /** Measured gets, sets, keys asked for, hits and misses. */
    public static final int GETS = 4;
    public static final int SETS = 5;
    public static final int KEYS_REQUESTED = 6;
    public static final int HITS = 7;
    public static final int MISSES = 8;
    public static final int BYTES_OUT = 9;
    public static final int BYTES_IN = 10;
    public static final int CONNECTED = 11;
    public static final int RECONNECTS = 12;
    public static final int PRELOADED = 13;
    /** Measured sends that went out later than scheduled while their connection had room: the generator's fault. */
    public static final int LATE_SENDS = 14;
    /** Connections open now (a gauge). */
    public static final int OPEN = 15;
    public static final int ERRORS_BASE = 16;
    public static final int COUNTERS = ERRORS_BASE + ErrorKind.count();

    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    /** Changes the worker has counted and not yet published. */
    private final long[] pending = new long[COUNTERS];

    /** Latencies of measured requests, per interval; the worker records, the main thread samples. */
    public final LatencyRecorder latencies = new LatencyRecorder();

    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_NS, DIGITS);
    }

    static long clamp(final long nanos)
    {
        return nanos < 1 ? 1 : Math.min(nanos, HIGHEST_NS);
    }

    /** Writer side: only the worker thread calls this; the main thread sees it after the next {@link #publish}. */
    void add(final int counter, final long delta)
    {
        pending[counter] += delta;
    }

    void increment(final int counter)
    {
        pending[counter]++;
    }

    void error(final ErrorKind kind, final long count)
    {
        add(ERRORS_BASE + kind.ordinal(), count);
    }

    /**
     * Worker: make the counts so far visible to the main thread. Counting into a plain array and publishing once a
     * millisecond (and before every wait) replaced about ten ordered read-modify-writes per request, an eighth of
     * the generator's thread at 3 M requests/s.
     */
    void publish()
    {
        for (int i = 0; i < COUNTERS; i++)
        {
            final long delta = pending[i];
            if (delta != 0)
            {
                counters.lazySet(i, counters.get(i) + delta);
                pending[i] = 0;
            }
        }
    }

    public long get(final int counter)
    {
        return counters.get(counter);
    }

    public long errors(final ErrorKind kind)
    {
        return counters.get(ERRORS_BASE + kind.ordinal());
    }

    public long errorsTotal()
    {
        long sum = 0;
        for (int i = ERRORS_BASE; i < COUNTERS; i++)
        {
            sum += counters.get(i);
        }
        return sum;
    }
}
