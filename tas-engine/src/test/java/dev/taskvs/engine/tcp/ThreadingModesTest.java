package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.sched.ThreadingMode;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real threads on the real clock: shared mode (one thread per engine) and dedicated mode (pinned). */
@Timeout(120)
class ThreadingModesTest
{
    /** Polls one app context on whatever thread the engine gives it. */
    static final class AppAgent implements Agent
    {
        final AppContext context;
        final ConnectionHandler handler;
        final BooleanSupplier finished;
        Runnable onStart = () -> { };
        /** Work another thread hands to the app thread, which owns the context. */
        volatile Runnable task;
        volatile boolean done;
        private boolean started;

        AppAgent(final AppContext context, final ConnectionHandler handler, final BooleanSupplier finished)
        {
            this.context = context;
            this.handler = handler;
            this.finished = finished;
        }

        @Override
        public int doWork()
        {
            if (!started)
            {
                started = true;
                onStart.run();
            }
            final Runnable next = task;
            if (next != null)
            {
                task = null;
                next.run();
            }
            final int work = context.poll(handler, 256);
            if (!done && finished.getAsBoolean())
            {
                done = true;
            }
            return work;
        }

        @Override
        public String roleName()
        {
            return "app-" + context.id();
        }
    }

    private static EngineContext context(final String name, final int ip, final ThreadingMode mode)
    {
        return new EngineContext().name(name).localIp(ip).prefixLength(24).threading(mode).idleStrategy("backoff")
            .timeWaitNs(1_000_000L);
    }

    private static void awaitDone(final AppAgent agent, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!agent.done && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(5);
        }
        assertTrue(agent.done, "finished in time");
    }

    private static void bulkEcho(final ThreadingMode mode, final long bytes, final boolean pin) throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        final EngineContext ctxA = context("a", EnginePair.IP_A, mode);
        final EngineContext ctxB = context("b", EnginePair.IP_B, mode);
        if (pin)
        {
            ctxA.laneCores(0).slowPathCore(1);
            ctxB.laneCores(1).slowPathCore(0);
        }
        try (TcpEngine a = new TcpEngine(ctxA, wire.endpointA()); TcpEngine b = new TcpEngine(ctxB, wire.endpointB()))
        {
            final AppContext appA = a.newAppContext();
            final AppContext appB = b.newAppContext();
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(bytes, bytes, 21, 21);
            final AppAgent serverAgent = new AppAgent(appB, server, () -> server.closed == 1);
            final AppAgent clientAgent = new AppAgent(appA, client, () -> client.closed);
            serverAgent.onStart = () -> appB.listen(7000);
            b.start(serverAgent);
            Thread.sleep(20);
            final long start = System.nanoTime();
            clientAgent.onStart = () -> appA.connect(EnginePair.IP_B, 7000);
            a.start(clientAgent);
            awaitDone(clientAgent, 60_000);
            final long elapsed = System.nanoTime() - start;
            awaitDone(serverAgent, 10_000);
            System.out.printf("%s%s: %d bytes echoed byte-exact in %.3f s, %.1f MB/s each way%n", mode,
                pin ? " (pinned)" : "", bytes, elapsed / 1e9, bytes * 1e3 / elapsed);
            assertEquals(bytes, client.received);
            assertEquals(0, client.mismatches);
        }
    }

    @Test
    void shouldEchoBulkInSharedMode() throws Exception
    {
        bulkEcho(ThreadingMode.SHARED, 32L << 20, false);
    }

    @Test
    void shouldEchoBulkInDedicatedModeWithPinnedThreads() throws Exception
    {
        bulkEcho(ThreadingMode.DEDICATED, 8L << 20, true);
    }

    /** 64-byte request, 64-byte response, one at a time: round trips per second in shared mode. */
    @Test
    void shouldPingPongSmallMessagesInSharedMode() throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        try (TcpEngine a = new TcpEngine(context("a", EnginePair.IP_A, ThreadingMode.SHARED), wire.endpointA());
            TcpEngine b = new TcpEngine(context("b", EnginePair.IP_B, ThreadingMode.SHARED), wire.endpointB()))
        {
            final AppContext appA = a.newAppContext();
            final AppContext appB = b.newAppContext();
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final int rounds = 50_000;
            final long[] times = new long[2];
            final ConnectionHandler pinger = new ConnectionHandler()
            {
                int done;
                final org.agrona.concurrent.UnsafeBuffer message = new org.agrona.concurrent.UnsafeBuffer(new byte[64]);

                @Override
                public void onConnected(final TcpConnection connection)
                {
                    times[0] = System.nanoTime();
                    connection.write(message, 0, 64);
                }

                @Override
                public void onData(final TcpConnection connection, final int bytes)
                {
                    while (connection.readable() >= 64)
                    {
                        connection.consume(64);
                        if (++done == rounds)
                        {
                            times[1] = System.nanoTime();
                            connection.close();
                            return;
                        }
                        connection.write(message, 0, 64);
                    }
                }
            };
            final AppAgent serverAgent = new AppAgent(appB, server, () -> false);
            serverAgent.onStart = () -> appB.listen(7000);
            final AppAgent clientAgent = new AppAgent(appA, pinger, () -> times[1] != 0);
            clientAgent.onStart = () -> appA.connect(EnginePair.IP_B, 7000);
            b.start(serverAgent);
            Thread.sleep(20);
            a.start(clientAgent);
            awaitDone(clientAgent, 60_000);
            final double seconds = (times[1] - times[0]) / 1e9;
            System.out.printf("SHARED: %d 64-byte round trips in %.3f s, %.0f round trips/s, %.1f us each%n",
                rounds, seconds, rounds / seconds, seconds * 1e6 / rounds);
        }
    }
}
