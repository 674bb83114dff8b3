package dev.taskvs.server.transport.tas;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import dev.taskvs.server.stats.StatsReport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TasConfig#warmBatches}: the connections that received data in a poll are served after it, as a batch
 * whose gets have their store lines loaded first. Many connections with requests arriving in the same polls must
 * get exactly the answers they get when each is served in its event, in order, with one bump per answer.
 */
@Timeout(60)
class TasBatchServingTest
{
    private static final int SERVER_IP = Ipv4Address.parse("10.211.9.2");
    private static final int CLIENT_IP = Ipv4Address.parse("10.211.9.3");
    private static final int CONNECTIONS = 200;
    private static final int ROUNDS = 5;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldAnswerEveryConnectionInOrderWhetherServedAsABatchOrInItsEvent(final boolean warmBatches)
    {
        final LoopbackWire wire = new LoopbackWire();
        final ServerConfig config = new ServerConfig();
        config.port = 11211;
        config.tas.ip = "10.211.9.2/24";
        config.tas.invoker = true;
        config.tas.warmBatches = warmBatches;
        config.tas.bufferKb = 4;
        final KvsServer server = KvsServer.startTas(config, new PacketIo[] {wire.endpointB()});
        final TcpEngine client = new TcpEngine(new EngineContext().name("client").localIp(CLIENT_IP).prefixLength(24)
            .threading(ThreadingMode.INVOKER).maxFlows(4 * CONNECTIONS).synBacklog(1024), wire.endpointA());
        try
        {
            final AppContext app = client.newAppContext();
            client.start();
            final Map<TcpConnection, StringBuilder> answers = new HashMap<>();
            final ConnectionHandler handler = new ConnectionHandler()
            {
                @Override
                public void onData(final TcpConnection connection, final int bytes)
                {
                    final byte[] data = new byte[connection.readable()];
                    connection.read(new UnsafeBuffer(data), 0, data.length);
                    answers.get(connection).append(new String(data, StandardCharsets.US_ASCII));
                }
            };
            final List<TcpConnection> connections = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++)
            {
                final TcpConnection connection = app.connect(SERVER_IP, 11211);
                connections.add(connection);
                answers.put(connection, new StringBuilder());
            }
            for (int i = 0; i < 5000 && !connections.stream().allMatch(c -> c.state() == TcpConnection.State.OPEN);
                i++)
            {
                step(client, app, handler, server);
            }
            assertTrue(connections.stream().allMatch(c -> c.state() == TcpConnection.State.OPEN), "all open");

            final StringBuilder[] expected = new StringBuilder[CONNECTIONS];
            int requests = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                // Every connection sends at once, so the server's polls find many of them: a set and two gets
                // (one hit, one miss; text and meta) in one write, then the next round after all are answered.
                for (int i = 0; i < CONNECTIONS; i++)
                {
                    final String key = "c" + i + ":" + round;
                    final String value = "v" + (i * 31 + round);
                    final String request = "set " + key + " 0 0 " + value.length() + "\r\n" + value + "\r\n" +
                        "get " + key + "\r\nmg nothing:" + key + " v\r\n";
                    final byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
                    assertEquals(bytes.length, connections.get(i).write(new UnsafeBuffer(bytes), 0, bytes.length));
                    if (expected[i] == null)
                    {
                        expected[i] = new StringBuilder();
                    }
                    expected[i].append("STORED\r\nVALUE ").append(key).append(" 0 ").append(value.length())
                        .append("\r\n").append(value).append("\r\nEND\r\nEN\r\n");
                    requests += 3;
                }
                final int wanted = round;
                for (int step = 0; step < 5000 && !allAnswered(connections, answers, expected); step++)
                {
                    step(client, app, handler, server);
                }
                for (int i = 0; i < CONNECTIONS; i++)
                {
                    assertEquals(expected[i].toString(), answers.get(connections.get(i)).toString(),
                        "connection " + i + " after round " + wanted);
                }
            }
            final Map<String, String> tas = new HashMap<>();
            assertTrue(StatsReport.collect(server.context(), "tas", tas::put));
            // The three requests of a write arrive in one segment and are answered together: at most one bump
            // per segment, and never one for the release and another for the answer.
            final long bumps = Long.parseLong(tas.get("lane0_app_bumps"));
            assertTrue(bumps >= CONNECTIONS * ROUNDS && bumps <= requests, bumps + " bumps for " + requests +
                " requests in " + CONNECTIONS * ROUNDS + " writes");
        }
        finally
        {
            client.close();
            server.close();
        }
    }

    @org.junit.jupiter.api.Test
    void shouldWarmOnlyWhereOneWorkerIsTheStoresOnlyUser()
    {
        final TasConfig config = new TasConfig();
        assertTrue(TasTransport.warmsBatches(config), "one app context by default");
        config.appCores = 2;
        assertEquals(false, TasTransport.warmsBatches(config), "two workers share the store: no lock-free reads");
        config.appCores = 1;
        config.warmBatches = false;
        assertEquals(false, TasTransport.warmsBatches(config));
    }

    private static boolean allAnswered(final List<TcpConnection> connections,
        final Map<TcpConnection, StringBuilder> answers, final StringBuilder[] expected)
    {
        for (int i = 0; i < connections.size(); i++)
        {
            if (answers.get(connections.get(i)).length() < expected[i].length())
            {
                return false;
            }
        }
        return true;
    }

    private static void step(final TcpEngine client, final AppContext app, final ConnectionHandler handler,
        final KvsServer server)
    {
        client.invoke();
        app.poll(handler, 1024);
        server.tas().invoke();
    }
}
