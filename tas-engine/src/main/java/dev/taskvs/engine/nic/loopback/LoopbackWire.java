package dev.taskvs.engine.nic.loopback;

import dev.taskvs.engine.nic.FrameRing;
import dev.taskvs.engine.nic.FrameRingPacketIo;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Two {@link PacketIo} endpoints joined back to back in one process, for tests and for running two engines
 * side by side: what one transmits, the other receives, in order and without copies (each direction is one
 * {@link FrameRing} in off-heap memory). Each endpoint may be driven by its own thread.
 */
public final class LoopbackWire
{
    public static final int DEFAULT_SLOT_COUNT = 1024;
    public static final int DEFAULT_MTU = 1500;
    public static final long DEFAULT_MAC_A = 0x02_4C_42_00_00_01L;
    public static final long DEFAULT_MAC_B = 0x02_4C_42_00_00_02L;

    private final FrameRingPacketIo endpointA;
    private final FrameRingPacketIo endpointB;

    /** A wire with {@link #DEFAULT_SLOT_COUNT} slots each way, MTU 1500 and the default MACs. */
    public LoopbackWire()
    {
        this(DEFAULT_SLOT_COUNT, DEFAULT_MTU, DEFAULT_MAC_A, DEFAULT_MAC_B);
    }

    /**
     * @param slotCount frames in flight per direction, a power of two.
     * @param mtu       IP MTU of both endpoints, 68 to 65,521.
     * @param macA      MAC of endpoint A.
     * @param macB      MAC of endpoint B.
     */
    public LoopbackWire(final int slotCount, final int mtu, final long macA, final long macB)
    {
        if (mtu < 68 || mtu > 65_521)
        {
            throw new IllegalArgumentException("MTU must be 68..65521: " + mtu);
        }
        final int maxFrameLength = mtu + EthernetFrame.HEADER_LENGTH;
        final int ringLength = (int)FrameRing.requiredLength(slotCount, maxFrameLength);
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * ringLength, 64));
        FrameRing.reset(memory, 0);
        FrameRing.reset(memory, ringLength);

        // Ring 0 carries A to B, ring 1 carries B to A; each side holds its own FrameRing instances.
        endpointA = new FrameRingPacketIo(
            new FrameRing(memory, 0, slotCount, maxFrameLength),
            new FrameRing(memory, ringLength, slotCount, maxFrameLength), macA, mtu, "loopback:a");
        endpointB = new FrameRingPacketIo(
            new FrameRing(memory, ringLength, slotCount, maxFrameLength),
            new FrameRing(memory, 0, slotCount, maxFrameLength), macB, mtu, "loopback:b");
    }

    /**
     * Leave checksums out on this wire (off by default, so tests of checksum handling see real ones).
     *
     * @param offload true: neither endpoint writes or checks IPv4/TCP checksums.
     * @return this.
     */
    public LoopbackWire checksumOffload(final boolean offload)
    {
        endpointA.checksumOffload(offload);
        endpointB.checksumOffload(offload);
        return this;
    }

    public FrameRingPacketIo endpointA()
    {
        return endpointA;
    }

    public FrameRingPacketIo endpointB()
    {
        return endpointB;
    }
}
