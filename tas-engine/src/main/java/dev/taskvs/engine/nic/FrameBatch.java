package dev.taskvs.engine.nic;

import org.agrona.MutableDirectBuffer;

/**
 * A reusable batch of frame views for one burst: each frame is a buffer, an offset and a length, plus the
 * capacity available at that offset and a backend-private handle (a ring position, a buffer index). The
 * memory stays owned by the {@link PacketIo} that filled the batch; the batch only describes it, so a burst
 * moves no bytes and allocates nothing.
 * <p>
 * Not thread-safe: a batch belongs to the thread that drives the {@link PacketIo}.
 */
public final class FrameBatch
{
    private final MutableDirectBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] capacities;
    private final long[] handles;
    private int size;

    /**
     * @param capacity the most frames one burst may carry.
     */
    public FrameBatch(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("batch capacity must be at least 1: " + capacity);
        }
        buffers = new MutableDirectBuffer[capacity];
        offsets = new int[capacity];
        lengths = new int[capacity];
        capacities = new int[capacity];
        handles = new long[capacity];
    }

    /** @return the most frames this batch holds. */
    public int capacity()
    {
        return buffers.length;
    }

    /** @return the frames in the batch now. */
    public int size()
    {
        return size;
    }

    /** @return room left for more frames. */
    public int remaining()
    {
        return buffers.length - size;
    }

    public boolean isEmpty()
    {
        return size == 0;
    }

    /** @return the buffer holding frame {@code index}. */
    public MutableDirectBuffer buffer(final int index)
    {
        return buffers[index];
    }

    /** @return the offset of frame {@code index}'s first byte (its Ethernet header) in its buffer. */
    public int offset(final int index)
    {
        return offsets[index];
    }

    /** @return the length of frame {@code index}, without FCS. */
    public int length(final int index)
    {
        return lengths[index];
    }

    /**
     * Set the length of a frame about to be transmitted; 0 withdraws the frame, it is not sent.
     *
     * @param index  of the frame.
     * @param length in bytes, at most {@link #frameCapacity(int)}.
     */
    public void length(final int index, final int length)
    {
        if (length < 0 || length > capacities[index])
        {
            throw new IllegalArgumentException(
                "frame length " + length + " outside 0.." + capacities[index] + " for frame " + index);
        }
        lengths[index] = length;
    }

    /** @return the bytes available at {@link #offset(int)} for frame {@code index}. */
    public int frameCapacity(final int index)
    {
        return capacities[index];
    }

    /** @return the backend's handle for frame {@code index}; meaningful only to that backend. */
    public long handle(final int index)
    {
        return handles[index];
    }

    /**
     * Append a frame view; used by backends.
     *
     * @param buffer        holding the frame.
     * @param offset        of the frame in the buffer.
     * @param length        of the frame (0 for a frame allocated for transmit and not written yet).
     * @param frameCapacity bytes available at the offset.
     * @param handle        backend-private identity of the frame's memory.
     * @return the index of the new frame.
     * @throws IllegalStateException if the batch is full.
     */
    public int add(
        final MutableDirectBuffer buffer, final int offset, final int length, final int frameCapacity, final long handle)
    {
        if (size == buffers.length)
        {
            throw new IllegalStateException("frame batch full at " + size + " frames");
        }
        final int index = size++;
        buffers[index] = buffer;
        offsets[index] = offset;
        lengths[index] = length;
        capacities[index] = frameCapacity;
        handles[index] = handle;
        return index;
    }

    /** Forget all frames; used by backends once the frames went back to them. */
    public void clear()
    {
        size = 0;
    }
}
