package dev.taskvs.engine.nic;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A single-producer single-consumer ring of fixed-size frame slots in an {@link AtomicBuffer}, which may be
 * process-private memory or a memory-mapped file shared by two processes. Frames are written and read in
 * place, so a {@link PacketIo} over it is zero-copy in both directions.
 * <p>
 * Layout, starting at the ring's offset in the buffer:
 * <pre>
 *  +0    producer position (long)  next slot to publish, written by the producer only
 *  +128  consumer position (long)  next slot to free, written by the consumer only
 *  +256  slot[0], slot[1], ... slot[slotCount - 1]
 *
 *  slot: +0 frame length (int), +4 reserved, +8 frame bytes (maxFrameLength), padded to a 64-byte multiple
 * </pre>
 * Positions count slots from 0 and never wrap (2^63 frames); slot = position &amp; (slotCount - 1). The two
 * positions are 128 bytes apart so neither side's stores invalidate the line (or the adjacent-line prefetch
 * pair) that the other side writes.
 * <p>
 * Ordering: the producer writes slot contents with plain stores, then the producer position with a release
 * store; the consumer reads the producer position with an acquire load before reading slots. Symmetrically
 * the consumer frees slots with a release store of its position and the producer reads it with an acquire
 * load before reusing them. Each side keeps a private instance of this class (its own cached positions).
 */
public final class FrameRing
{
    public static final int PRODUCER_POSITION_OFFSET = 0;
    public static final int CONSUMER_POSITION_OFFSET = 128;
    public static final int SLOTS_OFFSET = 256;
    public static final int SLOT_LENGTH_OFFSET = 0;
    public static final int SLOT_FRAME_OFFSET = 8;

    private final AtomicBuffer buffer;
    private final int ringOffset;
    private final int slotCount;
    private final int mask;
    private final int slotSize;
    private final int maxFrameLength;

    private long producerClaim;
    private long consumerCache;
    private long consumerRead;

    /**
     * @param buffer         holding the ring.
     * @param ringOffset     of the ring in the buffer, a multiple of 8.
     * @param slotCount      number of slots, a power of two.
     * @param maxFrameLength largest frame a slot holds.
     */
    public FrameRing(final AtomicBuffer buffer, final int ringOffset, final int slotCount, final int maxFrameLength)
    {
        if (!BitUtil.isPowerOfTwo(slotCount))
        {
            throw new IllegalArgumentException("slot count must be a power of two: " + slotCount);
        }
        if (ringOffset < 0 || (ringOffset & 7) != 0)
        {
            throw new IllegalArgumentException("ring offset must be 8-byte aligned and not negative: " + ringOffset);
        }
        this.buffer = buffer;
        this.ringOffset = ringOffset;
        this.slotCount = slotCount;
        this.mask = slotCount - 1;
        this.slotSize = slotSize(maxFrameLength);
        this.maxFrameLength = maxFrameLength;
        final long required = requiredLength(slotCount, maxFrameLength);
        if (ringOffset + required > buffer.capacity())
        {
            throw new IllegalArgumentException("ring of " + slotCount + " slots of " + slotSize + " bytes at offset " +
                ringOffset + " needs " + required + " bytes, buffer has " + buffer.capacity());
        }
        this.producerClaim = buffer.getLongAcquire(ringOffset + PRODUCER_POSITION_OFFSET);
        this.consumerCache = buffer.getLongAcquire(ringOffset + CONSUMER_POSITION_OFFSET);
        this.consumerRead = consumerCache;
    }

    /**
     * @param maxFrameLength largest frame a slot holds.
     * @return the size of one slot.
     */
    public static int slotSize(final int maxFrameLength)
    {
        return BitUtil.align(SLOT_FRAME_OFFSET + maxFrameLength, 64);
    }

