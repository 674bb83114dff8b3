package dev.taskvs.engine.sched;

import jnr.ffi.LibraryLoader;

/**
 * The calling thread's timer slack (Linux {@code prctl(PR_SET_TIMERSLACK)}): how late the kernel may fire a
 * thread's timers to batch wake-ups. The default, 50 us, turns every {@code parkNanos} shorter than that into
 * a 50 us sleep, which is longer than the naps {@link NapIdleStrategy} takes.
 */
public final class TimerSlack
{
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;

    /** The libc call, bound lazily. */
    public interface Prctl
    {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private static final class Holder
    {
        private static final Prctl PRCTL = LibraryLoader.create(Prctl.class).load("c");
    }

    private TimerSlack()
    {
    }

    /**
     * @param nanos slack in nanoseconds, at least 1 (0 would restore the thread's default).
     * @return true when the kernel took it; false where it cannot be set (not Linux, no libc binding).
     */
    public static boolean setForCurrentThread(final long nanos)
    {
        if (nanos < 1)
        {
            throw new IllegalArgumentException("timer slack must be >= 1 ns: " + nanos);
        }
        try
        {
            return Holder.PRCTL.prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0) == 0;
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return false;
        }
    }

    /** @return the calling thread's timer slack in nanoseconds, or -1 where it cannot be read. */
    public static long currentThread()
    {
        try
        {
            return Holder.PRCTL.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return -1;
        }
    }
}
