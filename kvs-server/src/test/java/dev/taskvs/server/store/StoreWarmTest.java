package dev.taskvs.server.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.taskvs.server.store.StoreResult.STORED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Store#bucketOf}, {@link Store#warmBucket} and {@link Store#warmItem}: hints that lead to the item a get will
 * find.
 */
class StoreWarmTest
{
    @Test
    void shouldLeadFromAKeysBucketToTheItemAGetFinds()
    {
        try (StoreFixture fx = new StoreFixture())
        {
            assertEquals(STORED, fx.set("warm:key", "value"));
            // The key where a request has it, in a larger buffer at an offset.
            final UnsafeBuffer request = StoreFixture.buffer("get warm:key\r\n");
            final long[] seen = new long[1];
            assertTrue(fx.store.get(request, 4, 8, null, item -> seen[0] = item));
            // One key in an empty store: the bucket holds that item alone.
            assertEquals(seen[0], warm(fx, request, 4, 8));
        }
    }

    @Test
    void shouldGiveNothingToLoadForAnEmptyBucketABadKeyOrAClosedStore()
    {
        final StoreFixture fx = new StoreFixture();
        final UnsafeBuffer key = StoreFixture.buffer("absent");
        assertEquals(0, warm(fx, key, 0, 6), "empty store: empty bucket");
        assertEquals(0, warm(fx, key, 0, 0), "empty key");
        assertEquals(0, warm(fx, key, 0, -1), "negative length");
        assertEquals(0, fx.store.warmItem(0));
        assertEquals(0, fx.store.warmBucket(0), "no bucket: nothing read");
        fx.set("absent", "now present");
        assertNotEquals(0, warm(fx, key, 0, 6));
        fx.close();
        assertEquals(0, fx.store.bucketOf(key, 0, 6), "a closed store's table is gone: no bucket to read");
    }

    @Test
    void shouldWarmItemsOfEverySizeFromTheSmallest()
    {
        // Items of 73 bytes and up: warmItem reads only inside each (the allocator may end a mapping right after
        // one). The sum is the bytes it read, each checked against the item's own first, header-end and last byte.
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(256L << 20, 4)))
        {
            for (int i = 0; i < 20_000; i++)
            {
                final String key = Integer.toString(i, 36);
                final String value = "v".repeat(i % 200);
                assertEquals(STORED, fx.set(key, value));
                final UnsafeBuffer k = StoreFixture.buffer(key);
                final long[] item = new long[1];
                assertTrue(fx.store.get(k, 0, k.capacity(), null, found -> item[0] = found));
                final long expected = org.agrona.UnsafeApi.getByte(item[0]) +
                    org.agrona.UnsafeApi.getByte(item[0] + Item.HEADER_LENGTH - 1) +
                    org.agrona.UnsafeApi.getByte(item[0] + Item.totalLength(item[0]) - 1);
                assertEquals(expected, fx.store.warmItem(item[0]), key);
                assertEquals('v', i % 200 == 0 ? 'v' : org.agrona.UnsafeApi.getByte(
                    item[0] + Item.totalLength(item[0]) - 1), "the last byte read is the value's last");
            }
        }
    }

    @Test
    void shouldFollowTheTableAsItGrows()
    {
        try (StoreFixture fx = new StoreFixture(StoreFixture.config(64L << 20, 1)))
        {
            final int keys = Segment.MIN_BUCKETS * 4; // several doublings of the one segment's table
            for (int i = 0; i < keys; i++)
            {
                assertEquals(STORED, fx.set("k" + i, "v"));
            }
            for (int i = 0; i < keys; i += 97)
            {
                final UnsafeBuffer key = StoreFixture.buffer("k" + i);
                assertNotEquals(0, warm(fx, key, 0, key.capacity()), "k" + i + " is in its bucket's chain");
            }
        }
    }

    /** The first two passes for one key: its bucket's first item. */
    private static long warm(final StoreFixture fx, final UnsafeBuffer key, final int offset, final int length)
    {
        return fx.store.warmBucket(fx.store.bucketOf(key, offset, length));
    }
}
