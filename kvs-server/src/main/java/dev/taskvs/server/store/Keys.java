package dev.taskvs.server.store;

import org.agrona.UnsafeApi;

/**
 * Hashing and comparing keys where they lie: a request's key is read through its buffer's (array, address) pair
 * so that heap and direct buffers take the same code and nothing is copied or allocated.
 * <p>
 * Reads are in native byte order on both sides: equality does not care about order, and the hash is only ever
 * compared with hashes computed on the same machine.
 */
final class Keys
{
    // xxHash64's primes: well-mixed odd constants, and the finalizer below is its avalanche step.
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private Keys()
    {
    }

    /**
     * A 64-bit hash of a key (xxHash64's short-input path, which covers memcached's 250-byte keys).
     *
     * @param base    the byte array behind the buffer, or null for off-heap memory.
     * @param address the key's offset in {@code base}, or its absolute address.
     */
    static long hash(final Object base, final long address, final int length)
    {
        long h = P5 + length;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            final long k = Long.rotateLeft(UnsafeApi.getLong(base, address + i) * P2, 31) * P1;
            h = Long.rotateLeft(h ^ k, 27) * P1 + P4;
        }
        if (i + 4 <= length)
        {
            h ^= (UnsafeApi.getInt(base, address + i) & 0xFFFF_FFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            i += 4;
        }
        for (; i < length; i++)
        {
            h ^= (UnsafeApi.getByte(base, address + i) & 0xFF) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    /** Whether the item's key equals the given key; the caller has already matched the stored hash. */
    static boolean equals(final long item, final Object base, final long address, final int length)
    {
        if (Item.keyLength(item) != length)
        {
            return false;
        }
        final long key = Item.keyAddress(item);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (UnsafeApi.getLong(key + i) != UnsafeApi.getLong(base, address + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (UnsafeApi.getByte(key + i) != UnsafeApi.getByte(base, address + i))
            {
                return false;
            }
        }
        return true;
    }
}
