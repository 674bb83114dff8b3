package dev.taskvs.server.store;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The item store: items in off-heap memory, indexed and ordered per lock stripe, bounded by -m.
 *
 * <h2>Memory</h2>
 * Each item is one {@code malloc} block (header, key, value; see {@link Item}) and the memory limit is enforced on
 * the sum of those sizes with a global reservation counter: a store first reserves its bytes (evicting until the
 * reservation fits), then allocates. The C allocator, not a slab allocator of our own, because it gives exact
 * accounting for any size with no slab calcification: memcached needs a slab mover thread and automove policies
 * to keep its classes from starving each other, while glibc's per-thread arenas already scale allocation across
 * workers. The cost (allocator overhead outside the limit, some fragmentation) is bounded and visible in RSS;
 * a set whose item keeps its size (the common cache refresh) is rewritten in place and does not allocate at all.
 *
 * <h2>Locking</h2>
 * {@link Segment}s are lock stripes chosen by hash bits the bucket index does not use. Every operation holds
 * exactly one segment lock, except eviction, which may take a second one with {@code tryLock} only, so two
 * threads evicting from each other's segments never deadlock; a failed tryLock falls back to the own segment.
 * When that fails because the other segments are held (writers racing for a full cache), the writer does not spin
 * on its own lock: it releases it, evicts holding no lock (taking each victim's lock in turn, blocking, which
 * cannot deadlock since nothing else is held), reserves the room it needs, and repeats the operation with that
 * reservation. So a store answers NO_MEMORY only when nothing anywhere can be freed, never because of contention.
 * Reads hold the lock too (they update the item's access bits), which is what lets a same-size set overwrite in
 * place and lets {@link ItemHandler} read without reference counts.
 *
 * <h2>Eviction</h2>
 * Each segment keeps an LRU list in insertion order; a hit only sets the item's ACTIVE bit (no list surgery on the
 * read path), and the tail gives an ACTIVE item a second chance by moving it to the head, as memcached's segmented
 * LRU moves active items to WARM. To make room, a store (1) reclaims an expired or flushed item among the last
 * five of its own segment ({@code reclaimed}); else (2) compares its own tail's stamp with the tails of two other
 * segments, read racily, and evicts the oldest (the stamp is the global store sequence when the item was placed
 * at the head, so stamps compare across segments and approximate one global LRU); else (3) tries every other
 * segment, which is how an item larger than its own segment's share still finds room.
 *
 * <h2>Time, expiry, flush_all and CAS</h2>
 * Expiry is checked lazily wherever an item is looked up, and at the LRU tail. One global counter numbers every
 * store: it is the CAS (unless -C or meta E say otherwise) and the item's store sequence. flush_all records the
 * current sequence as a watermark, so items stored later in the same second survive; a delayed flush becomes
 * such a watermark at the first operation that sees its time arrive.
 */
public final class OffHeapStore implements Store
{
    /** Items examined at a tail for expired ones, and active ones given a second chance, per eviction (memcached). */
    private static final int TAIL_SEARCH = 5;
    /** Other segments whose tails an eviction compares with its own. */
    private static final int EVICTION_SAMPLES = 2;
    /**
     * Rounds of failed tryLocks, with nothing evictable in the own segment, before a store holding its lock stops
     * trying: briefly while it may still release the lock and make room without it ({@link #makeRoom}), longer on
     * its last attempt.
     */
    private static final int QUICK_BUSY_ROUNDS = 4;
    private static final int MAX_BUSY_ROUNDS = 1_000;
    /** Locked attempts of one operation; between two, the room it needs is made without holding a lock. */
    private static final int MAX_ATTEMPTS = 4;
    /** Sweeps that found nothing evictable anywhere (memory held by allocations in flight) before giving up. */
    private static final int MAX_IDLE_ROUNDS = 1_000;
    /** Buckets in all segments together at start: memcached's default hash power of 16. */
    private static final int INITIAL_TOTAL_BUCKETS = 1 << 16;
    private static final int MAX_SEGMENTS = 1 << 16;

    private static final int FREED = 0;
    private static final int NOTHING = 1;
    private static final int BUSY = 2;

    // Two contended counters in one array, 128 bytes apart, so they do not share a cache line with each other.
    private static final int USED_BYTES = 8;
    private static final int SEQUENCE = 24;
    private static final int COUNTERS_LENGTH = 40;

