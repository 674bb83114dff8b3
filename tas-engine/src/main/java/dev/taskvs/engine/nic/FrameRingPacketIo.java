package dev.taskvs.engine.nic;

/**
 * A {@link PacketIo} over two {@link FrameRing}s: it produces into one and consumes from the other, in place.
 * The loopback and shm backends are this class over process-private or memory-mapped memory.
 * <p>
 * Zero-copy both ways: received frames are views of consumer-ring slots, freed on {@link #release}; frames
 * to transmit are producer-ring slots claimed by {@link #allocate} and published by {@link #transmit}.
 * Receive and transmit touch disjoint state, so one thread may receive while another transmits.
 * <p>
 * The peer may be another process, so a stored length is checked before it is trusted: a length beyond the
 * slot is counted as {@link #corruptFrames()} and skipped, never handed up.
 */
public class FrameRingPacketIo implements PacketIo
{
    private final FrameRing txRing;
    private final FrameRing rxRing;
    private final long macAddress;
    private final int mtu;
    private final String name;
    private final int maxFrameLength;

    private boolean checksumOffload;
    private int rxOutstanding;
    private long withdrawnFrames;
    private long corruptFrames;

    /**
     * @param txRing     ring this side produces into; its peer consumes it.
     * @param rxRing     ring this side consumes; its peer produces into it.
     * @param macAddress this endpoint's MAC.
     * @param mtu        IP MTU; frames may be up to mtu + 14 bytes, which must fit both rings' slots.
     * @param name       for logs.
     */
    public FrameRingPacketIo(
        final FrameRing txRing, final FrameRing rxRing, final long macAddress, final int mtu, final String name)
    {
        final int frameLength = mtu + dev.taskvs.engine.proto.EthernetFrame.HEADER_LENGTH;
        if (frameLength > txRing.maxFrameLength() || frameLength > rxRing.maxFrameLength())
        {
            throw new IllegalArgumentException("MTU " + mtu + " needs frames of " + frameLength +
                " bytes, ring slots hold " + Math.min(txRing.maxFrameLength(), rxRing.maxFrameLength()));
        }
        this.txRing = txRing;
        this.rxRing = rxRing;
        this.macAddress = macAddress;
        this.mtu = mtu;
        this.name = name;
        this.maxFrameLength = frameLength;
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        int available = rxRing.readable();
        int received = 0;
        while (available > 0 && rx.remaining() > 0)
        {
            final long position = rxRing.readPosition();
            final int length = rxRing.storedLength(position);
            rxRing.advanceRead();
            available--;
            if (length > 0 && length <= rxRing.maxFrameLength())
            {
                rx.add(rxRing.buffer(), rxRing.frameOffset(position), length, rxRing.maxFrameLength(), position);
                rxOutstanding++;
                received++;
            }
            else
            {
                if (length != 0)
                {
                    corruptFrames++;
                }
                if (rxOutstanding == 0)
                {
                    // Nothing is lent out, so a skipped slot can be freed at once rather than on the next release.
                    rxRing.release(rxRing.readPosition());
                }
            }
        }
        return received;
    }

    @Override
    public void release(final FrameBatch rx)
    {
        final int size = rx.size();
        if (size > 0)
        {
            rxOutstanding -= size;
            // Frames are released in receive order, so freeing up to the last one frees the whole batch; when
            // nothing else is lent out, skipped slots read after it are freed too.
            rxRing.release(rxOutstanding == 0 ? rxRing.readPosition() : rx.handle(size - 1) + 1);
            rx.clear();
        }
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        final int wanted = Math.min(count, tx.remaining());
        final long first = txRing.claim(wanted);
        final long end = txRing.claimedPosition();
        for (long position = first; position < end; position++)
        {
            tx.add(txRing.buffer(), txRing.frameOffset(position), 0, maxFrameLength, position);
        }
        return (int)(end - first);
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        final int size = tx.size();
        if (size == 0)
        {
            return 0;
        }
        int sent = 0;
        for (int i = 0; i < size; i++)
        {
            final int length = tx.length(i);
            txRing.frameLength(tx.handle(i), length);
            if (length > 0)
            {
                sent++;
            }
        }
        withdrawnFrames += size - sent;
        txRing.publish(tx.handle(size - 1) + 1);
        tx.clear();
        return sent;
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

    @Override
    public void close()
    {
    }
}
