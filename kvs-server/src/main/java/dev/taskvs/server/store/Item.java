package dev.taskvs.server.store;

import org.agrona.UnsafeApi;

/**
 * Static accessors for an item in off-heap memory, given its address (as handed to {@link ItemHandler}).
 * The layout is the store's business; callers use only the public methods.
 * <p>
 * API contract (implemented by the store): keyAddress, keyLength, valueAddress, valueLength, clientFlags,
 * cas, exptime (server time from {@link StoreClock#now()}, 0 = never).
 * <p>
 * Layout, native byte order, one {@code malloc} block per item (so 8-byte aligned):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Hash chain next (address)                   |  0
 *  +---------------------------------------------------------------+
 *  |                LRU newer neighbour (address)                  |  8
 *  +---------------------------------------------------------------+
 *  |                LRU older neighbour (address)                  | 16
 *  +---------------------------------------------------------------+
 *  |                      CAS unique (visible)                     | 24
 *  +---------------------------------------------------------------+
 *  |              Store sequence (flush_all watermark)             | 32
 *  +---------------------------------------------------------------+
 *  |          LRU stamp (store sequence when linked at head)       | 40
 *  +-------------------------------+-------------------------------+
 *  |          Key hash             |     Exptime (server time)     | 48
 *  +-------------------------------+-------------------------------+
 *  |    Last access (server time)  |         Client flags          | 56
 *  +-------------------------------+---------------+-------+-------+
 *  |         Value length          |  Key length   | Bits  | spare | 64
 *  +-------------------------------+---------------+-------+-------+
 *  |                    Key, then value ...                        | 72
 * </pre>
 * The visible CAS and the store sequence are kept apart because meta {@code E} and {@code -C} change the former,
 * while flush_all and LRU sampling need a number that only ever grows.
 */
public final class Item
{
    static final int HASH_NEXT_OFFSET = 0;
    static final int LRU_NEWER_OFFSET = 8;
    static final int LRU_OLDER_OFFSET = 16;
    static final int CAS_OFFSET = 24;
    static final int SEQUENCE_OFFSET = 32;
    static final int LRU_STAMP_OFFSET = 40;
    static final int HASH_OFFSET = 48;
    static final int EXPTIME_OFFSET = 52;
    static final int LAST_ACCESS_OFFSET = 56;
    static final int CLIENT_FLAGS_OFFSET = 60;
    static final int VALUE_LENGTH_OFFSET = 64;
    static final int KEY_LENGTH_OFFSET = 68;
    static final int BITS_OFFSET = 70;

    /** Bytes before the key; counted in every item's size, as memcached counts its item header. */
    public static final int HEADER_LENGTH = 72;

    /** Longest key the layout can hold (the protocols allow far less: 250). */
    public static final int MAX_KEY_LENGTH = 0xFFFF;

    /** Read at least once (memcached ITEM_FETCHED; meta h, evicted_unfetched). */
    static final int FETCHED = 1;
    /** Read since it was last placed at the LRU head: gets a second chance instead of being evicted. */
    static final int ACTIVE = 2;
    /** Marked stale by md I (meta X). */
    static final int STALE = 4;
    /** A win token (meta W) was handed out for this item. */
    static final int WIN_SENT = 8;

    private Item()
    {
    }

    public static long keyAddress(final long item)
    {
        return item + HEADER_LENGTH;
    }

    public static int keyLength(final long item)
    {
        return UnsafeApi.getShort(item + KEY_LENGTH_OFFSET) & 0xFFFF;
    }

    public static long valueAddress(final long item)
    {
        return item + HEADER_LENGTH + keyLength(item);
    }

    public static int valueLength(final long item)
    {
        return UnsafeApi.getInt(item + VALUE_LENGTH_OFFSET);
    }

    /** The 32-bit client flags as stored; read as unsigned ({@link Integer#toUnsignedLong}) for the wire. */
    public static int clientFlags(final long item)
    {
        return UnsafeApi.getInt(item + CLIENT_FLAGS_OFFSET);
    }

    /** CAS unique; 0 when the store runs with CAS disabled (-C). */
    public static long cas(final long item)
    {
        return UnsafeApi.getLong(item + CAS_OFFSET);
    }

    /** Expiry in server time ({@link StoreClock#now()}), 0 = never. */
    public static int exptime(final long item)
    {
        return UnsafeApi.getInt(item + EXPTIME_OFFSET);
    }

    /** Server time of the last store or (bumping) read. */
    public static int lastAccess(final long item)
    {
        return UnsafeApi.getInt(item + LAST_ACCESS_OFFSET);
    }

