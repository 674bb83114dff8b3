package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.taskvs.client.Protocol;
import dev.taskvs.loadgen.protocol.ErrorKind;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Short runs against real memcached 1.6.18 and against kvs-server in-process, in every protocol. */
@Timeout(90)
class ServerRunTest
{
    private static MemcachedProcess memcached;
    private static KvsServer kvs;

    @BeforeAll
    static void startServers() throws Exception
    {
        memcached = MemcachedProcess.start();
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.threads = 2;
        config.maxConnections = 4096;
        kvs = KvsServer.start(config);
    }

    @AfterAll
    static void stopServers()
    {
        if (memcached != null)
        {
            memcached.close();
        }
        if (kvs != null)
        {
            kvs.close();
        }
    }

    static InetSocketAddress server(final String name)
    {
        return "memcached".equals(name) ? memcached.address() : new InetSocketAddress("127.0.0.1", kvs.port());
    }

    static java.util.stream.Stream<Arguments> serversAndProtocols()
    {
        final java.util.List<Arguments> out = new java.util.ArrayList<>();
        for (final String s : new String[] {"memcached", "kvs-server"})
        {
            for (final Protocol p : Protocol.values())
            {
                out.add(Arguments.of(s, p));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("serversAndProtocols")
    void shouldRunWithoutErrorsAndVerifyEveryValue(final String name, final Protocol protocol) throws Exception
    {
        final LoadgenConfig c = TestRuns.config(server(name));
        c.protocol = protocol;
        c.valueSize = "64:3,256:1";
        c.durationNs = TimeUnit.MILLISECONDS.toNanos(600);
        c.warmupNs = TimeUnit.MILLISECONDS.toNanos(200);
        c.keyDist = "zipf:0.9";
        final RunResult single = TestRuns.run(c);
        assertEquals(0, single.errorsTotal(), name + " " + protocol + ": " + single.errors);
        assertTrue(single.gets > 0 && single.sets > 0, single.gets + " gets " + single.sets + " sets");
        assertEquals(single.keysRequested, single.hits, "every key was preloaded and nothing evicted");

        c.multiget = 5;
        c.preload = false;
        c.getRatio = 0.95;
        final RunResult multi = TestRuns.run(c);
        assertEquals(0, multi.errorsTotal(), name + " " + protocol + " multiget: " + multi.errors);
        assertEquals(5 * multi.gets, multi.keysRequested);
        assertEquals(multi.keysRequested, multi.hits);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"memcached", "kvs-server"})
    void shouldHoldOverAThousandConnectionsOpenLoop(final String name) throws Exception
    {
        final LoadgenConfig c = TestRuns.config(server(name));
        c.connections = 1200;
        c.threads = 2;
        c.pipeline = 2;
        c.rate = 20_000;
        c.connectRate = 10_000;
        c.durationNs = TimeUnit.MILLISECONDS.toNanos(1000);
        final RunResult r = TestRuns.run(c);
        assertEquals(0, r.errorsTotal(), r.errors.toString());
        assertEquals(1200, r.connectionsOpen);
        assertTrue(r.measuredCompleted > 10_000, "completed " + r.measuredCompleted);
    }

    @Test
    void shouldCatchAValueCorruptedInRealMemcached() throws Exception
    {
        final LoadgenConfig c = TestRuns.config(memcached.address());
        c.keys = 20;
        c.keySize = 6;
        c.getRatio = 1.0;
        c.conclude();
        try (Loadgen loadgen = new Loadgen(c, null))
        {
            loadgen.connect();
            loadgen.preload();
            // Overwrite one key behind the generator's back with bytes of the right length but wrong content.
            final String key = c.keySpace().keyAsString(7);
            final int length = c.valueContent().length(7, 0);
            final String bogus = "x".repeat(length);
            try (Socket s = new Socket(memcached.address().getAddress(), memcached.address().getPort()))
            {
                final OutputStream out = s.getOutputStream();
                out.write(("set " + key + " 0 0 " + length + "\r\n" + bogus + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                final InputStream in = s.getInputStream();
                final byte[] reply = new byte[8];
                int n = 0;
                while (n < 8)
                {
                    n += in.read(reply, n, 8 - n);
                }
                assertEquals("STORED\r\n", new String(reply, StandardCharsets.US_ASCII));
            }
            final RunResult r = loadgen.run(0);
            assertTrue(TestRuns.errors(r, ErrorKind.VALUE_MISMATCH) > 0, r.errors.toString());
            assertEquals(TestRuns.errors(r, ErrorKind.VALUE_MISMATCH), r.errorsTotal(), r.errors.toString());
        }
    }
}
