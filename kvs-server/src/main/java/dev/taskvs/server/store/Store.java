package dev.taskvs.server.store;

import org.agrona.DirectBuffer;

/**
 * The cache's item store: keys and values live off-heap, bounded by a memory limit, evicted least recently
 * used first, expired lazily, each item stamped with a CAS unique.
 * <p>
 * Every method is thread-safe and allocation-free. Keys are passed as a region of a {@link DirectBuffer}
 * (the request as it sits in the connection's receive buffer), never as objects.
 * <p>
 * Times: {@code exptime} arguments are memcached's wire values (0 never, up to 30 days relative seconds,
 * beyond that absolute unix seconds, negative already expired); the store converts them with its
 * {@link StoreClock}. Readers get an item's address inside {@link ItemHandler#onItem(long)} and read it through
 * the static accessors of {@link Item}; the address is valid only during that call (the item may be replaced
 * or evicted as soon as the segment lock is released).
 */
public interface Store extends AutoCloseable
{
    /** CAS value meaning "no compare" for the {@code cas} arguments below. */
    long NO_CAS = 0;

    /** {@code exptime} value meaning "do not change the expiry" in {@link #get}. */
    int NO_TOUCH = Integer.MIN_VALUE;

    /**
     * Looks up a live (not expired, not flushed) item and hands it to {@code handler} under the lock.
     *
     * @param options   null for a plain get; else touch/vivify/recache settings, and where the outcome flags
     *                  (won, stale, hit-before, last access) are written for the caller.
     * @return true on a hit (or a vivified item), false on a miss.
     */
    boolean get(DirectBuffer key, int keyOffset, int keyLength, GetOptions options, ItemHandler handler);

    /**
     * set/add/replace/append/prepend/cas in one call.
     *
     * @param mode      which storage command.
     * @param cas       for {@link StoreMode#CAS} (and binary set with a CAS): the unique to compare with;
     *                  otherwise {@link #NO_CAS}.
     * @param newCas    the CAS to assign instead of a fresh one (meta {@code E}); {@link #NO_CAS} for a fresh one.
     * @param result    receives the item's new CAS on success.
     */
    StoreResult store(
        StoreMode mode,
        DirectBuffer key, int keyOffset, int keyLength,
        int clientFlags, int exptime,
        DirectBuffer value, int valueOffset, int valueLength,
        long cas, long newCas,
        MutationResult result);

    /**
     * Deletes, optionally only when the CAS matches. With {@code invalidate} (meta md I) the item is kept but
     * marked stale with a new CAS and, if {@code exptime} is not {@link #NO_TOUCH}, given that TTL.
     *
     * @return DELETED, NOT_FOUND or EXISTS (cas mismatch).
     */
    StoreResult delete(
        DirectBuffer key, int keyOffset, int keyLength, long cas, boolean invalidate, int exptime,
        MutationResult result);

    /**
     * incr/decr on a decimal uint64 value: incr wraps at 2^64, decr floors at 0.
     *
     * @param autoCreate when the key is missing, create it with {@code initial} (binary protocol, meta ma N)
     *                   and that {@code exptime}; otherwise return NOT_FOUND.
     * @param result     receives the new numeric value ({@link MutationResult#value}) and CAS.
     * @return STORED on success (value in result), NOT_FOUND, EXISTS (cas mismatch), NON_NUMERIC.
     */
    StoreResult incrDecr(
        DirectBuffer key, int keyOffset, int keyLength, boolean incr, long delta,
        boolean autoCreate, long initial, int exptime, long cas,
        MutationResult result);

    /** Sets a new expiry without touching the value or CAS. @return TOUCHED or NOT_FOUND. */
    StoreResult touch(DirectBuffer key, int keyOffset, int keyLength, int exptime);

    /** Invalidates every item stored up to now (delay 0 or negative) or up to now + delay (memcached semantics). */
    void flushAll(int delay);

    /** Whether an item of this key and value length could ever be stored (the -I limit). */
    boolean fits(int keyLength, int valueLength);

    /** Largest value length that {@link #fits} accepts for a key of this length. */
    int maxValueLength(int keyLength);

    /**
     * Changes the memory limit at run time (memcached's {@code cache_memlimit}); {@link StoreStats#limitMaxBytes}
     * follows it. Raising it takes effect at once; lowering it frees nothing immediately: the stores that follow
     * evict until the items fit the new limit.
     *
     * @param bytes the new limit, at least 1.
     * @throws IllegalArgumentException when {@code bytes} is below 1.
     */
    void setMemoryLimit(long bytes);

    /** The memory limit in force, bytes. */
    long memoryLimit();

    StoreStats stats();

    /**
     * stats reset: zeroes the counters that memcached resets (total_items, evictions, reclaimed, the unfetched
     * counts, outofmemory, get_expired, get_flushed); gauges such as curr_items and bytes stay.
     */
    default void resetStats()
    {
    }

    StoreConfig config();

    StoreClock clock();

    /**
     * Warming a batch of gets before serving them (as MICA prefetches a batch), in three passes over the batch:
     * this one, for one key, says where the key's bucket is, computed from the key alone (its hash), with no load
     * that may miss; then {@link #warmBucket} loads each bucket, then {@link #warmItem} each item a bucket leads to.
     * Run over a whole batch, each pass's loads overlap their cache misses, where serving the gets one by one
     * takes them in turn; and a pass that does nothing but load lets many more misses be in flight than one that
     * also hashes each key (the hashing, not the misses, would fill the core's window). Only hints, with no effect
     * on the store's contents.
     * <p>
     * Unlike every other method these take no lock and may read memory that another thread is freeing: call
     * them only from the one thread that uses the store, with nothing done to the store between the passes.
     *
     * @return for {@link #warmBucket}; 0 when there is nothing to load (a key that cannot be stored, a closed store).
     */
    default long bucketOf(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return 0;
    }

    /**
     * The second pass of warming a batch of gets (see {@link #bucketOf}): loads the bucket and returns what the
     * third pass, {@link #warmItem}, loads next.
     *
     * @param bucket what {@link #bucketOf} returned.
     * @return for {@link #warmItem}; 0 when there is nothing more to load.
     */
    default long warmBucket(final long bucket)
    {
        return 0;
    }

    /**
     * The third pass of warming a batch of gets (see {@link #bucketOf}): loads the lines of the item the bucket
     * led to, reading nothing outside the item.
     *
     * @param token what {@link #warmBucket} returned.
     * @return a sum of what was loaded, for the caller to keep (so that the loads are not dropped as unused).
     */
    default long warmItem(final long token)
    {
        return 0;
    }

    @Override
    void close();
}
