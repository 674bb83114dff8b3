package dev.taskvs.server.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.taskvs.server.store.StoreResult.NOT_FOUND;
import static dev.taskvs.server.store.StoreResult.NOT_STORED;
import static dev.taskvs.server.store.StoreResult.STORED;
import static dev.taskvs.server.store.StoreResult.TOUCHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** memcached's exptime rules (protocol.txt "Expiration times") and flush_all's oldest_live semantics. */
class OffHeapStoreExpiryTest
{
    private static final int THIRTY_DAYS = 60 * 60 * 24 * 30;

    private final StoreFixture fx = new StoreFixture();

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldExpireRelativeTimeAfterThatManySeconds()
    {
        fx.set("k", "v", 0, 10);
        fx.clock.advance(9);
        assertEquals("v", fx.get("k"));
        fx.clock.advance(1);
        assertNull(fx.get("k"));
        assertEquals(1, fx.store.stats().getExpired);
        assertEquals(0, fx.store.stats().currItems, "an expired item is dropped when found");
        assertEquals(0, fx.store.stats().bytes);
    }

    @Test
    void shouldTreatThirtyDaysAsRelativeAndMoreAsAbsoluteUnixTime()
    {
        fx.set("relative", "v", 0, THIRTY_DAYS);
        fx.get("relative");
        assertEquals(fx.clock.now() + THIRTY_DAYS, fx.lastExptime);

        final long absolute = fx.clock.unixNow() + 100;
        fx.set("absolute", "v", 0, (int)absolute);
        fx.clock.advance(99);
        assertEquals("v", fx.get("absolute"));
        fx.clock.advance(1);
        assertNull(fx.get("absolute"));
    }

    @Test
    void shouldStoreButNeverReturnItemsWithPastAbsoluteOrNegativeExptime()
    {
        assertEquals(STORED, fx.set("past", "v", 0, THIRTY_DAYS + 1));
        assertNull(fx.get("past"));
        assertEquals(STORED, fx.set("start", "v", 0, (int)fx.clock.processStartUnixSeconds()));
        assertNull(fx.get("start"));
        assertEquals(STORED, fx.set("negative", "v", 0, -1));
        assertNull(fx.get("negative"));
        assertEquals(3, fx.store.stats().getExpired);
    }

    @Test
    void shouldNeverExpireWithZero()
    {
        fx.set("k", "v", 0, 0);
        fx.clock.advance(10 * 365 * 24 * 3600);
        assertEquals("v", fx.get("k"));
    }

    @Test
    void shouldTreatExpiredItemsAsMissingForEveryCommand()
    {
        fx.set("k", "1", 0, 5);
        fx.clock.advance(5);
        assertEquals(NOT_FOUND, fx.touch("k", 100));
        assertEquals(NOT_FOUND, fx.incr("k", 1));
        assertEquals(NOT_FOUND, fx.delete("k"));
        assertEquals(NOT_STORED, fx.store(StoreMode.REPLACE, "k", "x", 0, 0, Store.NO_CAS));
        assertEquals(STORED, fx.store(StoreMode.ADD, "k", "x", 0, 0, Store.NO_CAS));
        assertEquals("x", fx.get("k"));
    }

    @Test
    void shouldExtendAndShortenLifeWithTouch()
    {
        fx.set("k", "v", 0, 5);
        assertEquals(TOUCHED, fx.touch("k", 100));
        fx.clock.advance(50);
        assertEquals("v", fx.get("k"));
        assertEquals(TOUCHED, fx.touch("k", -1));
        assertNull(fx.get("k"));
    }

    @Test
    void shouldFlushEverythingStoredBeforeButNotAfterInTheSameSecond()
    {
        fx.set("a", "1");
        fx.set("b", "2");
        fx.store.flushAll(0);
        fx.set("c", "3");
        assertNull(fx.get("a"));
        assertNull(fx.get("b"));
        assertEquals("3", fx.get("c"));
        assertEquals(2, fx.store.stats().getFlushed);
        assertEquals(NOT_STORED, fx.store(StoreMode.APPEND, "a", "x", 0, 0, Store.NO_CAS));
        assertEquals(STORED, fx.store(StoreMode.ADD, "b", "new", 0, 0, Store.NO_CAS));
        assertEquals("new", fx.get("b"));
    }

    @Test
    void shouldFlushWithNegativeDelayImmediately()
    {
        fx.set("a", "1");
        fx.store.flushAll(-1);
        assertNull(fx.get("a"));
    }

    @Test
    void shouldFlushItemsStoredBeforeTheDelayOnceItComes()
    {
        fx.set("early", "1");
        fx.store.flushAll(10);
        fx.clock.advance(9);
        fx.set("late", "2");
        assertEquals("1", fx.get("early"));
        assertEquals("2", fx.get("late"));
        fx.clock.advance(1);
        fx.set("after", "3");
        assertNull(fx.get("early"));
        assertNull(fx.get("late"));
        assertEquals("3", fx.get("after"));
        fx.clock.advance(100);
        assertEquals("3", fx.get("after"), "the delayed flush fires once");
    }

    @Test
    void shouldLetLaterFlushReplaceAPendingOne()
    {
        fx.set("k", "1");
        fx.store.flushAll(10);
        fx.store.flushAll(100);
        fx.clock.advance(10);
        assertEquals("1", fx.get("k"));
        fx.clock.advance(90);
        assertNull(fx.get("k"));
    }

    @Test
    void shouldReclaimExpiredItemsBeforeEvictingLiveOnes()
    {
        final int segments = 1;
        try (StoreFixture small = new StoreFixture(StoreFixture.config(64 * 1024, segments)))
        {
            final String value = "x".repeat(1000);
            for (int i = 0; i < 20; i++)
            {
                small.set("short-" + i, value, 0, 5);
            }
            for (int i = 0; i < 40; i++)
            {
                small.set("long-" + i, value);
            }
            small.clock.advance(5);
            for (int i = 40; i < 60; i++)
            {
                small.set("long-" + i, value);
            }
            final StoreStats stats = small.store.stats();
            assertEquals(20, stats.reclaimed);
            assertEquals(20, stats.expiredUnfetched);
            assertEquals(0, stats.evictions);
            for (int i = 0; i < 60; i++)
            {
                assertEquals(value, small.get("long-" + i), "long-" + i);
            }
            assertTrue(stats.bytes <= 64 * 1024);
        }
    }

    @Test
    void shouldReclaimFlushedItemsWhenMemoryIsNeeded()
    {
        try (StoreFixture small = new StoreFixture(StoreFixture.config(64 * 1024, 1)))
        {
            final String value = "x".repeat(1000);
            for (int i = 0; i < 60; i++)
            {
                small.set("old-" + i, value);
            }
            small.store.flushAll(0);
            for (int i = 0; i < 60; i++)
            {
                small.set("new-" + i, value);
            }
            final StoreStats stats = small.store.stats();
            assertEquals(0, stats.evictions);
            assertTrue(stats.reclaimed > 0);
            assertEquals(small.store.verifyIntegrity(), stats.bytes);
        }
    }
}
