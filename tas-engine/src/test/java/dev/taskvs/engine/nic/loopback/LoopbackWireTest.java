package dev.taskvs.engine.nic.loopback;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.FramePatterns;
import dev.taskvs.engine.nic.FrameRingPacketIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackWireTest
{
    private final LoopbackWire wire = new LoopbackWire(64, 1500, LoopbackWire.DEFAULT_MAC_A, LoopbackWire.DEFAULT_MAC_B);
    private final FrameRingPacketIo a = wire.endpointA();
    private final FrameRingPacketIo b = wire.endpointB();
    private final FrameBatch tx = new FrameBatch(32);
    private final FrameBatch rx = new FrameBatch(32);

    private void send(final FrameRingPacketIo io, final long first, final int count)
    {
        assertEquals(count, io.allocate(tx, count));
        for (int i = 0; i < count; i++)
        {
            FramePatterns.write(tx, i, first + i);
        }
        assertEquals(count, io.transmit(tx));
        assertEquals(0, tx.size());
    }

    @Test
    void shouldDescribeEndpoints()
    {
        assertEquals(LoopbackWire.DEFAULT_MAC_A, a.macAddress());
        assertEquals(LoopbackWire.DEFAULT_MAC_B, b.macAddress());
        assertEquals(1500, a.mtu());
        assertEquals(1514, a.maxFrameLength());
        assertEquals("loopback:a", a.name());
    }

    @Test
    void shouldDeliverABurstInOrderToThePeerOnly()
    {
        send(a, 100, 20);
        assertEquals(0, a.receive(rx));
        assertEquals(20, b.receive(rx));
        for (int i = 0; i < 20; i++)
        {
            FramePatterns.check(rx, i, 100 + i, 1514);
        }
        b.release(rx);
        assertEquals(0, rx.size());
        assertEquals(0, b.receive(rx));
    }

    @Test
    void shouldCarryBothDirectionsIndependently()
    {
        send(a, 1, 5);
        send(b, 1000, 7);
        assertEquals(7, a.receive(rx));
        FramePatterns.check(rx, 0, 1000, 1514);
        a.release(rx);
        assertEquals(5, b.receive(rx));
        FramePatterns.check(rx, 4, 5, 1514);
        b.release(rx);
    }

    @Test
    void shouldStopAllocatingWhenTheRingIsFullUntilThePeerReleases()
    {
        send(a, 0, 32);
        send(a, 32, 32);
        assertEquals(0, a.allocate(tx, 1));
        assertEquals(32, b.receive(rx));
        // Received but not released: the slots are still lent out, so there is still no room.
        assertEquals(0, a.allocate(tx, 1));
        b.release(rx);
        assertEquals(16, a.allocate(tx, 16));
        a.transmit(tx);
    }

    @Test
    void shouldWrapAroundTheRingManyTimesWithoutLosingOrCorruptingFrames()
    {
        long sent = 0;
        long received = 0;
        for (int round = 0; round < 500; round++)
        {
            final int burst = 1 + round % 31;
            final int allocated = a.allocate(tx, burst);
            for (int i = 0; i < allocated; i++)
            {
                FramePatterns.write(tx, i, sent++);
            }
            a.transmit(tx);
            final int n = b.receive(rx);
            for (int i = 0; i < n; i++)
            {
                FramePatterns.check(rx, i, received++, 1514);
            }
            b.release(rx);
        }
        assertTrue(sent > 64 * 100, "wrapped " + sent / 64 + " times");
        assertEquals(sent, received);
    }

    @Test
    void shouldSkipWithdrawnFramesAndFreeTheirSlots()
    {
        assertEquals(4, a.allocate(tx, 4));
        FramePatterns.write(tx, 1, 11);
        FramePatterns.write(tx, 3, 13);
        assertEquals(2, a.transmit(tx));
        assertEquals(2, a.withdrawnFrames());
        assertEquals(2, b.receive(rx));
        FramePatterns.check(rx, 0, 11, 1514);
        FramePatterns.check(rx, 1, 13, 1514);
        b.release(rx);

        for (int i = 0; i < 10; i++)
        {
            assertEquals(32, a.allocate(tx, 32));
            a.transmit(tx);
            assertEquals(0, b.receive(rx));
        }
        assertEquals(32, a.allocate(tx, 32), "withdrawn slots must have been freed");
    }

    @Test
    void shouldRejectAFrameLongerThanItsSlot()
    {
        a.allocate(tx, 1);
        assertThrows(IllegalArgumentException.class, () -> tx.length(0, 1515));
        tx.length(0, 1514);
        a.transmit(tx);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMoveManyFramesBetweenTwoThreads() throws Exception
    {
        final long total = 200_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread receiver = new Thread(() ->
        {
            try
            {
                final FrameBatch batch = new FrameBatch(32);
                long next = 0;
                while (next < total)
                {
                    final int n = b.receive(batch);
                    for (int i = 0; i < n; i++)
                    {
                        FramePatterns.check(batch, i, next++, 1514);
                    }
                    b.release(batch);
                    if (n == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }, "loopback-rx");
        receiver.start();

        final long start = System.nanoTime();
        long sent = 0;
        while (sent < total && receiver.isAlive())
        {
            final int n = a.allocate(tx, (int)Math.min(32, total - sent));
            for (int i = 0; i < n; i++)
            {
                FramePatterns.write(tx, i, sent++);
            }
            a.transmit(tx);
            if (n == 0)
            {
                Thread.onSpinWait();
            }
        }
        receiver.join(TimeUnit.SECONDS.toMillis(50));
        final long elapsed = System.nanoTime() - start;
        assertNull(failure.get());
        assertEquals(total, sent);
        System.out.printf("loopback, two threads: %d frames of 60..1514 B in %.1f ms (%.2f M frames/s, bounded by writing and checking every byte)%n",
            total, elapsed / 1e6, total * 1e3 / elapsed);
    }

    @Test
    void shouldNotAllocateOnReceiveAndTransmitAfterWarmUp()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final Runnable cycle = () ->
        {
            final int n = a.allocate(tx, 32);
            for (int i = 0; i < n; i++)
            {
                tx.buffer(i).putLong(tx.offset(i), i);
                tx.length(i, 64);
            }
            a.transmit(tx);
            b.receive(rx);
            b.release(rx);
        };
        for (int i = 0; i < 20_000; i++)
        {
            cycle.run();
        }
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++)
        {
            cycle.run();
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        // getThreadAllocatedBytes itself may allocate a little on first use; 100k cycles of 32 frames would show
        // megabytes if the data path allocated.
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 100k bursts");
    }
}
