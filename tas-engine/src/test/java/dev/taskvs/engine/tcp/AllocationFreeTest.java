package dev.taskvs.engine.tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class AllocationFreeTest
{
    private static final int WINDOWS = 6;
    private static final int STEPS_PER_WINDOW = 10_000;

    /**
     * Two engines, an echo server and a checking client, all on this thread, moving data both ways without
     * pause. After warm-up, allocation is measured over several windows of 10,000 duty cycles (tens of
     * thousands of segments each). Per-packet allocation would show in every window; what remains is at
     * most a rare one-off of a few hundred bytes (first use of a path: class linking or JIT, seen with -Xint
     * too, never again after the first ~50 ms of virtual time in long runs), so the test demands that most
     * windows allocate exactly nothing and all together allocate less than one byte per 100 kB moved.
     */
    @Test
    void shouldNotAllocateInSteadyStateEchoTransfer()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (EnginePair pair = new EnginePair(c -> c.rxBufferSize(16384).txBufferSize(16384)))
        {
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(Long.MAX_VALUE / 2, 0, 5, 5);
            pair.handlerB = server;
            pair.handlerA = client;
            pair.appB.listen(7000);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, 7000);
            for (int i = 0; i < 100_000; i++)
            {
                pair.step();
            }
            final long threadId = Thread.currentThread().getId();
            final long receivedBefore = client.received;
            final long start = System.nanoTime();
            long total = 0;
            int zeroWindows = 0;
            for (int w = 0; w < WINDOWS; w++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < STEPS_PER_WINDOW; i++)
                {
                    pair.step();
                }
                final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
                total += allocated;
                zeroWindows += allocated == 0 ? 1 : 0;
            }
            final long elapsed = System.nanoTime() - start;
            final long moved = client.received - receivedBefore;
            System.out.printf("steady echo: %d bytes each way in %.3f s of one thread (two engines, pattern check)," +
                " %.1f MB/s each way; %d bytes allocated, %d of %d windows allocation-free%n",
                moved, elapsed / 1e9, moved * 1e3 / elapsed, total, zeroWindows, WINDOWS);
            assertTrue(moved > 50_000_000, "steady transfer moved " + moved + " bytes");
            assertEquals(0, client.mismatches);
            assertTrue(zeroWindows >= WINDOWS - 2, zeroWindows + " of " + WINDOWS + " windows allocation-free");
            assertTrue(total < moved / 100_000, total + " bytes allocated while moving " + moved + " bytes each way");
        }
    }
}
