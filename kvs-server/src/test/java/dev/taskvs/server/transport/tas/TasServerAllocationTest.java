package dev.taskvs.server.transport.tas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.compat.TasEngineServer;
import dev.taskvs.server.compat.TasNet;
import dev.taskvs.server.stats.StatsReport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server path on the engine (TAP receive, fast path, app context, parse in the RX ring, store, respond
 * into the TX ring, segment, TAP transmit) allocates nothing per request once warm, measured on the one thread
 * that runs all of it (shared threading). With 4 KiB rings every batch runs over the rings' ends, so the wrap copy
 * and the overflow of responses are inside the measurement too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TasServerAllocationTest
{
    private static final int BATCH = 50;

    @ParameterizedTest(name = "rings of {0} KiB")
    @ValueSource(ints = {4, 64})
    void shouldNotAllocateOnTheEngineThreadPerRequest(final int bufferKb) throws Exception
    {
        TasNet.require();
        final TasNet net = TasNet.tap();
        final ServerConfig config = new ServerConfig();
        config.stack = "tas";
        config.port = 11211;
        config.tas.ip = net.engineCidr;
        config.tas.iface = net.engineDevice;
        config.tas.bufferKb = bufferKb;
        try (KvsServer server = KvsServer.start(config);
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(net.engineIp, 11211), 5000);
            socket.setTcpNoDelay(true);
            final byte[] batch = batch();
            final byte[] expected = expectedReplies();
            final byte[] reply = new byte[expected.length];
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();

            for (int i = 0; i < 3_000; i++)
            {
                roundTrip(out, in, batch, reply, expected);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long engineThread = engineThreadId();
            final long before = threads.getThreadAllocatedBytes(engineThread);
            final int rounds = 2_000;
            for (int i = 0; i < rounds; i++)
            {
                roundTrip(out, in, batch, reply, expected);
            }
            final long allocated = threads.getThreadAllocatedBytes(engineThread) - before;
            final long requests = (long)rounds * BATCH * 2;
            final Map<String, String> tas = tasStats(server);
            System.out.println("[tas] " + bufferKb + " KiB rings: " + allocated + " bytes allocated on the engine " +
                "thread over " + requests + " requests; wrap copies " + tas.get("app0_wrap_copies"));
            assertTrue(allocated < 16 * 1024,
                "engine thread allocated " + allocated + " bytes over " + requests + " requests");
            if (bufferKb == 4)
            {
                assertTrue(Long.parseLong(tas.get("app0_wrap_copies")) > 0, "the batches ran over the ring's end");
            }
        }
        finally
        {
            net.close();
        }
    }

    static Map<String, String> tasStats(final KvsServer server)
    {
        final Map<String, String> stats = new HashMap<>();
        assertTrue(StatsReport.collect(server.context(), "tas", stats::put));
        return stats;
    }

    private static void roundTrip(final OutputStream out, final InputStream in, final byte[] batch,
        final byte[] reply, final byte[] expected) throws IOException
    {
        out.write(batch);
        int read = 0;
        while (read < reply.length)
        {
            final int n = in.read(reply, read, reply.length - read);
            if (n < 0)
            {
                throw new IOException("server closed after " + read + " bytes");
            }
            read += n;
        }
        assertEquals(new String(expected, StandardCharsets.US_ASCII), new String(reply, StandardCharsets.US_ASCII));
    }

    private static byte[] batch()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++)
        {
            sb.append("set key:").append(i).append(" 7 0 8\r\nvalue-").append(i % 10).append(i % 10).append("\r\n");
            sb.append("get key:").append(i).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] expectedReplies()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++)
        {
            sb.append("STORED\r\n");
            sb.append("VALUE key:").append(i).append(" 7 8\r\nvalue-").append(i % 10).append(i % 10)
                .append("\r\nEND\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static long engineThreadId()
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().contains("kvs-tas-worker-0"))
            {
                return t.getId();
            }
        }
        throw new AssertionError("no thread runs kvs-tas-worker-0: " + Thread.getAllStackTraces().keySet());
    }
}
