package dev.taskvs.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers racing for a small memory limit: whoever must evict finds reclaimable memory even while the other
 * writers hold the segments it would evict from, so no store fails with NO_MEMORY while eviction is enabled.
 */
class OffHeapStoreEvictionContentionTest
{
    private static final int THREADS = 4;
    private static final long LIMIT = 1L << 20;
    private static final int MAX_VALUE = 64 * 1024;

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {1, 4, 64, 1024})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNeverRunOutOfMemoryWhileEvictingUnderContention(final int segments) throws Exception
    {
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(LIMIT, segments), new ManualStoreClock()))
        {
            final AtomicLong noMemory = new AtomicLong();
            final AtomicLong maxBytes = new AtomicLong();
            runWriters(store, Long.getLong("contention.factor", 3) * LIMIT, noMemory, maxBytes);

            assertEquals(0, noMemory.get(), "stores answered NO_MEMORY");
            final StoreStats stats = store.stats();
            assertTrue(stats.bytes <= LIMIT, "bytes " + stats.bytes + " > limit " + LIMIT);
            assertTrue(maxBytes.get() <= LIMIT, "bytes reached " + maxBytes.get());
            assertEquals(0, stats.outOfMemory);
            assertTrue(stats.evictions > 0);
            assertEquals(stats.bytes, store.verifyIntegrity());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldEvictDownToALoweredLimitWhileWritersRace() throws Exception
    {
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(4 * LIMIT, 16), new ManualStoreClock()))
        {
            final AtomicLong noMemory = new AtomicLong();
            final AtomicLong maxBytes = new AtomicLong();
            runWriters(store, 4 * LIMIT, noMemory, maxBytes);
            assertTrue(store.stats().bytes > LIMIT);

            store.setMemoryLimit(LIMIT);
            assertEquals(LIMIT, store.stats().limitMaxBytes);
            runWriters(store, 3 * LIMIT, noMemory, maxBytes);

            assertEquals(0, noMemory.get(), "stores answered NO_MEMORY");
            assertTrue(store.stats().bytes <= LIMIT, "bytes " + store.stats().bytes);
            assertEquals(store.stats().bytes, store.verifyIntegrity());
        }
    }

    /**
     * The writer's own segment is empty and the only segment holding items is held by another thread: the writer
     * must wait for it (holding nothing itself) rather than give up with NO_MEMORY.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldWaitForAHeldSegmentToEvictFromInsteadOfFailing() throws Exception
    {
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(LIMIT, 2), new ManualStoreClock()))
        {
            final Segment[] segments = segments(store);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[100_000]);
            final MutationResult result = new MutationResult();
            int i = 0;
            while (store.stats().bytes + value.capacity() <= LIMIT)
            {
                final UnsafeBuffer key = keyIn(store, segments[1], "full-" + i++);
                assertEquals(StoreResult.STORED, store.store(StoreMode.SET, key, 0, key.capacity(), 0, 0, value, 0,
                    value.capacity(), Store.NO_CAS, Store.NO_CAS, result));
            }
            assertEquals(0, segments[0].count);

            final CountDownLatch held = new CountDownLatch(1);
            final Thread holder = new Thread(() ->
            {
                segments[1].lock();
                try
                {
                    held.countDown();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                }
                finally
                {
                    segments[1].unlock();
                }
            });
            holder.start();
            held.await();
            final UnsafeBuffer key = keyIn(store, segments[0], "writer-");
            final StoreResult outcome = store.store(StoreMode.SET, key, 0, key.capacity(), 0, 0, value, 0,
                value.capacity(), Store.NO_CAS, Store.NO_CAS, result);
            holder.join();

            assertEquals(StoreResult.STORED, outcome);
            assertEquals(0, store.stats().outOfMemory);
            assertTrue(store.stats().bytes <= LIMIT);
            assertEquals(store.stats().bytes, store.verifyIntegrity());
        }
    }

    private static Segment[] segments(final OffHeapStore store) throws ReflectiveOperationException
    {
        final Field field = OffHeapStore.class.getDeclaredField("segments");
        field.setAccessible(true);
        return (Segment[])field.get(store);
    }

    /** A key, with the given prefix, that the store places in {@code segment}. */
    private static UnsafeBuffer keyIn(final OffHeapStore store, final Segment segment, final String prefix)
        throws ReflectiveOperationException
    {
        final Method segmentFor = OffHeapStore.class.getDeclaredMethod("segmentFor", long.class);
        segmentFor.setAccessible(true);
        for (int n = 0; ; n++)
        {
            final UnsafeBuffer key = StoreFixture.buffer(prefix + n);
            final long hash = Keys.hash(key.byteArray(), key.addressOffset(), key.capacity());
            if (segmentFor.invoke(store, hash) == segment)
            {
                return key;
            }
        }
    }

    @Test
    void shouldFailWithNoMemoryBelowALoweredLimitWhenEvictionIsDisabled()
    {
        final StoreConfig config = StoreFixture.config(LIMIT, 4);
        config.evictionDisabled = true;
        try (StoreFixture fx = new StoreFixture(config))
        {
            final String value = "v".repeat(100_000);
            int stored = 0;
            while (fx.set("k" + stored, value) == StoreResult.STORED)
            {
                stored++;
            }
            assertTrue(stored > 0);
            fx.store.setMemoryLimit(LIMIT / 2);
            assertEquals(StoreResult.NO_MEMORY, fx.set("more", value));
            for (int i = 0; i < stored; i++)
            {
                fx.delete("k" + i);
            }
            assertEquals(StoreResult.STORED, fx.set("more", value));
            fx.store.setMemoryLimit(LIMIT * 2);
            assertEquals(StoreResult.STORED, fx.set("more2", value));
        }
    }

    /** Each writer stores random-size values under random keys until it has written {@code total / THREADS}. */
    private static void runWriters(
        final OffHeapStore store, final long total, final AtomicLong noMemory, final AtomicLong maxBytes) throws Exception
    {
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try
        {
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                futures.add(executor.submit(() ->
                {
                    final SplittableRandom random = new SplittableRandom(thread * 7919L + total);
                    final UnsafeBuffer value = new UnsafeBuffer(new byte[MAX_VALUE]);
                    final MutationResult result = new MutationResult();
                    start.await();
                    long written = 0;
                    int i = 0;
                    while (written < total / THREADS)
                    {
                        final UnsafeBuffer key = StoreFixture.buffer("t" + thread + "-" + random.nextInt(2000) + "-" + i++);
                        final int length = 1 + random.nextInt(MAX_VALUE);
                        final StoreResult outcome = store.store(
                            StoreMode.SET, key, 0, key.capacity(), 0, 0, value, 0, length, Store.NO_CAS, Store.NO_CAS,
                            result);
                        if (outcome == StoreResult.NO_MEMORY)
                        {
                            noMemory.incrementAndGet();
                        }
                        if ((i & 255) == 0)
                        {
                            maxBytes.accumulateAndGet(store.stats().bytes, Math::max);
                        }
                        written += length;
                    }
                    return null;
                }));
            }
            for (final Future<?> future : futures)
            {
                future.get(50, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }
}
