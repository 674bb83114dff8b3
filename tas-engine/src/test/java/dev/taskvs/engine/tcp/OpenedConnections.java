package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A handler that keeps the connections it opens or accepts, in order; tests add what else they watch. */
class OpenedConnections implements ConnectionHandler
{
    final List<TcpConnection> open = new ArrayList<>();

    /**
     * The server side listens on {@code port} (room for all {@code count} half-open at once) and the client opens
     * {@code count} connections to it; both see them all open.
     */
    static void connectMany(final EnginePair pair, final OpenedConnections client, final OpenedConnections server,
        final int port, final int count)
    {
        pair.handlerA = client;
        pair.handlerB = server;
        pair.appB.listen(port, count);
        pair.step();
        for (int i = 0; i < count; i++)
        {
            pair.appA.connect(EnginePair.IP_B, port);
        }
        assertTrue(pair.runUntil(() -> client.open.size() == count && server.open.size() == count, 1_000_000),
            () -> "open " + client.open.size() + " and " + server.open.size() + " of " + count);
    }

    @Override
    public void onAccepted(final TcpConnection connection)
    {
        open.add(connection);
    }

    @Override
    public void onConnected(final TcpConnection connection)
    {
        open.add(connection);
    }
}
