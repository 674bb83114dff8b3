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
    /** hash_power_level */
    public int hashPowerLevel;
    /** hash_bytes */
    public long hashBytes;
}
