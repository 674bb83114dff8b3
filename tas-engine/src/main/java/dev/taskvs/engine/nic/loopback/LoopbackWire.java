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
 * {@link FrameRing} in off-heap memory). Each endpoint (each queue) may be driven by its own thread. With
 * several queues a side, frames are steered to the receiving lane's queue (see the multi-queue constructor).
 */
public final class LoopbackWire
{
    public static final int DEFAULT_SLOT_COUNT = 1024;
    public static final int DEFAULT_MTU = 1500;
    public static final long DEFAULT_MAC_A = 0x02_4C_42_00_00_01L;
    public static final long DEFAULT_MAC_B = 0x02_4C_42_00_00_02L;

    private final FrameRingPacketIo[] endpointsA;
    private final FrameRingPacketIo[] endpointsB;

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
        this(1, 1, slotCount, mtu, macA, macB);
    }

    /**
     * A multi-queue wire, as two NICs with RSS: side A has {@code queuesA} queues (one per fast-path lane of the
     * engine on it), side B {@code queuesB}. Every queue of one side has a ring to every queue of the other, and
     * a sender puts each TCP segment into the ring of the receiving queue that owns its flow (see {@link
     * FrameRingPacketIo}).
     *
     * @param queuesA   queues of side A, 1 to 64.
     * @param queuesB   queues of side B, 1 to 64.
     * @param slotCount frames in flight per ring, a power of two.
     * @param mtu       IP MTU of both endpoints, 68 to 65,521.
     * @param macA      MAC of side A.
     * @param macB      MAC of side B.
     */
    public LoopbackWire(
        final int queuesA, final int queuesB, final int slotCount, final int mtu, final long macA, final long macB)
    {
        if (mtu < 68 || mtu > 65_521)
        {
            throw new IllegalArgumentException("MTU must be 68..65521: " + mtu);
        }
        if (queuesA < 1 || queuesA > 64 || queuesB < 1 || queuesB > 64)
        {
            throw new IllegalArgumentException("queues must be 1..64 per side: " + queuesA + ", " + queuesB);
        }
        final int maxFrameLength = mtu + EthernetFrame.HEADER_LENGTH;
        final long ringLength = FrameRing.requiredLength(slotCount, maxFrameLength);
        final long total = 2L * queuesA * queuesB * ringLength;
        if (total > Integer.MAX_VALUE - 64) // the aligned allocation adds up to 64 bytes
        {
            throw new IllegalArgumentException("loopback wire of " + total + " bytes is too large");
        }
        final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)total, 64));
        // Ring (a, b) carries A's queue a to B's queue b; ring (b, a) the other way, after all of A's.
        final FrameRing[][] aToB = new FrameRing[queuesA][queuesB];
        final FrameRing[][] bToA = new FrameRing[queuesB][queuesA];
        final FrameRing[][] bFromA = new FrameRing[queuesB][queuesA];
        final FrameRing[][] aFromB = new FrameRing[queuesA][queuesB];
        for (int a = 0; a < queuesA; a++)
        {
            for (int b = 0; b < queuesB; b++)
            {
                final int forward = (int)((a * queuesB + b) * ringLength);
                final int backward = (int)(((long)queuesA * queuesB + b * queuesA + a) * ringLength);
                FrameRing.reset(memory, forward);
                FrameRing.reset(memory, backward);
                // Each side holds its own FrameRing instances (their cached positions are private).
                aToB[a][b] = new FrameRing(memory, forward, slotCount, maxFrameLength);
                bFromA[b][a] = new FrameRing(memory, forward, slotCount, maxFrameLength);
                bToA[b][a] = new FrameRing(memory, backward, slotCount, maxFrameLength);
                aFromB[a][b] = new FrameRing(memory, backward, slotCount, maxFrameLength);
            }
        }
        endpointsA = new FrameRingPacketIo[queuesA];
        for (int a = 0; a < queuesA; a++)
        {
            endpointsA[a] = new FrameRingPacketIo(aToB[a], aFromB[a], macA, mtu,
                "loopback:a" + (queuesA > 1 ? "/" + a : ""));
        }
        endpointsB = new FrameRingPacketIo[queuesB];
        for (int b = 0; b < queuesB; b++)
        {
            endpointsB[b] = new FrameRingPacketIo(bToA[b], bFromA[b], macB, mtu,
                "loopback:b" + (queuesB > 1 ? "/" + b : ""));
        }
    }

    /**
     * Leave checksums out on this wire (off by default, so tests of checksum handling see real ones).
     *
     * @param offload true: neither endpoint writes or checks IPv4/TCP checksums.
     * @return this.
     */
    public LoopbackWire checksumOffload(final boolean offload)
    {
        for (final FrameRingPacketIo endpoint : endpointsA)
        {
            endpoint.checksumOffload(offload);
        }
        for (final FrameRingPacketIo endpoint : endpointsB)
        {
            endpoint.checksumOffload(offload);
        }
        return this;
    }

    /** @return side A's first (or only) queue. */
    public FrameRingPacketIo endpointA()
    {
        return endpointsA[0];
    }

    /** @return side B's first (or only) queue. */
    public FrameRingPacketIo endpointB()
    {
        return endpointsB[0];
    }

    /** @return side A's queues, one per fast-path lane of the engine on that side. */
    public FrameRingPacketIo[] endpointsA()
    {
        return endpointsA.clone();
    }

    /** @return side B's queues. */
    public FrameRingPacketIo[] endpointsB()
    {
        return endpointsB.clone();
    }
}
