package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.proto.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two engines through opens, closes and resets, with a filter on each side to lose chosen segments. */
@Timeout(60)
class ConnectionLifecycleTest
{
    private static final int PORT = 7000;

    private FilterPacketIo filterA;
    private FilterPacketIo filterB;

    private EnginePair pair(final Consumer<dev.taskvs.engine.EngineContext> configure)
    {
        return new EnginePair(configure, io -> filterA = new FilterPacketIo(io), io -> filterB = new FilterPacketIo(io));
    }

    /** Remembers connections and their ends. */
    static final class Tracker extends OpenedConnections
    {
        int closed;
        int resets;
        int lastReset;
        int failed;
        int lastFailure;
        boolean readClosed;
        long received;
        boolean read = true;

        @Override
        public void onConnectFailed(final TcpConnection connection, final int reason)
        {
            failed++;
            lastFailure = reason;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            if (read)
            {
                received += connection.readable();
                connection.consume(connection.readable());
            }
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            readClosed = true;
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            closed++;
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            resets++;
            lastReset = reason;
        }
    }

    /** Listens on the server side and opens {@code count} connections to it; both trackers see them all open. */
    static void connectMany(final EnginePair pair, final Tracker client, final Tracker server, final int count)
    {
        OpenedConnections.connectMany(pair, client, server, PORT, count);
    }

    private static TcpConnection[] connect(final EnginePair pair, final Tracker client, final Tracker server)
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
    void shouldRetransmitLostSyns()
    {
        try (EnginePair pair = pair(c -> c.synRtoNs(1_000_000L)))
        {
            filterA.dropNext(2, TcpHeader.FLAG_SYN);
            pair.stepNs = 10_000;
            connect(pair, new Tracker(), new Tracker());
            assertEquals(2, filterA.dropped);
            assertEquals(2, pair.a.counter("a slow path: SYN and SYN-ACK retransmissions"));
        }
    }

    @Test
    void shouldRecoverFromLostSynAckByServerRetransmission()
    {
        try (EnginePair pair = pair(c -> c.synRtoNs(c.name().equals("a") ? 1_000_000_000L : 1_000_000L)))
        {
            filterB.dropNext(1, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK);
            pair.stepNs = 10_000;
            connect(pair, new Tracker(), new Tracker());
            assertEquals(1, filterB.dropped);
            assertEquals(1, pair.b.counter("b slow path: SYN and SYN-ACK retransmissions"));
            assertEquals(0, pair.a.counter("a slow path: SYN and SYN-ACK retransmissions"));
        }
    }

