package dev.taskvs.engine.tcp;

import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.proto.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.taskvs.engine.proto.TcpHeader.FLAG_ACK;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_PSH;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_RST;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SYNs past a listener's backlog get cookie SYN-ACKs, and the ACK that returns one opens the connection. */
@Timeout(60)
class SynCookieTest
{
    private static final int PORT = SegmentEdgeCaseTest.PORT;
    private static final int PEER_PORT = SegmentEdgeCaseTest.PEER_PORT;
    private static final int PEER_ISS = SegmentEdgeCaseTest.PEER_ISS;
    private static final int ENGINE_ISS = SegmentEdgeCaseTest.ENGINE_ISS;
    private static final String PREFIX = "e slow path: ";

    /** Fill a backlog of one with a half-open connection, then SYN from PEER_PORT + 1; returns its SYN-ACK. */
    private static RawPeer.Segment cookieSynAck(final RawPeer peer, final RawPeer.Opts synOptions)
    {
        peer.app.listen(PORT, 1);
        peer.step();
        peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
        peer.steps(3);
        assertEquals(ENGINE_ISS, peer.take().get(0).seq, "the first SYN takes the backlog's one place");
        peer.send(PEER_PORT + 1, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], synOptions);
        peer.steps(3);
        final List<RawPeer.Segment> answer = peer.take();
        assertEquals(1, answer.size());
        final RawPeer.Segment synAck = answer.get(0);
        assertEquals(FLAG_SYN | FLAG_ACK, synAck.flags);
        assertEquals(PEER_PORT + 1, synAck.destinationPort);
        assertEquals(PEER_ISS + 1, synAck.ack);
        assertNotEquals(ENGINE_ISS, synAck.seq, "the ISN is the cookie");
        assertEquals(1, peer.engine.counter(PREFIX + "SYN cookies sent"));
        assertEquals(0, peer.engine.counter(PREFIX + "drops: SYN backlog full"));
        return synAck;
    }

    @Test
    void shouldOpenFromTheCookieWithTheOptionsTheSynOffered()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
            peer.handler = recorder;
            final RawPeer.Segment synAck = cookieSynAck(peer, RawPeer.Opts.syn());
            assertEquals(1460, synAck.options.mss());
            assertTrue(synAck.options.has(TcpOptions.WINDOW_SCALE));
            assertTrue(synAck.options.has(TcpOptions.SACK_PERMITTED));
            assertTrue(synAck.options.has(TcpOptions.TIMESTAMPS));
            assertEquals(100, synAck.options.tsEcr(), "echoes the SYN's TSval");
            assertNull(recorder.connection, "nothing kept, nothing announced");

            // The handshake's ACK carries the first request, as a client that writes at once sends it.
            final byte[] request = "get k\r\n".getBytes(StandardCharsets.US_ASCII);
            peer.send(PEER_PORT + 1, PORT, FLAG_ACK | FLAG_PSH, PEER_ISS + 1, synAck.seq + 1, 512, request,
                RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
            peer.steps(3);
            final TcpConnection connection = recorder.connection;
            assertTrue(connection != null, "accepted");
            assertArrayEquals(request, recorder.data.toByteArray());
            assertEquals(PEER_PORT + 1, connection.remotePort());
            assertEquals(1, peer.engine.counter(PREFIX + "connections opened from SYN cookies"));

            // Window scale 7 from the SYN: a window field of 512 means 64 KiB, so 4,000 bytes go out at once.
            final byte[] answer = SegmentEdgeCaseTest.bytes(4000, 3);
            assertEquals(answer.length, connection.write(new UnsafeBuffer(answer), 0, answer.length));
            peer.steps(5);
            int sent = 0;
            int next = synAck.seq + 1;
            for (final RawPeer.Segment s : peer.take())
            {
                if (s.payload.length > 0)
                {
                    assertEquals(next, s.seq);
                    assertEquals(PEER_ISS + 1 + request.length, s.ack);
                    assertTrue(s.options.has(TcpOptions.TIMESTAMPS), "timestamps negotiated");
                    assertEquals(101, s.options.tsEcr(), "echoes the handshake ACK's TSval");
                    // Our window is scaled by the shift the cookie's SYN-ACK offered: the whole 64 KiB ring, read empty.
                    assertEquals(64 * 1024, s.window << synAck.options.windowScale());
                    assertTrue(s.payload.length <= 1460 - 12);
                    next += s.payload.length;
                    sent += s.payload.length;
                }
            }
            assertEquals(answer.length, sent);
        }
    }

    @Test
    void shouldOpenWithoutTheOptionsTheSynDidNotOffer()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
            peer.handler = recorder;
            final RawPeer.Opts mssOnly = RawPeer.Opts.none();
            mssOnly.present = TcpOptions.MSS;
            mssOnly.mss = 1400;
            final RawPeer.Segment synAck = cookieSynAck(peer, mssOnly);
            assertFalse(synAck.options.has(TcpOptions.WINDOW_SCALE));
            assertFalse(synAck.options.has(TcpOptions.SACK_PERMITTED));
            assertFalse(synAck.options.has(TcpOptions.TIMESTAMPS));
            peer.send(PEER_PORT + 1, PORT, FLAG_ACK, PEER_ISS + 1, synAck.seq + 1, 8192, new byte[0],
                RawPeer.Opts.none());
            peer.steps(3);
            assertTrue(recorder.connection != null, "accepted");
            final byte[] answer = SegmentEdgeCaseTest.bytes(3000, 5);
            recorder.connection.write(new UnsafeBuffer(answer), 0, answer.length);
            peer.steps(5);
            int sent = 0;
            for (final RawPeer.Segment s : peer.take())
            {
                assertFalse(s.options.has(TcpOptions.TIMESTAMPS));
                assertTrue(s.payload.length <= 1400, "the peer's MSS: " + s.payload.length);
                assertEquals(65535, s.window, "no window scaling: our 64 KiB ring shows as 65,535");
                sent += s.payload.length;
            }
            assertEquals(answer.length, sent);
        }
    }

    @Test
    void shouldTakeTheCookieWhenAResentSynFoundRoomAndTheFirstSynAckIsAnswered()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
            peer.handler = recorder;
            final RawPeer.Segment cookieSynAck = cookieSynAck(peer, RawPeer.Opts.syn());
            // The half-open connection that filled the backlog goes; the resent SYN then gets a place of its own.
            // It offers fewer options (stacks drop some on SYN retries): the connection must keep the cookie's.
            peer.send(PEER_PORT, PORT, FLAG_RST, PEER_ISS + 1, 0, 0, new byte[0], RawPeer.Opts.none());
            final RawPeer.Opts mssOnly = RawPeer.Opts.none();
            mssOnly.present = TcpOptions.MSS;
            peer.send(PEER_PORT + 1, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], mssOnly);
            peer.steps(3);
            assertEquals(ENGINE_ISS, peer.take().get(0).seq, "a stateful SYN-ACK this time");
            // The peer answers the first SYN-ACK it got: the cookie.
            peer.send(PEER_PORT + 1, PORT, FLAG_ACK, PEER_ISS + 1, cookieSynAck.seq + 1, 512, new byte[0],
                RawPeer.Opts.none().timestamps(101, cookieSynAck.options.tsVal()));
            peer.steps(3);
            assertTrue(recorder.connection != null, "accepted, not reset");
            assertTrue(peer.take().stream().noneMatch(seg -> seg.has(FLAG_RST)));
            final byte[] answer = "END\r\n".getBytes(StandardCharsets.US_ASCII);
            recorder.connection.write(new UnsafeBuffer(answer), 0, answer.length);
            peer.steps(3);
            final RawPeer.Segment data = peer.last();
            assertArrayEquals(answer, data.payload);
            assertEquals(cookieSynAck.seq + 1, data.seq, "sequence numbers follow the cookie's ISN");
            assertTrue(data.options.has(TcpOptions.TIMESTAMPS), "the cookie's options, not the resent SYN's");
            assertEquals(101, data.options.tsEcr());
            // The half-open connection became this one, so the backlog's place is free: the next SYN gets state.
            peer.send(PEER_PORT + 5, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            assertEquals(ENGINE_ISS, peer.last().seq);
        }
    }

    @Test
    void shouldResetAnAckThatCarriesNoCookieOfOurs()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
            peer.handler = recorder;
            final RawPeer.Segment synAck = cookieSynAck(peer, RawPeer.Opts.syn());
            peer.send(PEER_PORT + 1, PORT, FLAG_ACK, PEER_ISS + 1, synAck.seq + 2, 512, new byte[0],
                RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
            peer.send(PEER_PORT + 2, PORT, FLAG_ACK, PEER_ISS + 1, synAck.seq + 1, 512, new byte[0],
                RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
            peer.steps(3);
            final List<RawPeer.Segment> resets = peer.take();
            assertEquals(2, resets.size());
            for (final RawPeer.Segment rst : resets)
            {
                assertEquals(FLAG_RST, rst.flags);
            }
            assertEquals(synAck.seq + 2, resets.get(0).seq, "RFC 9293: a RST takes the ACK's number");
            assertNull(recorder.connection);
            assertEquals(2, peer.engine.counter(PREFIX + "ACKs with no connection and no valid cookie"));
            assertEquals(0, peer.engine.counter(PREFIX + "connections opened from SYN cookies"));
        }
    }

    @Test
    void shouldRefuseACookieOnceItsTimeIsPastAndWhenItsSlotTagComesRound()
    {
        try (RawPeer peer = new RawPeer(c -> c.synCookieMode(SynCookieMode.ALWAYS)))
        {
            final SegmentEdgeCaseTest.Recorder recorder = new SegmentEdgeCaseTest.Recorder();
            peer.handler = recorder;
            peer.app.listen(PORT);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            final RawPeer.Segment synAck = peer.take().get(0);
            // A slot is 2^36 ns (68.7 s). Step about two slots at a time, a fresh SYN each time so that cookies keep
            // going out (ACKs are checked only then), and return the first cookie at about 2, 4 (its 2-bit tag
            // again) and 6 slots on.
            for (int round = 1; round <= 3; round++)
            {
                peer.clock.advance(2 * (1L << 36) + 1_000_000_000L);
                peer.send(PEER_PORT + 10 + round, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
                peer.steps(3);
                peer.take();
                peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, synAck.seq + 1, 512, new byte[0],
                    RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
                peer.steps(3);
                assertEquals(FLAG_RST, peer.last().flags, "round " + round);
                assertNull(recorder.connection, "round " + round);
                assertEquals(round, peer.engine.counter(PREFIX + "ACKs with no connection and no valid cookie"));
            }
        }
    }

    /** Two engines: 200 connects at once against a backlog of 4 all open, most through cookies, and carry data. */
    @Test
    void shouldOpenAConnectStormFarLargerThanTheBacklog()
    {
        try (EnginePair pair = new EnginePair())
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            pair.handlerA = client;
            pair.handlerB = server;
            pair.appB.listen(PORT, 4);
            pair.step();
            final int count = 200;
            for (int i = 0; i < count; i++)
            {
                pair.appA.connect(EnginePair.IP_B, PORT);
            }
            assertTrue(pair.runUntil(() -> client.open.size() == count && server.open.size() == count, 100_000),
                () -> "open " + client.open.size() + " and " + server.open.size());
            assertEquals(0, client.failed);
            assertEquals(0, pair.a.counter("a slow path: SYN and SYN-ACK retransmissions"), "no SYN was lost");
            final long cookies = pair.b.counter("b slow path: connections opened from SYN cookies");
            assertTrue(cookies >= count - 4 * 4 && cookies < count, "cookies: " + cookies);
            final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            for (final TcpConnection c : client.open)
            {
                assertEquals(ping.length, c.write(new UnsafeBuffer(ping), 0, ping.length));
            }
            assertTrue(pair.runUntil(() -> server.received == (long)count * ping.length, 100_000),
                () -> "received " + server.received);
        }
    }
}
