package dev.taskvs.engine.nic.fault;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.FramePatterns;
import dev.taskvs.engine.nic.FrameRingPacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultyPacketIoTest
{
    private static final int FRAMES = 100_000;

    private final LoopbackWire wire = new LoopbackWire(1024, 1500, LoopbackWire.DEFAULT_MAC_A, LoopbackWire.DEFAULT_MAC_B);
    private final FrameRingPacketIo peer = wire.endpointB();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final FrameBatch tx = new FrameBatch(32);
    private final FrameBatch rx = new FrameBatch(64);

    private FaultyPacketIo.Context context()
    {
        return new FaultyPacketIo.Context().clock(clock).seed(42);
    }

    /** Send {@code frames} numbered frames through the wrapper, 1 µs of clock per burst; return what arrived. */
    private LongArrayList pump(final FaultyPacketIo faulty, final int frames, final int[] corruptSeen)
    {
        final LongArrayList arrived = new LongArrayList();
        long sent = 0;
        while (sent < frames || faulty.pendingTransmit() > 0)
        {
            final int n = faulty.allocate(tx, (int)Math.min(16, frames - sent));
            for (int i = 0; i < n; i++)
            {
                FramePatterns.write(tx, i, sent++);
            }
            faulty.transmit(tx);
            clock.advance(1_000);
            drain(arrived, corruptSeen);
            if (sent >= frames)
            {
                clock.advance(1_000_000);
            }
        }
        drain(arrived, corruptSeen);
        return arrived;
    }

    private void drain(final LongArrayList arrived, final int[] corruptSeen)
    {
        while (peer.receive(rx) > 0)
        {
            for (int i = 0; i < rx.size(); i++)
            {
                final long number = FramePatterns.numberOf(rx, i);
                if (!intact(rx, i, number))
                {
                    corruptSeen[0]++;
                }
                arrived.addLong(number);
            }
            peer.release(rx);
        }
    }

    private static boolean intact(final FrameBatch batch, final int index, final long number)
    {
        if (number < 0 || number >= FRAMES || batch.length(index) != FramePatterns.lengthOf(number, 1514))
        {
            return false;
        }
        for (int i = 8; i < batch.length(index); i++)
        {
            if (batch.buffer(index).getByte(batch.offset(index) + i) != (byte)(number + i))
            {
                return false;
            }
        }
        return true;
    }

    private static void assertNear(final String what, final double rate, final long base, final long actual)
    {
        final double expected = rate * base;
        final double sigma = Math.sqrt(base * rate * (1 - rate));
        assertTrue(Math.abs(actual - expected) <= 5 * sigma,
            what + ": " + actual + " not within 5 sigma (" + sigma + ") of " + expected);
    }

    @Test
    void shouldApplyEachFaultAtItsRateForAFixedSeed()
    {
        final FaultyPacketIo faulty = new FaultyPacketIo(wire.endpointA(), context()
            .lossRate(0.10).duplicationRate(0.05).reorderRate(0.05).corruptionRate(0.02).delayRate(0.05)
            .delayNs(50_000));
        final int[] corruptSeen = new int[1];
        final LongArrayList arrived = pump(faulty, FRAMES, corruptSeen);
        final FaultCounters c = faulty.transmitCounters();

        assertEquals(FRAMES, c.offered());
        assertEquals(0, c.overflowed());
        assertNear("lost", 0.10, FRAMES, c.lost());
        final long survivors = FRAMES - c.lost();
        assertNear("corrupted", 0.02, survivors, c.corrupted());
        assertNear("duplicated", 0.05, survivors, c.duplicated());
        assertNear("delayed", 0.05, survivors + c.duplicated(), c.delayed());
        assertTrue(c.reordered() > 0.5 * 0.05 * survivors, "reordered " + c.reordered());
        assertEquals(survivors + c.duplicated(), c.passed());
        assertEquals(c.passed(), arrived.size());
        // A flipped byte may land in the frame number, so count damaged frames on arrival; duplicates of a
        // corrupted frame are damaged too.
        assertTrue(corruptSeen[0] >= c.corrupted() && corruptSeen[0] <= 2 * c.corrupted(),
            corruptSeen[0] + " damaged frames seen for " + c.corrupted() + " corruptions");

        int outOfOrder = 0;
        for (int i = 1; i < arrived.size(); i++)
        {
            if (arrived.getLong(i) < arrived.getLong(i - 1))
            {
                outOfOrder++;
            }
        }
        assertTrue(outOfOrder > c.reordered() / 2, outOfOrder + " out of order for " + c.reordered() + " reorders");
    }

    @Test
    void shouldReplayTheSameFaultsForTheSameSeed()
    {
        final LongArrayList first = runWithSeed(7);
        final LongArrayList second = runWithSeed(7);
        final LongArrayList other = runWithSeed(8);
        assertEquals(first, second);
        assertNotEquals(first, other);
    }

    private LongArrayList runWithSeed(final long seed)
    {
        final LoopbackWire fresh = new LoopbackWire(1024, 1500, 1, 2);
        final FaultyPacketIo faulty = new FaultyPacketIo(fresh.endpointA(), new FaultyPacketIo.Context()
            .clock(clock).seed(seed).lossRate(0.2).duplicationRate(0.1).reorderRate(0.1));
        final LongArrayList arrived = new LongArrayList();
        for (int round = 0; round < 200; round++)
        {
            final int n = faulty.allocate(tx, 8);
            for (int i = 0; i < n; i++)
            {
                FramePatterns.write(tx, i, round * 8L + i);
            }
            faulty.transmit(tx);
            clock.advance(10_000_000);
            faulty.receive(rx);
            while (fresh.endpointB().receive(rx) > 0)
            {
                for (int i = 0; i < rx.size(); i++)
                {
                    arrived.addLong(FramePatterns.numberOf(rx, i));
                }
                fresh.endpointB().release(rx);
            }
        }
        return arrived;
    }

    @Test
    void shouldHoldDelayedFramesUntilTheyAreDue()
    {
        final FaultyPacketIo faulty = new FaultyPacketIo(wire.endpointA(), context().delayRate(1).delayNs(5_000_000));
        assertEquals(4, faulty.allocate(tx, 4));
        for (int i = 0; i < 4; i++)
        {
            FramePatterns.write(tx, i, i);
        }
        assertEquals(4, faulty.transmit(tx));
        clock.advance(4_999_999);
        faulty.receive(rx);
        assertEquals(0, peer.receive(rx));
        clock.advance(1);
        faulty.receive(rx);
        assertEquals(4, peer.receive(rx));
        for (int i = 0; i < 4; i++)
        {
            FramePatterns.check(rx, i, i, 1514);
        }
        peer.release(rx);
        assertEquals(4, faulty.transmitCounters().delayed());
    }

    @Test
    void shouldSwapNeighboursWhenReorderingEveryFrame()
    {
        final FaultyPacketIo faulty = new FaultyPacketIo(wire.endpointA(), context().reorderRate(1));
        faulty.allocate(tx, 6);
        for (int i = 0; i < 6; i++)
        {
            FramePatterns.write(tx, i, i);
        }
        faulty.transmit(tx);
        assertEquals(6, peer.receive(rx));
        final long[] expected = {1, 0, 3, 2, 5, 4};
        for (int i = 0; i < 6; i++)
        {
            assertEquals(expected[i], FramePatterns.numberOf(rx, i));
        }
        peer.release(rx);
    }

    @Test
    void shouldReleaseALoneReorderedFrameAfterTheHoldTime()
    {
        final FaultyPacketIo faulty = new FaultyPacketIo(wire.endpointA(), context().reorderRate(1).reorderHoldNs(1000));
        faulty.allocate(tx, 1);
        FramePatterns.write(tx, 0, 9);
        faulty.transmit(tx);
        assertEquals(0, peer.receive(rx));
        clock.advance(1000);
        faulty.receive(rx);
        assertEquals(1, peer.receive(rx));
        peer.release(rx);
    }

    @Test
    void shouldFaultReceivedFramesWhenAsked()
    {
        final FaultyPacketIo faulty = new FaultyPacketIo(wire.endpointA(),
            context().faultTransmit(false).faultReceive(true).lossRate(0.5));
        long received = 0;
        for (int round = 0; round < 200; round++)
        {
            final int n = peer.allocate(tx, 10);
            for (int i = 0; i < n; i++)
            {
                FramePatterns.write(tx, i, i);
            }
            peer.transmit(tx);
            received += faulty.receive(rx);
            faulty.release(rx);
        }
        assertEquals(2000, faulty.receiveCounters().offered());
        assertEquals(2000 - faulty.receiveCounters().lost(), received);
        assertNear("lost on receive", 0.5, 2000, faulty.receiveCounters().lost());
        assertEquals(0, faulty.transmitCounters().lost());
    }

    @Test
    void shouldRejectRatesOutsideZeroToOne()
    {
        assertThrows(IllegalArgumentException.class, () -> context().lossRate(1.5).conclude());
        assertThrows(IllegalArgumentException.class, () -> context().delayRate(-0.1).conclude());
        assertThrows(IllegalArgumentException.class, () -> context().reorderRate(Double.NaN).conclude());
    }
}
