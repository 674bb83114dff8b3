package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The get/set/delete/incr/meta paths allocate nothing once warm (STYLE.md: the hot path allocates nothing). */
class TextAllocationTest
{
    private static final int ITERATIONS = 50_000;
    /** Slack for the measurement itself (the MXBean call) and any one-off JIT or class-loading allocation. */
    private static final long ALLOWED_BYTES = 16 * 1024;

    @Test
    void shouldNotAllocatePerRequestOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final byte[] requests = TextSessionDriver.bytes(
            "set key:1 5 0 10\r\n0123456789\r\n" +
            "get key:1\r\n" +
            "gets key:1 key:2 key:3\r\n" +
            "set n 0 0 1 noreply\r\n7\r\n" +
            "incr n 5\r\n" +
            "decr n 1\r\n" +
            "touch key:1 100\r\n" +
            "delete key:2\r\n" +
            "ms key:2 4 c T100\r\nabcd\r\n" +
            "mg key:2 v c f t k s\r\n" +
            "mg missing v q\r\n" +
            "ma n v\r\n" +
            "md key:3 q\r\n" +
            "mn\r\n");
        final UnsafeBuffer in = new UnsafeBuffer(requests);
        try (TextSessionDriver d = new TextSessionDriver())
        {
            d.config.requestsPerEvent = Integer.MAX_VALUE;
            runLoop(d, in, requests.length, ITERATIONS);
            assertEquals(requests.length, d.session.process(in, 0, requests.length, d.out));
            final String answers = d.drain();
            assertTrue(answers.startsWith("STORED\r\nVALUE key:1 5 10\r\n0123456789\r\nEND\r\n"), answers);
            assertTrue(answers.endsWith("VA 2\r\n12\r\nNF\r\nMN\r\n"), answers);

            final long threadId = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            runLoop(d, in, requests.length, ITERATIONS);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

            assertTrue(allocated < ALLOWED_BYTES,
                "allocated " + allocated + " bytes over " + ITERATIONS + " pipelines, limit " + ALLOWED_BYTES);
        }
    }

    private static void runLoop(final TextSessionDriver d, final UnsafeBuffer in, final int length, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final int consumed = d.session.process(in, 0, length, d.out);
            if (consumed != length)
            {
                assertEquals(length, consumed);
            }
            d.out.clear();
        }
    }
}
