package dev.taskvs.server.store;

/**
 * The store's notion of time, in whole seconds since the process started (as memcached's rel_time_t).
 * Tests use a manual clock instead of sleeping.
 */
public interface StoreClock
{
    /** Seconds since start; never decreases. */
    int now();

    /** Unix time (seconds) at which {@link #now()} was 0. */
    long processStartUnixSeconds();

    /**
     * Converts a wire exptime to an absolute server time, as memcached's realtime():
     * 0 stays 0 (never), negative becomes "already expired", up to 30 days is relative, larger is absolute unix.
     */
    default int toServerTime(long exptime)
    {
        return exptime == 0 ? 0 : toServerTime(exptime, now());
    }

    /**
     * {@link #toServerTime(long)} against a {@link #now()} the caller has already read, so that one request reads
     * the clock once (the system clock costs a few tens of nanoseconds per read).
     */
    default int toServerTime(long exptime, int now)
    {
        if (exptime == 0)
        {
            return 0;
        }
        if (exptime < 0)
        {
            return 1; // any past server time: already expired
        }
        if (exptime > 60L * 60 * 24 * 30)
        {
            final long rel = exptime - processStartUnixSeconds();
            if (rel <= 0)
            {
                return 1;
            }
            return (int)Math.min(rel, Integer.MAX_VALUE);
        }
        return (int)Math.min(now + exptime, Integer.MAX_VALUE);
    }
}
