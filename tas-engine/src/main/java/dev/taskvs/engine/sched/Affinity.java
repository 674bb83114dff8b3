package dev.taskvs.engine.sched;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Pins the calling thread to one core with Linux's {@code sched_setaffinity}, bound through jnr-ffi. */
public final class Affinity
{
    /** The libc call, bound lazily. */
    public interface Sched
    {
        int sched_setaffinity(int pid, long cpusetsize, Pointer mask);
    }

    private static final class Holder
    {
        private static final Sched SCHED = LibraryLoader.create(Sched.class).load("c");
    }

    private Affinity()
    {
    }

    /**
     * @param core CPU index, 0..1023.
     * @return true when the kernel accepted the mask.
     */
    public static boolean pinCurrentThread(final int core)
    {
        if (core < 0 || core >= 1024)
        {
            throw new IllegalArgumentException("core must be 0..1023: " + core);
        }
        final Runtime runtime = Runtime.getSystemRuntime();
        final Pointer mask = runtime.getMemoryManager().allocateDirect(128, true);
        mask.putByte(core / 8, (byte)(1 << (core % 8)));
        return Holder.SCHED.sched_setaffinity(0, 128, mask) == 0;
    }
}
