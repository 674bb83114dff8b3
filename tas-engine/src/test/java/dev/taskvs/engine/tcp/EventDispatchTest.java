package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app context holds the data events of one poll back for a warm pass before handing them out: the events must
 * still reach the handler in the order they were queued, each once, with the bytes of their own connection, and a
 * handler that throws must not lose the events queued behind its own.
 */
@Timeout(60)
class EventDispatchTest
{
    private static final int PORT = 7100;
    private static final int CONNECTIONS = 40;

    /** The server side: what it was handed, in order. */
    private static final class Recorder implements ConnectionHandler
    {
        final List<TcpConnection> open = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        int throwAtData = -1;
        int dataEvents;

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

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            if (dataEvents++ == throwAtData)
            {
                throw new IllegalStateException("handler failure on purpose");
            }
            final byte[] bytesRead = new byte[connection.readable()];
            for (int i = 0; i < bytesRead.length; i++)
            {
                bytesRead[i] = connection.rxByte(i);
            }
            connection.consume(bytesRead.length);
            record("data " + connection.remotePort() + " " + new String(bytesRead, StandardCharsets.US_ASCII));
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            record("reset " + connection.remotePort());
        }

        private void record(final String event)
        {
            events.add(event);
        }
    }

    private static EnginePair pairWith(final Recorder server, final ConnectionLifecycleTest.Tracker client)
    {
        final EnginePair pair = new EnginePair();
        pair.handlerA = client;
        pair.handlerB = server;
        pair.appB.listen(PORT);
        pair.step();
        for (int i = 0; i < CONNECTIONS; i++)
        {
            pair.appA.connect(EnginePair.IP_B, PORT);
        }
        assertTrue(pair.runUntil(() -> client.open.size() == CONNECTIONS && server.open.size() == CONNECTIONS,
            1_000_000));
        return pair;
    }

    /** Runs both engines and the client's app, not the server's: its events pile up for one poll. */
    private static void queueServerEvents(final EnginePair pair, final int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            pair.clock.advance(pair.stepNs);
            pair.steps++;
            pair.a.invoke();
            pair.appA.poll(pair.handlerA, 256);
            pair.b.invoke();
        }
    }

    private static String request(final TcpConnection client)
    {
        return "request from " + client.localPort();
    }

    private static void send(final TcpConnection client)
    {
        final byte[] bytes = request(client).getBytes(StandardCharsets.US_ASCII);
        assertEquals(bytes.length, client.write(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    @Test
    void shouldHandOutDataBeforeTheResetQueuedAfterItInTheSamePoll()
    {
        final Recorder server = new Recorder();
        final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
        try (EnginePair pair = pairWith(server, client))
        {
            for (final TcpConnection c : client.open)
            {
                send(c);
            }
            final TcpConnection aborted = client.open.get(CONNECTIONS / 2);
            aborted.abort();
            final String resetEvent = "reset " + aborted.localPort();
            queueServerEvents(pair, 100);
            pair.appB.poll(server, 256);
            assertEquals(CONNECTIONS + 1, server.events.size(), () -> "one poll hands out all: " + server.events);

            for (final TcpConnection c : client.open)
            {
                final String dataEvent = "data " + c.localPort() + " " + request(c);
                assertEquals(1, server.events.stream().filter(dataEvent::equals).count(), dataEvent);
            }
            final String abortedData = "data " + aborted.localPort() + " " + request(aborted);
            // The reset was queued behind data events the poll still held for its warm pass.
            assertTrue(server.events.indexOf(abortedData) < server.events.indexOf(resetEvent), () -> "order " +
                server.events);
        }
    }

    @Test
    void shouldHandOutTheRestAtTheNextPollWhenAHandlerThrows()
    {
        final Recorder server = new Recorder();
        final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
        try (EnginePair pair = pairWith(server, client))
        {
            server.throwAtData = 5;
            for (final TcpConnection c : client.open)
            {
                send(c);
            }
            queueServerEvents(pair, 100);
            final IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> pair.appB.poll(server, 256));
            assertNotNull(thrown.getMessage());
            assertEquals(5, server.events.size(), "handed out before the failure");

            pair.appB.poll(server, 256);
            assertEquals(CONNECTIONS - 1, server.events.size(), () -> "the rest at the next poll: " + server.events);
            long unread = 0;
            for (final TcpConnection c : client.open)
            {
                final long seen = server.events.stream().filter(("data " + c.localPort() + " " + request(c))::equals)
                    .count();
                assertTrue(seen <= 1, "each data event once");
                unread += 1 - seen;
            }
            assertEquals(1, unread, "only the failing handler's event is not handled");
            pair.runFor(1_000_000);
            assertEquals(CONNECTIONS - 1, server.events.size(), "the failed event is not handed out again");
        }
    }
}
