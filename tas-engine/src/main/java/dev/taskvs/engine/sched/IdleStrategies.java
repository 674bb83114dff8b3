package dev.taskvs.engine.sched;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Idle strategies by configuration name. */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    /**
     * @param name "spin", "yield", "backoff" (spin, yield, then park up to 1 ms), "nap" (spin 5 us, then naps of
     *             20-100 us, see {@link NapIdleStrategy}) or "park" (sleep 1 ms).
     * @return a new strategy; one per thread.
     */
    public static IdleStrategy create(final String name)
    {
        switch (name)
        {
            case "spin": return new BusySpinIdleStrategy();
            case "yield": return new YieldingIdleStrategy();
            case "backoff": return new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            case "park": return new SleepingMillisIdleStrategy(1);
            case "nap": return new NapIdleStrategy();
            default:
                throw new IllegalArgumentException("idle strategy must be spin, yield, backoff, nap or park: " + name);
        }
    }
}