    private final StoreConfig config;
    private final StoreClock clock;
    /**
     * -m in bytes, adjustable at run time ({@code cache_memlimit}). Volatile so every thread's next reservation sees
     * a new limit; a lower one is reached lazily, by the evictions of the stores that follow, as in memcached.
     */
    private volatile long memoryLimit;
    private final int itemSizeMax;
    private final boolean evictionDisabled;
    private final boolean casDisabled;
    private final Segment[] segments;
    private final int segmentMask;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS_LENGTH);
    private final Object flushLock = new Object();

    /** Rotates where lock-free sweeps ({@link #makeRoom}) start; racy on purpose, any value is a valid start. */
    private int sweepCursor;

    /** Items whose store sequence is at most this were flushed. */
    private volatile long flushSequence;
    /** Server time at which a delayed flush_all takes effect; 0 when none is pending. */
    private volatile int pendingFlushTime;

    public OffHeapStore(final StoreConfig config)
    {
        this(config, new SystemStoreClock());
    }

    public OffHeapStore(final StoreConfig config, final StoreClock clock)
    {
        require(Integer.bitCount(config.segments) == 1 && config.segments <= MAX_SEGMENTS,
            "segments", config.segments, "a power of two up to " + MAX_SEGMENTS);
        require(config.memoryLimitBytes >= 1, "memoryLimitBytes", config.memoryLimitBytes, ">= 1");
        require(config.itemSizeMax > Item.HEADER_LENGTH, "itemSizeMax", config.itemSizeMax,
            "> the item header (" + Item.HEADER_LENGTH + " bytes)");

        this.config = config;
        this.clock = clock;
        memoryLimit = config.memoryLimitBytes;
        itemSizeMax = config.itemSizeMax;
        evictionDisabled = config.evictionDisabled;
        casDisabled = config.casDisabled;
        segments = new Segment[config.segments];
        segmentMask = config.segments - 1;
        final int buckets = Math.max(Segment.MIN_BUCKETS, INITIAL_TOTAL_BUCKETS / config.segments);
        for (int i = 0; i < segments.length; i++)
        {
            segments[i] = new Segment(i, buckets);
        }
    }

    @Override
    public boolean get(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final GetOptions options, final ItemHandler handler)
    {
        checkKey(key, keyOffset, keyLength);
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        final long hash = Keys.hash(keyBase, keyAddress, keyLength);
        final Segment segment = segmentFor(hash);
        final int now = now();

        long credit = 0;
        for (int attempt = 1; ; attempt++)
        {
            final boolean outcome;
            final long retryBytes;
            segment.lock();
            try
            {
                segment.beginAttempt(credit, attempt < MAX_ATTEMPTS);
                segment.checkOpen();
                outcome = getLocked(segment, hash, keyBase, keyAddress, keyLength, options, handler, now);
            }
            finally
            {
                retryBytes = endAttempt(segment);
                segment.unlock();
            }
            if (retryBytes == 0)
            {
                return outcome;
            }
            credit = makeRoom(retryBytes, now) ? retryBytes : 0;
        }
    }

    private boolean getLocked(
        final Segment segment, final long hash, final Object keyBase, final long keyAddress, final int keyLength,
        final GetOptions options, final ItemHandler handler, final int now)
    {
        long item = findLive(segment, (int)hash, keyBase, keyAddress, keyLength, now, true);
        if (item == 0)
        {
            if (options == null || options.vivifyExptime == NO_TOUCH)
            {
                return false;
            }
            item = vivify(segment, (int)hash, keyBase, keyAddress, keyLength, options, now);
            if (item == 0)
            {
                return false;
            }
        }
        else if (options != null)
        {
            applyGetOptions(item, options, now);
        }

        if (options == null || !options.noLruBump)
        {
            markAccessed(item, now);
        }
        if (handler != null)
        {
            handler.onItem(item);
        }
        return true;
    }

    @Override
    public long bucketOf(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (keyLength <= 0 || keyLength > Item.MAX_KEY_LENGTH)
        {
            return 0;
        }
        final long hash = Keys.hash(key.byteArray(), key.addressOffset() + keyOffset, keyLength);
        final Segment segment = segmentFor(hash);
        return segment.closed ? 0 : segment.bucket((int)hash);
    }

    @Override
    public long warmBucket(final long bucket)
    {
        // The chain's first item, where find starts: the one line a get's lookup cannot do without.
        return bucket == 0 ? 0 : UnsafeApi.getLong(bucket);
    }

    @Override
    public long warmItem(final long token)
    {
        if (token == 0)
        {
            return 0;
        }
        // The header's first and last bytes (hash and chain; the lengths, on the next line), then the item's last
        // byte: with a 16-byte key and a 64-byte value, every line it spans. Never past the item: a small item may
        // end where the allocator's mapping does (reading 128 bytes on from its start crashed a test JVM).
        return UnsafeApi.getByte(token) + UnsafeApi.getByte(token + Item.HEADER_LENGTH - 1) +
            UnsafeApi.getByte(token + Item.totalLength(token) - 1);
    }

    @Override
    public StoreResult store(
        final StoreMode mode,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final int clientFlags, final int exptime,
        final DirectBuffer value, final int valueOffset, final int valueLength,
        final long cas, final long newCas,
        final MutationResult result)
    {
        checkKey(key, keyOffset, keyLength);
        value.boundsCheck(valueOffset, valueLength);
        result.cas = 0;
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        final Object valueBase = value.byteArray();
        final long valueAddress = value.addressOffset() + valueOffset;
        final long hash = Keys.hash(keyBase, keyAddress, keyLength);
        final Segment segment = segmentFor(hash);
        final int now = now();
        // The binary protocol turns any set/add/replace that carries a CAS into a cas (proto_bin.c).
        final StoreMode effectiveMode =
            cas != NO_CAS && (mode == StoreMode.SET || mode == StoreMode.ADD || mode == StoreMode.REPLACE) ?
            StoreMode.CAS : mode;

        long credit = 0;
        for (int attempt = 1; ; attempt++)
        {
            final StoreResult outcome;
            final long retryBytes;
            segment.lock();
            try
            {
                segment.beginAttempt(credit, attempt < MAX_ATTEMPTS);
                segment.checkOpen();
                outcome = storeLocked(
                    segment, hash, mode, effectiveMode, keyBase, keyAddress, keyLength, clientFlags, exptime,
                    valueBase, valueAddress, valueLength, cas, newCas, now, result);
            }
            finally
            {
                retryBytes = endAttempt(segment);
                segment.unlock();
            }
            if (retryBytes == 0)
            {
                return outcome;
            }
            credit = makeRoom(retryBytes, now) ? retryBytes : 0;
        }
    }

    private StoreResult storeLocked(
        final Segment segment, final long hash, final StoreMode mode, final StoreMode effectiveMode,
        final Object keyBase, final long keyAddress, final int keyLength, final int clientFlags, final int exptime,
        final Object valueBase, final long valueAddress, final int valueLength, final long cas, final long newCas,
        final int now, final MutationResult result)
    {
        final long old = findLive(segment, (int)hash, keyBase, keyAddress, keyLength, now, false);
        if (!fits(keyLength, valueLength))
        {
            // memcached refuses the size before it looks at the mode; a failed set also drops the old value so
            // that readers do not keep seeing data the client meant to replace.
            if (mode == StoreMode.SET && old != 0)
            {
                remove(segment, old);
            }
            return StoreResult.TOO_LARGE;
        }

        switch (effectiveMode)
        {
            case ADD:
                if (old != 0)
                {
                    // memcached promotes the existing item on a failed add.
                    Item.bits(old, Item.bits(old) | Item.ACTIVE);
                    return StoreResult.NOT_STORED;
                }
                break;

            case REPLACE:
                if (old == 0)
                {
                    return StoreResult.NOT_STORED;
                }
                break;

            case CAS:
                if (old == 0)
                {
                    return StoreResult.NOT_FOUND;
                }
                if (cas == NO_CAS || Item.cas(old) != cas)
                {
                    return StoreResult.EXISTS;
                }
                break;

            case APPEND:
            case PREPEND:
                if (old == 0)
                {
                    return StoreResult.NOT_STORED;
                }
                if (cas != NO_CAS && Item.cas(old) != cas)
                {
                    return StoreResult.EXISTS;
                }
                return concatenate(
                    segment, old, effectiveMode == StoreMode.APPEND, valueBase, valueAddress, valueLength, newCas,
                    now, result);

            default:
                break;
        }

        return put(
            segment, old, (int)hash, keyBase, keyAddress, keyLength, clientFlags,
            clock.toServerTime(exptime, now), valueBase, valueAddress, valueLength, newCas, now,
            mode == StoreMode.SET, result);
    }

    @Override
    public StoreResult delete(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final long cas, final boolean invalidate, final int exptime,
        final MutationResult result)
    {
        checkKey(key, keyOffset, keyLength);
        if (result != null)
        {
            result.cas = 0;
        }
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        final long hash = Keys.hash(keyBase, keyAddress, keyLength);
        final Segment segment = segmentFor(hash);
        final int now = now();

        segment.lock();
        try
        {
            segment.checkOpen();
            final long item = findLive(segment, (int)hash, keyBase, keyAddress, keyLength, now, false);
            if (item == 0)
            {
                return StoreResult.NOT_FOUND;
            }
            if (cas != NO_CAS && Item.cas(item) != cas)
            {
                return StoreResult.EXISTS;
            }
            if (invalidate)
            {
                // md I (memcached proto_text.c): keep the item, mark it stale, new CAS, optional new TTL, and
                // clear the win token so that the next reader wins the right to recache.
                if (exptime != NO_TOUCH)
                {
                    Item.exptime(item, clock.toServerTime(exptime, now));
                }
                Item.bits(item, (Item.bits(item) | Item.STALE) & ~Item.WIN_SENT);
                final long sequence = nextSequence();
                Item.resequence(item, visibleCas(sequence, NO_CAS), sequence);
                if (result != null)
                {
                    result.cas = Item.cas(item);
                }
                return StoreResult.DELETED;
            }
            remove(segment, item);
            return StoreResult.DELETED;
        }
        finally
        {
            segment.unlock();
        }
    }

    @Override
    public StoreResult incrDecr(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final boolean incr, final long delta,
        final boolean autoCreate, final long initial, final int exptime, final long cas,
        final MutationResult result)
    {
        checkKey(key, keyOffset, keyLength);
        result.cas = 0;
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        final long hash = Keys.hash(keyBase, keyAddress, keyLength);
        final Segment segment = segmentFor(hash);
        final int now = now();

        long credit = 0;
        for (int attempt = 1; ; attempt++)
        {
            final StoreResult outcome;
            final long retryBytes;
            segment.lock();
            try
            {
                segment.beginAttempt(credit, attempt < MAX_ATTEMPTS);
                segment.checkOpen();
                outcome = incrDecrLocked(
                    segment, hash, keyBase, keyAddress, keyLength, incr, delta, autoCreate, initial, exptime, cas, now,
                    result);
            }
            finally
            {
                retryBytes = endAttempt(segment);
                segment.unlock();
            }
            if (retryBytes == 0)
            {
                return outcome;
            }
            credit = makeRoom(retryBytes, now) ? retryBytes : 0;
        }
    }

    private StoreResult incrDecrLocked(
        final Segment segment, final long hash, final Object keyBase, final long keyAddress, final int keyLength,
        final boolean incr, final long delta, final boolean autoCreate, final long initial, final int exptime,
        final long cas, final int now, final MutationResult result)
    {
        final long item = findLive(segment, (int)hash, keyBase, keyAddress, keyLength, now, false);
        if (item == 0)
        {
            if (!autoCreate)
            {
                return StoreResult.NOT_FOUND;
            }
            return createCounter(segment, (int)hash, keyBase, keyAddress, keyLength, initial, exptime, now, result);
        }

        // The order of checks is memcached's do_add_delta: empty value, then CAS, then the number itself.
        final int length = Item.valueLength(item);
        if (length == 0)
        {
            return StoreResult.NON_NUMERIC;
        }
        if (cas != NO_CAS && Item.cas(item) != cas)
        {
            return StoreResult.EXISTS;
        }
        if (!AsciiNumbers.parseUint64(Item.valueAddress(item), length, result))
        {
            return StoreResult.NON_NUMERIC;
        }
        final long current = result.value;
        final long updated = incr ?
            current + delta : (Long.compareUnsigned(delta, current) > 0 ? 0 : current - delta);
        return writeCounter(segment, item, updated, now, result);
    }

    @Override
    public StoreResult touch(final DirectBuffer key, final int keyOffset, final int keyLength, final int exptime)
    {
        checkKey(key, keyOffset, keyLength);
        final Object keyBase = key.byteArray();
        final long keyAddress = key.addressOffset() + keyOffset;
        final long hash = Keys.hash(keyBase, keyAddress, keyLength);
        final Segment segment = segmentFor(hash);
        final int now = now();

        segment.lock();
        try
        {
            segment.checkOpen();
            final long item = findLive(segment, (int)hash, keyBase, keyAddress, keyLength, now, false);
            if (item == 0)
            {
                return StoreResult.NOT_FOUND;
            }
            Item.exptime(item, clock.toServerTime(exptime, now));
            // memcached's touch fetches the item with an LRU bump.
            markAccessed(item, now);
            return StoreResult.TOUCHED;
        }
        finally
        {
            segment.unlock();
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * A later flush_all replaces a pending delayed one, as memcached's single oldest_live setting does. Nothing is
     * freed eagerly: flushed items are dropped when next looked up or when they reach an LRU tail.
     */
    @Override
    public void flushAll(final int delay)
    {
        synchronized (flushLock)
        {
            if (delay <= 0)
            {
                pendingFlushTime = 0;
                flushSequence = counters.get(SEQUENCE);
            }
            else
            {
                pendingFlushTime = clock.toServerTime(delay);
            }
        }
    }

    @Override
    public boolean fits(final int keyLength, final int valueLength)
    {
        return fits(keyLength, (long)valueLength);
    }

    @Override
    public int maxValueLength(final int keyLength)
    {
        return (int)Math.max(0, (long)itemSizeMax - Item.HEADER_LENGTH - keyLength);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Nothing is freed here: items beyond a lowered limit stay until the next stores need room, which then evict
     * (or, with eviction disabled, fail) until the total fits the new limit.
     */
    @Override
    public void setMemoryLimit(final long bytes)
    {
        require(bytes >= 1, "memory limit", bytes, ">= 1 byte");
        memoryLimit = bytes;
    }

    @Override
    public long memoryLimit()
    {
        return memoryLimit;
    }

    @Override
    public StoreStats stats()
    {
        final StoreStats stats = new StoreStats();
        long buckets = 0;
        for (final Segment segment : segments)
        {
            segment.lock();
            try
            {
                stats.currItems += segment.count;
                stats.totalItems += segment.totalItems;
                stats.evictions += segment.evictions;
                stats.reclaimed += segment.reclaimed;
                stats.expiredUnfetched += segment.expiredUnfetched;
                stats.evictedUnfetched += segment.evictedUnfetched;
                stats.evictedActive += segment.evictedActive;
                stats.outOfMemory += segment.outOfMemory;
                stats.getExpired += segment.getExpired;
                stats.getFlushed += segment.getFlushed;
                buckets += segment.closed ? 0 : segment.buckets();
            }
            finally
            {
                segment.unlock();
            }
        }
        stats.bytes = counters.get(USED_BYTES);
        stats.limitMaxBytes = memoryLimit;
        stats.hashPowerLevel = buckets == 0 ? 0 : 63 - Long.numberOfLeadingZeros(buckets);
        stats.hashBytes = buckets * Long.BYTES;
        return stats;
    }

    @Override
    public void resetStats()
    {
        for (final Segment segment : segments)
        {
            segment.lock();
            try
            {
                segment.totalItems = 0;
                segment.evictions = 0;
                segment.reclaimed = 0;
                segment.expiredUnfetched = 0;
                segment.evictedUnfetched = 0;
                segment.evictedActive = 0;
                segment.outOfMemory = 0;
                segment.getExpired = 0;
                segment.getFlushed = 0;
            }
            finally
            {
                segment.unlock();
            }
        }
    }

    @Override
    public StoreConfig config()
    {
        return config;
    }

    @Override
    public StoreClock clock()
    {
        return clock;
    }

    /** Frees every item and index; later calls throw {@link IllegalStateException}. Idempotent. */
    @Override
    public void close()
    {
        for (final Segment segment : segments)
        {
            segment.lock();
            try
            {
                if (!segment.closed)
                {
                    release(segment.freeAll());
                    segment.closed = true;
                }
            }
            finally
            {
                segment.unlock();
            }
        }
    }

    /**
     * Walks every segment under its lock and checks that the LRU list and the hash index agree (links in both
     * directions, every item found under its own key, counts equal); a diagnostic for tests, not for the data path.
     *
     * @return the sum of the sizes of all items, which equals {@link StoreStats#bytes} when no store is running.
     * @throws IllegalStateException describing the first inconsistency found.
     */
    public long verifyIntegrity()
    {
        long bytes = 0;
        for (final Segment segment : segments)
        {
            segment.lock();
            try
            {
                bytes += verifySegment(segment);
            }
            finally
            {
                segment.unlock();
            }
        }
        return bytes;
    }

    private long verifySegment(final Segment segment)
    {
        long bytes = 0;
        int items = 0;
        long newer = 0;
        for (long item = segment.head; item != 0; item = Item.older(item))
        {
            if (Item.newer(item) != newer)
            {
                throw new IllegalStateException("LRU back link broken in segment " + segment.index);
            }
            final long keyAddress = Item.keyAddress(item);
            final int keyLength = Item.keyLength(item);
            final long hash = Keys.hash(null, keyAddress, keyLength);
            if ((int)hash != Item.hash(item) || segmentFor(hash) != segment ||
                segment.find((int)hash, null, keyAddress, keyLength) != item)
            {
                throw new IllegalStateException("item in the LRU of segment " + segment.index + " is not indexed");
            }
            bytes += Item.totalLength(item);
            items++;
            newer = item;
        }
        if (segment.tail != newer || items != segment.count)
        {
            throw new IllegalStateException("segment " + segment.index + " counts " + segment.count +
                " items but its LRU holds " + items);
        }
        return bytes;
    }

    private StoreResult put(
        final Segment segment, final long old, final int hash,
        final Object keyBase, final long keyAddress, final int keyLength,
        final int clientFlags, final int exptime,
        final Object valueBase, final long valueAddress, final int valueLength,
        final long newCas, final int now, final boolean dropOldOnFailure,
        final MutationResult result)
    {
        final long total = (long)Item.HEADER_LENGTH + keyLength + valueLength;
        if (old != 0 && Item.totalLength(old) == total)
        {
            // Same size: overwrite in place, allocation-free. Safe because items are read only under this lock.
            final long sequence = nextSequence();
            Item.restamp(old, clientFlags, exptime, visibleCas(sequence, newCas), sequence, now);
            UnsafeApi.copyMemory(valueBase, valueAddress, null, Item.valueAddress(old), valueLength);
            segment.moveToHead(old);
            segment.totalItems++;
            result.cas = Item.cas(old);
            return StoreResult.STORED;
        }

        final long item = allocate(segment, total, old, now);
        if (item == 0)
        {
            if (dropOldOnFailure && old != 0)
            {
                remove(segment, old);
            }
            return StoreResult.NO_MEMORY;
        }
        final long sequence = nextSequence();
        Item.initHeader(
            item, hash, keyLength, valueLength, clientFlags, exptime, visibleCas(sequence, newCas), sequence, now);
        UnsafeApi.copyMemory(keyBase, keyAddress, null, Item.keyAddress(item), keyLength);
        UnsafeApi.copyMemory(valueBase, valueAddress, null, Item.keyAddress(item) + keyLength, valueLength);
        if (old != 0)
        {
            remove(segment, old);
        }
        segment.link(item);
        segment.totalItems++;
        result.cas = Item.cas(item);
        return StoreResult.STORED;
    }

    /** append/prepend: a new item with the old flags and exptime (memcached ignores the command's). */
    private StoreResult concatenate(
        final Segment segment, final long old, final boolean append,
        final Object valueBase, final long valueAddress, final int valueLength,
        final long newCas, final int now, final MutationResult result)
    {
        final int keyLength = Item.keyLength(old);
        final int oldLength = Item.valueLength(old);
        final long newLength = (long)oldLength + valueLength;
        if (!fits(keyLength, newLength))
        {
            // memcached: the combined item fails to allocate and the command answers NOT_STORED.
            return StoreResult.NOT_STORED;
        }
        final long item = allocate(segment, Item.HEADER_LENGTH + keyLength + newLength, old, now);
        if (item == 0)
        {
            return StoreResult.NO_MEMORY;
        }
        final long sequence = nextSequence();
        Item.initHeader(
            item, Item.hash(old), keyLength, (int)newLength, Item.clientFlags(old), Item.exptime(old),
            visibleCas(sequence, newCas), sequence, now);
        UnsafeApi.copyMemory(Item.keyAddress(old), Item.keyAddress(item), keyLength);
        final long target = Item.keyAddress(item) + keyLength;
        if (append)
        {
            UnsafeApi.copyMemory(Item.valueAddress(old), target, oldLength);
            UnsafeApi.copyMemory(valueBase, valueAddress, null, target + oldLength, valueLength);
        }
        else
        {
            UnsafeApi.copyMemory(valueBase, valueAddress, null, target, valueLength);
            UnsafeApi.copyMemory(Item.valueAddress(old), target + valueLength, oldLength);
        }
        remove(segment, old);
        segment.link(item);
        segment.totalItems++;
        result.cas = Item.cas(item);
        return StoreResult.STORED;
    }

    /**
     * Stores an incr/decr result: in place, space-padded to the old length, when the number does not grow
     * (memcached: "100" decr 1 reads back "99 "), else as a new item with the old flags and exptime.
     */
    private StoreResult writeCounter(
        final Segment segment, final long item, final long updated, final int now, final MutationResult result)
    {
        final int length = Item.valueLength(item);
        final int digits = AsciiNumbers.digits(updated);
        if (digits <= length)
        {
            final long address = Item.valueAddress(item);
            AsciiNumbers.write(address, updated, digits);
            UnsafeApi.setMemory(address + digits, length - digits, (byte)' ');
            final long sequence = nextSequence();
            Item.resequence(item, visibleCas(sequence, NO_CAS), sequence);
            Item.lastAccess(item, now);
            result.value = updated;
            result.cas = Item.cas(item);
            return StoreResult.STORED;
        }

        final int keyLength = Item.keyLength(item);
        final long grown = allocate(segment, (long)Item.HEADER_LENGTH + keyLength + digits, item, now);
        if (grown == 0)
        {
            return StoreResult.NO_MEMORY;
        }
        final long sequence = nextSequence();
        Item.initHeader(
            grown, Item.hash(item), keyLength, digits, Item.clientFlags(item), Item.exptime(item),
            visibleCas(sequence, NO_CAS), sequence, now);
        UnsafeApi.copyMemory(Item.keyAddress(item), Item.keyAddress(grown), keyLength);
        AsciiNumbers.write(Item.valueAddress(grown), updated, digits);
        remove(segment, item);
        segment.link(grown);
        segment.totalItems++;
        result.value = updated;
        result.cas = Item.cas(grown);
        return StoreResult.STORED;
    }

    /** incr on a missing key with auto-create: the value is {@code initial}, not initial + delta (memcached). */
    private StoreResult createCounter(
        final Segment segment, final int hash, final Object keyBase, final long keyAddress, final int keyLength,
        final long initial, final int exptime, final int now, final MutationResult result)
    {
        final int digits = AsciiNumbers.digits(initial);
        final long item = allocate(segment, (long)Item.HEADER_LENGTH + keyLength + digits, 0, now);
        if (item == 0)
        {
            return StoreResult.NO_MEMORY;
        }
        final long sequence = nextSequence();
        Item.initHeader(
            item, hash, keyLength, digits, 0, clock.toServerTime(exptime, now), visibleCas(sequence, NO_CAS),
            sequence, now);
        UnsafeApi.copyMemory(keyBase, keyAddress, null, Item.keyAddress(item), keyLength);
        AsciiNumbers.write(Item.valueAddress(item), initial, digits);
        segment.link(item);
        segment.totalItems++;
        result.value = initial;
        result.cas = Item.cas(item);
        return StoreResult.STORED;
    }

    /** mg N on a miss: an empty item with the vivify TTL, whose win token goes to this caller. */
    private long vivify(
        final Segment segment, final int hash, final Object keyBase, final long keyAddress, final int keyLength,
        final GetOptions options, final int now)
    {
        if (!fits(keyLength, 0L))
        {
            return 0;
        }
        final long item = allocate(segment, (long)Item.HEADER_LENGTH + keyLength, 0, now);
        if (item == 0)
        {
            return 0;
        }
        final long sequence = nextSequence();
        Item.initHeader(
            item, hash, keyLength, 0, 0, clock.toServerTime(options.vivifyExptime, now), visibleCas(sequence, NO_CAS),
            sequence, now);
        UnsafeApi.copyMemory(keyBase, keyAddress, null, Item.keyAddress(item), keyLength);
        Item.bits(item, Item.WIN_SENT);
        segment.link(item);
        segment.totalItems++;

        options.won = true;
        options.winTokenAlreadySent = false;
        options.stale = false;
        options.hitBefore = false;
        options.secondsSinceLastAccess = 0;
        options.ttlRemaining = ttlRemaining(item, now);
        return item;
    }

    /**
     * The meta get outcome, as memcached's process_mget_command computes it: h and l from before this access;
     * R wins if no token was sent and the item expires before now + token; a stale item hands its token to the
     * first reader; Z whenever a token was already out (so W and Z never come together).
     */
    private void applyGetOptions(final long item, final GetOptions options, final int now)
    {
        final int bits = Item.bits(item);
        options.hitBefore = (bits & Item.FETCHED) != 0;
        options.secondsSinceLastAccess = now - Item.lastAccess(item);
        options.stale = (bits & Item.STALE) != 0;
        options.winTokenAlreadySent = (bits & Item.WIN_SENT) != 0;

        boolean won = false;
        if (!options.winTokenAlreadySent)
        {
            if (options.recacheBelowSeconds >= 0)
            {
                final int exptime = Item.exptime(item);
                won = exptime != 0 && exptime < clock.toServerTime(options.recacheBelowSeconds, now);
            }
            won |= options.stale;
        }
        if (options.touchExptime != NO_TOUCH)
        {
            Item.exptime(item, clock.toServerTime(options.touchExptime, now));
        }
        options.ttlRemaining = ttlRemaining(item, now);
        options.won = won;
        if (won)
        {
            Item.bits(item, bits | Item.WIN_SENT);
        }
    }

    private static int ttlRemaining(final long item, final int now)
    {
        final int exptime = Item.exptime(item);
        return exptime == 0 ? -1 : Math.max(0, exptime - now);
    }

    /** A hit: no list surgery, just the bits the LRU tail and meta h/l read. */
    private static void markAccessed(final long item, final int now)
    {
        Item.bits(item, Item.bits(item) | Item.FETCHED | Item.ACTIVE);
        Item.lastAccess(item, now);
    }

    /** Looks an item up; drops it and answers 0 when it is expired or flushed (memcached do_item_get). */
    private long findLive(
        final Segment segment, final int hash, final Object keyBase, final long keyAddress, final int keyLength,
        final int now, final boolean countGetMiss)
    {
        final long item = segment.find(hash, keyBase, keyAddress, keyLength);
        if (item != 0)
        {
            if (isFlushed(item))
            {
                if (countGetMiss)
                {
                    segment.getFlushed++;
                }
                remove(segment, item);
                return 0;
            }
            if (isExpired(item, now))
            {
                if (countGetMiss)
                {
                    segment.getExpired++;
                }
                remove(segment, item);
                return 0;
            }
        }
        return item;
    }

    private boolean isFlushed(final long item)
    {
        return Item.sequence(item) <= flushSequence;
    }

    private static boolean isExpired(final long item, final int now)
    {
        final int exptime = Item.exptime(item);
        return exptime != 0 && exptime <= now;
    }

    /**
     * Reserves room for an item (evicting if allowed) and allocates it; 0 when there is no room.
     * <p>
     * Room comes first from the credit that {@link #makeRoom} reserved for this attempt, else from the eviction that
     * can be done while this segment is held ({@link #reserve}). When that fails only because other segments were
     * held by other threads (or, with eviction on, because nothing could be freed from here), and the operation may
     * try again, this asks for a retry instead of failing: the caller releases its lock, makes room without holding
     * any, and repeats the operation with the bytes already reserved.
     */
    private long allocate(final Segment segment, final long bytes, final long pinned, final int now)
    {
        if (bytes > memoryLimit)
        {
            segment.outOfMemory++;
            return 0;
        }
        if (!reserveForAllocation(segment, bytes, pinned, now))
        {
            return 0;
        }
        try
        {
            return UnsafeApi.allocateMemory(bytes);
        }
        catch (final OutOfMemoryError ex)
        {
            release(bytes);
            segment.outOfMemory++;
            return 0;
        }
    }

    private boolean reserveForAllocation(final Segment segment, final long bytes, final long pinned, final int now)
    {
        final long credit = segment.credit;
        if (credit > 0)
        {
            segment.credit = 0;
            if (credit >= bytes)
            {
                release(credit - bytes);
                return true;
            }
            release(credit);
        }
        final int outcome = reserve(segment, bytes, pinned, now, segment.mayRetry ? QUICK_BUSY_ROUNDS : MAX_BUSY_ROUNDS);
        if (outcome == FREED)
        {
            return true;
        }
        if (segment.mayRetry && (outcome == BUSY || !evictionDisabled))
        {
            segment.retryBytes = bytes;
            return false;
        }
        segment.outOfMemory++;
        return false;
    }

    /** @return FREED when the bytes are reserved, BUSY when other segments were held, NOTHING when none is left. */
    private int reserve(final Segment segment, final long bytes, final long pinned, final int now, final int maxBusy)
    {
        if (tryReserve(bytes))
        {
            return FREED;
        }
        segment.pinned = pinned;
        try
        {
            int busyRounds = 0;
            while (!tryReserve(bytes))
            {
                final int outcome = evictOne(segment, now);
                if (outcome == NOTHING)
                {
                    return tryReserve(bytes) ? FREED : NOTHING;
                }
                if (outcome == BUSY)
                {
                    if (++busyRounds > maxBusy)
                    {
                        return BUSY;
                    }
                    Thread.onSpinWait();
                }
            }
            return FREED;
        }
        finally
        {
            segment.pinned = 0;
        }
    }

    /** Ends one locked attempt: gives back an unused credit. @return the bytes to make room for, 0 when done. */
    private long endAttempt(final Segment segment)
    {
        final long unused = segment.credit;
        if (unused > 0)
        {
            release(unused);
        }
        final long retryBytes = segment.retryBytes;
        segment.credit = 0;
        segment.retryBytes = 0;
        segment.mayRetry = false;
        return retryBytes;
    }

    /**
     * Evicts, holding no segment lock of its own, until {@code bytes} can be reserved, and reserves them (the credit
     * the next attempt spends, so that no other writer takes the room made here). Each victim segment is locked with
     * a blocking lock, which is safe because nothing else is held: a writer contending for segments waits for them
     * instead of giving up. When nothing is evictable anywhere, the memory is held by other writers' allocations in
     * flight, which become evictable once linked; that is waited for briefly.
     *
     * @return true when the bytes are reserved.
     */
    private boolean makeRoom(final long bytes, final int now)
    {
        int idleRounds = 0;
        while (!tryReserve(bytes))
        {
            if (bytes > memoryLimit)
            {
                return false;
            }
            if (evictAnywhere(now))
            {
                idleRounds = 0;
            }
            else if (evictionDisabled || ++idleRounds > MAX_IDLE_ROUNDS)
            {
                return false;
            }
            else
            {
                Thread.yield();
            }
        }
        return true;
    }

    /** One eviction from the segment with the oldest sampled tail, else from any segment; no lock held on entry. */
    private boolean evictAnywhere(final int now)
    {
        final int start = sweepCursor++ & segmentMask;
        Segment sampled = segments[start];
        for (int i = 1; i <= EVICTION_SAMPLES; i++)
        {
            final Segment candidate = segments[(start + i) & segmentMask];
            if (candidate.tailStamp < sampled.tailStamp)
            {
                sampled = candidate;
            }
        }
        if (sampled.count > 0 && evictLocked(sampled, now))
        {
            return true;
        }
        for (int i = 0; i < segments.length; i++)
        {
            final Segment segment = segments[(start + i) & segmentMask];
            if (segment.count > 0 && evictLocked(segment, now))
            {
                return true;
            }
        }
        return false;
    }

    private boolean evictLocked(final Segment segment, final int now)
    {
        segment.lock();
        try
        {
            return !segment.closed &&
                (reclaimAtTail(segment, now) || (!evictionDisabled && evictLiveAtTail(segment)));
        }
        finally
        {
            segment.unlock();
        }
    }

    private boolean tryReserve(final long bytes)
    {
        long used;
        do
        {
            used = counters.get(USED_BYTES);
            if (used + bytes > memoryLimit)
            {
                return false;
            }
        }
        while (!counters.compareAndSet(USED_BYTES, used, used + bytes));
        return true;
    }

    private void release(final long bytes)
    {
        counters.addAndGet(USED_BYTES, -bytes);
    }

    /** Frees one item, from this segment or another; see the class comment for the order. */
    private int evictOne(final Segment own, final int now)
    {
        if (reclaimAtTail(own, now))
        {
            return FREED;
        }
        final boolean evictLive = !evictionDisabled;
        if (evictLive && segments.length > 1)
        {
            final Segment victim = segmentWithOldestTail(own);
            if (victim != own && evictFromOther(victim, now, true) == FREED)
            {
                return FREED;
            }
        }
        if (evictLive && evictLiveAtTail(own))
        {
            return FREED;
        }

        // Nothing to take here (empty, or only the item being replaced): an item larger than this segment's share.
        boolean busy = false;
        for (int i = 1; i < segments.length; i++)
        {
            final Segment other = segments[(own.index + i) & segmentMask];
            if (other.count > 0)
            {
                final int outcome = evictFromOther(other, now, evictLive);
                if (outcome == FREED)
                {
                    return FREED;
                }
                busy |= outcome == BUSY;
            }
        }
        return busy ? BUSY : NOTHING;
    }

    private int evictFromOther(final Segment other, final int now, final boolean evictLive)
    {
        if (!other.tryLock())
        {
            return BUSY;
        }
        try
        {
            if (!other.closed && (reclaimAtTail(other, now) || (evictLive && evictLiveAtTail(other))))
            {
                return FREED;
            }
            return NOTHING;
        }
        finally
        {
            other.unlock();
        }
    }

    /** Power-of-k-choices: the segment, of its own and a rotating sample, whose tail was placed longest ago. */
    private Segment segmentWithOldestTail(final Segment own)
    {
        Segment oldest = own;
        long oldestStamp = own.tailStamp;
        final int cursor = own.evictionCursor;
        own.evictionCursor = cursor + EVICTION_SAMPLES;
        for (int i = 0; i < EVICTION_SAMPLES; i++)
        {
            final Segment candidate = segments[(own.index + 1 + ((cursor + i) & segmentMask)) & segmentMask];
            final long stamp = candidate.tailStamp;
            if (stamp < oldestStamp)
            {
                oldest = candidate;
                oldestStamp = stamp;
            }
        }
        return oldest;
    }

    /** Drops an expired or flushed item among the last few of the LRU: memcached's {@code reclaimed}. */
    private boolean reclaimAtTail(final Segment segment, final int now)
    {
        long item = segment.tail;
        for (int i = 0; i < TAIL_SEARCH && item != 0; i++)
        {
            final long newer = Item.newer(item);
            if (item != segment.pinned && (isFlushed(item) || isExpired(item, now)))
            {
                segment.reclaimed++;
                if ((Item.bits(item) & Item.FETCHED) == 0)
                {
                    segment.expiredUnfetched++;
                }
                remove(segment, item);
                return true;
            }
            item = newer;
        }
        return false;
    }

    /** Evicts the least recently used live item, giving items read since they were placed a second chance. */
    private boolean evictLiveAtTail(final Segment segment)
    {
        for (int i = 0; i < TAIL_SEARCH; i++)
        {
            final long item = segment.tail;
            if (item == 0 || (item == segment.pinned && segment.count == 1))
            {
                return false;
            }
            final int bits = Item.bits(item);
            if (item == segment.pinned || (bits & Item.ACTIVE) != 0)
            {
                Item.bits(item, bits & ~Item.ACTIVE);
                Item.lruStamp(item, counters.get(SEQUENCE));
                segment.moveToHead(item);
                continue;
            }
            evict(segment, item, bits);
            return true;
        }
        // Every candidate was active: take the tail anyway, as memcached does after its five tries.
        long item = segment.tail;
        if (item == segment.pinned)
        {
            item = Item.newer(item);
        }
        if (item == 0)
        {
            return false;
        }
        evict(segment, item, Item.bits(item));
        return true;
    }

    private void evict(final Segment segment, final long item, final int bits)
    {
        segment.evictions++;
        if ((bits & Item.FETCHED) == 0)
        {
            segment.evictedUnfetched++;
        }
        if ((bits & Item.ACTIVE) != 0)
        {
            segment.evictedActive++;
        }
        remove(segment, item);
    }

    private void remove(final Segment segment, final long item)
    {
        final long bytes = Item.totalLength(item);
        segment.unlink(item);
        UnsafeApi.freeMemory(item);
        release(bytes);
    }

    private long nextSequence()
    {
        return counters.incrementAndGet(SEQUENCE);
    }

    private long visibleCas(final long sequence, final long newCas)
    {
        if (casDisabled)
        {
            return 0;
        }
        return newCas != NO_CAS ? newCas : sequence;
    }

    /** The server time, after turning a delayed flush_all whose time has come into a sequence watermark. */
    private int now()
    {
        final int now = clock.now();
        final int pending = pendingFlushTime;
        if (pending != 0 && pending <= now)
        {
            applyPendingFlush(now);
        }
        return now;
    }

    private void applyPendingFlush(final int now)
    {
        synchronized (flushLock)
        {
            final int pending = pendingFlushTime;
            if (pending != 0 && pending <= now)
            {
                flushSequence = counters.get(SEQUENCE);
                pendingFlushTime = 0;
            }
        }
    }

    private boolean fits(final int keyLength, final long valueLength)
    {
        return keyLength >= 0 && valueLength >= 0 && Item.HEADER_LENGTH + keyLength + valueLength <= itemSizeMax;
    }

    private Segment segmentFor(final long hash)
    {
        // The bucket index uses the low 32 bits; the segment takes bits the index never sees.
        return segments[(int)(hash >>> 32) & segmentMask];
    }

    private static void checkKey(final DirectBuffer key, final int offset, final int length)
    {
        if (length < 0 || length > Item.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException(
                "key length = " + length + " is out of range: must be 0.." + Item.MAX_KEY_LENGTH);
        }
        key.boundsCheck(offset, length);
    }

    private static void require(final boolean ok, final String what, final long value, final String limit)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(what + " = " + value + " is out of range: must be " + limit);
        }
    }
}
