package dev.taskvs.engine.tcp;

import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.TcpHeader;
import dev.taskvs.engine.proto.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static dev.taskvs.engine.proto.TcpHeader.FLAG_ACK;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_CWR;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_ECE;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_FIN;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_PSH;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_RST;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact segments from a hand-driven peer against one engine: handshake options, ordering, RST, checksums. */
@Timeout(30)
class SegmentEdgeCaseTest
{
    static final int PORT = 7000;
    static final int PEER_PORT = 40000;
    static final int PEER_ISS = 1000;
    static final int ENGINE_ISS = 5000;

    /** Records what the app saw. */
    static final class Recorder implements ConnectionHandler
    {
        TcpConnection connection;
        final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        boolean readClosed;
        int resetReason;
        boolean closed;
        boolean read = true;

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            this.connection = connection;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            if (read)
            {
                drain();
            }
        }

        void drain()
        {
            final byte[] bytes = new byte[connection.readable()];
            connection.read(new UnsafeBuffer(bytes), 0, bytes.length);
            data.writeBytes(bytes);
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            readClosed = true;
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            resetReason = reason;
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            closed = true;
        }
    }

    static byte[] bytes(final int length, final int seed)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = Pattern.at(i, seed);
        }
        return b;
    }

    /** Handshake with timestamps and window scale 7; returns the recorder holding the accepted connection. */
    static Recorder establish(final RawPeer peer)
    {
        final Recorder recorder = new Recorder();
        peer.handler = recorder;
        peer.app.listen(PORT);
        peer.step();
        peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
        peer.steps(3);
        final RawPeer.Segment synAck = peer.last();
        assertNotNull(synAck);
        assertEquals(FLAG_SYN | FLAG_ACK, synAck.flags & ~FLAG_ECE);
        peer.take();
        peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 512, new byte[0],
            RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
        peer.steps(3);
        assertNotNull(recorder.connection, "accepted");
        return recorder;
    }

    private static void sendData(final RawPeer peer, final int seq, final byte[] payload)
    {
        peer.send(PEER_PORT, PORT, FLAG_ACK | FLAG_PSH, seq, ENGINE_ISS + 1, 512, payload,
            RawPeer.Opts.none().timestamps(200, 0));
    }

    @Test
    void shouldNegotiateMssWindowScaleSackPermittedTimestampsAndEcn()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(1 << 20)))
        {
            peer.app.listen(PORT);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN | FLAG_ECE | FLAG_CWR, PEER_ISS, 0, 65535, new byte[0],
                RawPeer.Opts.syn());
            peer.steps(3);
            final RawPeer.Segment synAck = peer.last();
            assertEquals(FLAG_SYN | FLAG_ACK | FLAG_ECE, synAck.flags);
            assertEquals(ENGINE_ISS, synAck.seq);
            assertEquals(PEER_ISS + 1, synAck.ack);
            assertTrue(synAck.options.has(TcpOptions.MSS));
            assertEquals(1460, synAck.options.mss());
            assertTrue(synAck.options.has(TcpOptions.SACK_PERMITTED));
            assertTrue(synAck.options.has(TcpOptions.WINDOW_SCALE));
            assertEquals(5, synAck.options.windowScale(), "1 MiB receive buffer needs shift 5");
            assertTrue(synAck.options.has(TcpOptions.TIMESTAMPS));
            assertEquals(100, synAck.options.tsEcr());
        }
    }

    @Test
    void shouldTalkToPeerWithoutTimestampsOrWindowScale()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(1 << 17)))
        {
            final Recorder recorder = new Recorder();
            peer.handler = recorder;
            peer.app.listen(PORT);
            peer.step();
            final RawPeer.Opts mssOnly = RawPeer.Opts.none();
            mssOnly.present = TcpOptions.MSS;
            peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], mssOnly);
            peer.steps(3);
            final RawPeer.Segment synAck = peer.last();
            assertFalse(synAck.options.has(TcpOptions.TIMESTAMPS));
            assertFalse(synAck.options.has(TcpOptions.WINDOW_SCALE));
            peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 65535, new byte[0], RawPeer.Opts.none());
            peer.steps(3);
            assertNotNull(recorder.connection);
            peer.take();
            final byte[] payload = bytes(1000, 1);
            peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 65535, payload, RawPeer.Opts.none());
            peer.steps(3);
            assertArrayEquals(payload, recorder.data.toByteArray());
            final RawPeer.Segment ack = peer.last();
            assertEquals(PEER_ISS + 1 + 1000, ack.ack);
            assertFalse(ack.options.has(TcpOptions.TIMESTAMPS));
            assertEquals(65535, ack.window, "unscaled window is capped at 65535");

            recorder.connection.write(new UnsafeBuffer(bytes(3000, 2)), 0, 3000);
            peer.steps(3);
            final List<RawPeer.Segment> data = peer.take();
            data.removeIf(d -> d.payload.length == 0);
            assertEquals(3, data.size());
            assertEquals(1460, data.get(0).payload.length, "MSS without timestamps option");
            assertEquals(80, data.get(2).payload.length);
        }
    }

    @Test
    void shouldReassembleOutOfOrderAndIgnoreDuplicateSegments()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            final byte[] all = bytes(300, 3);
            final int seq = PEER_ISS + 1;
            sendData(peer, seq + 200, java.util.Arrays.copyOfRange(all, 200, 300));
            peer.steps(2);
            assertEquals(seq, peer.last().ack, "duplicate ACK for the hole");
            sendData(peer, seq + 100, java.util.Arrays.copyOfRange(all, 100, 200));
            peer.steps(2);
            assertEquals(seq, peer.last().ack);
            assertEquals(0, recorder.data.size());
            sendData(peer, seq, java.util.Arrays.copyOfRange(all, 0, 100));
            peer.steps(2);
            assertEquals(seq + 300, peer.last().ack, "hole filled, interval merged");
            assertArrayEquals(all, recorder.data.toByteArray());
            sendData(peer, seq + 50, java.util.Arrays.copyOfRange(all, 50, 150));
            peer.steps(2);
            assertEquals(seq + 300, peer.last().ack);
            assertEquals(300, recorder.data.size(), "duplicate bytes are not delivered twice");
        }
    }

    @Test
    void shouldReassembleManyHolesAndReportThemAsSackBlocks()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            final int seq = PEER_ISS + 1;
            final byte[] all = bytes(4000, 11);
            peer.take();
            sendData(peer, seq + 1000, java.util.Arrays.copyOfRange(all, 1000, 1200));
            sendData(peer, seq + 2000, java.util.Arrays.copyOfRange(all, 2000, 2200));
            sendData(peer, seq + 3000, java.util.Arrays.copyOfRange(all, 3000, 3100));
            peer.steps(2);
            final RawPeer.Segment dupAck = peer.last();
            assertEquals(seq, dupAck.ack);
            assertTrue(dupAck.options.has(TcpOptions.SACK), "SACK blocks on the duplicate ACK");
            assertEquals(3, dupAck.options.sackBlockCount());
            assertEquals(seq + 1000, dupAck.options.sackLeft(0));
            assertEquals(seq + 1200, dupAck.options.sackRight(0));
            assertEquals(seq + 3000, dupAck.options.sackLeft(2));

            // Eight holes at once (the most a flow keeps), filled back to front: nothing is dropped.
            for (int at = 100; at < 1000; at += 200)
            {
                sendData(peer, seq + at, java.util.Arrays.copyOfRange(all, at, at + 100));
            }
            peer.steps(2);
            assertEquals(0, peer.engine.counterSum("drops: out-of-order beyond the interval"));
            for (int at = 3900; at >= 0; at -= 100)
            {
                sendData(peer, seq + at, java.util.Arrays.copyOfRange(all, at, at + 100));
                peer.step();
            }
            assertEquals(0, peer.engine.counterSum("drops: out-of-order beyond the interval"));
            peer.steps(3);
            assertArrayEquals(all, recorder.data.toByteArray());

            // Then a shuffled stream with duplicates and more holes than a flow keeps: what is dropped comes
            // again in a retransmission pass, and the stream comes out whole and in order.
            final byte[] more = bytes(8000, 12);
            final int base = seq + 4000;
            final java.util.List<Integer> chunks = new java.util.ArrayList<>();
            for (int at = 0; at < 8000; at += 100)
            {
                chunks.add(at);
                if (at % 700 == 0)
                {
                    chunks.add(at);
                }
            }
            java.util.Collections.shuffle(chunks, new java.util.Random(5));
            for (final int at : chunks)
            {
                sendData(peer, base + at, java.util.Arrays.copyOfRange(more, at, at + 100));
                peer.step();
            }
            for (int at = 0; at < 8000; at += 100)
            {
                sendData(peer, base + at, java.util.Arrays.copyOfRange(more, at, at + 100));
                peer.step();
            }
            peer.steps(3);
            final byte[] expected = new byte[12000];
            System.arraycopy(all, 0, expected, 0, 4000);
            System.arraycopy(more, 0, expected, 4000, 8000);
            assertArrayEquals(expected, recorder.data.toByteArray());
            assertEquals(seq + 12000, peer.last().ack);
            assertFalse(peer.last().options.has(TcpOptions.SACK), "no holes, no SACK");
        }
    }

    @Test
    void shouldDropBadChecksumsTruncatedAndMalformedFramesAndCountThem()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            final int seq = PEER_ISS + 1;
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
            final byte[] payload = bytes(100, 4);
            final int length = RawPeer.build(frame, 0, PEER_PORT, PORT, FLAG_ACK, seq, ENGINE_ISS + 1, 512, payload,
                RawPeer.Opts.none());
            peer.take();

            // A flipped payload bit: TCP checksum fails.
            peer.sendRaw(v ->
            {
                final byte[] b = java.util.Arrays.copyOf(frame.byteArray(), length);
                b[length - 1] ^= 1;
                return b;
            });
            // A flipped TTL: IP header checksum fails.
            peer.sendRaw(v ->
            {
                final byte[] b = java.util.Arrays.copyOf(frame.byteArray(), length);
                b[14 + 8] ^= 1;
                return b;
            });
            // Cut short of the IPv4 total length, and shorter than an Ethernet header.
            peer.sendRaw(v -> java.util.Arrays.copyOf(frame.byteArray(), length - 10));
            peer.sendRaw(v -> java.util.Arrays.copyOf(frame.byteArray(), 10));
            // A data offset pointing past the segment (a bare ACK claiming 60 bytes of header).
            final UnsafeBuffer bare = new UnsafeBuffer(new byte[128]);
            final int bareLength = RawPeer.build(bare, 0, PEER_PORT, PORT, FLAG_ACK, seq, ENGINE_ISS + 1, 512,
                new byte[0], RawPeer.Opts.none());
            peer.sendRaw(v ->
            {
                final byte[] b = java.util.Arrays.copyOf(bare.byteArray(), bareLength);
                b[14 + 20 + 12] = (byte)0xF0;
                return b;
            });
            peer.steps(3);
            assertEquals(0, recorder.data.size());
            assertTrue(peer.segments.isEmpty(), "nothing answered");
            assertEquals(1, peer.engine.counter("rx frames: BAD_TCP_CHECKSUM"));
            assertEquals(1, peer.engine.counter("rx frames: BAD_IP_CHECKSUM"));
            assertEquals(2, peer.engine.counter("rx frames: TRUNCATED"));
            assertEquals(1, peer.engine.counter("rx frames: BAD_TCP_HEADER"));

            // Trailing bytes after the IPv4 total length (an oversized frame) are padding, not payload.
            peer.sendRaw(v ->
            {
                final byte[] b = java.util.Arrays.copyOf(frame.byteArray(), length + 200);
                java.util.Arrays.fill(b, length, b.length, (byte)0x55);
                return b;
            });
            peer.steps(3);
            assertArrayEquals(payload, recorder.data.toByteArray());
            assertTrue(recorder.connection.isOpen(), "the connection survived all of it");
        }
    }

    @Test
    void shouldAcceptRstOnlyAtReceiveNextAndChallengeOtherwise()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            final int seq = PEER_ISS + 1;
            peer.take();
            peer.send(PEER_PORT, PORT, FLAG_RST, seq + 10, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            final RawPeer.Segment challenge = peer.last();
            assertNotNull(challenge, "challenge ACK (RFC 5961 section 3.2)");
            assertEquals(FLAG_ACK, challenge.flags);
            assertEquals(seq, challenge.ack);
            assertTrue(recorder.connection.isOpen());

            peer.take();
            peer.send(PEER_PORT, PORT, FLAG_RST, seq + 10_000_000, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            assertTrue(peer.segments.isEmpty(), "out-of-window RST ignored silently");
            assertTrue(recorder.connection.isOpen());

            peer.send(PEER_PORT, PORT, FLAG_SYN, seq + 5, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            assertEquals(FLAG_ACK, peer.last().flags, "SYN on an open connection gets a challenge ACK");

            peer.send(PEER_PORT, PORT, FLAG_RST, seq, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(3);
            assertEquals(AppEvents.REASON_PEER_RESET, recorder.resetReason);
            assertEquals(0, peer.engine.flowCount());
            assertEquals(0, peer.engine.connectionCount());
        }
    }

    @Test
    void shouldDropHalfOpenConnectionOnRstInSynReceived()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = new Recorder();
            peer.handler = recorder;
            peer.app.listen(PORT);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(2);
            assertEquals(1, peer.engine.connectionCount());
            peer.send(PEER_PORT, PORT, FLAG_RST, PEER_ISS + 1, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            assertEquals(0, peer.engine.connectionCount());
            assertNull(recorder.connection, "the app never heard of it");
        }
    }

    @Test
    void shouldResetSegmentsForNoConnection()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            peer.send(PEER_PORT, 9, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(2);
            final RawPeer.Segment refused = peer.last();
            assertEquals(FLAG_RST | FLAG_ACK, refused.flags);
            assertEquals(PEER_ISS + 1, refused.ack);
            peer.take();
            peer.send(PEER_PORT, 9, FLAG_ACK, PEER_ISS, 777, 65535, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            assertEquals(FLAG_RST, peer.last().flags);
            assertEquals(777, peer.last().seq);
            peer.take();
            peer.send(PEER_PORT, 9, FLAG_RST, PEER_ISS, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(2);
            assertTrue(peer.segments.isEmpty(), "never answer a RST");
        }
    }

    @Test
    void shouldBoundTheSynBacklog()
    {
        try (RawPeer peer = new RawPeer(c -> c.synCookieMode(SynCookieMode.OFF)))
        {
            peer.app.listen(PORT, 2);
            peer.step();
            for (int i = 0; i < 3; i++)
            {
                peer.send(PEER_PORT + i, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            }
            peer.steps(3);
            assertEquals(2, peer.take().size());
            assertEquals(1, peer.engine.counter("e slow path: drops: SYN backlog full"));
            assertEquals(0, peer.engine.counter("e slow path: SYN cookies sent"), "cookies off (SynCookieTest: on)");
        }
    }

    @Test
    void shouldDropAHalfOpenConnectionAfterItsSynAckRetries()
    {
        try (RawPeer peer = new RawPeer(c -> c.synRtoNs(1_000_000L).synAckRetries(2)
            .synCookieMode(SynCookieMode.OFF)))
        {
            peer.app.listen(PORT, 1);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            assertEquals(1, peer.take().size());
            peer.stepNs = 100_000;
            peer.steps(300);
            assertEquals(2, peer.take().size(), "SYN-ACK resent at about 1 and 3 ms, then the connection dropped");
            assertEquals(2, peer.engine.counter("e slow path: SYN and SYN-ACK retransmissions"));
            // Its place in the backlog of one is free again.
            peer.send(PEER_PORT + 1, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            assertEquals(PEER_PORT + 1, peer.last().destinationPort);
            assertEquals(0, peer.engine.counter("e slow path: drops: SYN backlog full"));
        }
    }

    @Test
    void shouldRetransmitSynAckUntilAcknowledged()
    {
        try (RawPeer peer = new RawPeer(c -> c.synRtoNs(5_000_000L)))
        {
            peer.app.listen(PORT);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            assertEquals(1, peer.take().size());
            peer.stepNs = 100_000;
            peer.steps(100);
            final List<RawPeer.Segment> again = peer.take();
            assertFalse(again.isEmpty());
            assertEquals(FLAG_SYN | FLAG_ACK, again.get(0).flags);
            assertEquals(ENGINE_ISS, again.get(0).seq);
        }
    }

    @Test
    void shouldCloseReceiveWindowWhenAppStopsReadingAndReopenIt()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096)))
        {
            final Recorder recorder = establish(peer);
            recorder.read = false;
            final int seq = PEER_ISS + 1;
            for (int i = 0; i < 4; i++)
            {
                sendData(peer, seq + i * 1024, bytes(1024, 5));
            }
            peer.steps(3);
            assertEquals(0, peer.last().window, "window closed");
            assertEquals(seq + 4096, peer.last().ack);
            peer.take();
            sendData(peer, seq + 4096, bytes(1, 6));
            peer.steps(2);
            assertEquals(seq + 4096, peer.last().ack, "byte beyond a zero window not taken");
            assertEquals(0, peer.last().window);
            peer.take();
            recorder.drain();
            peer.steps(3);
            final RawPeer.Segment update = peer.last();
            assertNotNull(update, "window update after the app read");
            assertEquals(4096, update.window);
        }
    }

    @Test
    void shouldAcknowledgeFinAndReportEndOfStream()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            final int seq = PEER_ISS + 1;
            peer.take();
            peer.send(PEER_PORT, PORT, FLAG_ACK | FLAG_FIN, seq, ENGINE_ISS + 1, 512, bytes(10, 7),
                RawPeer.Opts.none().timestamps(300, 0));
            peer.steps(3);
            assertTrue(recorder.readClosed);
            assertEquals(10, recorder.data.size());
            assertEquals(seq + 11, peer.last().ack, "FIN takes one sequence number");
        }
    }

    @Test
    void shouldAnswerResetForDataAfterAppClosed()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = establish(peer);
            recorder.connection.close();
            peer.steps(3);
            final RawPeer.Segment fin = peer.last();
            assertTrue(fin.has(FLAG_FIN));
            peer.take();
            sendData(peer, PEER_ISS + 1, bytes(10, 8));
            peer.steps(3);
            assertTrue(peer.segments.stream().anyMatch(s -> s.has(FLAG_RST)), "RST for data after close");
            peer.steps(3);
            assertEquals(0, peer.engine.flowCount());
        }
    }

    @Test
    void shouldEndTimeWaitOnRst()
    {
        try (RawPeer peer = new RawPeer(c -> c.timeWaitNs(60_000_000_000L)))
        {
            final Recorder recorder = establish(peer);
            final int seq = PEER_ISS + 1;
            recorder.connection.close();
            peer.steps(3);
            final RawPeer.Segment fin = peer.last();
            assertTrue(fin.has(FLAG_FIN));
            peer.send(PEER_PORT, PORT, FLAG_ACK | FLAG_FIN, seq, fin.seq + 1, 512, new byte[0],
                RawPeer.Opts.none().timestamps(400, 0));
            peer.steps(3);
            assertTrue(recorder.closed);
            assertEquals(1, peer.engine.counter("e slow path: flows in TIME_WAIT"));
            assertEquals(seq + 1, peer.last().ack, "our FIN ACKed, theirs ACKed from TIME_WAIT");
            peer.send(PEER_PORT, PORT, FLAG_ACK | FLAG_FIN, seq, fin.seq + 1, 512, new byte[0],
                RawPeer.Opts.none().timestamps(401, 0));
            peer.take();
            peer.steps(3);
            assertEquals(seq + 1, peer.last().ack, "a retransmitted FIN is ACKed again in TIME_WAIT");
            peer.send(PEER_PORT, PORT, FLAG_RST, seq + 1, 0, 0, new byte[0], RawPeer.Opts.none());
            peer.steps(3);
            assertEquals(0, peer.engine.flowCount(), "RST ends TIME_WAIT (RFC 9293 section 3.10.7.4)");
            assertEquals(0, peer.engine.counter("e slow path: flows in TIME_WAIT"));
        }
    }

    @Test
    void shouldEchoCeAsEceAndSendEct()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            final Recorder recorder = new Recorder();
            peer.handler = recorder;
            peer.app.listen(PORT);
            peer.step();
            peer.send(PEER_PORT, PORT, FLAG_SYN | FLAG_ECE | FLAG_CWR, PEER_ISS, 0, 65535, new byte[0],
                RawPeer.Opts.syn());
            peer.steps(3);
            peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 512, new byte[0],
                RawPeer.Opts.none().timestamps(101, 0));
            peer.steps(3);
            peer.take();
            peer.send(PEER_PORT, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, 512, bytes(100, 9),
                RawPeer.Opts.none().timestamps(102, 0).ce());
            peer.steps(3);
            assertTrue(peer.last().has(FLAG_ECE), "CE echoed");
            recorder.connection.write(new UnsafeBuffer(bytes(100, 10)), 0, 100);
            peer.steps(3);
            assertEquals(Ipv4Header.ECN_ECT_0, peer.last().tos & 3, "data sent ECT(0)");
        }
    }

    @Test
    void shouldAnswerArpAndPing()
    {
        try (RawPeer peer = new RawPeer(c -> { }))
        {
            peer.sendArpRequest();
            peer.steps(3);
            assertEquals(1, peer.otherFrames.size());
            final UnsafeBuffer reply = new UnsafeBuffer(peer.otherFrames.get(0));
            assertEquals(EthernetFrame.ETHER_TYPE_ARP, new EthernetFrame().wrap(reply, 0).etherType());
            assertEquals(RawPeer.ENGINE_MAC, new dev.taskvs.engine.proto.ArpPacket().wrap(reply, 14).senderHardware());

            peer.otherFrames.clear();
            final UnsafeBuffer ping = new UnsafeBuffer(new byte[14 + 20 + 8 + 32]);
            new EthernetFrame().wrap(ping, 0).destination(RawPeer.ENGINE_MAC).source(RawPeer.PEER_MAC)
                .etherType(EthernetFrame.ETHER_TYPE_IPV4);
            new Ipv4Header().wrap(ping, 14).versionAndHeaderLength(20).tos(0).totalLength(20 + 8 + 32)
                .identification(9).flagsAndFragmentOffset(0).ttl(64).protocol(Ipv4Header.PROTOCOL_ICMP)
                .source(RawPeer.PEER_IP).destination(RawPeer.ENGINE_IP).updateChecksum();
            new dev.taskvs.engine.proto.IcmpEcho().wrap(ping, 34).type(8).code(0).identifier(77).sequence(1)
                .updateChecksum(40);
            peer.sendRaw(v -> ping.byteArray());
            peer.steps(3);
            assertEquals(1, peer.otherFrames.size(), "echo reply");
            final UnsafeBuffer pong = new UnsafeBuffer(peer.otherFrames.get(0));
            assertEquals(RawPeer.PEER_MAC, new EthernetFrame().wrap(pong, 0).destination());
            assertEquals(RawPeer.PEER_IP, new Ipv4Header().wrap(pong, 14).destination());
            final dev.taskvs.engine.proto.IcmpEcho echoReply = new dev.taskvs.engine.proto.IcmpEcho().wrap(pong, 34);
            assertEquals(0, echoReply.type());
            assertEquals(77, echoReply.identifier());
            assertTrue(echoReply.isChecksumValid(40));
        }
    }
}
