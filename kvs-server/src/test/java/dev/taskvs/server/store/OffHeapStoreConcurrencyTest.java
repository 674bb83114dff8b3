package dev.taskvs.server.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.taskvs.server.store.StoreResult.EXISTS;
import static dev.taskvs.server.store.StoreResult.STORED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several threads on one store: no lost update, no double count, and memory accounting that adds up. */
class OffHeapStoreConcurrencyTest
{
    private static final int THREADS = 4;
    private static final int KEYS = 8;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCountEveryIncrementAndEverySuccessfulCasExactlyOnce() throws Exception
    {
        final int opsPerThread = 20_000;
        // Few segments so that the keys share locks and the CAS retries really race.
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(64L << 20, 4), new ManualStoreClock()))
        {
            final UnsafeBuffer[] keys = new UnsafeBuffer[KEYS];
            final MutationResult setup = new MutationResult();
            for (int k = 0; k < KEYS; k++)
            {
                keys[k] = StoreFixture.buffer("counter-" + k);
                final UnsafeBuffer zero = StoreFixture.buffer("0");
                store.store(StoreMode.SET, keys[k], 0, keys[k].capacity(), 0, 0, zero, 0, 1, Store.NO_CAS,
                    Store.NO_CAS, setup);
            }

            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Callable<long[]>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                workers.add(() ->
                {
                    final long[] counted = new long[KEYS];
                    final MutationResult result = new MutationResult();
                    final UnsafeBuffer newValue = new UnsafeBuffer(new byte[32]);
                    final long[] seen = new long[2];
                    final ItemHandler readCounter = (item) ->
                    {
                        seen[0] = parseDigits(item);
                        seen[1] = Item.cas(item);
                    };
                    start.await();
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        final int k = (i * 7 + thread) % KEYS;
                        final UnsafeBuffer key = keys[k];
                        if ((i & 1) == 0)
                        {
                            assertEquals(STORED, store.incrDecr(
                                key, 0, key.capacity(), true, 1, false, 0, 0, Store.NO_CAS, result));
                        }
                        else
                        {
                            StoreResult outcome;
                            do
                            {
                                assertTrue(store.get(key, 0, key.capacity(), null, readCounter));
                                final int length = newValue.putNaturalLongAscii(0, seen[0] + 1);
                                outcome = store.store(StoreMode.CAS, key, 0, key.capacity(), 0, 0, newValue, 0,
                                    length, seen[1], Store.NO_CAS, result);
                            }
                            while (outcome == EXISTS);
                            assertEquals(STORED, outcome);
                        }
                        counted[k]++;
                    }
                    return counted;
                });
            }

            final long[] expected = new long[KEYS];
            final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            try
            {
                for (final Future<long[]> future : executor.invokeAll(workers))
                {
                    final long[] counted = future.get();
                    for (int k = 0; k < KEYS; k++)
                    {
                        expected[k] += counted[k];
                    }
                }
            }
            finally
            {
                executor.shutdownNow();
            }

            long total = 0;
            for (int k = 0; k < KEYS; k++)
            {
                final long[] value = new long[1];
                assertTrue(store.get(keys[k], 0, keys[k].capacity(), null, (item) -> value[0] = parseDigits(item)));
                assertEquals(expected[k], value[0], "counter-" + k);
                total += value[0];
            }
            assertEquals((long)THREADS * opsPerThread, total);

            final StoreStats stats = store.stats();
            assertEquals(KEYS, stats.currItems);
            assertEquals(store.verifyIntegrity(), stats.bytes);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLetExactlyOneOfRacingCasCommandsWin() throws Exception
    {
        try (OffHeapStore store = new OffHeapStore(new StoreConfig(), new ManualStoreClock()))
        {
            final UnsafeBuffer key = StoreFixture.buffer("contended");
            final MutationResult setup = new MutationResult();
            for (int round = 0; round < 200; round++)
            {
                final UnsafeBuffer initial = StoreFixture.buffer("initial");
                store.store(StoreMode.SET, key, 0, key.capacity(), 0, 0, initial, 0, initial.capacity(), Store.NO_CAS,
                    Store.NO_CAS, setup);
                final long cas = setup.cas;
                final CyclicBarrier start = new CyclicBarrier(THREADS);
                final List<Callable<StoreResult>> racers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final UnsafeBuffer value = StoreFixture.buffer("winner-" + t);
                    racers.add(() ->
                    {
                        start.await();
                        return store.store(StoreMode.CAS, key, 0, key.capacity(), 0, 0, value, 0, value.capacity(),
                            cas, Store.NO_CAS, new MutationResult());
                    });
                }
                final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
                int winners = 0;
                try
                {
                    for (final Future<StoreResult> future : executor.invokeAll(racers))
                    {
                        final StoreResult outcome = future.get();
                        assertTrue(outcome == STORED || outcome == EXISTS, outcome.toString());
                        winners += outcome == STORED ? 1 : 0;
                    }
                }
                finally
                {
                    executor.shutdownNow();
                }
                assertEquals(1, winners, "round " + round);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepMemoryBoundedAndItemsIntactUnderConcurrentEviction() throws Exception
    {
        final long limit = 1 << 20;
        final int keySpace = 5_000;
        final int opsPerThread = 30_000;
        try (OffHeapStore store = new OffHeapStore(StoreFixture.config(limit, 16), new ManualStoreClock()))
        {
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Callable<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int seed = t;
                workers.add(() ->
                {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final MutationResult result = new MutationResult();
                    final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
                    final UnsafeBuffer value = new UnsafeBuffer(new byte[200 * 1024]);
                    final ItemHandler check = OffHeapStoreConcurrencyTest::assertValueMatchesKey;
                    int misses = 0;
                    start.await();
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        final int k = random.nextInt(keySpace);
                        final int keyLength = key.putNaturalIntAscii(0, k);
                        final int op = random.nextInt(10);
                        if (op < 5)
                        {
                            if (!store.get(key, 0, keyLength, null, check))
                            {
                                misses++;
                            }
                        }
                        else if (op < 9)
                        {
                            // Mostly small values; now and then one big enough to sweep other segments.
                            final int length = random.nextInt(100) == 0 ?
                                random.nextInt(50_000, 200_000) : random.nextInt(100, 3_000);
                            value.setMemory(0, length, fillByte(k));
                            final StoreResult outcome = store.store(StoreMode.SET, key, 0, keyLength, k, 0, value, 0,
                                length, Store.NO_CAS, Store.NO_CAS, result);
                            assertTrue(outcome == STORED || outcome == StoreResult.NO_MEMORY, outcome.toString());
                        }
                        else
                        {
                            store.delete(key, 0, keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result);
                        }
                    }
                    return misses;
                });
            }
            final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            try
            {
                for (final Future<Integer> future : executor.invokeAll(workers))
                {
                    future.get();
                }
            }
            finally
            {
                executor.shutdownNow();
            }

            final StoreStats stats = store.stats();
            assertTrue(stats.bytes <= limit, "bytes " + stats.bytes + " over the limit " + limit);
            assertTrue(stats.evictions > 0);
            assertEquals(store.verifyIntegrity(), stats.bytes);
            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            for (int k = 0; k < keySpace; k++)
            {
                final int keyLength = key.putNaturalIntAscii(0, k);
                store.get(key, 0, keyLength, null, OffHeapStoreConcurrencyTest::assertValueMatchesKey);
            }
        }
    }

    private static byte fillByte(final int key)
    {
        return (byte)('a' + key % 26);
    }

    /** Every value was written as its key's fill byte throughout, with the key in the client flags. */
    private static void assertValueMatchesKey(final long item)
    {
        final int key = Item.clientFlags(item);
        final byte expected = fillByte(key);
        final UnsafeBuffer value = new UnsafeBuffer(Item.valueAddress(item), Item.valueLength(item));
        for (int i = 0; i < value.capacity(); i++)
        {
            if (value.getByte(i) != expected)
            {
                throw new AssertionError("key " + key + ": byte " + i + " is " + value.getByte(i));
            }
        }
        final UnsafeBuffer keyBytes = new UnsafeBuffer(Item.keyAddress(item), Item.keyLength(item));
        if (keyBytes.parseNaturalIntAscii(0, keyBytes.capacity()) != key)
        {
            throw new AssertionError("item of key " + key + " has key bytes of another");
        }
    }

    /** The counter's digits; incr may leave trailing spaces, which end the number. */
    private static long parseDigits(final long item)
    {
        final long address = Item.valueAddress(item);
        final UnsafeBuffer value = new UnsafeBuffer(address, Item.valueLength(item));
        long number = 0;
        for (int i = 0; i < value.capacity() && value.getByte(i) != ' '; i++)
        {
            number = number * 10 + (value.getByte(i) - '0');
        }
        return number;
    }
}
