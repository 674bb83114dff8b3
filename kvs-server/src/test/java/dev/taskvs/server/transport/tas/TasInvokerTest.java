package dev.taskvs.server.transport.tas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
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

    @Test
    void shouldServeOnlyWhenInvoked()
    {
        final LoopbackWire wire = new LoopbackWire();
        final ServerConfig config = new ServerConfig();
        config.port = 11211;
        config.tas.ip = "10.211.9.2/24";
        config.tas.invoker = true;
        final KvsServer server = KvsServer.startTas(config, new PacketIo[] {wire.endpointB()});
        final TcpEngine client = new TcpEngine(new EngineContext().name("client").localIp(CLIENT_IP).prefixLength(24)
            .threading(ThreadingMode.INVOKER), wire.endpointA());
        try
        {
            final AppContext app = client.newAppContext();
            client.start();
            final StringBuilder answers = new StringBuilder();
            final ConnectionHandler handler = new ConnectionHandler()
            {
                @Override
                public void onData(final TcpConnection connection, final int bytes)
                {
                    final byte[] data = new byte[connection.readable()];
                    connection.read(new UnsafeBuffer(data), 0, data.length);
                    answers.append(new String(data, StandardCharsets.US_ASCII));
                }
            };
            final TcpConnection connection = app.connect(SERVER_IP, 11211);
            for (int i = 0; i < 1000 && connection.state() != TcpConnection.State.OPEN; i++)
            {
                client.invoke();
                app.poll(handler, 64);
                server.tas().invoke();
            }
            assertEquals(TcpConnection.State.OPEN, connection.state());

            final byte[] request = "set k 3 0 2\r\nhi\r\nget k\r\n".getBytes(StandardCharsets.US_ASCII);
            assertEquals(request.length, connection.write(new UnsafeBuffer(request), 0, request.length));
            for (int i = 0; i < 50; i++)
            {
                client.invoke();
                app.poll(handler, 64);
            }
            assertEquals("", answers.toString(), "nothing answers while the server is not invoked");
            for (int i = 0; i < 1000 && !answers.toString().endsWith("END\r\n"); i++)
            {
                server.tas().invoke();
                client.invoke();
                app.poll(handler, 64);
            }
            assertEquals("STORED\r\nVALUE k 3 2\r\nhi\r\nEND\r\n", answers.toString());
        }
        finally
        {
            client.close();
            server.close();
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

    /** The server's pure ACKs over this many gets answered one after another, with --ack-delay-us as given. */
    private static long pureAcksForRequests(final long ackDelayUs, final int requests)
    {
        final LoopbackWire wire = new LoopbackWire();
        final ServerConfig config = new ServerConfig();
        config.port = 11211;
        config.tas.ip = "10.211.9.2/24";
        config.tas.invoker = true;
        config.tas.ackDelayUs = ackDelayUs;
        final KvsServer server = KvsServer.startTas(config, new PacketIo[] {wire.endpointB()});
        final TcpEngine client = new TcpEngine(new EngineContext().name("client").localIp(CLIENT_IP).prefixLength(24)
            .threading(ThreadingMode.INVOKER), wire.endpointA());
        try
        {
            final AppContext app = client.newAppContext();
            client.start();
            final int[] answers = new int[1];
            final ConnectionHandler handler = new ConnectionHandler()
            {
                @Override
                public void onData(final TcpConnection connection, final int bytes)
                {
                    final byte[] data = new byte[connection.readable()];
                    connection.read(new UnsafeBuffer(data), 0, data.length);
                    answers[0] += new String(data, StandardCharsets.US_ASCII).endsWith("END\r\n") ? 1 : 0;
                }
            };
            final TcpConnection connection = app.connect(SERVER_IP, 11211);
            for (int i = 0; i < 1000 && connection.state() != TcpConnection.State.OPEN; i++)
            {
                client.invoke();
                app.poll(handler, 64);
                server.tas().invoke();
            }
            assertEquals(TcpConnection.State.OPEN, connection.state());
            final long before = server.tas().engine().counterSum("pure ACKs sent");
            final byte[] get = "get k\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int r = 1; r <= requests; r++)
            {
                assertEquals(get.length, connection.write(new UnsafeBuffer(get), 0, get.length));
                for (int i = 0; i < 1000 && answers[0] < r; i++)
                {
                    client.invoke();
                    server.tas().invoke();
                    app.poll(handler, 64);
                }
                assertEquals(r, answers[0]);
            }
            return server.tas().engine().counterSum("pure ACKs sent") - before;
        }
        finally
        {
            client.close();
            server.close();
        }
    }
}
