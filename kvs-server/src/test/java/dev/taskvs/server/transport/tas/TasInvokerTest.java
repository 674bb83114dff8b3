package dev.taskvs.server.transport.tas;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
