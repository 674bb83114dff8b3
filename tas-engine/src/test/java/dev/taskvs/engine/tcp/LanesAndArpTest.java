package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.sched.ThreadingMode;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class LanesAndArpTest
{
    /** Two engines with two lanes each, lane i of one wired to lane i of the other, as two NIC queues. */
    @Test
    void shouldSpreadFlowsOverLanesAndSteerFramesThatArriveOnTheWrongQueue()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final LoopbackWire wire0 = new LoopbackWire();
        final LoopbackWire wire1 = new LoopbackWire();
        final TcpEngine a = new TcpEngine(ctx("a", EnginePair.IP_A, clock), wire0.endpointA(), wire1.endpointA());
        final TcpEngine b = new TcpEngine(ctx("b", EnginePair.IP_B, clock), wire0.endpointB(), wire1.endpointB());
        try
        {
            final AppContext appA = a.newAppContext();
            final AppContext appB = b.newAppContext();
            a.start();
            b.start();
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final List<StreamApps.PatternPeer> clients = new ArrayList<>();
            final ConnectionHandler dispatch = new ConnectionHandler()
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
            appB.listen(7000);
            for (int i = 0; i < 3; i++)
            {
                b.invoke();
            }
            for (int i = 0; i < 32; i++)
            {
                clients.add(new StreamApps.PatternPeer(100_000, 100_000, i, i));
                appA.connect(EnginePair.IP_B, 7000);
            }
            int maxFlowsSeen = 0;
            for (int step = 0; step < 2_000_000 && !clients.stream().allMatch(p -> p.closed); step++)
            {
                clock.advance(1_000);
                a.invoke();
                appA.poll(dispatch, 256);
                b.invoke();
                appB.poll(server, 256);
                maxFlowsSeen = Math.max(maxFlowsSeen, a.flowCount());
            }
            assertTrue(clients.stream().allMatch(p -> p.closed && p.received == 100_000 && p.mismatches == 0));
            assertEquals(32, maxFlowsSeen);
            final long a0 = a.counter("a lane 0: segments sent");
            final long a1 = a.counter("a lane 1: segments sent");
            assertTrue(a0 > 0 && a1 > 0, "both lanes carried flows: " + a0 + " / " + a1);
            assertTrue(a.counterSum("frames steered to another lane") + b.counterSum("frames steered to another lane")
                > 0, "flows hashed differently on the two ends were steered");
        }
        finally
        {
            a.close();
            b.close();
        }
    }

    private static EngineContext ctx(final String name, final int ip, final CachedNanoClock clock)
    {
        return new EngineContext().name(name).localIp(ip).prefixLength(24).threading(ThreadingMode.INVOKER)
            .clock(clock).maxFlows(256).timeWaitNs(1_000_000L);
    }

    @Test
    void shouldResolveAgainAfterArpEntryExpires()
    {
        try (EnginePair pair = new EnginePair(c -> c.arpCacheTtlNs(50_000_000L)))
        {
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            pair.handlerB = server;
            pair.appB.listen(7000);
            pair.step();
            final StreamApps.PatternPeer first = new StreamApps.PatternPeer(10, 10, 1, 1);
            pair.handlerA = first;
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> first.closed, 100_000));
            assertEquals(1, pair.a.counter("a slow path: ARP requests sent"));
            final StreamApps.PatternPeer second = new StreamApps.PatternPeer(10, 10, 1, 1);
            pair.handlerA = second;
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> second.closed, 100_000));
            assertEquals(1, pair.a.counter("a slow path: ARP requests sent"), "cached");
            pair.stepNs = 100_000;
            pair.runFor(60_000_000L);
            pair.stepNs = 1_000;
            final StreamApps.PatternPeer third = new StreamApps.PatternPeer(10, 10, 1, 1);
            pair.handlerA = third;
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> third.closed, 100_000));
            assertEquals(2, pair.a.counter("a slow path: ARP requests sent"), "expired entry resolved again");
        }
    }

    @Test
    void shouldResetOrphanedFinWait2AfterTimeout()
    {
        try (EnginePair pair = new EnginePair())
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            pair.handlerA = client;
            pair.handlerB = server;
            pair.appB.listen(7000);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> client.open.size() == 1 && server.open.size() == 1, 100_000));
            client.open.get(0).close();
            // The server never closes: the client sits in FIN_WAIT_2 until the orphan timeout resets it.
            pair.stepNs = 100_000;
            assertTrue(pair.runUntil(() -> pair.a.flowCount() == 0, 10_000));
            assertTrue(pair.runUntil(() -> server.resets == 1, 10_000), "the peer is told with a RST");
        }
    }
}
