package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.taskvs.engine.proto.TcpHeader.FLAG_ACK;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_PSH;
import static dev.taskvs.engine.proto.TcpHeader.FLAG_SYN;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.ENGINE_ISS;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.PEER_ISS;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.PEER_PORT;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.PORT;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.bytes;
import static dev.taskvs.engine.tcp.SegmentEdgeCaseTest.establish;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delayed ACK (a small request's ACK rides on the answer) and rings that start over at the flow's home line
 * once empty, against a hand-driven peer whose clock advances 1 us per step.
 */
@Timeout(30)
class DelayedAckAndRingHomeTest
{
    private static final long DELAY_NS = 200_000L;

    /** Echoes each request in place and notes the ring offsets it read from and wrote at. */
    static final class Echo implements ConnectionHandler
    {
        TcpConnection connection;
        boolean answer = true;
        final List<Integer> rxOffsets = new ArrayList<>();
        final List<Integer> txOffsets = new ArrayList<>();

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            this.connection = connection;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            if (!answer)
            {
                return;
            }
            final int n = connection.readable();
            rxOffsets.add(connection.rxOffset());
            final int at = connection.txOffset();
            txOffsets.add(at);
            assertTrue(connection.txContiguous() >= n, "room for the answer at the write position");
            assertTrue(connection.rxContiguous() >= n, "the request is contiguous");
            connection.txBuffer().putBytes(at, connection.rxBuffer(), connection.rxOffset(), n);
            connection.consume(n);
            connection.commit(n);
        }
    }

    private static void send(final RawPeer peer, final int seq, final int ack, final byte[] payload)
    {
        peer.send(PEER_PORT, PORT, FLAG_ACK | FLAG_PSH, seq, ack, 512, payload,
            RawPeer.Opts.none().timestamps(200, 0));
    }

    private static Echo establishEcho(final RawPeer peer)
    {
        final Echo echo = new Echo();
        final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
        echo.connection = recorder.connection;
        peer.handler = echo;
        peer.take();
        return echo;
    }

    @Test
    void shouldCarryTheAckOfASmallRequestOnTheAnswer()
    {
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS)))
        {
            establishEcho(peer);
            final byte[] request = bytes(40, 1);
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, request);
            peer.steps(5);
            final List<RawPeer.Segment> out = peer.take();
            assertEquals(1, out.size(), "one segment, no pure ACK before the answer: " + out);
            assertEquals(PEER_ISS + 1 + 40, out.get(0).ack);
            assertArrayEquals(request, out.get(0).payload);
            peer.steps(300);
            assertEquals(List.of(), peer.take(), "nothing more after the delay: the answer carried the ACK");
        }
    }

    @Test
    void shouldSendAPureAckWhenNoAnswerComesWithinTheDelay()
    {
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS)))
        {
            final Echo echo = establishEcho(peer);
            echo.answer = false;
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, bytes(40, 2));
            peer.steps(100);
            assertEquals(List.of(), peer.take(), "no ACK yet at 100 us");
            peer.steps(150);
            final List<RawPeer.Segment> out = peer.take();
            assertEquals(1, out.size(), "one pure ACK once 200 us passed: " + out);
            assertEquals(PEER_ISS + 1 + 40, out.get(0).ack);
            assertEquals(0, out.get(0).payload.length);
            assertEquals(1, peer.engine.counterSum("delayed ACKs sent alone (no answer in time)"));
        }
    }

    @Test
    void shouldGiveEachRequestItsOwnDelayEvenWhenAnEarlierOneWasAnswered()
    {
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS)))
        {
            final Echo echo = establishEcho(peer);
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, bytes(40, 4));
            peer.steps(100);
            assertEquals(1, peer.take().size(), "the first request's answer, carrying its ACK");
            echo.answer = false;
            send(peer, PEER_ISS + 41, ENGINE_ISS + 41, bytes(40, 5));
            peer.steps(150); // the first request's delay ends at 200 us: its entry must not ACK the second
            assertEquals(List.of(), peer.take(), "no early ACK for the second request");
            peer.steps(100);
            final List<RawPeer.Segment> out = peer.take();
            assertEquals(1, out.size(), "the second request's own delayed ACK: " + out);
            assertEquals(PEER_ISS + 81, out.get(0).ack);
        }
    }

    @Test
    void shouldAckFullSizedSegmentsAtOnce()
    {
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS)))
        {
            final Echo echo = establishEcho(peer);
            echo.answer = false;
            final int mss = 1448; // 1460 less the timestamps option
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, bytes(mss, 3));
            peer.steps(3);
            final RawPeer.Segment ack = peer.last();
            assertEquals(PEER_ISS + 1 + mss, ack.ack, "a full-sized segment is ACKed without waiting");
        }
    }

    @Test
    void shouldStartEachRequestAndAnswerAgainAtTheFlowsHomeLine()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096).txBufferSize(4096)))
        {
            final Echo echo = establishEcho(peer);
            final int home = FlowRecord.ringHome(echo.connection.flowId(), 4096);
            int seq = PEER_ISS + 1;
            int acked = ENGINE_ISS + 1;
            for (int round = 0; round < 6; round++)
            {
                final byte[] request = bytes(100 + round, round);
                send(peer, seq, acked, request);
                seq += request.length;
                peer.steps(3);
                final RawPeer.Segment answer = peer.last();
                assertArrayEquals(request, answer.payload, "round " + round);
                acked += answer.payload.length;
                // The peer acknowledges the answer, which empties the TX ring for the next round.
                send(peer, seq, acked, new byte[0]);
                peer.steps(3);
                peer.take();
            }
            // Round 0 starts where the connection starts (offset 0); every later one at the home line again,
            // instead of walking on through the ring (100, 201, 303, ...).
            assertEquals(0, (int)echo.rxOffsets.get(0));
            assertEquals(0, (int)echo.txOffsets.get(0));
            for (int round = 1; round < 6; round++)
            {
                assertEquals(home, (int)echo.rxOffsets.get(round), "rx offset of round " + round);
                assertEquals(home, (int)echo.txOffsets.get(round), "tx offset of round " + round);
            }
        }
    }

    private static final String BUMPS = "app bumps (TX committed and RX consumed, one message)";
    private static final String BAD_COMMANDS = "drops: invalid app or slow-path command";

    /** Six rounds of request, answer and the peer's ACK of the answer; returns the answers' payloads. */
    private static List<byte[]> rounds(final RawPeer peer, final Runnable answerOutsideHandler)
    {
        final List<byte[]> answers = new ArrayList<>();
        int seq = PEER_ISS + 1;
        int acked = ENGINE_ISS + 1;
        for (int round = 0; round < 6; round++)
        {
            final byte[] request = bytes(100 + round, 20 + round);
            send(peer, seq, acked, request);
            seq += request.length;
            peer.steps(3);
            if (answerOutsideHandler != null)
            {
                answerOutsideHandler.run();
                peer.steps(3);
            }
            final RawPeer.Segment answer = peer.last();
            assertArrayEquals(request, answer.payload, "round " + round);
            answers.add(answer.payload);
            acked += answer.payload.length;
            send(peer, seq, acked, new byte[0]);
            peer.steps(3);
            peer.take();
        }
        return answers;
    }

    @Test
    void shouldReleaseARequestAndCommitItsAnswerInOneBumpFromTheHandler()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096).txBufferSize(4096)))
        {
            establishEcho(peer);
            rounds(peer, null);
            // The handler consumes, then commits: the release waits for the commit and both go as one message.
            assertEquals(6, peer.engine.counterSum(BUMPS));
            assertEquals(0, peer.engine.counterSum(BAD_COMMANDS));
        }
    }

    @Test
    void shouldKeepTheHomeLineRestartForTheAnswerWhenTheRequestIsReleasedAloneFirst()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096).txBufferSize(4096)))
        {
            final Echo echo = establishEcho(peer);
            echo.answer = false;
            final TcpConnection c = echo.connection;
            final int home = FlowRecord.ringHome(c.flowId(), 4096);
            final List<Integer> txOffsets = new ArrayList<>();
            // Outside a handler, in the order a server may take: ask where to write (an empty ring starts over at
            // its home line), release the request (a bump of its own, RX only), then write and commit the answer.
            // The restart must travel with the answer's bytes, not with the RX-only bump.
            rounds(peer, () ->
            {
                final int n = c.readable();
                final int at = c.txOffset();
                txOffsets.add(at);
                final byte[] request = new byte[n];
                c.rxBuffer().getBytes(c.rxOffset(), request);
                c.consume(n);
                c.txBuffer().putBytes(at, request);
                c.commit(n);
            });
            for (int round = 1; round < 6; round++)
            {
                assertEquals(home, (int)txOffsets.get(round), "tx offset of round " + round);
            }
            assertEquals(12, peer.engine.counterSum(BUMPS), "outside a handler each call bumps at once");
            assertEquals(0, peer.engine.counterSum(BAD_COMMANDS));
        }
    }

    @Test
    void shouldReleaseWhatAHandlerReadsAtTheEndOfThePollWhenNoAnswerFollows()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096)))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            final byte[] all = bytes(8192, 11);
            int seq = PEER_ISS + 1;
            // Two full rings' worth: the second half only fits once the handler's reads of the first (held for
            // a commit that never comes) have reached the lane at the end of their polls.
            for (int sent = 0; sent < all.length; sent += 1024)
            {
                send(peer, seq, ENGINE_ISS + 1, Arrays.copyOfRange(all, sent, sent + 1024));
                seq += 1024;
                peer.steps(3);
            }
            assertArrayEquals(all, recorder.data.toByteArray());
            assertEquals(0, peer.engine.counterSum("drops: outside the receive window (ACKed)"));
            assertEquals(8, peer.engine.counterSum(BUMPS), "one RX-only bump per read");
        }
    }

    @Test
    void shouldNotRestartTheRingWhileBytesAreUnread()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096)))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            recorder.read = false;
            final byte[] all = bytes(300, 9);
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, Arrays.copyOfRange(all, 0, 100));
            peer.steps(3);
            final TcpConnection c = recorder.connection;
            final byte[] first = new byte[60];
            c.read(new UnsafeBuffer(first), 0, 60); // 40 bytes stay unread
            send(peer, PEER_ISS + 101, ENGINE_ISS + 1, Arrays.copyOfRange(all, 100, 300));
            peer.steps(3);
            assertEquals(240, c.readable());
            assertEquals(60, c.rxOffset(), "the unread bytes stay where they are");
            final byte[] rest = new byte[240];
            c.read(new UnsafeBuffer(rest), 0, 240);
            final byte[] got = new byte[300];
            System.arraycopy(first, 0, got, 0, 60);
            System.arraycopy(rest, 0, got, 60, 240);
            assertArrayEquals(all, got);
        }
    }

    @Test
    void shouldGrowAnExpandableDestinationAndRefuseAShortOne()
    {
        try (RawPeer peer = new RawPeer(c -> c.rxBufferSize(4096)))
        {
            final SegmentEdgeCaseTest.Recorder recorder = establish(peer);
            recorder.read = false;
            final byte[] all = bytes(100, 5);
            send(peer, PEER_ISS + 1, ENGINE_ISS + 1, all);
            peer.steps(3);
            final TcpConnection c = recorder.connection;
            assertThrows(IndexOutOfBoundsException.class, () -> c.read(new UnsafeBuffer(new byte[40]), 0, 60));
            assertEquals(100, c.readable(), "a refused read consumes nothing");
            final org.agrona.ExpandableArrayBuffer grown = new org.agrona.ExpandableArrayBuffer(16);
            assertEquals(100, c.read(grown, 8, 100));
            final byte[] got = new byte[100];
            grown.getBytes(8, got);
            assertArrayEquals(all, got);
        }
    }

    @Test
    void shouldSpreadHomeLinesOverTheFirstHalfOfTheRing()
    {
        assertEquals(0, FlowRecord.ringHome(0, 4096));
        assertEquals(64, FlowRecord.ringHome(1, 4096));
        assertEquals(31 * 64, FlowRecord.ringHome(31, 4096));
        assertEquals(0, FlowRecord.ringHome(32, 4096), "4 KiB rings: 32 home lines in the first 2 KiB");
        assertEquals(100 * 64, FlowRecord.ringHome(100, 1 << 16));
        for (int flow = 0; flow < 5000; flow++)
        {
            final int home = FlowRecord.ringHome(flow, 2048);
            assertTrue(home >= 0 && home < 1024 && home % 64 == 0, "flow " + flow + ": " + home);
        }
    }

    /**
     * Answers each connection's request: the connection from {@link #BIG_PORT} with {@code bigSegments} full
     * segments, every other one by echoing.
     */
    static final class Answers implements ConnectionHandler
    {
        static final int BIG_PORT = 40000;
        final int bigSegments;
        final List<TcpConnection> accepted = new ArrayList<>();

        Answers(final int bigSegments)
        {
            this.bigSegments = bigSegments;
        }

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            accepted.add(connection);
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            final int n = connection.readable();
            final byte[] request = new byte[n];
            connection.read(new UnsafeBuffer(request), 0, n);
            final byte[] answer = connection.remotePort() == BIG_PORT ? bytes(bigSegments * MSS, 7) : request;
            assertEquals(answer.length, connection.write(new UnsafeBuffer(answer), 0, answer.length));
        }
    }

    private static final int MSS = 1448; // 1460 less the timestamps option
    /** With window scale 7: 512 KiB, room for every segment these tests send. */
    private static final int WIDE_WINDOW = 4096;

    /** Opens a connection from each port, hand-shaking as {@link SegmentEdgeCaseTest#establish} does. */
    private static void establishFrom(final RawPeer peer, final int... ports)
    {
        peer.app.listen(PORT);
        peer.step();
        for (final int port : ports)
        {
            peer.send(port, PORT, FLAG_SYN, PEER_ISS, 0, 65535, new byte[0], RawPeer.Opts.syn());
            peer.steps(3);
            final RawPeer.Segment synAck = peer.last();
            peer.take();
            peer.send(port, PORT, FLAG_ACK, PEER_ISS + 1, ENGINE_ISS + 1, WIDE_WINDOW, new byte[0],
                RawPeer.Opts.none().timestamps(101, synAck.options.tsVal()));
            peer.steps(3);
        }
    }

    private static List<RawPeer.Segment> to(final List<RawPeer.Segment> segments, final int port)
    {
        final List<RawPeer.Segment> picked = new ArrayList<>();
        for (final RawPeer.Segment s : segments)
        {
            if (s.destinationPort == port)
            {
                picked.add(s);
            }
        }
        return picked;
    }

    @Test
    void shouldLeaveTheAckToAnAnswerWaitingItsTurnOnTheActiveList()
    {
        // Unlimited rate: only the lane's transmit budget (64 segments a cycle) holds the small answer back.
        final Answers answers = new Answers(70);
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS).txBufferSize(256 * 1024)
            .congestionControl(CongestionControlKind.CONST_RATE).constRateKbps(0)))
        {
            peer.handler = answers;
            final int small = Answers.BIG_PORT + 1;
            establishFrom(peer, Answers.BIG_PORT, small);
            assertEquals(2, answers.accepted.size());
            peer.take();
            // Each step is longer than the ACK delay: the small answer, queued behind the big one's 70 segments,
            // is still on the active list when its request's delayed ACK falls due.
            peer.stepNs = 300_000;
            peer.send(Answers.BIG_PORT, PORT, FLAG_ACK | FLAG_PSH, PEER_ISS + 1, ENGINE_ISS + 1, WIDE_WINDOW,
                bytes(40, 1), RawPeer.Opts.none().timestamps(200, 0));
            peer.send(small, PORT, FLAG_ACK | FLAG_PSH, PEER_ISS + 1, ENGINE_ISS + 1, WIDE_WINDOW, bytes(40, 2),
                RawPeer.Opts.none().timestamps(200, 0));
            peer.steps(4);
            final List<RawPeer.Segment> out = peer.take();
            assertEquals(70, to(out, Answers.BIG_PORT).size(), "the big answer: " + to(out, Answers.BIG_PORT));
            final List<RawPeer.Segment> toSmall = to(out, small);
            assertEquals(1, toSmall.size(), "the answer alone, no pure ACK before it: " + toSmall);
            assertArrayEquals(bytes(40, 2), toSmall.get(0).payload);
            assertEquals(PEER_ISS + 41, toSmall.get(0).ack, "the answer carries the ACK");
            assertEquals(0, peer.engine.counterSum("delayed ACKs sent alone (no answer in time)"));
            assertEquals(1, peer.engine.counterSum("delayed ACKs left to a queued answer"));
        }
    }

    @Test
    void shouldStillSendAPureAckWhenPacingHoldsTheAnswerLongerThanTheDelay()
    {
        // One full segment a millisecond: after the banked credit (ten segments, and the one due now) the
        // twelfth waits 1 ms.
        final int kbps = MSS * 8;
        final Answers answers = new Answers(12);
        try (RawPeer peer = new RawPeer(c -> c.ackDelayNs(DELAY_NS).txBufferSize(64 * 1024)
            .congestionControl(CongestionControlKind.CONST_RATE).constRateKbps(kbps)))
        {
            peer.handler = answers;
            establishFrom(peer, Answers.BIG_PORT);
            peer.take();
            peer.send(Answers.BIG_PORT, PORT, FLAG_ACK | FLAG_PSH, PEER_ISS + 1, ENGINE_ISS + 1, WIDE_WINDOW,
                bytes(40, 1), RawPeer.Opts.none().timestamps(200, 0));
            peer.steps(5);
            assertEquals(11, peer.take().size(), "eleven segments go at once");
            // A second request while the twelfth segment waits for its time: its ACK cannot wait for that.
            answers.accepted.clear();
            peer.send(Answers.BIG_PORT, PORT, FLAG_ACK | FLAG_PSH, PEER_ISS + 41, ENGINE_ISS + 1, WIDE_WINDOW,
                bytes(40, 2), RawPeer.Opts.none().timestamps(201, 0));
            peer.steps(300);
            final List<RawPeer.Segment> out = peer.take();
            assertEquals(1, out.size(), "a pure ACK at 200 us, before the paced data: " + out);
            assertEquals(0, out.get(0).payload.length);
            assertEquals(PEER_ISS + 81, out.get(0).ack);
            assertEquals(1, peer.engine.counterSum("delayed ACKs sent alone (no answer in time)"));
            assertEquals(0, peer.engine.counterSum("delayed ACKs left to a queued answer"));
        }
    }
}
