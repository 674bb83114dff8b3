package dev.taskvs.server.compat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.management.UnixOperatingSystemMXBean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Many idle connections, and the connection limit: memcached is the control for both. */
class ConnectionsTest
{
    static final int IDLE_CONNECTIONS = 2000;
    static final String TOO_MANY = "ERROR Too many open connections";

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServerKind.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldKeepServingWhileThousandsOfIdleConnectionsAreHeld(final ServerKind kind) throws Exception
    {
        final int idle = idleConnectionCount(kind);
        final ServerFlags flags = ServerFlags.DEFAULTS.maxConnections(idle + 200);
        final List<RawClient> held = new ArrayList<>(idle);
        try (CacheServer server = kind.start(flags))
        {
            final Map<String, String> items = BadInputTest.seed(server);
            try
            {
                for (int i = 0; i < idle; i++)
                {
                    held.add(new RawClient(server));
                }
                try (RawClient worker = new RawClient(server))
                {
                    awaitCurrentConnections(worker, idle + 1);
                    for (int i = 0; i < 1000; i++)
                    {
                        final String value = "busy-" + i;
                        worker.send("set busy:" + (i % 50) + " 0 0 " + value.length() + "\r\n" + value + "\r\n");
                        assertEquals("STORED", worker.readLine());
                        assertEquals(Map.of("busy:" + (i % 50), value), worker.getAll(List.of("busy:" + (i % 50))));
                    }
                }
                for (final RawClient client : held)
                {
                    client.send("mn\r\n");
                }
                for (int i = 0; i < held.size(); i++)
                {
                    assertEquals("MN", held.get(i).readLine(), "idle connection " + i + " after the busy period");
                }
                BadInputTest.assertHealthy(server, items, items, server.name() + " with " + idle + " idle connections");
            }
            finally
            {
                held.forEach(RawClient::close);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServerKind.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseConnectionsOverTheLimitWithMemcachedsLine(final ServerKind kind) throws Exception
    {
        final int limit = 20;
        final List<RawClient> accepted = new ArrayList<>();
        try (CacheServer server = kind.start(ServerFlags.DEFAULTS.maxConnections(limit)))
        {
            try
            {
                RawClient rejected = null;
                for (int i = 0; i <= limit && rejected == null; i++)
                {
                    final RawClient client = new RawClient(server);
                    client.send("version\r\n");
                    final String line = client.readLine();
                    if (line != null && line.startsWith("VERSION "))
                    {
                        accepted.add(client);
                    }
                    else
                    {
                        assertEquals(TOO_MANY, line, "connection " + (i + 1) + " with -c " + limit);
                        rejected = client;
                    }
                }
                assertNotNull(rejected, "all " + (limit + 1) + " connections were accepted with -c " + limit);
                assertTrue(rejected.closedByServer(), "the refused connection was left open");
                rejected.close();
                if (kind.isOurs())
                {
                    // memcached limits file descriptor numbers (maxconns_fast), not connections; we count them.
                    assertEquals(limit, accepted.size(), "connections accepted with -c " + limit);
                }
                assertTrue(stat(accepted.get(0), "rejected_connections") >= 1, "rejected_connections");
                accepted.remove(accepted.size() - 1).close();
                awaitAcceptedConnection(server);
            }
            finally
            {
                accepted.forEach(RawClient::close);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServerKind.class)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldStopOnShutdownOnlyWhenEnabled(final ServerKind kind) throws Exception
    {
        try (CacheServer server = kind.start(ServerFlags.DEFAULTS); RawClient client = new RawClient(server))
        {
            client.send("shutdown\r\n");
            assertEquals("ERROR: shutdown not enabled", client.readLine());
            assertTrue(server.isAlive());
        }
        try (CacheServer server = kind.start(ServerFlags.DEFAULTS.shutdownEnabled()))
        {
            try (RawClient client = new RawClient(server))
            {
                client.send("shutdown\r\n");
                assertTrue(client.closedByServer(), "the connection stayed open after shutdown");
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.isAlive() && System.nanoTime() < deadline)
            {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertTrue(!server.isAlive(), server.name() + " still accepts connections 5 s after shutdown");
        }
    }

    /** After a client leaves, a new connection is accepted again (the server notices the close asynchronously). */
    private static void awaitAcceptedConnection(final CacheServer server) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String line = null;
        while (System.nanoTime() < deadline)
        {
            try (RawClient client = new RawClient(server))
            {
                client.send("version\r\n");
                line = client.readLine();
                if (line != null && line.startsWith("VERSION "))
                {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        fail("no connection accepted after one was freed; last answer: " + line);
    }

    private static void awaitCurrentConnections(final RawClient client, final long atLeast)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long current = stat(client, "curr_connections");
        while (current < atLeast && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(20);
            current = stat(client, "curr_connections");
        }
        assertTrue(current >= atLeast, "curr_connections " + current + ", expected at least " + atLeast);
    }

    static long stat(final RawClient client, final String name) throws IOException
    {
        client.send("stats\r\n");
        long value = -1;
        for (String line = client.readLine(); line != null && !line.equals("END"); line = client.readLine())
        {
            final String[] tokens = line.split(" ");
            if (tokens.length == 3 && tokens[1].equals(name))
            {
                value = Long.parseLong(tokens[2]);
            }
        }
        return value;
    }

    /**
     * 2,000 when the file-descriptor limit allows (our server holds both ends in this JVM); fewer, said out loud,
     * when {@code ulimit -n} is too low.
     */
    private static int idleConnectionCount(final ServerKind kind)
    {
        final long maxFds = ((UnixOperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
        final long perConnection = kind == ServerKind.TAS_KVS ? 2 : 1;
        final long fits = (maxFds - 500) / perConnection;
        if (fits < IDLE_CONNECTIONS)
        {
            System.out.println("[compat] ulimit -n is " + maxFds + ": holding " + fits + " idle connections instead of "
                + IDLE_CONNECTIONS + "; raise it (ulimit -n 8192) for the full test");
            assertTrue(fits >= 500, "ulimit -n " + maxFds + " is too low to hold even 500 idle connections");
            return (int)fits;
        }
        return IDLE_CONNECTIONS;
    }
}
