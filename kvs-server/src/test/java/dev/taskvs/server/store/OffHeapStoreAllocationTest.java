package dev.taskvs.server.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data path allocates nothing on the Java heap once warm: no garbage per request. */
class OffHeapStoreAllocationTest
{
    private static final int KEYS = 2_000;
    private static final int WARM_UP_ROUNDS = 200_000;
    private static final int MEASURED_ROUNDS = 100_000;
    private static final long ALLOWED_BYTES = 64 * 1024;

    private final UnsafeBuffer[] keys = new UnsafeBuffer[KEYS];
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[4096]);
    private final MutationResult result = new MutationResult();
    private final GetOptions options = new GetOptions();
    private final ByteSummer handler = new ByteSummer();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldNotAllocateOnGetSetDeleteIncrAfterWarmUp()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        // Small enough that the measured rounds also evict, so the eviction path is measured too.
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(2L << 20, 16), new ManualStoreClock()))
        {
            for (int k = 0; k < KEYS; k++)
            {
                keys[k] = StoreFixture.buffer("allocation-test-key-" + k);
            }
            value.setMemory(0, value.capacity(), (byte)'7');

            run(store, WARM_UP_ROUNDS);
            final long evictionsBefore = store.stats().evictions;

            final long before = threads.getCurrentThreadAllocatedBytes();
            run(store, MEASURED_ROUNDS);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertTrue(allocated < ALLOWED_BYTES,
                "allocated " + allocated + " bytes in " + MEASURED_ROUNDS + " rounds");
            assertTrue(store.stats().evictions > evictionsBefore, "the measured rounds evicted");
            assertEquals(store.verifyIntegrity(), store.stats().bytes);
            assertTrue(handler.sum > 0);
        }
    }

    private void run(final OffHeapStore store, final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            final UnsafeBuffer key = keys[(i * 31) % KEYS];
            final int keyLength = key.capacity();
            store.get(key, 0, keyLength, null, handler);
            // Sizes vary so that both the in-place and the allocate-and-replace paths run.
            final int length = 500 + (i % 7) * 500;
            store.store(StoreMode.SET, key, 0, keyLength, i, 0, value, 0, length, Store.NO_CAS, Store.NO_CAS, result);

            switch (i & 7)
            {
                case 0:
                    options.reset().touchExptime = 1000;
                    store.get(key, 0, keyLength, options, handler);
                    break;
                case 1:
                    store.incrDecr(key, 0, keyLength, true, 1, true, 5, 0, Store.NO_CAS, result);
                    break;
                case 2:
                    store.delete(key, 0, keyLength, Store.NO_CAS, (i & 8) != 0, Store.NO_TOUCH, result);
                    break;
                case 3:
                    store.store(StoreMode.APPEND, key, 0, keyLength, 0, 0, value, 0, 10, Store.NO_CAS, Store.NO_CAS,
                        result);
                    break;
                case 4:
                    store.touch(key, 0, keyLength, 100);
                    break;
                default:
                    break;
            }
        }
    }

    /** A handler that reads the value so the JIT cannot drop the read, without capturing anything per call. */
    private static final class ByteSummer implements ItemHandler
    {
        long sum;

        @Override
        public void onItem(final long item)
        {
            sum += Item.valueLength(item) + Item.clientFlags(item);
        }
    }
}
