package dev.taskvs.server.transport.kernel;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.transport.SetGetBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server path on kernel sockets (event loop, read, parse, store, respond, write) allocates nothing per
 * request once warm: measured on the worker thread itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelServerAllocationTest
{

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
            final SetGetBatch batch = new SetGetBatch();
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();

            for (int i = 0; i < 2_000; i++)
            {
                batch.roundTrip(out, in);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long workerId = SetGetBatch.threadId("kvs-worker-0");
            final long before = threads.getThreadAllocatedBytes(workerId);
            final int rounds = 2_000;
            for (int i = 0; i < rounds; i++)
            {
                batch.roundTrip(out, in);
            }
            final long allocated = threads.getThreadAllocatedBytes(workerId) - before;
            final long requests = (long)rounds * batch.requestsPerRoundTrip();
            // A handful of bytes may come from the JDK's selector bookkeeping; nothing per request.
            assertTrue(allocated < 16 * 1024,
                "worker allocated " + allocated + " bytes over " + requests + " requests");
        }
    }
}
