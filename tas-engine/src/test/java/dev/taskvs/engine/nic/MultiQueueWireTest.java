package dev.taskvs.engine.nic;

import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.proto.EthernetFrame;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wires with several queues a side: frames land on the queue that owns their flow, in order, none lost. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiQueueWireTest
{
    private static final int SENDER_IP = 0x0AD3_0902;
    private static final int FRAME_LENGTH = 14 + 20 + 20 + 8;

    @TempDir
    Path dir;

    /** An IPv4 TCP frame from SENDER_IP:srcPort to dstPort whose payload is {@code number}. */
    private static void writeSegment(final FrameBatch tx, final int index, final int srcPort, final int dstPort,
        final long number)
    {
        final MutableDirectBuffer b = tx.buffer(index);
        final int o = tx.offset(index);
        b.setMemory(o, FRAME_LENGTH, (byte)0);
        b.putShort(o + EthernetFrame.ETHER_TYPE_OFFSET, (short)EthernetFrame.ETHER_TYPE_IPV4, ByteOrder.BIG_ENDIAN);
        final int ip = o + 14;
        b.putByte(ip, (byte)0x45);
        b.putShort(ip + 2, (short)(FRAME_LENGTH - 14), ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)6);
        b.putInt(ip + 12, SENDER_IP, ByteOrder.BIG_ENDIAN);
        b.putInt(ip + 16, 0x0AD3_0901, ByteOrder.BIG_ENDIAN);
        final int tcp = ip + 20;
        b.putShort(tcp, (short)srcPort, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 2, (short)dstPort, ByteOrder.BIG_ENDIAN);
        b.putByte(tcp + 12, (byte)0x50);
        b.putLong(tcp + 20, number, ByteOrder.BIG_ENDIAN);
        tx.length(index, FRAME_LENGTH);
    }

    private static int srcPort(final long number)
    {
        return 40_000 + (int)(number % 97);
    }

    private static int expectedQueue(final long number, final int queues)
    {
        return FlowSteering.queueOf(FlowSteering.key(SENDER_IP, 11211, srcPort(number)), queues);
    }

    /**
     * Send {@code frames} numbered segments of 97 flows from {@code from}, bursts of up to 32, draining every
     * receiving queue as it goes; check each lands on the queue that owns its flow, in order per queue.
     */
    private static void sendAndCheck(final PacketIo from, final PacketIo[] to, final int steerBy, final int frames)
    {
        final FrameBatch tx = new FrameBatch(64);
        final FrameBatch rx = new FrameBatch(64);
        final long[] lastOnQueue = new long[to.length];
        java.util.Arrays.fill(lastOnQueue, -1);
        final int[] perQueue = new int[to.length];
        long next = 0;
        long received = 0;
        int idle = 0;
        while (received < frames)
        {
            final int n = from.allocate(tx, (int)Math.min(1 + next % 32, frames - next));
            for (int i = 0; i < n; i++)
            {
                writeSegment(tx, i, srcPort(next), 11211, next);
                next++;
            }
            from.transmit(tx);
            int got = 0;
            for (int q = 0; q < to.length; q++)
            {
                final int m = to[q].receive(rx);
                for (int i = 0; i < m; i++)
                {
                    assertEquals(FRAME_LENGTH, rx.length(i));
                    final long number = rx.buffer(i).getLong(rx.offset(i) + 14 + 20 + 20, ByteOrder.BIG_ENDIAN);
                    assertEquals(expectedQueue(number, steerBy), q, "frame " + number + " on the wrong queue");
                    assertTrue(number > lastOnQueue[q], "frame " + number + " out of order on queue " + q);
                    lastOnQueue[q] = number;
                    perQueue[q]++;
                }
                to[q].release(rx);
                got += m;
            }
            received += got;
            idle = got == 0 && n == 0 ? idle + 1 : 0;
            assertTrue(idle < 1000, "stalled at " + received + " of " + frames + " frames");
        }
        assertEquals(frames, received);
        for (int q = 0; q < steerBy; q++)
        {
            assertTrue(perQueue[q] > 0, "queue " + q + " got nothing");
        }
    }

    @Test
    void shouldSteerEachSegmentToTheQueueThatOwnsItsFlowBothWays()
    {
        final LoopbackWire wire = new LoopbackWire(3, 2, 64, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        for (final PacketIo from : wire.endpointsA())
        {
            sendAndCheck(from, wire.endpointsB(), 2, 2_000);
        }
        for (final PacketIo from : wire.endpointsB())
        {
            sendAndCheck(from, wire.endpointsA(), 3, 2_000);
        }
    }

    @Test
    void shouldSendWhatIsNotATcpSegmentToQueueZero()
    {
        final LoopbackWire wire = new LoopbackWire(1, 4, 64, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        final FrameBatch tx = new FrameBatch(8);
        final FrameBatch rx = new FrameBatch(8);
        final PacketIo from = wire.endpointA();
        assertEquals(3, from.allocate(tx, 3));
        tx.buffer(0).putShort(tx.offset(0) + 12, (short)0x0806, ByteOrder.BIG_ENDIAN); // ARP
        tx.length(0, 42);
        writeSegment(tx, 1, 40_001, 11211, 1);
        tx.buffer(1).putShort(tx.offset(1) + 14 + 6, (short)0x2000, ByteOrder.BIG_ENDIAN); // a fragment
        tx.length(2, 20); // a runt
        assertEquals(3, from.transmit(tx));
        final PacketIo[] to = wire.endpointsB();
        assertEquals(3, to[0].receive(rx));
        to[0].release(rx);
        for (int q = 1; q < to.length; q++)
        {
            assertEquals(0, to[q].receive(rx));
        }
    }

    @Test
    void shouldLetAFullRingHoldUpOnlyItsOwnFlowsAndSendItsBacklogInOrderLater()
    {
        final LoopbackWire wire = new LoopbackWire(1, 2, 16, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        final FrameRingPacketIo from = wire.endpointA();
        final PacketIo[] to = wire.endpointsB();
        final FrameBatch tx = new FrameBatch(64);
        final FrameBatch rx = new FrameBatch(64);
        final int frames = 300;
        int onQueue1 = 0;
        long lastOn0 = -1;
        int receivedOn0 = 0;
        // Queue 1's lane reads nothing while the sender runs: its ring (16 slots) fills and the rest waits.
        for (long number = 0; number < frames; )
        {
            final int n = from.allocate(tx, (int)Math.min(32, frames - number));
            assertTrue(n > 0, "the sender was stopped by the full ring at frame " + number);
            for (int i = 0; i < n; i++, number++)
            {
                writeSegment(tx, i, srcPort(number), 11211, number);
                onQueue1 += expectedQueue(number, 2);
            }
            assertEquals(n, from.transmit(tx));
            final int m = to[0].receive(rx);
            for (int i = 0; i < m; i++)
            {
                final long got = rx.buffer(i).getLong(rx.offset(i) + 14 + 20 + 20, ByteOrder.BIG_ENDIAN);
                assertEquals(0, expectedQueue(got, 2));
                assertTrue(got > lastOn0);
                lastOn0 = got;
                receivedOn0++;
            }
            to[0].release(rx);
        }
        assertEquals(frames - onQueue1, receivedOn0, "queue 0 got all of its frames while queue 1 was full");
        assertEquals(onQueue1 - 16, from.backlogFrames());

        long lastOn1 = -1;
        int receivedOn1 = 0;
        for (int round = 0; round < 100 && receivedOn1 < onQueue1; round++)
        {
            from.receive(rx); // any call of the sender moves its backlog on as the ring frees up
            final int m = to[1].receive(rx);
            for (int i = 0; i < m; i++)
            {
                final long got = rx.buffer(i).getLong(rx.offset(i) + 14 + 20 + 20, ByteOrder.BIG_ENDIAN);
                assertEquals(1, expectedQueue(got, 2));
                assertTrue(got > lastOn1, "frame " + got + " after " + lastOn1);
                lastOn1 = got;
                receivedOn1++;
            }
            to[1].release(rx);
        }
        assertEquals(onQueue1, receivedOn1);
        assertEquals(0, from.backlogFrames());
        assertEquals(0, from.withdrawnFrames());
        assertEquals(0, from.abandonedFrames());
    }

    @Test
    void shouldKeepTwoAllocatedBatchesApart()
    {
        final LoopbackWire wire = new LoopbackWire(1, 2, 64, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        final FrameRingPacketIo from = wire.endpointA();
        final FrameBatch first = new FrameBatch(4);
        final FrameBatch second = new FrameBatch(4);
        final FrameBatch third = new FrameBatch(4);
        assertEquals(2, from.allocate(first, 2));
        assertEquals(2, from.allocate(second, 2));
        writeSegment(first, 0, srcPort(0), 11211, 0);
        writeSegment(first, 1, srcPort(1), 11211, 1);
        writeSegment(second, 0, srcPort(2), 11211, 2);
        writeSegment(second, 1, srcPort(3), 11211, 3);
        from.transmit(first);
        // The second batch is still the caller's: a new allocation must not hand out its slots.
        assertEquals(2, from.allocate(third, 2));
        writeSegment(third, 0, srcPort(4), 11211, 4);
        writeSegment(third, 1, srcPort(5), 11211, 5);
        from.transmit(second);
        from.transmit(third);
        final FrameBatch rx = new FrameBatch(16);
        final java.util.Set<Long> got = new java.util.TreeSet<>();
        for (final PacketIo to : wire.endpointsB())
        {
            final int m = to.receive(rx);
            for (int i = 0; i < m; i++)
            {
                got.add(rx.buffer(i).getLong(rx.offset(i) + 14 + 20 + 20, ByteOrder.BIG_ENDIAN));
            }
            to.release(rx);
        }
        assertEquals(java.util.Set.of(0L, 1L, 2L, 3L, 4L, 5L), got);
    }

    @Test
    void shouldSteerByTheQueuesTheAttacherBroughtAndRefuseMoreThanTheRoomMade()
    {
        final Path path = dir.resolve("wire");
        final ShmWire.Context creatorContext = new ShmWire.Context().path(path).queues(2).peerQueues(3);
        try (ShmWire creator = ShmWire.open(creatorContext))
        {
            assertEquals(2, creator.queueCount());
            assertEquals(0, creator.attacherQueues());
            final IllegalStateException tooMany = assertThrows(IllegalStateException.class,
                () -> ShmWire.open(new ShmWire.Context().path(path).queues(4)));
            assertTrue(tooMany.getMessage().contains("--shm-peer-queues 4"), tooMany.getMessage());

            try (ShmWire attacher = ShmWire.open(new ShmWire.Context().path(path).queues(2)))
            {
                assertEquals(2, creator.attacherQueues());
                final PacketIo[] attacherQueues = attacher.queues();
                final PacketIo[] creatorQueues = creator.queues();
                for (final PacketIo from : creatorQueues)
                {
                    sendAndCheck(from, attacherQueues, 2, 1_000);
                }
                for (final PacketIo from : attacherQueues)
                {
                    sendAndCheck(from, creatorQueues, 2, 1_000);
                }
            }
            // A later attacher with one queue gets everything on it, though room was made for three.
            try (ShmWire single = ShmWire.open(new ShmWire.Context().path(path)))
            {
                assertEquals(1, creator.attacherQueues());
                sendAndCheck(creator.queue(1), single.queues(), 1, 1_000);
                sendAndCheck(single, creator.queues(), 2, 1_000);
            }
        }
    }

    @Test
    void shouldAgreeWithTheEngineLaneHashOnFramesItParses()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final FrameBatch tx = new FrameBatch(1);
        tx.add(buffer, 0, 0, 128, 0);
        for (int port = 1; port < 2_000; port += 7)
        {
            writeSegment(tx, 0, port, 80, 0);
            final long key = dev.taskvs.engine.fastpath.FlowRecord.key(SENDER_IP, 80, port);
            for (int queues = 1; queues <= 8; queues++)
            {
                assertEquals(dev.taskvs.engine.fastpath.FlowRecord.laneOf(key, queues),
                    FlowSteering.queueOfFrame(buffer, 0, FRAME_LENGTH, queues));
            }
        }
    }

    @Test
    void shouldNotLetAQueueTheAttacherNoLongerHasBlockTheCreatorNorHandOldFramesToTheNextAttacher()
    {
        final Path path = dir.resolve("stale");
        try (ShmWire creator = ShmWire.open(new ShmWire.Context().path(path).queues(1).peerQueues(2).slotCount(16)))
        {
            final FrameBatch tx = new FrameBatch(64);
            final long backlogged;
            try (ShmWire first = ShmWire.open(new ShmWire.Context().path(path).queues(2)))
            {
                // Nobody reads: frames of flows on the first attacher's queue 1 fill that ring and then the
                // sender's staging pool, and a few on queue 0 wait in the other ring.
                long number = 0;
                int toQueue1 = 0;
                for (int round = 0; round < 1_000; round++)
                {
                    final int n = creator.allocate(tx, 16);
                    if (n == 0)
                    {
                        break;
                    }
                    int written = 0;
                    for (; written < n; number++)
                    {
                        final int queue = expectedQueue(number, 2);
                        if (queue == 1 || number < 3)
                        {
                            writeSegment(tx, written++, srcPort(number), 11211, number);
                            toQueue1 += queue;
                        }
                    }
                    creator.transmit(tx);
                }
                assertEquals(0, creator.allocate(tx, 1), "queue 1's ring and the staging pool are full");
                assertEquals(toQueue1 - 16, creator.backlogFrames());
                backlogged = creator.backlogFrames();
                assertEquals(0, first.staleFramesSkipped());
            }
            try (ShmWire second = ShmWire.open(new ShmWire.Context().path(path)))
            {
                // Its one ring held what the first attacher left unread on its queue 0; queue 1's ring stays full,
                // and must not stop the creator now that the attacher has one queue.
                assertTrue(second.staleFramesSkipped() > 0, "skipped " + second.staleFramesSkipped());
                final FrameBatch rx = new FrameBatch(64);
                assertEquals(0, second.receive(rx), "an old frame was handed to the new attacher");
                sendAndCheck(creator, second.queues(), 1, 500);
                // What waited for the first attacher's queue 1 was dropped once the attacher had one queue.
                assertEquals(backlogged, creator.abandonedFrames());
                assertEquals(0, creator.backlogFrames());
            }
        }
    }

    @Test
    void shouldNotAllocateWhenSteeringBackloggingAndReceivingAfterWarmUp()
    {
        final LoopbackWire wire = new LoopbackWire(2, 3, 64, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        final FrameRingPacketIo from = wire.endpointsA()[1];
        final PacketIo[] to = wire.endpointsB();
        final FrameBatch tx = new FrameBatch(64);
        final FrameBatch rx = new FrameBatch(64);
        final long[] number = {0};
        final int[] turn = {0};
        final Runnable cycle = () ->
        {
            final int n = from.allocate(tx, 32);
            for (int i = 0; i < n; i++, number[0]++)
            {
                writeSegment(tx, i, srcPort(number[0]), 11211, number[0]);
            }
            from.transmit(tx);
            // Queue 2 reads only every eighth turn, so its ring fills and frames wait in its backlog.
            for (int q = 0; q < to.length; q++)
            {
                if (q != 2 || (turn[0] & 7) == 0)
                {
                    to[q].receive(rx);
                    to[q].release(rx);
                }
            }
            turn[0]++;
        };
        for (int i = 0; i < 20_000; i++)
        {
            cycle.run();
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final long backloggedBefore = from.backloggedFrames();
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++)
        {
            cycle.run();
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(from.backloggedFrames() > backloggedBefore, "the backlog path was not exercised");
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 100k bursts");
    }
}
