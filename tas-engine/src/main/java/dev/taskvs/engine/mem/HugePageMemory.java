package dev.taskvs.engine.mem;

import java.lang.ref.Cleaner;

import dev.taskvs.engine.nic.LibC;
import jnr.ffi.Pointer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Zeroed off-heap memory that the kernel may back with 2 MiB transparent huge pages: an anonymous mapping,
 * aligned to 2 MiB and marked {@code MADV_HUGEPAGE} before anything touches it (with the THP setting "madvise",
 * Debian's and Ubuntu's default, only memory marked so gets huge pages; direct buffers are not).
 * <p>
 * Why: per-flow state is touched once per request at addresses no other flow shares, so with thousands of flows
 * nearly every access to a flow record or ring is a TLB miss on 4 KiB pages, and in a virtual machine a miss
 * walks two page tables. One 2 MiB page holds 16,384 flow records, or 256 flows' 4 KiB ring pairs.
 * <p>
 * The mapping is reserved whole ({@code MAP_NORESERVE}) and backed as it is first touched. It lives as long as
 * its owner is reachable (a {@link Cleaner} unmaps it), as a direct buffer does, so whoever keeps addresses into
 * it must keep the owner: the {@link HugePageMemory} from {@link #tryMap}, the buffer from {@link #tryMapBuffer}.
 */
public final class HugePageMemory
{
    public static final long HUGE_PAGE = 2L * 1024 * 1024;
    private static final Cleaner CLEANER = Cleaner.create();

    private final long mappedBase;
    private final long mappedLength;
    private final long address;
    private final long length;
    private final boolean advised;

    private HugePageMemory(
        final long mappedBase, final long mappedLength, final long address, final long length, final boolean advised)
    {
        this.mappedBase = mappedBase;
        this.mappedLength = mappedLength;
        this.address = address;
        this.length = length;
        this.advised = advised;
    }

    /**
     * Map {@code bytes} of zeroed memory (rounded up to whole huge pages), unmapped once this object is unreachable.
     *
     * @param bytes length, > 0.
     * @return the memory, or null where it cannot be mapped (no libc binding, or the kernel refused): callers fall
     * back to direct buffers.
     */
    public static HugePageMemory tryMap(final long bytes)
    {
        final HugePageMemory memory = map(bytes);
        if (memory != null)
        {
            memory.unmapWhenUnreachable(memory);
        }
        return memory;
    }

    /**
     * As {@link #tryMap}, as a buffer of exactly {@code bytes} that owns the mapping: it is unmapped once the buffer
     * is unreachable.
     *
     * @param bytes length, > 0.
     * @return the buffer, or null where the memory cannot be mapped.
     */
    public static UnsafeBuffer tryMapBuffer(final int bytes)
    {
        final HugePageMemory memory = map(bytes);
        if (memory == null)
        {
            return null;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(memory.address, bytes);
        memory.unmapWhenUnreachable(buffer);
        return buffer;
    }

    private static HugePageMemory map(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        final long length = roundUp(bytes);
        final long mappedLength = length + HUGE_PAGE; // room to align the start
        final LibC libc;
        final Pointer mapped;
        try
        {
            libc = LibC.get();
            mapped = libc.mmap(null, mappedLength, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        }
        catch (final LinkageError | RuntimeException ex)
        {
            return null;
        }
        if (mapped == null || mapped.address() == -1L)
        {
            return null;
        }
        final long base = mapped.address();
        final long aligned = roundUp(base);
        final boolean advised = libc.madvise(aligned, length, LibC.MADV_HUGEPAGE) == 0;
        return new HugePageMemory(base, mappedLength, aligned, length, advised);
    }

    /**
     * @param bytes a length or an address.
     * @return it rounded up to a whole number of huge pages: what a mapping of {@code bytes} takes.
     */
    public static long roundUp(final long bytes)
    {
        return (bytes + HUGE_PAGE - 1) & -HUGE_PAGE;
    }

    private void unmapWhenUnreachable(final Object owner)
    {
        final long base = mappedBase;
        final long mappedLength = this.mappedLength;
        CLEANER.register(owner, () -> LibC.get().munmap(Pointer.wrap(LibC.runtime(), base), mappedLength));
    }

    /** @return the start, 2 MiB aligned. */
    public long address()
    {
        return address;
    }

    /** @return the usable length, whole huge pages. */
    public long length()
    {
        return length;
    }

    /** @return whether the kernel took the huge-page advice (it may still back parts with small pages). */
    public boolean advised()
    {
        return advised;
    }
}
