package dev.taskvs.server.transport.tas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TasConfig#invoker}: the server's engine and workers run only when the caller invokes them, so a client
 * engine on the other end of a loopback wire and the server take turns on one thread (how
 * {@code ConnectionScalingProbe} measures the server's time per request).
 */
@Timeout(30)
class TasInvokerTest
{
    private static final int SERVER_IP = Ipv4Address.parse("10.211.9.2");
    private static final int CLIENT_IP = Ipv4Address.parse("10.211.9.3");

    /** An invoker-mode server and a client engine on the two ends of a loopback wire, one connection open. */
    private static final class Pair implements AutoCloseable
    {
        final KvsServer server;
        final TcpEngine client;
        final AppContext app;
        final ConnectionHandler handler;
        final TcpConnection connection;

        Pair(final Consumer<ServerConfig> configure, final ConnectionHandler handler)
        {
            final LoopbackWire wire = new LoopbackWire();
            final ServerConfig config = new ServerConfig();
            config.port = 11211;
            config.tas.ip = "10.211.9.2/24";
            config.tas.invoker = true;
            configure.accept(config);
            this.handler = handler;
            server = KvsServer.startTas(config, new PacketIo[] {wire.endpointB()});
            client = new TcpEngine(new EngineContext().name("client").localIp(CLIENT_IP).prefixLength(24)
                .threading(ThreadingMode.INVOKER), wire.endpointA());
            app = client.newAppContext();
            client.start();
            connection = app.connect(SERVER_IP, 11211);
            for (int i = 0; i < 1000 && connection.state() != TcpConnection.State.OPEN; i++)
            {
                stepClient();
                server.tas().invoke();
            }
            assertEquals(TcpConnection.State.OPEN, connection.state());
        }

        void stepClient()
        {
            client.invoke();
            app.poll(handler, 64);
        }

        void send(final String text)
        {
            final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            assertEquals(bytes.length, connection.write(new UnsafeBuffer(bytes), 0, bytes.length));
        }

        /** Server, then client, until the condition holds (at most 1,000 turns). */
        void runUntil(final BooleanSupplier done)
        {
            for (int i = 0; i < 1000 && !done.getAsBoolean(); i++)
            {
                server.tas().invoke();
                stepClient();
            }
        }

        @Override
        public void close()
        {
            client.close();
            server.close();
        }
    }

    /** Appends everything the client reads. */
    private static ConnectionHandler reader(final StringBuilder answers)
    {
        return new ConnectionHandler()
        {
            @Override
            public void onData(final TcpConnection connection, final int bytes)
            {
                final byte[] data = new byte[connection.readable()];
                connection.read(new UnsafeBuffer(data), 0, data.length);
                answers.append(new String(data, StandardCharsets.US_ASCII));
            }
        };
    }

    @Test
    void shouldServeOnlyWhenInvoked()
    {
        final StringBuilder answers = new StringBuilder();
        try (Pair pair = new Pair(config -> { }, reader(answers)))
        {
            pair.send("set k 3 0 2\r\nhi\r\nget k\r\n");
            for (int i = 0; i < 50; i++)
            {
                pair.stepClient();
            }
            assertEquals("", answers.toString(), "nothing answers while the server is not invoked");
            pair.runUntil(() -> answers.toString().endsWith("END\r\n"));
            assertEquals("STORED\r\nVALUE k 3 2\r\nhi\r\nEND\r\n", answers.toString());
        }
    }

    @Test
    void shouldLetTheAnswerCarryTheAckByDefaultAndAckAtOnceWithAckDelayZero()
    {
        final long carried = pureAcksForRequests(200, 40);
        final long atOnce = pureAcksForRequests(0, 40);
        // 200 us is long enough for the answer here but for the odd slow step (a compilation, a page fault).
        assertTrue(carried < 10, "pure ACKs with the default delay: " + carried);
        assertTrue(atOnce >= 40, "--ack-delay-us 0: a pure ACK before every answer, got " + atOnce);
        final TasConfig tooLong = new TasConfig();
        tooLong.ackDelayUs = 100_001;
        assertThrows(IllegalArgumentException.class, tooLong::conclude);
    }

    @Test
    void shouldRunTheCongestionControlItIsGiven()
    {
        // The two that are not the default (DCTCP_RATE, which every other test runs).
        for (final CongestionControlKind kind : new CongestionControlKind[] {CongestionControlKind.TIMELY,
            CongestionControlKind.CONST_RATE})
        {
            final StringBuilder answers = new StringBuilder();
            try (Pair pair = new Pair(config -> config.tas.cc = kind, reader(answers)))
            {
                assertEquals(kind, pair.server.tas().engine().context().congestionControl());
                pair.send("set k 0 0 2\r\nhi\r\nget k\r\n");
                pair.runUntil(() -> answers.toString().endsWith("END\r\n"));
                assertEquals("STORED\r\nVALUE k 0 2\r\nhi\r\nEND\r\n", answers.toString(), kind.toString());
            }
        }
        assertEquals(CongestionControlKind.DCTCP_RATE, new TasConfig().cc, "the engine's own default");
        final TasConfig none = new TasConfig();
        none.cc = null;
        assertThrows(IllegalArgumentException.class, none::conclude);
    }

    /** The server's pure ACKs over this many gets answered one after another, with --ack-delay-us as given. */
    private static long pureAcksForRequests(final long ackDelayUs, final int requests)
    {
        final StringBuilder answers = new StringBuilder();
        try (Pair pair = new Pair(config -> config.tas.ackDelayUs = ackDelayUs, reader(answers)))
        {
            final long before = pair.server.tas().engine().counterSum("pure ACKs sent");
            for (int r = 1; r <= requests; r++)
            {
                final String expected = "END\r\n".repeat(r);
                pair.send("get k\r\n");
                pair.runUntil(() -> answers.toString().equals(expected));
                assertEquals(expected, answers.toString());
            }
            return pair.server.tas().engine().counterSum("pure ACKs sent") - before;
        }
    }
}
