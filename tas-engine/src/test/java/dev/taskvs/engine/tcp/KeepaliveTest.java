package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.app.TcpConnection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.function.Consumer;

import static dev.taskvs.engine.proto.TcpHeader.FLAG_ACK;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_PSH;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_RST;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP keepalive (RFC 9293 section 3.8.4, RFC 1122 section 4.2.3.6) on the virtual clock: an idle peer that
 * vanished is probed and reset after idle + probes x interval, a live idle peer answers the probes and stays,
 * probes carry SEQ = SND.UNA - 1, the peer's own probes are answered, and keepalive is off by default.
 */
@Timeout(60)
class KeepaliveTest
{
    private static final int PORT = 7000;
    private static final int PEER_PORT = 40000;
    private static final int PEER_ISS = 1000;
    private static final int ENGINE_ISS = 5000;
    private static final long MS = 1_000_000L;

    private FilterPacketIo filterA;

    private EnginePair pair(final Consumer<EngineContext> configure)
    {
        return new EnginePair(configure, io -> filterA = new FilterPacketIo(io), io -> io);
    }

    private static TcpConnection[] connect(
        final EnginePair pair, final ConnectionLifecycleTest.Tracker client, final ConnectionLifecycleTest.Tracker server)
    {
        pair.handlerA = client;
        pair.handlerB = server;
        pair.appB.listen(PORT);
        pair.step();
        pair.appA.connect(EnginePair.IP_B, PORT);
        assertTrue(pair.runUntil(() -> client.open.size() == 1 && server.open.size() == 1, 1_000_000));
        return new TcpConnection[] {client.open.get(0), server.open.get(0)};
    }