    /**
     * @param slotCount      number of slots.
     * @param maxFrameLength largest frame a slot holds.
     * @return bytes the ring occupies.
     */
    public static long requiredLength(final int slotCount, final int maxFrameLength)
    {
        return SLOTS_OFFSET + (long)slotCount * slotSize(maxFrameLength);
    }

    /**
     * Zero both positions, for the side that creates the ring before anyone uses it.
     *
     * @param buffer     holding the ring.
     * @param ringOffset of the ring.
     */
    public static void reset(final AtomicBuffer buffer, final int ringOffset)
    {
        buffer.putLongRelease(ringOffset + PRODUCER_POSITION_OFFSET, 0);
        buffer.putLongRelease(ringOffset + CONSUMER_POSITION_OFFSET, 0);
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public int slotCount()
    {
        return slotCount;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    // ---- producer side ----

    /**
     * Claim up to {@code count} free slots after those already claimed.
     *
     * @param count slots wanted.
     * @return the first claimed position; {@link #claimedPosition()} is past the last. The number claimed is
     * the difference, possibly 0.
     */
    public long claim(final int count)
    {
        final long first = producerClaim;
        long free = slotCount - (first - consumerCache);
        if (free < count)
        {
            consumerCache = buffer.getLongAcquire(ringOffset + CONSUMER_POSITION_OFFSET);
            free = slotCount - (first - consumerCache);
        }
        producerClaim = first + Math.min(free, count);
        return first;
    }

    /** @return the position after the last claimed slot. */
    public long claimedPosition()
    {
        return producerClaim;
    }

    /**
     * Store the length of the frame in a claimed slot.
     *
     * @param position of the slot.
     * @param length   of its frame; 0 marks a withdrawn slot that the consumer skips.
     */
    public void frameLength(final long position, final int length)
    {
        buffer.putInt(slotOffset(position) + SLOT_LENGTH_OFFSET, length);
    }

    /**
     * Make all slots before {@code position} visible to the consumer.
     *
     * @param position after the last slot to publish, at most {@link #claimedPosition()}.
     */
    public void publish(final long position)
    {
        buffer.putLongRelease(ringOffset + PRODUCER_POSITION_OFFSET, position);
    }

    // ---- consumer side ----

    /** @return slots published and not yet read by {@link #advanceRead()}. */
    public int readable()
    {
        return (int)(buffer.getLongAcquire(ringOffset + PRODUCER_POSITION_OFFSET) - consumerRead);
    }

    /**
     * Skip and free every slot published so far, unread: for a consumer that takes over a ring whose earlier
     * consumer left frames behind that mean nothing to it.
     *
     * @return the number of slots skipped.
     */
    public long skipPublished()
    {
        final long published = buffer.getLongAcquire(ringOffset + PRODUCER_POSITION_OFFSET);
        final long skipped = published - consumerRead;
        consumerRead = published;
        release(published);
        return skipped;
    }

    /** @return the next position to read. */
    public long readPosition()
    {
        return consumerRead;
    }

    /** Move past the slot at {@link #readPosition()}. */
    public void advanceRead()
    {
        consumerRead++;
    }

    /**
     * @param position of a published slot.
     * @return the stored frame length, as written by the producer (validate before trusting it).
     */
    public int storedLength(final long position)
    {
        return buffer.getInt(slotOffset(position) + SLOT_LENGTH_OFFSET);
    }

    /**
     * Free all slots before {@code position} for the producer.
     *
     * @param position after the last slot to free, at most {@link #readPosition()}.
     */
    public void release(final long position)
    {
        buffer.putLongRelease(ringOffset + CONSUMER_POSITION_OFFSET, position);
    }

    // ---- both ----

    /**
     * @param position of a slot.
     * @return the offset in {@link #buffer()} of the slot's frame bytes.
     */
    public int frameOffset(final long position)
    {
        return slotOffset(position) + SLOT_FRAME_OFFSET;
    }

    private int slotOffset(final long position)
    {
        return ringOffset + SLOTS_OFFSET + (int)(position & mask) * slotSize;
    }
}
