package dev.taskvs.engine.nic.fault;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * The fault machinery of one direction: a pool of frame slots, a FIFO of frames ready to leave, a FIFO of
 * delayed frames and at most one frame held back for reordering. Frames enter by {@link #offer}, where the
 * fault decisions are rolled, and leave in the order of the ready FIFO.
 * <p>
 * Delays are one fixed duration, so the delay FIFO stays sorted by due time without a heap. A reordered frame
 * is emitted right after the next frame that becomes ready (a swap of neighbours, as netem does), or on its
 * own once it has waited the hold time with no successor, so a lone last frame is never stuck.
 */
final class FaultStage
{
    private final FaultyPacketIo.Context context;
    private final SplittableRandom random;
    private final FaultCounters counters = new FaultCounters();

    private final int slotSize;
    private final UnsafeBuffer memory;
    private final int[] lengths;
    private final int[] freeSlots;
    private int freeCount;

    private final int[] ready;
    private int readyHead;
    private int readyCount;

    private final int[] delayedSlots;
    private final long[] delayedDue;
    private int delayedHead;
    private int delayedCount;

    private int heldSlot = -1;
    private long heldSinceNs;

    FaultStage(final FaultyPacketIo.Context context, final long seed, final int maxFrameLength)
    {
        this.context = context;
        this.random = new SplittableRandom(seed);
        this.slotSize = maxFrameLength;
        final int slots = context.poolFrames();
        this.memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(slots * maxFrameLength, 64));
        this.lengths = new int[slots];
        this.freeSlots = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            freeSlots[i] = slots - 1 - i;
        }
        this.freeCount = slots;
        this.ready = new int[slots];
        this.delayedSlots = new int[slots];
        this.delayedDue = new long[slots];
    }

    FaultCounters counters()
    {
        return counters;
    }

    MutableDirectBuffer memory()
    {
        return memory;
    }

    int slotSize()
    {
        return slotSize;
    }

    int slotOffset(final int slot)
    {
        return slot * slotSize;
    }

    int length(final int slot)
    {
        return lengths[slot];
    }

    /** @return a free slot, or -1 when the pool is exhausted. */
    int allocateSlot()
    {
        return freeCount > 0 ? freeSlots[--freeCount] : -1;
    }

    void freeSlot(final int slot)
    {
        freeSlots[freeCount++] = slot;
    }

    /** Copy a frame into a slot and offer it; counts an overflow when no slot is free. */
    void offerCopy(final MutableDirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        final int slot = allocateSlot();
        if (slot < 0)
        {
            counters.offered++;
            counters.overflowed++;
            return;
        }
        memory.putBytes(slotOffset(slot), buffer, offset, length);
        offer(slot, length, nowNs);
    }

    /**
     * Roll the faults for a frame already in a slot (the slot now belongs to the stage).
     *
     * @param slot   holding the frame.
     * @param length of the frame.
     * @param nowNs  current time.
     */
    void offer(final int slot, final int length, final long nowNs)
    {
        counters.offered++;
        lengths[slot] = length;
        if (roll(context.lossRate()))
        {
            counters.lost++;
            freeSlot(slot);
            return;
        }
        if (roll(context.corruptionRate()))
        {
            // Flip bits of one byte with a non-zero mask, so the frame really changes.
            final int at = slotOffset(slot) + random.nextInt(length);
            memory.putByte(at, (byte)(memory.getByte(at) ^ (1 + random.nextInt(255))));
            counters.corrupted++;
        }
        if (roll(context.duplicationRate()))
        {
            final int copy = allocateSlot();
            if (copy >= 0)
            {
                memory.putBytes(slotOffset(copy), memory, slotOffset(slot), length);
                lengths[copy] = length;
                counters.duplicated++;
                route(copy, nowNs);
            }
            else
            {
                counters.overflowed++;
            }
        }
        route(slot, nowNs);
    }

    /**
     * Queue a frame already in a slot with no fault rolled (the direction is not being faulted).
     *
     * @param slot   holding the frame.
     * @param length of the frame.
     */
    void offerUnfaulted(final int slot, final int length)
    {
        lengths[slot] = length;
        enqueueReady(slot);
    }

    private void route(final int slot, final long nowNs)
    {
        if (roll(context.delayRate()))
        {
            counters.delayed++;
            final int tail = (delayedHead + delayedCount++) % delayedSlots.length;
            delayedSlots[tail] = slot;
            delayedDue[tail] = nowNs + context.delayNs();
        }
        else if (heldSlot < 0 && roll(context.reorderRate()))
        {
            counters.reordered++;
            heldSlot = slot;
            heldSinceNs = nowNs;
        }
        else
        {
            enqueueReady(slot);
        }
    }

    private void enqueueReady(final int slot)
    {
        ready[(readyHead + readyCount++) % ready.length] = slot;
        if (heldSlot >= 0)
        {
            final int held = heldSlot;
            heldSlot = -1;
            ready[(readyHead + readyCount++) % ready.length] = held;
        }
    }

    /** Move due delayed frames, and a held frame that waited too long, to the ready FIFO. */
    void poll(final long nowNs)
    {
        while (delayedCount > 0 && nowNs - delayedDue[delayedHead] >= 0)
        {
            final int slot = delayedSlots[delayedHead];
            delayedHead = (delayedHead + 1) % delayedSlots.length;
            delayedCount--;
            enqueueReady(slot);
        }
        if (heldSlot >= 0 && nowNs - heldSinceNs >= context.reorderHoldNs())
        {
            final int held = heldSlot;
            heldSlot = -1;
            ready[(readyHead + readyCount++) % ready.length] = held;
        }
    }

    int readyCount()
    {
        return readyCount;
    }

    /** @return the next ready slot, removed from the FIFO; the caller frees it when done. */
    int takeReady()
    {
        final int slot = ready[readyHead];
        readyHead = (readyHead + 1) % ready.length;
        readyCount--;
        counters.passed++;
        return slot;
    }

    /** @return frames inside the stage: ready, delayed or held. */
    int pending()
    {
        return readyCount + delayedCount + (heldSlot >= 0 ? 1 : 0);
    }

    private boolean roll(final double rate)
    {
        return rate > 0 && random.nextDouble() < rate;
    }
}