    @Test
    void shouldResetVanishedIdlePeerAfterIdlePlusProbesTimesInterval()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            final long heard = pair.clock.nanoTime();
            c[1].keepalive(200, 50, 3);
            filterA.cut();                                    // the client vanishes: nothing of it comes back
            pair.stepNs = MS;
            assertTrue(pair.runUntil(() -> server.resets == 1, 2_000));
            final long after = pair.clock.nanoTime() - heard;
            assertEquals(AppEvents.REASON_KEEPALIVE, server.lastReset);
            assertEquals("keepalive timeout", AppEvents.reasonName(server.lastReset));
            assertTrue(after >= 350 * MS && after <= 360 * MS, "reset after idle + 3 x interval: " + after / MS);
            assertEquals(3, pair.b.counter("b slow path: keepalive probes"));
            assertEquals(1, pair.b.counter("b slow path: resets after keepalive probes"));
            assertTrue(pair.runUntil(() -> pair.b.flowCount() == 0 && pair.b.connectionCount() == 0, 1_000));
            assertEquals(0, pair.b.counter("b slow path: active flows"));
            assertTrue(filterA.dropped >= 3, "the client answered every probe, and lost the answers");
            // The RST reached the client (only its direction is cut), which was reset as well.
            assertTrue(pair.runUntil(() -> client.resets == 1, 1_000));
            assertEquals(AppEvents.REASON_PEER_RESET, client.lastReset);
            assertEquals(0, pair.a.counter("a slow path: keepalive probes"), "off by default");
        }
    }

    @Test
    void shouldKeepLiveIdlePeerThatAnswersProbesForManyIntervals()
    {
        try (EnginePair pair = pair(c -> c.keepaliveIdleNs(200 * MS).keepaliveIntervalNs(50 * MS).keepaliveProbes(2)))
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            pair.stepNs = MS;
            pair.runFor(5_000 * MS);
            assertEquals(0, client.resets + server.resets);
            final long probesA = pair.a.counter("a slow path: keepalive probes");
            final long probesB = pair.b.counter("b slow path: keepalive probes");
            // Each side probes once per idle period and is answered at once: about 5 s / 200 ms each.
            assertTrue(probesA >= 15 && probesA <= 26, "probes from a: " + probesA);
            assertTrue(probesB >= 15 && probesB <= 26, "probes from b: " + probesB);
            assertEquals(0, pair.a.counter("a slow path: resets after keepalive probes"));
            assertEquals(0, pair.b.counter("b slow path: resets after keepalive probes"));
            assertTrue(c[0].isOpen() && c[1].isOpen());

            // Still a working connection.
            c[0].write(new UnsafeBuffer(new byte[1000]), 0, 1000);
            assertTrue(pair.runUntil(() -> server.received == 1000, 10_000));
            assertEquals(0, pair.a.counterSum("bytes retransmitted"));
        }
    }

    @Test
    void shouldStopProbingWhenPeerSendsAnythingAndResetWhenItFallsSilent()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[1].keepalive(200, 50, 3);
            pair.stepNs = MS;
            // Data from the client every 150 ms keeps the server from ever probing.
            for (int i = 0; i < 10; i++)
            {
                pair.runFor(150 * MS);
                c[0].write(new UnsafeBuffer(new byte[10]), 0, 10);
            }
            pair.runFor(MS);
            assertEquals(10 * 10, server.received);
            assertEquals(0, pair.b.counter("b slow path: keepalive probes"));
            // Two probes go unanswered, then the client talks again: the count starts over.
            filterA.cut();
            pair.runFor(200 * MS + 60 * MS + 30 * MS);
            assertEquals(2, pair.b.counter("b slow path: keepalive probes"));
            filterA.heal();
            c[0].write(new UnsafeBuffer(new byte[10]), 0, 10);
            pair.runFor(100 * MS);
            assertEquals(0, server.resets);
            filterA.cut();
            final long silentFrom = pair.clock.nanoTime();
            assertTrue(pair.runUntil(() -> server.resets == 1, 2_000));
            final long after = pair.clock.nanoTime() - silentFrom;
            assertTrue(after >= 250 * MS && after <= 400 * MS, "a full idle + 3 x interval again: " + after / MS);
            assertEquals(2 + 3, pair.b.counter("b slow path: keepalive probes"));
            assertTrue(pair.runUntil(() -> pair.b.flowCount() == 0, 1_000));
        }
    }

    @Test
    void shouldNotProbeWhileDataIsOutstandingTheRetransmissionLimitDoes()
    {
        try (EnginePair pair = pair(c -> c.rtoMinNs(MS).rtoInitialNs(MS).rtoMaxNs(8 * MS).rtoRetries(3)))
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[0].keepalive(1, 1, 1);
            filterA.cut();
            c[0].write(new UnsafeBuffer(new byte[5000]), 0, 5000);
            pair.stepNs = 50_000;
            assertTrue(pair.runUntil(() -> client.resets == 1, 100_000));
            assertEquals(AppEvents.REASON_TIMEOUT, client.lastReset);
            assertEquals(0, pair.a.counter("a slow path: keepalive probes"));
        }
    }

    // ------------------------------------------------------------------ exact segments

    private static SegmentEdgeCaseTest.Recorder establish(final RawPeer peer)
    {
        final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
        peer.handler = recorder;
        peer.app.listen(PORT);
        peer.step();
        peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
        peer.steps(3);
        final RawPeer.Segment synAck = peer.last();
        assertNotNull(synAck);
        peer.take();
        peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 512, new byte[0],
            RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
        peer.steps(3);
        assertNotNull(recorder.connection, "accepted");
        return recorder;
    }

    private static void ack(final RawPeer peer, final int seq, final int ack, final byte[] payload)
    {
        peer.send(PEER_PORT, PORT, FLAG_ACK | (payload.length > 0 ? FLAG_PSH : 0), seq, ack, 512, payload,
            RawPeer.Opts.none().timestamps(300, 0));
    }

    /** Step the engine (1 ms a step) until it sends a segment; returns it, or null after {@code maxMs}. */
    private static RawPeer.Segment next(final RawPeer peer, final int maxMs)
    {
        for (int i = 0; i < maxMs && peer.segments.isEmpty(); i++)
        {
            peer.step();
        }
        return peer.segments.isEmpty() ? null : peer.segments.remove(0);
    }

    @Test
    void shouldProbeWithSndUnaMinusOneAndResetSilentPeerWithRst()
    {
        try (RawPeer peer = new RawPeer(c -> c.keepaliveIdleNs(100 * MS).keepaliveIntervalNs(20 * MS)
            .keepaliveProbes(4)))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            final long established = peer.clock.nanoTime();
            peer.stepNs = MS;

            // Nothing sent yet: SND.UNA = ISS + 1, the probe's sequence is ISS.
            RawPeer.Segment probe = next(peer, 200);
            assertNotNull(probe);
            final long firstAfter = peer.clock.nanoTime() - established;
            assertTrue(firstAfter >= 100 * MS && firstAfter <= 105 * MS, "first probe after idle: " + firstAfter / MS);
            assertEquals(FLAG_ACK, probe.flags);
            assertEquals(ENGINE_ISS, probe.seq);
            assertEquals(PEER_ISS + 1, probe.ack);
            assertEquals(0, probe.payload.length);
            ack(peer, PEER_ISS + 1, ENGINE_ISS + 1, new byte[0]);   // the answer: idle starts again

            // Send 5 bytes, the peer ACKs them: the probe's sequence follows SND.UNA.
            recorder.connection.write(new UnsafeBuffer("hello".getBytes()), 0, 5);
            final RawPeer.Segment data = next(peer, 10);
            assertEquals(5, data.payload.length);
            ack(peer, PEER_ISS + 1, ENGINE_ISS + 6, new byte[0]);
            peer.step();
            final long heard = peer.clock.nanoTime();
            probe = next(peer, 200);
            final long secondAfter = peer.clock.nanoTime() - heard;
            assertTrue(secondAfter >= 99 * MS && secondAfter <= 105 * MS, "idle counted from the last segment: " +
                secondAfter / MS);
            assertEquals(ENGINE_ISS + 5, probe.seq, "SEQ = SND.UNA - 1");
            assertEquals(PEER_ISS + 1, probe.ack);
            assertEquals(0, probe.payload.length);

            // Now silence: three more probes 20 ms apart, then RST with SEQ = SND.NXT.
            for (int i = 0; i < 3; i++)
            {
                final long before = peer.clock.nanoTime();
                probe = next(peer, 100);
                final long gap = peer.clock.nanoTime() - before;
                assertEquals(ENGINE_ISS + 5, probe.seq);
                assertEquals(FLAG_ACK, probe.flags);
                assertTrue(gap >= 19 * MS && gap <= 22 * MS, "interval: " + gap / MS);
            }
            final RawPeer.Segment rst = next(peer, 100);
            assertEquals(FLAG_RST | FLAG_ACK, rst.flags);
            assertEquals(ENGINE_ISS + 6, rst.seq);
            peer.steps(5);
            assertEquals(AppEvents.REASON_KEEPALIVE, recorder.resetReason);
            assertEquals(0, peer.engine.flowCount());
            assertEquals(0, peer.engine.connectionCount());
            assertEquals(1 + 4, peer.engine.counter("e slow path: keepalive probes"));
            assertEquals(1, peer.engine.counter("e slow path: resets after keepalive probes"));
        }
    }

    @Test
    void shouldAnswerPeerKeepaliveProbesWithAnAck()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            ack(peer, PEER_ISS + 1, ENGINE_ISS + 1, "abc".getBytes());
            peer.steps(3);
            assertEquals("abc", recorder.data.toString());
            peer.take();
            final int rcvNxt = PEER_ISS + 4;

            // A probe without data (Linux's kind): SEQ = RCV.NXT - 1.
            ack(peer, rcvNxt - 1, ENGINE_ISS + 1, new byte[0]);
            peer.steps(2);
            List<RawPeer.Segment> answers = peer.take();
            assertEquals(1, answers.size(), "one ACK per probe: " + answers);
            assertEquals(FLAG_ACK, answers.get(0).flags);
            assertEquals(ENGINE_ISS + 1, answers.get(0).seq);
            assertEquals(rcvNxt, answers.get(0).ack);

            // A probe with one garbage byte (the old BSD kind): ACKed, the byte is not delivered again.
            ack(peer, rcvNxt - 1, ENGINE_ISS + 1, new byte[] {'c'});
            peer.steps(2);
            answers = peer.take();
            assertEquals(1, answers.size(), "one ACK per probe: " + answers);
            assertEquals(rcvNxt, answers.get(0).ack);
            assertEquals("abc", recorder.data.toString());
            assertTrue(recorder.connection.isOpen());
        }
    }

    @Test
    void shouldNotProbeOrResetAnIdleVanishedPeerWhenKeepaliveIsOff()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            peer.take();
            // 10 s of silence (1 ms steps: the slow path's timer wheel moves one 1 ms tick per duty cycle).
            peer.stepNs = MS;
            peer.steps(10_000);
            assertEquals(0, peer.segments.size());
            assertTrue(recorder.connection.isOpen());
            assertEquals(1, peer.engine.flowCount());

            // Turned on for this connection alone, it finds the peer gone.
            recorder.connection.keepalive(100, 10, 2);
            peer.steps(50);
            assertEquals(AppEvents.REASON_KEEPALIVE, recorder.resetReason, "idle for long already: probes at once");
            assertEquals(2, peer.engine.counter("e slow path: keepalive probes"));
            assertEquals(0, peer.engine.flowCount());
        }
    }
}
