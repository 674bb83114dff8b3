package dev.taskvs.server.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.taskvs.server.store.StoreResult.NOT_STORED;
import static dev.taskvs.server.store.StoreResult.NO_MEMORY;
import static dev.taskvs.server.store.StoreResult.STORED;
import static dev.taskvs.server.store.StoreResult.TOO_LARGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The -m bound, LRU eviction across segments, the -I item size limit and -M. */
class OffHeapStoreMemoryTest
{
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    @Test
    void shouldStayWithinLimitAndEvictLeastRecentWhenWritingTwiceTheLimit()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(4 * MIB, 64)))
        {
            final SplittableRandom random = new SplittableRandom(42);
            final List<String> keys = new ArrayList<>();
            final List<Long> writtenBefore = new ArrayList<>();
            long written = 0;
            while (written < 8 * MIB)
            {
                final String key = "key:" + keys.size();
                final int length = random.nextInt(KIB, 4 * KIB + 1);
                assertEquals(STORED, fx.set(key, "v".repeat(length)));
                keys.add(key);
                writtenBefore.add(written);
                written += Item.HEADER_LENGTH + key.length() + length;
                assertTrue(fx.store.stats().bytes <= 4 * MIB);
            }

            final StoreStats stats = fx.store.stats();
            assertTrue(stats.bytes <= 4 * MIB, "bytes " + stats.bytes);
            assertTrue(stats.bytes > 4 * MIB - 8 * KIB, "memory is used up to the limit, bytes " + stats.bytes);
            assertEquals(keys.size(), stats.evictions + stats.currItems);
            assertEquals(stats.evictions, stats.evictedUnfetched, "nothing was read");
            assertEquals(fx.store.verifyIntegrity(), stats.bytes);

            for (int i = 0; i < keys.size(); i++)
            {
                final long age = written - writtenBefore.get(i);
                // With 64 segments the sampled LRU cuts within about 0.4 MiB of where one global LRU would (4 MiB).
                if (age <= 3 * MIB)
                {
                    assertNotNull(fx.get(keys.get(i)), "recent " + keys.get(i) + " written " + age + " bytes ago");
                }
                else if (age > 5 * MIB)
                {
                    assertNull(fx.get(keys.get(i)), "old " + keys.get(i) + " written " + age + " bytes ago");
                }
            }
        }
    }

    @Test
    void shouldGiveItemsReadSinceStoredASecondChance()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(64 * KIB, 1)))
        {
            final String value = "x".repeat(1000);
            for (int i = 0; i < 50; i++)
            {
                fx.set("k" + i, value);
            }
            assertEquals(value, fx.get("k0"));
            for (int i = 50; i < 70; i++)
            {
                fx.set("k" + i, value);
            }
            assertEquals(value, fx.get("k0"), "read, so moved to the head instead of evicted");
            assertNull(fx.get("k1"));
            assertTrue(fx.store.stats().evictions > 0);
        }
    }

    @Test
    void shouldStoreLargeItemBySweepingOtherSegments()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(2 * MIB, 64)))
        {
            for (int i = 0; fx.store.stats().evictions == 0; i++)
            {
                fx.set("small-" + i, "s".repeat(1000));
            }
            final byte[] large = new byte[1_000_000];
            Arrays.fill(large, (byte)'L');
            large[0] = 'F';
            large[large.length - 1] = 'E';

            assertEquals(STORED, fx.storeBytes("large-1", large));
            assertArrayEquals(large, fx.get("large-1").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertEquals(STORED, fx.storeBytes("large-2", large));
            assertNotNull(fx.get("large-2"));

            final StoreStats stats = fx.store.stats();
            assertTrue(stats.bytes <= 2 * MIB);
            assertEquals(fx.store.verifyIntegrity(), stats.bytes);
        }
    }

    @Test
    void shouldStoreItemUpToItemSizeMaxLikeMemcached()
    {
        try (StoreFixture fx = new StoreFixture())
        {
            assertEquals(STORED, fx.storeBytes("k", new byte[1_048_000]));
            assertEquals(1_048_000, fx.get("k").length());
            assertEquals(TOO_LARGE, fx.storeBytes("k2", new byte[1_048_576]));
            assertEquals(STORED, fx.storeBytes("exact", new byte[fx.store.maxValueLength(5)]));
            assertEquals(TOO_LARGE, fx.storeBytes("exact", new byte[fx.store.maxValueLength(5) + 1]));
        }
    }

    @Test
    void shouldDropOldValueOnTooLargeSetButNotOnOtherModes()
    {
        try (StoreFixture fx = new StoreFixture())
        {
            final String tooLarge = "x".repeat(MIB);
            fx.set("k", "old");
            assertEquals(TOO_LARGE, fx.store(StoreMode.REPLACE, "k", tooLarge, 0, 0, Store.NO_CAS));
            assertEquals("old", fx.get("k"));
            assertEquals(TOO_LARGE, fx.store(StoreMode.ADD, "k", tooLarge, 0, 0, Store.NO_CAS));
            assertEquals("old", fx.get("k"));
            assertEquals(TOO_LARGE, fx.set("k", tooLarge));
            assertNull(fx.get("k"), "memcached drops the old value so stale data does not persist");
        }
    }

    @Test
    void shouldRefuseAppendBeyondItemSizeMax()
    {
        try (StoreFixture fx = new StoreFixture())
        {
            final String half = "x".repeat(600 * KIB);
            fx.set("k", half);
            assertEquals(NOT_STORED, fx.store(StoreMode.APPEND, "k", half, 0, 0, Store.NO_CAS));
            assertEquals(half, fx.get("k"));
        }
    }

    @Test
    void shouldAnswerNoMemoryInsteadOfEvictingWhenEvictionDisabled()
    {
        final StoreConfig config = StoreFixture.config(64 * KIB, 4);
        config.evictionDisabled = true;
        try (StoreFixture fx = new StoreFixture(config))
        {
            final String value = "x".repeat(1000);
            int stored = 0;
            while (fx.set("k" + stored, value) == STORED)
            {
                stored++;
            }
            assertEquals(NO_MEMORY, fx.set("k" + stored, value));
            for (int i = 0; i < stored; i++)
            {
                assertEquals(value, fx.get("k" + i));
            }
            final StoreStats stats = fx.store.stats();
            assertEquals(0, stats.evictions);
            assertTrue(stats.outOfMemory >= 2);
            assertEquals(stored, stats.currItems);

            assertEquals(STORED, fx.set("k0", value.replace('x', 'y')), "same size needs no new memory");
            assertEquals(NO_MEMORY, fx.set("k0", value + value));
            assertNull(fx.get("k0"), "a failed set drops the old value, as memcached does");
        }
    }

    @Test
    void shouldStillReclaimExpiredItemsWhenEvictionDisabled()
    {
        final StoreConfig config = StoreFixture.config(64 * KIB, 1);
        config.evictionDisabled = true;
        try (StoreFixture fx = new StoreFixture(config))
        {
            final String value = "x".repeat(1000);
            int stored = 0;
            while (fx.set("k" + stored, value, 0, 10) == STORED)
            {
                stored++;
            }
            fx.clock.advance(10);
            assertEquals(STORED, fx.set("fresh", value));
            assertEquals(1, fx.store.stats().reclaimed);
        }
    }

    @Test
    void shouldRefuseItemLargerThanTheWholeMemoryLimit()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(64 * KIB, 1)))
        {
            fx.set("small", "v");
            assertEquals(NO_MEMORY, fx.storeBytes("big", new byte[100 * KIB]));
            assertEquals("v", fx.get("small"), "nothing was evicted for an item that can never fit");
        }
    }

    @Test
    void shouldReportHashTableLikeMemcachedDefaults()
    {
        try (StoreFixture fx = new StoreFixture())
        {
            final StoreStats stats = fx.store.stats();
            assertEquals(16, stats.hashPowerLevel);
            assertEquals(524_288, stats.hashBytes);
            assertEquals(64 * MIB, stats.limitMaxBytes);
        }
    }

    @Test
    void shouldGrowHashTableAndKeepEveryItemReachable()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(64 * MIB, 2)))
        {
            for (int i = 0; i < 200_000; i++)
            {
                fx.set("key-" + i, "v");
            }
            final StoreStats stats = fx.store.stats();
            assertTrue(stats.hashPowerLevel > 16, "hash power " + stats.hashPowerLevel);
            assertEquals(200_000, stats.currItems);
            assertEquals(stats.bytes, fx.store.verifyIntegrity());
            for (int i = 0; i < 200_000; i += 997)
            {
                assertEquals("v", fx.get("key-" + i));
            }
        }
    }

    @Test
    void shouldResetCountersButNotGauges()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(16 * KIB, 1)))
        {
            for (int i = 0; i < 40; i++)
            {
                fx.set("k" + i, "x".repeat(1000));
            }
            assertTrue(fx.store.stats().evictions > 0);
            fx.store.resetStats();
            final StoreStats stats = fx.store.stats();
            assertEquals(0, stats.evictions);
            assertEquals(0, stats.totalItems);
            assertTrue(stats.currItems > 0);
            assertTrue(stats.bytes > 0);
        }
    }
}
