package dev.taskvs.loadgen.responder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskvs.loadgen.workload.ValueContent;
import dev.taskvs.loadgen.workload.ValueSizes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The responder stands in for an infinitely fast server: it answers gets and sets without allocating. */
@Timeout(60)
class ResponderTextCoreTest
{
    private static final String BATCH = "get k0000000000012\r\n" + "set k0000000000013 0 0 5\r\nhello\r\n" +
        "set k0000000000014 0 0 3 noreply\r\nabc\r\n" + "get k0000000000015 k0000000000016\r\n";

    private static String answer(final Responder.TextCore core, final Responder.Session s, final String input)
    {
        s.in.clear();
        s.out.clear();
        s.in.put(input.getBytes(StandardCharsets.US_ASCII));
        core.process(s);
        s.out.flip();
        final byte[] bytes = new byte[s.out.remaining()];
        s.out.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** A core serving 64-byte values, counting the requests it answers in {@code requests}. */
    private static Responder.TextCore core(final AtomicLong requests)
    {
        final Responder.Options options = new Responder.Options();
        return new Responder.TextCore(options, new ValueContent(ValueSizes.parse("64"), options.seed), requests,
            new AtomicLong(), new Object());
    }

    @Test
    void sessionBuffersShouldStartSmallAndGrowForALongRequestAndALongReply()
    {
        final AtomicLong requests = new AtomicLong();
        final Responder.TextCore core = core(requests);
        final Responder.Session s = new Responder.Session(null);
        assertEquals(Responder.Session.INITIAL_BUFFER, s.in.capacity());
        assertEquals(Responder.Session.INITIAL_BUFFER, s.out.capacity());

        // A set of 10,000 bytes, fed as a connection would: as much as fits, then process, again.
        final StringBuilder set = new StringBuilder("set k0000000000001 0 0 10000\r\n");
        set.append("x".repeat(10_000)).append("\r\n");
        // A get of 100 keys: 100 values of 64 bytes and their VALUE lines, about 10 KB of reply.
        final StringBuilder get = new StringBuilder("get");
        for (int k = 0; k < 100; k++)
        {
            get.append(String.format(" k%016d", k));
        }
        get.append("\r\n");
        final byte[] input = (set + get.toString()).getBytes(StandardCharsets.US_ASCII);
        int fed = 0;
        while (fed < input.length)
        {
            final int n = Math.min(s.in.remaining(), input.length - fed);
            s.in.put(input, fed, n);
            fed += n;
            core.process(s);
        }
        s.out.flip();
        final byte[] bytes = new byte[s.out.remaining()];
        s.out.get(bytes);
        final String reply = new String(bytes, StandardCharsets.US_ASCII);
        assertEquals(2, requests.get());
        assertTrue(reply.startsWith("STORED\r\nVALUE k0000000000000000 0 64\r\n"), reply.substring(0, 40));
        assertEquals(100, reply.split("VALUE ", -1).length - 1);
        assertTrue(reply.endsWith("END\r\n"));
        assertTrue(s.in.capacity() > Responder.Session.INITIAL_BUFFER, "the input grew for the long set");
        assertTrue(s.out.capacity() >= bytes.length, "the output grew for the long reply");
    }

    @Test
    void setsAndGetsShouldBeAnsweredWithoutAllocating()
    {
        final AtomicLong requests = new AtomicLong();
        final Responder.TextCore core = core(requests);
        final Responder.Session s = new Responder.Session(null);

        final String reply = answer(core, s, BATCH);
        assertEquals(4, requests.get());
        assertEquals(3, reply.split("VALUE ", -1).length - 1, reply);
        assertEquals(1, reply.split("STORED\r\n", -1).length - 1, "noreply gets no STORED: " + reply);
        assertEquals("CLIENT_ERROR bad data chunk\r\n", answer(core, s, "set k1 0 0 x5\r\n"));

        final byte[] batch = BATCH.getBytes(StandardCharsets.US_ASCII);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 2; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++)
            {
                s.in.clear();
                s.out.clear();
                s.in.put(batch);
                core.process(s);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated answering 200,000 requests after warm-up");
    }
}
