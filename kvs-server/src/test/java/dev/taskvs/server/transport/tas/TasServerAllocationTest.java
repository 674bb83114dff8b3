package dev.taskvs.server.transport.tas;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.transport.SetGetBatch;
import dev.taskvs.server.compat.TasEngineServer;
import dev.taskvs.server.compat.TasNet;
import dev.taskvs.server.stats.StatsReport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server path on the engine (TAP receive, fast path, app context, parse in the RX ring, store, respond
 * into the TX ring, segment, TAP transmit) allocates nothing per request once warm, measured on the one thread
 * that runs all of it (shared threading). With 4 KiB rings each batch (150 set/get pairs, 6.7 KB of requests)
 * is longer than the rings, so it runs over their ends: the wrap copy and the overflow of responses are inside
 * the measurement too. (A batch that fits starts again at the flow's home line and never wraps.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TasServerAllocationTest
{

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
            final SetGetBatch batch = new SetGetBatch(bufferKb == 4 ? 150 : SetGetBatch.PAIRS);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();

            for (int i = 0; i < 3_000; i++)
            {
                batch.roundTrip(out, in);
            }
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long engineThread = SetGetBatch.threadId("kvs-app-0");
            final long before = threads.getThreadAllocatedBytes(engineThread);
            final int rounds = bufferKb == 4 ? 700 : 2_000;
            for (int i = 0; i < rounds; i++)
            {
                batch.roundTrip(out, in);
            }
            final long allocated = threads.getThreadAllocatedBytes(engineThread) - before;
            final long requests = (long)rounds * batch.requestsPerRoundTrip();
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
}
