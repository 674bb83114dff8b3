package dev.taskvs.server.store;

/**
 * A snapshot of the store's figures, with memcached's stat names in the comments. The store fills it; the
 * stats command prints it. Mutable so a caller can reuse one.
 */
public final class StoreStats
{
    /** curr_items */
    public long currItems;
    /** total_items */
    public long totalItems;
    /** bytes: memory used by items. */
    public long bytes;
    /** limit_maxbytes */
    public long limitMaxBytes;
    /** evictions: live items removed to make room. */
    public long evictions;
    /** reclaimed: expired items whose memory was reused. */
    public long reclaimed;
    /** expired_unfetched */
    public long expiredUnfetched;
    /** evicted_unfetched */
    public long evictedUnfetched;
    /** evicted_active */
    public long evictedActive;
    /** outofmemory (stats items): allocations refused. */
    public long outOfMemory;
    /**
     * get_expired: lookups by {@link Store#get} that found the key but expired (the item is removed and the get
     * is a miss). Counted by the store because a miss does not say why; the protocol adds it to its stats.
     */
    public long getExpired;
    /** get_flushed: lookups by {@link Store#get} that found the key but invalidated by flush_all. */
    public long getFlushed;
    /** hash_power_level */
    public int hashPowerLevel;
    /** hash_bytes */
    public long hashBytes;
}
