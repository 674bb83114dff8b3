package dev.taskvs.server.store;

import org.agrona.UnsafeApi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/** Keeps one segment's lock word and hot fields off the cache lines of the segments allocated next to it. */
abstract class SegmentLhsPadding
{
    long p01, p02, p03, p04, p05, p06, p07, p08;
}

abstract class SegmentFields extends SegmentLhsPadding
{
    /** 0 free, 1 held; see {@link Segment#lock()}. */
    volatile int lockState;

    /** Off-heap array of bucket heads (item addresses, 0 = empty), chained through each item's hash-next. */
    long table;
    int bucketMask;

    /** LRU list threaded through the item headers: head is the most recently linked, tail the next victim. */
    long head;
    long tail;

    /**
     * The tail's LRU stamp (Long.MAX_VALUE when empty), published for other segments' eviction sampling. Read
     * racily: a stale value only leads to a worse choice of victim, never an unsafe one, because the victim
     * segment is locked and its tail re-read before anything is evicted. 64-bit HotSpot does not tear longs.
     */
    long tailStamp = Long.MAX_VALUE;

    int count;

    /** The item being replaced by the lock holder: eviction must not free it while it is still read. */
    long pinned;

    /**
     * The lock holder's allocation state for the operation in progress: bytes already reserved for it (by a sweep
     * done without the lock), whether a failed allocation may ask for another attempt, and the bytes it asked for.
     */
    long credit;
    boolean mayRetry;
    long retryBytes;

    /** Rotates the other segments this one samples when it must evict. */
    int evictionCursor;

    boolean closed;

    // Counters, written under the lock, summed by stats().
    long totalItems;
    long evictions;
    long reclaimed;
    long expiredUnfetched;
    long evictedUnfetched;
    long evictedActive;
    long outOfMemory;
    long getExpired;
    long getFlushed;
}

abstract class SegmentRhsPadding extends SegmentFields
{
    long p11, p12, p13, p14, p15, p16, p17, p18;
}

/**
 * One lock stripe of the store: a chained hash index and an LRU list, both threaded through the item headers in
 * off-heap memory, so the segment holds no Java object per item.
 * <p>
 * The lock is a test-and-test-and-set word rather than a {@code ReentrantLock}: the latter allocates a queue node
 * whenever it is contended, and the store promises an allocation-free hot path. Critical sections are short (a
 * lookup and at most one value copy), so spinning briefly, then yielding, then parking, costs less than a
 * queue; {@link #tryLock()} lets a thread that already holds one segment evict from another without deadlock.
 * Every method other than lock/tryLock/unlock requires the lock to be held.
 */
final class Segment extends SegmentRhsPadding
{
    static final int MIN_BUCKETS = 16;
    static final int MAX_BUCKETS = 1 << 30;

    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long PARK_NANOS = 1_000;
    private static final VarHandle LOCK_STATE;

