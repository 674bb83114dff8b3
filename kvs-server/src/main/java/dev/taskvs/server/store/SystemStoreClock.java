package dev.taskvs.server.store;

/**
 * Whole seconds since the clock was made, from the monotonic {@link System#nanoTime()} so that wall-clock steps
 * never move item expiry.
 * <p>
 * The count starts at {@link #START_SECONDS} rather than 0: {@link StoreClock#toServerTime} answers 1 for "already
 * expired", and that must lie in the past from the first instant on (memcached starts its clock a little in the
 * past for the same reason). A relative exptime of 1 becomes now + 1, which is never already past; like
 * memcached's once-a-second tick, it may expire in under a second.
 */
public final class SystemStoreClock implements StoreClock
{
    /** now() at construction. */
    public static final int START_SECONDS = 2;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long startNanos;
    private final long processStartUnixSeconds;

    public SystemStoreClock()
    {
        startNanos = System.nanoTime();
        processStartUnixSeconds = System.currentTimeMillis() / 1000 - START_SECONDS;
    }

    @Override
    public int now()
    {
        return (int)((System.nanoTime() - startNanos) / NANOS_PER_SECOND) + START_SECONDS;
    }

    @Override
    public long processStartUnixSeconds()
    {
        return processStartUnixSeconds;
    }
}
