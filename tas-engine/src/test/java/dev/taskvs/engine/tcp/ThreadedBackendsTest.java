package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.sched.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real threads: engines over the shared-memory wire, and two-lane engines with a thread per lane. */
@Timeout(120)
class ThreadedBackendsTest
{
    private static EngineContext context(final String name, final int ip, final ThreadingMode mode)
    {
        return new EngineContext().name(name).localIp(ip).prefixLength(24).threading(mode).idleStrategy("backoff")
            .timeWaitNs(1_000_000L).maxFlows(256);
    }

    /** Client side: many pattern peers on one context, dispatched by attachment. */
    static final class Clients implements ConnectionHandler
    {
        final List<StreamApps.PatternPeer> peers = new ArrayList<>();
        int next;

        @Override
        public void onConnected(final TcpConnection connection)
        {
            final StreamApps.PatternPeer peer = peers.get(next++);
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

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            ((StreamApps.PatternPeer)connection.attachment()).onReset(connection, reason);
        }

        boolean allClosed()
        {
            return peers.stream().allMatch(p -> p.closed || p.resetReason != 0);
        }
    }

    private static void echoMany(
        final ThreadingMode mode, final PacketIo[] queuesA, final PacketIo[] queuesB, final int connections,
        final long bytesEach, final String label) throws Exception
    {
        echoMany(mode, queuesA, queuesB, connections, bytesEach, label, (a, b) -> { });
    }

    private static void echoMany(
        final ThreadingMode mode, final PacketIo[] queuesA, final PacketIo[] queuesB, final int connections,
        final long bytesEach, final String label, final java.util.function.BiConsumer<TcpEngine, TcpEngine> check)
        throws Exception
    {
        try (TcpEngine a = new TcpEngine(context("a", EnginePair.IP_A, mode), queuesA);
            TcpEngine b = new TcpEngine(context("b", EnginePair.IP_B, mode), queuesB))
        {
            final AppContext appA = a.newAppContext();
            final AppContext appB = b.newAppContext();
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final Clients clients = new Clients();
            for (int i = 0; i < connections; i++)
            {
                clients.peers.add(new StreamApps.PatternPeer(bytesEach, bytesEach, i, i));
            }
            final ThreadingModesTest.AppAgent serverAgent = new ThreadingModesTest.AppAgent(appB, server, () -> false);
            serverAgent.onStart = () -> appB.listen(7000, 1024);
            final ThreadingModesTest.AppAgent clientAgent = new ThreadingModesTest.AppAgent(appA, clients,
                clients::allClosed);
            clientAgent.onStart = () ->
            {
                for (int i = 0; i < connections; i++)
                {
                    appA.connect(EnginePair.IP_B, 7000);
                }
            };
            b.start(serverAgent);
            Thread.sleep(20);
            final long start = System.nanoTime();
            a.start(clientAgent);
            final long deadline = System.currentTimeMillis() + 90_000;
            while (!clientAgent.done && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(5);
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(clientAgent.done, "all connections finished");
            for (final StreamApps.PatternPeer peer : clients.peers)
            {
                assertEquals(0, peer.resetReason);
                assertEquals(bytesEach, peer.received);
                assertEquals(0, peer.mismatches);
            }
            System.out.printf("%s: %d connections x %d bytes echoed byte-exact in %.3f s (%.1f MB/s each way)%n",
                label, connections, bytesEach, seconds, connections * bytesEach / seconds / 1e6);
            check.accept(a, b);
        }
    }

    @Test
    void shouldEchoOverTheSharedMemoryWire(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("wire");
        try (ShmWire creator = ShmWire.open(new ShmWire.Context().path(path));
            ShmWire attacher = ShmWire.open(new ShmWire.Context().path(path)))
        {
            echoMany(ThreadingMode.SHARED, new PacketIo[] {creator}, new PacketIo[] {attacher}, 1, 32L << 20,
                "shm, shared mode");
        }
    }

    @Test
    void shouldRunTwoLanesOnTheirOwnThreads() throws Exception
    {
        final LoopbackWire wire0 = new LoopbackWire();
        final LoopbackWire wire1 = new LoopbackWire();
        echoMany(ThreadingMode.DEDICATED, new PacketIo[] {wire0.endpointA(), wire1.endpointA()},
            new PacketIo[] {wire0.endpointB(), wire1.endpointB()}, 16, 512 * 1024, "two lanes, dedicated mode");
    }

    /**
     * Every lane of both engines carried segments (counted, and the bursts they came in), and none had to pass a
     * frame to another lane.
     */
    private static void assertSteeredByTheWire(final TcpEngine engine)
    {
        for (int lane = 0; lane < engine.laneCount(); lane++)
        {
            final String prefix = engine.context().name() + " lane " + lane + ": ";
            final long segments = engine.counter(prefix + "segments received");
            assertTrue(segments > 0, prefix + "received nothing");
            // A burst is a poll that found frames, at least one: segments for the fast path or frames it hands to
            // the slow path (handshakes, ARP).
            final long frames = segments + engine.counter(prefix + "frames to slow path");
            final long bursts = engine.counter(prefix + "receive bursts (polls that found frames)");
            assertTrue(bursts > 0 && bursts <= frames, prefix + bursts + " bursts for " + frames + " frames");
            final long full = engine.counter(prefix + "full receive bursts (frames were left waiting)");
            assertTrue(full >= 0 && full <= bursts, prefix + full + " full of " + bursts + " bursts");
            assertEquals(0, engine.counter(prefix + "frames steered to another lane"), prefix + "steered frames");
        }
    }

    @Test
    void shouldPutEverySegmentOnTheLaneThatOwnsItsFlowOverAMultiQueueWire() throws Exception
    {
        // Three lanes against two: every segment must arrive on its owner's queue, so no lane forwards any.
        final LoopbackWire wire = new LoopbackWire(3, 2, 256, 1500, LoopbackWire.DEFAULT_MAC_A,
            LoopbackWire.DEFAULT_MAC_B);
        echoMany(ThreadingMode.DEDICATED, wire.endpointsA(), wire.endpointsB(), 24, 256 * 1024,
            "loopback 3 x 2 queues, dedicated mode", (a, b) ->
            {
                assertSteeredByTheWire(a);
                assertSteeredByTheWire(b);
            });
    }

    @Test
    void shouldRunAnEngineOnEachQueueOfAMultiQueueSharedMemoryWire(@TempDir final Path dir) throws Exception
    {
        final Path path = dir.resolve("wire");
        try (ShmWire creator = ShmWire.open(new ShmWire.Context().path(path).queues(2).peerQueues(4));
            ShmWire attacher = ShmWire.open(new ShmWire.Context().path(path).queues(3)))
        {
            assertEquals(3, creator.attacherQueues());
            echoMany(ThreadingMode.DEDICATED, creator.queues(), attacher.queues(), 24, 256 * 1024,
                "shm 2 x 3 queues (room for 4), dedicated mode", (a, b) ->
                {
                    assertSteeredByTheWire(a);
                    assertSteeredByTheWire(b);
                });
        }
    }
}
