package dev.taskvs.server.store;

/** A clock that moves only when told to: tests advance it instead of sleeping. */
public final class ManualStoreClock implements StoreClock
{
    /** A fixed, plausible process start (2023-11-14), so absolute exptimes in tests are reproducible. */
    public static final long DEFAULT_PROCESS_START_UNIX_SECONDS = 1_700_000_000L;

    private final long processStartUnixSeconds;
    private volatile int now;

    /** Starts at {@link SystemStoreClock#START_SECONDS}, like the real clock. */
    public ManualStoreClock()
    {
        this(DEFAULT_PROCESS_START_UNIX_SECONDS, SystemStoreClock.START_SECONDS);
    }

    public ManualStoreClock(final long processStartUnixSeconds, final int now)
    {
        if (now < SystemStoreClock.START_SECONDS)
        {
            throw new IllegalArgumentException("now = " + now + " must be >= " + SystemStoreClock.START_SECONDS +
                " so that the 'already expired' time 1 lies in the past");
        }
        this.processStartUnixSeconds = processStartUnixSeconds;
        this.now = now;
    }

    @Override
    public int now()
    {
        return now;
    }

    @Override
    public long processStartUnixSeconds()
    {
        return processStartUnixSeconds;
    }

    /** Moves the clock forward; time never goes back. */
    public synchronized void advance(final int seconds)
    {
        if (seconds < 0)
        {
            throw new IllegalArgumentException("seconds = " + seconds + " must be >= 0: the clock never goes back");
        }
        now += seconds;
    }

    /** The unix time that corresponds to {@link #now()}. */
    public long unixNow()
    {
        return processStartUnixSeconds + now;
    }
}
