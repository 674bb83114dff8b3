package dev.taskvs.server.transport.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server path on kernel sockets (event loop, read, parse, store, respond, write) allocates nothing per
 * request once warm: measured on the worker thread itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelServerAllocationTest
{
    private static final int BATCH = 50;

    @Test
    void shouldNotAllocateOnTheWorkerThreadPerRequest() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.threads = 1;
        try (KvsServer server = KvsServer.start(config);
            Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setTcpNoDelay(true);
            final byte[] batch = batch();
            final byte[] expected = expectedReplies();
            final byte[] reply = new byte[expected.length];
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();

            for (int i = 0; i < 2_000; i++)
            {
                roundTrip(out, in, batch, reply, expected);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long workerId = workerThreadId();
            final long before = threads.getThreadAllocatedBytes(workerId);
            final int rounds = 2_000;
            for (int i = 0; i < rounds; i++)
            {
                roundTrip(out, in, batch, reply, expected);
            }
            final long allocated = threads.getThreadAllocatedBytes(workerId) - before;
            final long requests = (long)rounds * BATCH * 2;
            // A handful of bytes may come from the JDK's selector bookkeeping; nothing per request.
            assertTrue(allocated < 16 * 1024,
                "worker allocated " + allocated + " bytes over " + requests + " requests");
        }
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

    private static long workerThreadId()
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals("kvs-worker-0"))
            {
                return t.getId();
            }
        }
        throw new AssertionError("no kvs-worker-0 thread");
    }
}
