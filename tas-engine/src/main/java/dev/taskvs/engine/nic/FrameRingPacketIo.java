package dev.taskvs.engine.nic;

import dev.taskvs.engine.proto.EthernetFrame;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link PacketIo} over {@link FrameRing}s: it produces into its peer's rings and consumes its own, in place.
 * The loopback and shm backends are this class over process-private or memory-mapped memory.
 * <p>
 * <b>One queue each side</b> (one ring per direction): zero-copy both ways. Received frames are views of
 * consumer-ring slots, freed on {@link #release}; frames to transmit are producer-ring slots claimed by {@link
 * #allocate} and published by {@link #transmit}.
 * <p>
 * <b>Several queues</b> (a multi-queue wire): this side is one of its engine's queues. It receives from one
 * ring per peer queue (taking turns which it drains first) and transmits into one ring per peer queue, choosing
 * each frame's ring by {@link FlowSteering#queueOfFrame}, the hash the receiving engine's lanes use to own
 * flows: so every segment lands on the lane that owns its flow, as with a NIC's RSS, and no lane has to pass
 * frames to another. The ring is known only once the frame is written, so with more than one peer queue
 * {@link #allocate} hands out slots of a private staging pool and {@link #transmit} copies each frame into its
 * ring. A frame whose ring is full waits in that ring's backlog (in order, as in a NIC's transmit queue) and goes
 * out on a later call, so one slow receiving lane holds up only its own flows; {@link #allocate} runs short only
 * when the whole pool is in use. Backlogs drain on every call of this side, {@link #receive} included: with
 * several peer queues one thread drives both directions (a fast-path lane does).
 * <p>
 * With one queue each side, receive and transmit touch disjoint state, so one thread may receive while another
 * transmits. The peer may be another process, so a stored length is checked before it is trusted: a length beyond
 * the slot is counted as {@link #corruptFrames()} and skipped, never handed up.
 */
public class FrameRingPacketIo implements PacketIo
{
    /**
     * Staging slots of a multi-queue transmit side: frames between {@link #allocate} and {@link #transmit}, and
     * frames waiting in a ring's backlog. A power of two (backlogs index with a mask).
     */
    public static final int STAGING_FRAMES = 256;

    private final FrameRing[] txRings;
    private final FrameRing[] rxRings;
    private final long macAddress;
    private final int mtu;
    private final String name;
    private final int maxFrameLength;

    // Receive: handle = position << rxShift | ring index.
    private final int rxShift;
    private final int rxIndexMask;
    private final int[] rxOutstanding;
    private final int[] releasedCount;
    private final long[] releaseEnd;
    private int rxFirst;

    // Transmit with several peer queues: a pool of staging slots, and per peer ring a FIFO of staged frames
    // that did not fit it yet (slot numbers; lengths in stagedLength).
    private final UnsafeBuffer staging;
    private final int stagingSlotSize;
    private final int[] freeSlots;
    private int freeCount;
    private final int[] stagedLength;
    private final int[][] backlog;
    private final int[] backlogHead;
    private final int[] backlogSize;
    private int backlogTotal;
    private final boolean[] txDirty;
    private AtomicBuffer peerQueueCountBuffer;
    private int peerQueueCountOffset;

    private boolean checksumOffload;
    private long withdrawnFrames;
    private long corruptFrames;
    private long backloggedFrames;
    private long abandonedFrames;

    /**
     * One queue each side.
     *
     * @param txRing     ring this side produces into; its peer consumes it.
     * @param rxRing     ring this side consumes; its peer produces into it.
     * @param macAddress this endpoint's MAC.
     * @param mtu        IP MTU; frames may be up to mtu + 14 bytes, which must fit both rings' slots.
     * @param name       for logs.
     */
    public FrameRingPacketIo(
        final FrameRing txRing, final FrameRing rxRing, final long macAddress, final int mtu, final String name)
    {
        this(new FrameRing[] {txRing}, new FrameRing[] {rxRing}, macAddress, mtu, name);
    }

    /**
     * One queue of a multi-queue wire.
     *
     * @param txRings    one per peer queue, indexed by the peer's queue number: this queue produces into them.
     * @param rxRings    one per peer queue that sends to this one: this queue consumes them.
     * @param macAddress this endpoint's MAC.
     * @param mtu        IP MTU; frames may be up to mtu + 14 bytes, which must fit every ring's slots.
     * @param name       for logs.
     */
    public FrameRingPacketIo(
        final FrameRing[] txRings, final FrameRing[] rxRings, final long macAddress, final int mtu, final String name)
    {
        if (txRings.length == 0 || rxRings.length == 0 || rxRings.length > 1024)
        {
            throw new IllegalArgumentException("need 1 or more transmit rings and 1..1024 receive rings: " +
                txRings.length + ", " + rxRings.length);
        }
        final int frameLength = mtu + EthernetFrame.HEADER_LENGTH;
        for (final FrameRing ring : txRings)
        {
            checkFits(ring, frameLength, mtu);
        }
        for (final FrameRing ring : rxRings)
        {
            checkFits(ring, frameLength, mtu);
        }
        this.txRings = txRings.clone();
        this.rxRings = rxRings.clone();
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.name = name;
        this.maxFrameLength = frameLength;
        rxShift = 32 - Integer.numberOfLeadingZeros(rxRings.length - 1);
        rxIndexMask = (1 << rxShift) - 1;
        rxOutstanding = new int[rxRings.length];
        releasedCount = new int[rxRings.length];
        releaseEnd = new long[rxRings.length];
        txDirty = new boolean[txRings.length];
        stagingSlotSize = FrameRing.slotSize(frameLength);
        final boolean steered = txRings.length > 1;
        staging = steered ? new UnsafeBuffer(BufferUtil.allocateDirectAligned(STAGING_FRAMES * stagingSlotSize, 64)) :
            null;
        freeSlots = new int[steered ? STAGING_FRAMES : 0];
        for (int slot = 0; slot < freeSlots.length; slot++)
        {
            freeSlots[slot] = freeSlots.length - 1 - slot;
        }
        freeCount = freeSlots.length;
        stagedLength = new int[freeSlots.length];
        backlog = new int[steered ? txRings.length : 0][steered ? STAGING_FRAMES : 0];
        backlogHead = new int[backlog.length];
        backlogSize = new int[backlog.length];
    }

    private static void checkFits(final FrameRing ring, final int frameLength, final int mtu)
    {
        if (frameLength > ring.maxFrameLength())
        {
            throw new IllegalArgumentException("MTU " + mtu + " needs frames of " + frameLength +
                " bytes, ring slots hold " + ring.maxFrameLength());
        }
    }

    /**
     * Steer by the peer's live queue count, an int in shared memory (a wire whose peer may come with fewer
     * queues than there are rings), instead of by the number of rings.
     *
     * @param buffer holding the count.
     * @param offset of the count.
     * @return this.
     */
    public FrameRingPacketIo peerQueueCount(final AtomicBuffer buffer, final int offset)
    {
        this.peerQueueCountBuffer = buffer;
        this.peerQueueCountOffset = offset;
        return this;
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        if (backlogTotal > 0)
        {
            flushBacklogs(peerQueues());
        }
        final int rings = rxRings.length;
        if (rings == 1)
        {
            return receiveFrom(0, rx);
        }
        int received = 0;
        int index = rxFirst;
        for (int i = 0; i < rings && rx.remaining() > 0; i++)
        {
            received += receiveFrom(index, rx);
            index = index + 1 == rings ? 0 : index + 1;
        }
        // Start with the next ring next time, so a busy peer queue cannot keep the others waiting.
        rxFirst = rxFirst + 1 == rings ? 0 : rxFirst + 1;
        return received;
    }

    private int receiveFrom(final int index, final FrameBatch rx)
    {
        final FrameRing ring = rxRings[index];
        int available = ring.readable();
        int received = 0;
        while (available > 0 && rx.remaining() > 0)
        {
            final long position = ring.readPosition();
            final int length = ring.storedLength(position);
            ring.advanceRead();
            available--;
            if (length > 0 && length <= ring.maxFrameLength())
            {
                rx.add(ring.buffer(), ring.frameOffset(position), length, ring.maxFrameLength(),
                    (position << rxShift) | index);
                rxOutstanding[index]++;
                received++;
            }
            else
            {
                if (length != 0)
                {
                    corruptFrames++;
                }
                if (rxOutstanding[index] == 0)
                {
                    // Nothing is lent out, so a skipped slot can be freed at once rather than on the next release.
                    ring.release(ring.readPosition());
                }
            }
        }
        return received;
    }

    @Override
    public void release(final FrameBatch rx)
    {
        final int size = rx.size();
        if (size == 0)
        {
            return;
        }
        if (rxRings.length == 1)
        {
            releaseTo(0, size, rx.handle(size - 1) + 1);
        }
        else
        {
            for (int i = 0; i < size; i++)
            {
                final long handle = rx.handle(i);
                final int index = (int)handle & rxIndexMask;
                releasedCount[index]++;
                releaseEnd[index] = (handle >>> rxShift) + 1;
            }
            for (int index = 0; index < rxRings.length; index++)
            {
                if (releasedCount[index] > 0)
                {
                    releaseTo(index, releasedCount[index], releaseEnd[index]);
                    releasedCount[index] = 0;
                }
            }
        }
        rx.clear();
    }

    private void releaseTo(final int index, final int count, final long end)
    {
        // Frames are released in receive order, so freeing up to a ring's last one frees all of that ring's;
        // when nothing else is lent out, skipped slots read after it are freed too.
        rxOutstanding[index] -= count;
        final FrameRing ring = rxRings[index];
        ring.release(rxOutstanding[index] == 0 ? ring.readPosition() : end);
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        final int wanted = Math.min(count, tx.remaining());
        if (staging == null)
        {
            final FrameRing ring = txRings[0];
            final long first = ring.claim(wanted);
            final long end = ring.claimedPosition();
            for (long position = first; position < end; position++)
            {
                tx.add(ring.buffer(), ring.frameOffset(position), 0, maxFrameLength, position);
            }
            return (int)(end - first);
        }
        if (backlogTotal > 0)
        {
            flushBacklogs(peerQueues());
        }
        final int granted = Math.min(wanted, freeCount);
        for (int i = 0; i < granted; i++)
        {
            final int slot = freeSlots[--freeCount];
            tx.add(staging, slot * stagingSlotSize, 0, maxFrameLength, slot);
        }
        return granted;
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        final int size = tx.size();
        if (size == 0)
        {
            return 0;
        }
        return staging == null ? transmitInPlace(tx, size) : transmitSteered(tx, size);
    }

    private int transmitInPlace(final FrameBatch tx, final int size)
    {
        final FrameRing ring = txRings[0];
        int sent = 0;
        for (int i = 0; i < size; i++)
        {
            final int length = tx.length(i);
            ring.frameLength(tx.handle(i), length);
            if (length > 0)
            {
                sent++;
            }
        }
        withdrawnFrames += size - sent;
        ring.publish(tx.handle(size - 1) + 1);
        tx.clear();
        return sent;
    }

    private int transmitSteered(final FrameBatch tx, final int size)
    {
        // One reading of the peer's queue count steers the whole batch and the backlogs drained with it.
        final int queues = peerQueues();
        if (backlogTotal > 0)
        {
            flushBacklogs(queues);
        }
        int sent = 0;
        for (int i = 0; i < size; i++)
        {
            final int slot = (int)tx.handle(i);
            final int length = tx.length(i);
            if (length == 0)
            {
                withdrawnFrames++;
                freeSlots[freeCount++] = slot;
                continue;
            }
            final int queue = FlowSteering.queueOfFrame(staging, tx.offset(i), length, queues);
            sent++;
            // Behind a backlog the frame waits its turn: frames of a flow leave in the order they were written.
            if (backlogSize[queue] > 0 || !copyToRing(queue, slot, length))
            {
                stagedLength[slot] = length;
                backlog[queue][(backlogHead[queue] + backlogSize[queue]++) & (STAGING_FRAMES - 1)] = slot;
                backlogTotal++;
                backloggedFrames++;
            }
        }
        publishDirty();
        tx.clear();
        return sent;
    }

    /** Copy a staged frame into a ring and free its slot; false when the ring has no room. */
    private boolean copyToRing(final int queue, final int slot, final int length)
    {
        final FrameRing ring = txRings[queue];
        final long position = ring.claim(1);
        if (ring.claimedPosition() == position)
        {
            return false;
        }
        ring.buffer().putBytes(ring.frameOffset(position), staging, slot * stagingSlotSize, length);
        ring.frameLength(position, length);
        txDirty[queue] = true;
        freeSlots[freeCount++] = slot;
        return true;
    }

    /**
     * Move waiting frames into their rings while they have room. Frames waiting for a queue the peer no longer
     * has are abandoned (counted): nobody reads that ring any more.
     */
    private void flushBacklogs(final int queues)
    {
        for (int queue = 0; queue < backlog.length; queue++)
        {
            while (backlogSize[queue] > 0)
            {
                final int slot = backlog[queue][backlogHead[queue]];
                if (queue >= queues)
                {
                    abandonedFrames++;
                    freeSlots[freeCount++] = slot;
                }
                else if (!copyToRing(queue, slot, stagedLength[slot]))
                {
                    break;
                }
                backlogHead[queue] = (backlogHead[queue] + 1) & (STAGING_FRAMES - 1);
                backlogSize[queue]--;
                backlogTotal--;
            }
        }
        publishDirty();
    }

    private void publishDirty()
    {
        for (int queue = 0; queue < txDirty.length; queue++)
        {
            if (txDirty[queue])
            {
                txRings[queue].publish(txRings[queue].claimedPosition());
                txDirty[queue] = false;
            }
        }
    }

    private int peerQueues()
    {
        if (peerQueueCountBuffer == null)
        {
            return txRings.length;
        }
        final int live = peerQueueCountBuffer.getIntAcquire(peerQueueCountOffset);
        return live < 1 ? 1 : Math.min(live, txRings.length);
    }

    /**
     * Both ends of a memory wire agree on it before an engine starts on either (see {@link
     * PacketIo#checksumOffload()}).
     *
     * @param offload true: no checksums written or checked on this wire.
     * @return this.
     */
    public FrameRingPacketIo checksumOffload(final boolean offload)
    {
        this.checksumOffload = offload;
        return this;
    }

    @Override
    public boolean checksumOffload()
    {
        return checksumOffload;
    }

    @Override
    public long macAddress()
    {
        return macAddress;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public String name()
    {
        return name;
    }

    /** @return frames allocated for transmit and withdrawn with length 0. */
    public long withdrawnFrames()
    {
        return withdrawnFrames;
    }

    /** @return received slots whose stored length was impossible; they were skipped. */
    public long corruptFrames()
    {
        return corruptFrames;
    }

    /** @return frames that found their ring full and waited in its backlog (a multi-queue side). */
    public long backloggedFrames()
    {
        return backloggedFrames;
    }

    /** @return frames dropped from the backlog of a queue the peer no longer has. */
    public long abandonedFrames()
    {
        return abandonedFrames;
    }

    /** @return staged frames waiting for room in their ring now. */
    public int backlogFrames()
    {
        return backlogTotal;
    }

    @Override
    public void close()
    {
    }
}
