package dev.taskvs.loadgen.workload;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Values that verify themselves. The value stored for key {@code k} at version {@code v} is a pure function of
 * both: its size is {@link ValueSizes#size(long)} of a hash of (k, v), its first 8 bytes are k and v (big-endian
 * ints), and the rest is a slice of a fixed random pattern at an offset hashed from (k, v). A value read back is
 * checked against the key that was asked for, the version it names, its size and every byte, without any record
 * of what was written. Values shorter than the 8-byte header carry no version: they are the pattern at the
 * offset of (k, 0).
 */
public final class ValueContent
{
    /** Bytes of key index and version at the front of every value of at least this size. */
    public static final int HEADER_LENGTH = 8;
    /**
     * Offsets into the pattern span this many bytes: 16 KiB of offsets stay in the first-level cache, so checking a
     * 64-byte value costs a few ns, where a 1 MiB span made each check a cache miss (a quarter of the loop's time
     * at 2 M requests/s). The 8-byte header already tells values of different keys and versions apart.
     */
    private static final int PATTERN_LENGTH = 1 << 14;
    private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

    /** Outcomes of {@link #verify}. */
    public static final int OK = 0;
    public static final int WRONG_KEY = 1;
    public static final int WRONG_LENGTH = 2;
    public static final int WRONG_BYTES = 3;

    private final ValueSizes sizes;
    private final UnsafeBuffer pattern;

    public ValueContent(final ValueSizes sizes, final long seed)
    {
        this.sizes = sizes;
        final byte[] bytes = new byte[PATTERN_LENGTH + ValueSizes.MAX_VALUE_SIZE];
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < PATTERN_LENGTH + Math.max(sizes.max(), 0); i++)
        {
            // Printable bytes keep a captured stream readable; any byte value would verify as well.
            bytes[i] = (byte)('!' + random.nextInt(94));
        }
        this.pattern = new UnsafeBuffer(bytes);
    }

    public ValueSizes sizes()
    {
        return sizes;
    }

    /** SplitMix64's finalizer over key and version: the hash behind size and pattern offset. */
    public static long hash(final int key, final int version)
    {
        long z = ((long)key << 32 | (version & 0xFFFF_FFFFL)) + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    public int length(final int key, final int version)
    {
        return sizes.size(hash(key, version));
    }

    /** Write the value of (key, version) at {@code index}; returns its length. */
    public int write(final MutableDirectBuffer dst, final int index, final int key, final int version)
    {
        final long hash = hash(key, version);
        final int length = sizes.size(hash);
        if (length < HEADER_LENGTH)
        {
            dst.putBytes(index, pattern, patternOffset(hash(key, 0)), length);
            return length;
        }
        dst.putInt(index, key, ORDER);
        dst.putInt(index + 4, version, ORDER);
        dst.putBytes(index + HEADER_LENGTH, pattern, patternOffset(hash), length - HEADER_LENGTH);
        return length;
    }

    /** Check a value read back for {@code key}: {@link #OK} or what is wrong with it. */
    public int verify(final int key, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            if (length > sizes.max() || length < sizes.min())
            {
                return WRONG_LENGTH;
            }
            return equal(buffer, offset, patternOffset(hash(key, 0)), length) ? OK : WRONG_BYTES;
        }
        if (buffer.getInt(offset, ORDER) != key)
        {
            return WRONG_KEY;
        }
        final long hash = hash(key, buffer.getInt(offset + 4, ORDER));
        if (sizes.size(hash) != length)
        {
            return WRONG_LENGTH;
        }
        return equal(buffer, offset + HEADER_LENGTH, patternOffset(hash), length - HEADER_LENGTH) ? OK : WRONG_BYTES;
    }

    /** One bounds check per side, then eight bytes a compare: this runs for every value read back. */
    private boolean equal(final DirectBuffer buffer, final int offset, final int patternOffset, final int length)
    {
        buffer.boundsCheck(offset, length);
        pattern.boundsCheck(patternOffset, length);
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        final byte[] expected = pattern.byteArray();
        final long expectedAddress = pattern.addressOffset() + patternOffset;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (UnsafeApi.getLong(array, address + i) != UnsafeApi.getLong(expected, expectedAddress + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (UnsafeApi.getByte(array, address + i) != UnsafeApi.getByte(expected, expectedAddress + i))
            {
                return false;
            }
        }
        return true;
    }

    private static int patternOffset(final long hash)
    {
        return (int)((hash >>> 40) & (PATTERN_LENGTH - 1));
    }
}
