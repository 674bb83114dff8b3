package dev.taskvs.loadgen.stack;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A loop's connection buffers, off the heap and carved out of slabs, so 10,000 connections do not make 20,000
 * allocations, and a connection's per-request state in the heap is not spread over a page of its own by buffers
 * of 4 KiB and more next to it. Each buffer wraps a {@link ByteBuffer} slice (the kernel loop reads and writes
 * channels through it); a slab is freed by the garbage collector with the last slice of it. One thread.
 */
final class DirectSlabs
{
    private static final int SLAB_SIZE = 4 * 1024 * 1024;

    private ByteBuffer slab;

    MutableDirectBuffer allocate(final int capacity)
    {
        final int aligned = (capacity + 63) & ~63;
        if (aligned > SLAB_SIZE / 4)
        {
            return new UnsafeBuffer(BufferUtil.allocateDirectAligned(aligned, 64));
        }
        if (slab == null || slab.remaining() < aligned)
        {
            slab = BufferUtil.allocateDirectAligned(SLAB_SIZE, 64);
        }
        final ByteBuffer slice = slab.slice().limit(aligned);
        slab.position(slab.position() + aligned);
        return new UnsafeBuffer(slice.slice());
    }
}