    static
    {
        try
        {
            LOCK_STATE = MethodHandles.lookup().findVarHandle(SegmentFields.class, "lockState", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final int index;

    Segment(final int index, final int buckets)
    {
        this.index = index;
        table = allocateTable(buckets);
        bucketMask = buckets - 1;
    }

    void lock()
    {
        if (!LOCK_STATE.compareAndSet(this, 0, 1))
        {
            lockContended();
        }
    }

    boolean tryLock()
    {
        return lockState == 0 && LOCK_STATE.compareAndSet(this, 0, 1);
    }

    /** Starts one locked attempt of an operation that may allocate (lock held). */
    void beginAttempt(final long reservedBytes, final boolean retryAllowed)
    {
        credit = reservedBytes;
        mayRetry = retryAllowed;
        retryBytes = 0;
    }

    void unlock()
    {
        LOCK_STATE.setRelease(this, 0);
    }

    private void lockContended()
    {
        int attempts = 0;
        while (true)
        {
            if (lockState == 0 && LOCK_STATE.compareAndSet(this, 0, 1))
            {
                return;
            }
            if (attempts < SPINS)
            {
                Thread.onSpinWait();
            }
            else if (attempts < SPINS + YIELDS)
            {
                // The holder may be descheduled (more threads than cores): give it the core.
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(PARK_NANOS);
            }
            attempts++;
        }
    }

    void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("store is closed");
        }
    }

    int buckets()
    {
        return bucketMask + 1;
    }

    /** @return the item with this hash and key, expired or not, or 0. */
    long find(final int hash, final Object base, final long address, final int length)
    {
        long item = UnsafeApi.getLong(bucket(hash));
        while (item != 0)
        {
            if (Item.hash(item) == hash && Keys.equals(item, base, address, length))
            {
                return item;
            }
            item = Item.hashNext(item);
        }
        return 0;
    }

    /** Adds an item to the index and at the head of the LRU. */
    void link(final long item)
    {
        final long bucket = bucket(Item.hash(item));
        Item.hashNext(item, UnsafeApi.getLong(bucket));
        UnsafeApi.putLong(bucket, item);
        linkAtHead(item);
        count++;
        // memcached grows its table at a load of 1.5; chains stay short and the rehash is rare.
        if (count > buckets() + (buckets() >> 1) && buckets() < MAX_BUCKETS)
        {
            grow();
        }
    }

    /** Removes an item from the index and the LRU; the caller frees it. */
    void unlink(final long item)
    {
        final long bucket = bucket(Item.hash(item));
        long previous = 0;
        long current = UnsafeApi.getLong(bucket);
        while (current != item)
        {
            if (current == 0)
            {
                throw new IllegalStateException("item " + item + " is not in segment " + index);
            }
            previous = current;
            current = Item.hashNext(current);
        }
        final long next = Item.hashNext(item);
        if (previous == 0)
        {
            UnsafeApi.putLong(bucket, next);
        }
        else
        {
            Item.hashNext(previous, next);
        }
        unlinkFromLru(item);
        count--;
    }

    void moveToHead(final long item)
    {
        if (item != head)
        {
            unlinkFromLru(item);
            linkAtHead(item);
        }
        // The caller may have restamped the item; when it is also the tail the published stamp must follow.
        tailStamp = Item.lruStamp(tail);
    }

    /** Frees every item and the table; returns the item bytes freed. */
    long freeAll()
    {
        long bytes = 0;
        long item = head;
        while (item != 0)
        {
            final long older = Item.older(item);
            bytes += Item.totalLength(item);
            UnsafeApi.freeMemory(item);
            item = older;
        }
        head = 0;
        tail = 0;
        tailStamp = Long.MAX_VALUE;
        count = 0;
        if (table != 0)
        {
            UnsafeApi.freeMemory(table);
            table = 0;
        }
        return bytes;
    }

    private void linkAtHead(final long item)
    {
        Item.newer(item, 0);
        Item.older(item, head);
        if (head != 0)
        {
            Item.newer(head, item);
        }
        else
        {
            tail = item;
            tailStamp = Item.lruStamp(item);
        }
        head = item;
    }

    private void unlinkFromLru(final long item)
    {
        final long newer = Item.newer(item);
        final long older = Item.older(item);
        if (newer != 0)
        {
            Item.older(newer, older);
        }
        else
        {
            head = older;
        }
        if (older != 0)
        {
            Item.newer(older, newer);
        }
        else
        {
            tail = newer;
            tailStamp = newer == 0 ? Long.MAX_VALUE : Item.lruStamp(newer);
        }
    }

    /** Address of the bucket for this hash; read without the lock only by the store's one user thread. */
    long bucket(final int hash)
    {
        return table + ((long)(hash & bucketMask) << 3);
    }

    private void grow()
    {
        final int newBuckets = buckets() << 1;
        final long newTable;
        try
        {
            newTable = allocateTable(newBuckets);
        }
        catch (final OutOfMemoryError ex)
        {
            // Longer chains are slower, not wrong: keep serving with the old table.
            return;
        }
        final int newMask = newBuckets - 1;
        for (int b = 0; b <= bucketMask; b++)
        {
            long item = UnsafeApi.getLong(table + ((long)b << 3));
            while (item != 0)
            {
                final long next = Item.hashNext(item);
                final long bucket = newTable + ((long)(Item.hash(item) & newMask) << 3);
                Item.hashNext(item, UnsafeApi.getLong(bucket));
                UnsafeApi.putLong(bucket, item);
                item = next;
            }
        }
        UnsafeApi.freeMemory(table);
        table = newTable;
        bucketMask = newMask;
    }

    private static long allocateTable(final int buckets)
    {
        final long bytes = (long)buckets << 3;
        final long table = UnsafeApi.allocateMemory(bytes);
        UnsafeApi.setMemory(table, bytes, (byte)0);
        return table;
    }
}