    public static boolean isFetched(final long item)
    {
        return (bits(item) & FETCHED) != 0;
    }

    public static boolean isStale(final long item)
    {
        return (bits(item) & STALE) != 0;
    }

    /** Header, key and value: what the item counts against the memory limit. */
    public static long totalLength(final long item)
    {
        return (long)HEADER_LENGTH + keyLength(item) + valueLength(item);
    }

    static int bits(final long item)
    {
        return UnsafeApi.getByte(item + BITS_OFFSET);
    }

    static void bits(final long item, final int bits)
    {
        UnsafeApi.putByte(item + BITS_OFFSET, (byte)bits);
    }

    static int hash(final long item)
    {
        return UnsafeApi.getInt(item + HASH_OFFSET);
    }

    static long sequence(final long item)
    {
        return UnsafeApi.getLong(item + SEQUENCE_OFFSET);
    }

    static long lruStamp(final long item)
    {
        return UnsafeApi.getLong(item + LRU_STAMP_OFFSET);
    }

    static void lruStamp(final long item, final long stamp)
    {
        UnsafeApi.putLong(item + LRU_STAMP_OFFSET, stamp);
    }

    static void exptime(final long item, final int exptime)
    {
        UnsafeApi.putInt(item + EXPTIME_OFFSET, exptime);
    }

    static void lastAccess(final long item, final int now)
    {
        UnsafeApi.putInt(item + LAST_ACCESS_OFFSET, now);
    }

    static long hashNext(final long item)
    {
        return UnsafeApi.getLong(item + HASH_NEXT_OFFSET);
    }

    static void hashNext(final long item, final long next)
    {
        UnsafeApi.putLong(item + HASH_NEXT_OFFSET, next);
    }

    static long newer(final long item)
    {
        return UnsafeApi.getLong(item + LRU_NEWER_OFFSET);
    }

    static void newer(final long item, final long newer)
    {
        UnsafeApi.putLong(item + LRU_NEWER_OFFSET, newer);
    }

    static long older(final long item)
    {
        return UnsafeApi.getLong(item + LRU_OLDER_OFFSET);
    }

    static void older(final long item, final long older)
    {
        UnsafeApi.putLong(item + LRU_OLDER_OFFSET, older);
    }

    /**
     * Fills a fresh header. The LRU and hash links are set when the segment links the item.
     *
     * @param cas      the visible CAS (0 with -C, or the meta E value).
     * @param sequence the store sequence this store was given; also the initial LRU stamp.
     */
    static void initHeader(
        final long item,
        final int hash,
        final int keyLength,
        final int valueLength,
        final int clientFlags,
        final int exptime,
        final long cas,
        final long sequence,
        final int now)
    {
        UnsafeApi.putLong(item + HASH_NEXT_OFFSET, 0);
        UnsafeApi.putLong(item + LRU_NEWER_OFFSET, 0);
        UnsafeApi.putLong(item + LRU_OLDER_OFFSET, 0);
        UnsafeApi.putInt(item + HASH_OFFSET, hash);
        UnsafeApi.putShort(item + KEY_LENGTH_OFFSET, (short)keyLength);
        UnsafeApi.putInt(item + VALUE_LENGTH_OFFSET, valueLength);
        UnsafeApi.putByte(item + BITS_OFFSET + 1, (byte)0);
        restamp(item, clientFlags, exptime, cas, sequence, now);
    }

    /** Rewrites the per-store fields of a header whose key and sizes stay (a same-size set done in place). */
    static void restamp(
        final long item, final int clientFlags, final int exptime, final long cas, final long sequence, final int now)
    {
        UnsafeApi.putLong(item + CAS_OFFSET, cas);
        UnsafeApi.putLong(item + SEQUENCE_OFFSET, sequence);
        UnsafeApi.putLong(item + LRU_STAMP_OFFSET, sequence);
        UnsafeApi.putInt(item + EXPTIME_OFFSET, exptime);
        UnsafeApi.putInt(item + LAST_ACCESS_OFFSET, now);
        UnsafeApi.putInt(item + CLIENT_FLAGS_OFFSET, clientFlags);
        UnsafeApi.putByte(item + BITS_OFFSET, (byte)0);
    }

    /** A new CAS and store sequence for a mutation that keeps the item (incr in place, md I). */
    static void resequence(final long item, final long cas, final long sequence)
    {
        UnsafeApi.putLong(item + CAS_OFFSET, cas);
        UnsafeApi.putLong(item + SEQUENCE_OFFSET, sequence);
    }
}
