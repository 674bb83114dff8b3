package dev.taskvs.engine.sched;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.locks.LockSupport;

/**
 * Polls for 50 us after the last work, then gives the CPU away in short naps that lengthen, up to a cap, the
 * longer nothing arrives.
 * <p>
 * Why not Agrona's backoff: it parks after about a hundred empty polls, at least 50 us at a time on Linux (the
 * timer slack), doubling up to 1 ms, so a request that arrives after a quiet spell waits up to that long (a
 * server at 2,000 requests/s answered at a p50 of 26-30 us with it, 5-6 us with this). Here the poll is bounded in
 * time, so a peer that answers within 50 us is still caught polling; every 64th poll yields, so a peer the
 * scheduler queued on this CPU is not kept waiting for the whole poll (without the yields, closed-loop runs with
 * server and generator on 2 CPUs lost about 5 %); every nap is short (20 us at first, a quarter of the idle time
 * later, at most 100 us); and the thread's timer slack is lowered once, so the kernel wakes it when asked. A
 * poll-mode NIC gives no wake-up to block on, so a bounded nap is what caps the latency idling adds. Measured
 * against backoff in BENCHMARKS.md.
 */
public final class NapIdleStrategy implements IdleStrategy
{
    public static final long DEFAULT_SPIN_NS = 50_000;
    public static final long DEFAULT_MIN_NAP_NS = 20_000;
    public static final long DEFAULT_MAX_NAP_NS = 100_000;
    /** Every 64th empty poll yields the CPU (sched_yield: a few hundred ns when nothing else is waiting). */
    static final int YIELD_EVERY_MASK = 63;
    /** Asked of the kernel for the idling thread: a 20 us nap then sleeps about 20 us, not 50-70. */
    public static final long TIMER_SLACK_NS = 2_000;

    /** Parks the calling thread; a seam for tests. */
    @FunctionalInterface
    public interface Parker
    {
        void park(long nanos);
    }

    private final long spinNs;
    private final long minNapNs;
    private final long maxNapNs;
    private final NanoClock clock;
    private final Parker parker;
    private long idleSinceNs = Long.MIN_VALUE;
    private boolean slackTried;
    private boolean slackSet;
    private long naps;
    private int polls;

    public NapIdleStrategy()
    {
        this(DEFAULT_SPIN_NS, DEFAULT_MIN_NAP_NS, DEFAULT_MAX_NAP_NS, SystemNanoClock.INSTANCE, LockSupport::parkNanos);
    }

    /**
     * @param spinNs   how long to poll after the last work before the first nap.
     * @param minNapNs the first naps.
     * @param maxNapNs the longest nap: the most latency a nap adds to something that arrives during it.
     * @param clock    time source.
     * @param parker   sleeps; {@link LockSupport#parkNanos(long)} outside tests.
     */
    public NapIdleStrategy(
        final long spinNs, final long minNapNs, final long maxNapNs, final NanoClock clock, final Parker parker)
    {
        if (spinNs < 0 || minNapNs < 1 || maxNapNs < minNapNs)
        {
            throw new IllegalArgumentException("need spin >= 0, 1 <= min nap <= max nap: " + spinNs + ", " +
                minNapNs + ", " + maxNapNs);
        }
        this.spinNs = spinNs;
        this.minNapNs = minNapNs;
        this.maxNapNs = maxNapNs;
        this.clock = clock;
        this.parker = parker;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        final long now = clock.nanoTime();
        if (idleSinceNs == Long.MIN_VALUE)
        {
            idleSinceNs = now;
        }
        final long napNs = napFor(now - idleSinceNs);
        if (napNs == 0)
        {
            if ((++polls & YIELD_EVERY_MASK) == 0)
            {
                // A thread waiting for this CPU (the peer we poll for, when the scheduler put both here) runs now.
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
            return;
        }
        if (!slackTried)
        {
            // On the idling thread itself: the slack is per thread, and only naps need it.
            slackTried = true;
            slackSet = TimerSlack.setForCurrentThread(TIMER_SLACK_NS);
        }
        naps++;
        parker.park(napNs);
    }

    /**
     * @param idleNs how long the thread has found nothing to do.
     * @return 0 to keep spinning, else how long to nap.
     */
    long napFor(final long idleNs)
    {
        if (idleNs < spinNs)
        {
            return 0;
        }
        return Math.min(maxNapNs, Math.max(minNapNs, idleNs >> 2));
    }

    @Override
    public void reset()
    {
        idleSinceNs = Long.MIN_VALUE;
    }

    /** @return naps taken so far. */
    public long naps()
    {
        return naps;
    }

    /** @return whether this thread's timer slack was lowered (false before the first nap or where unsupported). */
    public boolean timerSlackSet()
    {
        return slackSet;
    }

    @Override
    public String alias()
    {
        return "nap";
    }
}
