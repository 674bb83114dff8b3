package dev.taskvs.server.protocol;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import dev.taskvs.server.ServerContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;
import static dev.taskvs.server.protocol.BinaryPackets.arithmetic;
import static dev.taskvs.server.protocol.BinaryPackets.concat;
import static dev.taskvs.server.protocol.BinaryPackets.get;
import static dev.taskvs.server.protocol.BinaryPackets.ints;
import static dev.taskvs.server.protocol.BinaryPackets.request;
import static dev.taskvs.server.protocol.BinaryPackets.simple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The get and set paths allocate nothing once warm (STYLE: no allocation on the data path). */
class BinaryProtocolAllocationTest
{
    private static final int WARM_UP_ROUNDS = 20_000;
    private static final int MEASURED_ROUNDS = 10_000;

    @Test
    void shouldNotAllocateOnGetAndSetPathsAfterWarmUp()
    {
        final ServerContext ctx = BinaryTestServer.context();
        try
        {
            final BinaryProtocolSession session = new BinaryProtocolSession(ctx, ctx.stats().newWorker());
            final byte[] script = concat(
                request(SET).extras(ints(1, 0)).key("alloc:key").value(new byte[100]).opaque(1).build(),
                request(SETQ).extras(ints(2, 3600)).key("alloc:other").value(new byte[1000]).build(),
                get(GET, "alloc:key", 2),
                get(GETK, "alloc:key", 3),
                get(GETQ, "alloc:miss", 4),
                get(GETKQ, "alloc:other", 5),
                get(GET, "alloc:miss", 6),
                request(GAT).extras(ints(3600)).key("alloc:key").build(),
                request(ADD).extras(ints(0, 0)).key("alloc:key").value("x").build(),
                request(APPEND).key("alloc:other").value("y").build(),
                request(DELETE).key("alloc:other").build(),
                arithmetic(INCREMENT, "alloc:counter", 1, 0, 0),
                simple(NOOP, 7));
            final UnsafeBuffer in = new UnsafeBuffer(ByteBuffer.allocateDirect(script.length));
            in.putBytes(0, script);
            final ResponseBuffer out = new ResponseBuffer(64 * 1024);

            runRounds(session, in, out, WARM_UP_ROUNDS);

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long calibrationStart = threads.getCurrentThreadAllocatedBytes();
            final long calibration = threads.getCurrentThreadAllocatedBytes() - calibrationStart;

            // A one-off event (a late JIT transition, the store's first contended park) may allocate a few bytes
            // once; the steady state must not: one of three windows has to be exactly zero, and none may grow
            // with the number of requests.
            long allocated = Long.MAX_VALUE;
            for (int window = 0; window < 3 && allocated != 0; window++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                runRounds(session, in, out, MEASURED_ROUNDS);
                allocated = threads.getCurrentThreadAllocatedBytes() - before - calibration;
                assertTrue(allocated < 1024, "bytes allocated over " + MEASURED_ROUNDS + " rounds: " + allocated);
            }
            assertEquals(0, allocated, "bytes allocated over " + MEASURED_ROUNDS + " rounds in the last window");
        }
        finally
        {
            ctx.store().close();
        }
    }

    private static void runRounds(
        final BinaryProtocolSession session, final UnsafeBuffer in, final ResponseBuffer out, final int rounds)
    {
        final int length = in.capacity();
        for (int round = 0; round < rounds; round++)
        {
            int position = 0;
            while (position < length)
            {
                position += session.process(in, position, length - position, out);
                out.clear();
            }
        }
    }
}