    @Test
    void shouldReportRefusedConnectionOnRst()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            pair.handlerA = client;
            pair.appA.connect(EnginePair.IP_B, 9);
            assertTrue(pair.runUntil(() -> client.failed == 1, 100_000));
            assertEquals(AppEvents.REASON_REFUSED, client.lastFailure);
            assertEquals(0, pair.a.connectionCount());
        }
    }

    @Test
    void shouldGiveUpConnectAfterSynRetries()
    {
        try (EnginePair pair = pair(c -> c.synRtoNs(1_000_000L).synRetries(3)))
        {
            final Tracker client = new Tracker();
            pair.handlerA = client;
            pair.appB.listen(PORT);
            pair.step();
            pair.step();
            filterA.cut();
            pair.stepNs = 100_000;
            pair.appA.connect(EnginePair.IP_B, PORT);
            assertTrue(pair.runUntil(() -> client.failed == 1, 1_000_000));
            assertEquals(AppEvents.REASON_TIMEOUT, client.lastFailure);
            assertEquals(3, pair.a.counter("a slow path: SYN and SYN-ACK retransmissions"));
        }
    }

    @Test
    void shouldCloseSimultaneously()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[0].close();
            c[1].close();
            assertTrue(pair.runUntil(() -> client.closed == 1 && server.closed == 1, 100_000));
            assertEquals(1, pair.a.counter("a slow path: flows in TIME_WAIT"));
            assertEquals(1, pair.b.counter("b slow path: flows in TIME_WAIT"), "both ends pass CLOSING to TIME_WAIT");
            pair.stepNs = 100_000;
            assertTrue(pair.runUntil(() -> pair.a.flowCount() + pair.b.flowCount() == 0, 1000));
        }
    }

    @Test
    void shouldKeepSendingAfterPeerHalfCloses()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[0].shutdownOutput();
            assertTrue(pair.runUntil(() -> server.readClosed, 100_000));
            final byte[] reply = new byte[200_000];
            final int[] written = {0};
            assertTrue(pair.runUntil(() ->
            {
                written[0] += c[1].write(new UnsafeBuffer(reply), written[0], reply.length - written[0]);
                return client.received == reply.length;
            }, 1_000_000), "server data after the client's FIN arrives");
            c[1].close();
            assertTrue(pair.runUntil(() -> client.closed == 1 && server.closed == 1, 100_000));
        }
    }

    @Test
    void shouldTellPeerOfAbortAndOfCloseWithUnreadData()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[1].abort();
            assertTrue(pair.runUntil(() -> client.resets == 1, 100_000));
            assertEquals(AppEvents.REASON_PEER_RESET, client.lastReset);

            client.open.clear();
            server.open.clear();
            pair.appA.connect(EnginePair.IP_B, PORT);
            assertTrue(pair.runUntil(() -> client.open.size() == 1 && server.open.size() == 1, 100_000));
            server.read = false;
            client.open.get(0).write(new UnsafeBuffer(new byte[100]), 0, 100);
            assertTrue(pair.runUntil(() -> server.open.get(0).readable() == 100, 100_000));
            server.open.get(0).close();
            assertTrue(pair.runUntil(() -> client.resets == 2, 100_000), "close with unread data resets");
        }
    }

    @Test
    void shouldResetEveryOpenConnectionOfAContextOnAbortOpen()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            connectMany(pair, client, server, 5);
            // One closing (its FIN acknowledged, the server has not closed: FIN_WAIT_2), four open: all are reset,
            // and the server, which would otherwise keep them, hears of each.
            client.open.get(0).close();
            assertTrue(pair.runUntil(() -> server.readClosed, 100_000));
            assertEquals(5, pair.appA.abortOpen());
            assertTrue(pair.runUntil(() -> server.resets == 5 && pair.appA.openConnections() == 0, 1_000_000));
            assertTrue(pair.runUntil(() -> pair.a.flowCount() + pair.b.flowCount() == 0, 1_000_000));
            assertEquals(0, pair.appA.abortOpen(), "nothing left to reset");
        }
    }

    @Test
    void shouldHandleRstInCloseWaitAndFinWait2()
    {
        try (EnginePair pair = pair(c -> { }))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            c[0].shutdownOutput();
            // Client in FIN_WAIT_2, server in CLOSE_WAIT; the server resets.
            assertTrue(pair.runUntil(() -> server.readClosed, 100_000));
            pair.runFor(100_000);
            c[1].abort();
            assertTrue(pair.runUntil(() -> client.resets == 1 && server.resets == 1, 100_000));
            assertTrue(pair.runUntil(() -> pair.a.flowCount() + pair.b.flowCount() == 0, 100_000));

            // The next connection closes normally and holds its flows in TIME_WAIT.
            client.open.clear();
            server.open.clear();
            pair.appA.connect(EnginePair.IP_B, PORT);
            assertTrue(pair.runUntil(() -> client.open.size() == 1 && server.open.size() == 1, 100_000));
            client.open.get(0).close();
            server.open.get(0).close();
            assertTrue(pair.runUntil(() -> client.closed == 1 && server.closed == 1, 100_000));
            assertEquals(2, pair.a.flowCount() + pair.b.flowCount(), "in TIME_WAIT");
        }
    }

    /**
     * Virtual ms until the first retransmission timeout of one connection among 100 whose segments are lost, with
     * a visit budget that alone would reach each connection only every 100 ms.
     */
    private double firstTimeoutMs(final long scanRoundNs)
    {
        try (EnginePair pair = pair(c -> c.rtoMinNs(1_000_000L).rtoInitialNs(1_000_000L).rtoMaxNs(8_000_000L)
            .scanVisitsPerSecond(1_000).scanRoundNs(scanRoundNs)))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            for (int i = 1; i < 100; i++)
            {
                pair.appA.connect(EnginePair.IP_B, PORT);
            }
            assertTrue(pair.runUntil(() -> client.open.size() == 100 && server.open.size() == 100, 1_000_000));
            pair.runFor(200_000_000L); // past the first visits, which start every connection's bookkeeping
            filterA.cut();
            c[0].write(new UnsafeBuffer(new byte[1000]), 0, 1000);
            pair.stepNs = 50_000;
            final long start = pair.clock.nanoTime();
            assertTrue(pair.runUntil(() -> pair.a.counter("a slow path: retransmission timeouts") > 0, 100_000));
            return (pair.clock.nanoTime() - start) / 1e6;
        }
    }

    @Test
    void shouldVisitEveryConnectionOnceARoundWhateverTheVisitBudget()
    {
        // 1 ms RTO; every connection visited at least every 2 ms: the timeout fires within a few ms.
        final double bounded = firstTimeoutMs(2_000_000L);
        assertTrue(bounded <= 6, "first timeout after " + bounded + " ms");
        // The budget alone (1,000 visits a second for 100 connections) would leave it up to 100 ms late.
        final double budgetOnly = firstTimeoutMs(1_000_000_000L);
        System.out.printf("first retransmission timeout: %.2f ms with a 2 ms round, %.2f ms on the budget alone%n",
            bounded, budgetOnly);
        assertTrue(budgetOnly > bounded + 5, "budget only " + budgetOnly + " ms, bounded " + bounded + " ms");
    }

    @Test
    void shouldResetAndTellAppAfterRetransmissionLimit()
    {
        try (EnginePair pair = pair(c -> c.rtoMinNs(1_000_000L).rtoInitialNs(1_000_000L).rtoMaxNs(8_000_000L)
            .rtoRetries(3)))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            final TcpConnection[] c = connect(pair, client, server);
            filterA.cut();
            c[0].write(new UnsafeBuffer(new byte[5000]), 0, 5000);
            pair.stepNs = 50_000;
            assertTrue(pair.runUntil(() -> client.resets == 1, 100_000));
            assertEquals(AppEvents.REASON_TIMEOUT, client.lastReset);
            assertEquals(3, pair.a.counter("a slow path: retransmission timeouts"));
            assertEquals(1, pair.a.counter("a slow path: resets after the retransmission limit"));
            assertEquals(0, pair.a.flowCount());
        }
    }

    @Test
    void shouldProbeZeroWindowAndResumeWhenReceiverReads()
    {
        try (EnginePair pair = pair(c -> c.rxBufferSize(16384).rtoMinNs(1_000_000L).rtoInitialNs(1_000_000L)))
        {
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(200_000, 0, 3, 3);
            final StreamApps.PatternPeer server = new StreamApps.PatternPeer(0, 0, 3, 3);
            server.read = false;
            server.shutdownWhenSent = false;
            pair.handlerA = client;
            pair.handlerB = server;
            pair.appB.listen(PORT);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, PORT);
            assertTrue(pair.runUntil(() -> server.connection != null, 100_000));
            pair.stepNs = 20_000;
            pair.runFor(200_000_000L);
            assertTrue(pair.a.counter("a slow path: zero-window probes") >= 3, "persist timer probed");
            assertEquals(0, client.resetReason);
            assertFalse(client.closed);
            server.read = true;
            server.drain(server.connection);
            pair.stepNs = 1_000;
            assertTrue(pair.runUntil(() ->
            {
                server.drain(server.connection);
                return server.received == 200_000;
            }, 2_000_000), "received " + server.received);
            assertEquals(0, server.mismatches);
        }
    }

    @Test
    void shouldOpenExchangeAndCloseThousandConnectionsAndEmptyTheTables()
    {
        try (EnginePair pair = pair(c -> c.rxBufferSize(8192).txBufferSize(8192).maxFlows(2048)))
        {
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final List<StreamApps.PatternPeer> clients = new ArrayList<>();
            // More flows than FastPath warms bursts from (1,024), so warmed receive bursts carry these bytes too.
            final int count = 1200;
            pair.handlerB = server;
            pair.handlerA = new ConnectionHandler()
            {
                int next;

                @Override
                public void onConnected(final TcpConnection connection)
                {
                    final StreamApps.PatternPeer peer = clients.get(next++);
                    connection.attachment(peer);
                    peer.onConnected(connection);
                }

                @Override
                public void onData(final TcpConnection connection, final int bytes)
                {
                    ((StreamApps.PatternPeer)connection.attachment()).onData(connection, bytes);
                }

                @Override
                public void onWritable(final TcpConnection connection, final int bytes)
                {
                    ((StreamApps.PatternPeer)connection.attachment()).onWritable(connection, bytes);
                }

                @Override
                public void onClosed(final TcpConnection connection)
                {
                    ((StreamApps.PatternPeer)connection.attachment()).onClosed(connection);
                }
            };
            pair.appB.listen(PORT, 2000);
            pair.step();
            for (int i = 0; i < count; i++)
            {
                clients.add(new StreamApps.PatternPeer(1000, 1000, i, i));
                pair.appA.connect(EnginePair.IP_B, PORT);
            }
            assertTrue(pair.runUntil(() -> clients.stream().allMatch(p -> p.closed), 2_000_000),
                "closed " + clients.stream().filter(p -> p.closed).count());
            assertEquals(count, server.accepted);
            assertEquals(count, server.closed);
            for (final StreamApps.PatternPeer p : clients)
            {
                assertEquals(1000, p.received);
                assertEquals(0, p.mismatches);
            }
            assertTrue(pair.a.flowCount() + pair.b.flowCount() > 0, "TIME_WAIT holds the flows");
            pair.stepNs = 100_000;
            assertTrue(pair.runUntil(() -> pair.a.flowCount() + pair.b.flowCount() == 0, 10_000));
            assertEquals(0, pair.a.connectionCount() + pair.b.connectionCount());
            assertEquals(0, pair.a.flowsInUse() + pair.b.flowsInUse());
            assertEquals(0, pair.a.counter("a slow path: active flows"));
        }
    }

    @Test
    void shouldHandOutFlowIdsInASeededShuffleAndCarryDataOnThem()
    {
        final List<Integer> first = shuffledServerFlowIds(42);
        assertEquals(first, shuffledServerFlowIds(42), "the same seed gives the same order");
        assertFalse(first.equals(shuffledServerFlowIds(43)), "another seed, another order");
        assertEquals(first.size(), first.stream().distinct().count());
        assertTrue(first.stream().allMatch(id -> id >= 0 && id < 2048));
        assertFalse(first.equals(first.stream().sorted().toList()), "not ascending: " + first);
    }

    /** Opens 40 connections to an engine whose ids are shuffled with this seed, sends 100 bytes on each. */
    private List<Integer> shuffledServerFlowIds(final long seed)
    {
        final int count = 40;
        try (EnginePair pair = pair(c -> c.flowIdSeed(c.name().equals("b") ? seed : 0)))
        {
            final Tracker client = new Tracker();
            final Tracker server = new Tracker();
            connectMany(pair, client, server, count);
            final UnsafeBuffer bytes = new UnsafeBuffer(new byte[100]);
            for (int i = 0; i < count; i++)
            {
                // The client's engine hands out ids lowest first.
                assertEquals(i, client.open.get(i).flowId());
                assertEquals(100, client.open.get(i).write(bytes, 0, 100));
            }
            assertTrue(pair.runUntil(() -> server.received == 100L * count, 1_000_000), "received " + server.received);
            final List<Integer> ids = new ArrayList<>();
            server.open.forEach(connection -> ids.add(connection.flowId()));
            return ids;
        }
    }
}
