package dev.taskvs.loadgen.workload;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Every key of the run, precomputed once into one buffer so requests copy key bytes and never format them:
 * key {@code i} is {@code "k"} followed by {@code i} in decimal, zero-padded to the key size. The format is its
 * own index, so a key echoed in a response maps back to its index without a lookup table.
 */
public final class KeySpace
{
    /** The first byte of every key. */
    public static final byte PREFIX = 'k';
    /** memcached's key limit (protocol.txt "Keys"). */
    public static final int MAX_KEY_SIZE = 250;
    /** Keys times key size above this would not fit one array. */
    public static final long MAX_TOTAL_BYTES = 1L << 30;

    private final int count;
    private final int keySize;
    private final UnsafeBuffer bytes;

    public KeySpace(final int count, final int keySize)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("--keys = " + count + " is out of range: must be >= 1");
        }
        final int minSize = minKeySize(count);
        if (keySize < minSize || keySize > MAX_KEY_SIZE)
        {
            throw new IllegalArgumentException("--key-size = " + keySize + " is out of range: must be " + minSize +
                ".." + MAX_KEY_SIZE + " for " + count + " keys");
        }
        if ((long)count * keySize > MAX_TOTAL_BYTES)
        {
            throw new IllegalArgumentException("--keys x --key-size = " + (long)count * keySize +
                " bytes is out of range: must be <= " + MAX_TOTAL_BYTES);
        }
        this.count = count;
        this.keySize = keySize;
        this.bytes = new UnsafeBuffer(new byte[count * keySize]);
        for (int i = 0; i < count; i++)
        {
            final int base = i * keySize;
            bytes.putByte(base, PREFIX);
            int value = i;
            for (int p = base + keySize - 1; p > base; p--)
            {
                bytes.putByte(p, (byte)('0' + value % 10));
                value /= 10;
            }
        }
    }

    /** The shortest key size that holds the prefix and every index of {@code count} keys. */
    public static int minKeySize(final int count)
    {
        return 1 + Integer.toString(Math.max(0, count - 1)).length();
    }

    public int count()
    {
        return count;
    }

    public int keySize()
    {
        return keySize;
    }

    /** The buffer holding every key back to back. */
    public DirectBuffer buffer()
    {
        return bytes;
    }

    public int offset(final int index)
    {
        return index * keySize;
    }

    /**
     * The index of the key in the region, or -1 when the region is not one of this space's keys. Eight digits are
     * checked and converted at a time: every reply's key is read back this way, and comparing it with the key table
     * instead cost a cache miss per reply (the table is keys x key size bytes).
     */
    public int indexOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != keySize || buffer.getByte(offset) != PREFIX)
        {
            return -1;
        }
        final int end = offset + length;
        int i = offset + 1;
        long value = 0;
        for (final int head = i + (length - 1) % Long.BYTES; i < head; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            value = value * 10 + digit;
        }
        for (; i < end; i += Long.BYTES)
        {
            final long digits = eightDigits(buffer.getLong(i, ByteOrder.LITTLE_ENDIAN));
            // value < count <= 2^31 before each step, so value * 10^8 + digits cannot overflow.
            if (digits < 0 || value >= count)
            {
                return -1;
            }
            value = value * 100_000_000L + digits;
        }
        return value < count ? (int)value : -1;
    }

    /**
     * The value of eight ASCII digits read little-endian (the first digit in the low byte), or -1 when any byte is
     * not a digit. Pairs, then quads, then both halves are combined with one multiply each (each lane times
     * (10^n << width) + 1 adds the higher-order neighbour times 10^n).
     */
    static long eightDigits(final long word)
    {
        // Every byte in '0'..'9': high nibble 3, and adding 6 must not carry into it.
        if ((word & 0xF0F0_F0F0_F0F0_F0F0L) != 0x3030_3030_3030_3030L ||
            ((word + 0x0606_0606_0606_0606L) & 0xF0F0_F0F0_F0F0_F0F0L) != 0x3030_3030_3030_3030L)
        {
            return -1;
        }
        long v = word & 0x0F0F_0F0F_0F0F_0F0FL;
        v = (v * ((10L << 8) + 1)) >>> 8 & 0x00FF_00FF_00FF_00FFL;
        v = (v * ((100L << 16) + 1)) >>> 16 & 0x0000_FFFF_0000_FFFFL;
        return (v * ((10_000L << 32) + 1)) >>> 32;
    }

    /** The key as text, for messages. */
    public String keyAsString(final int index)
    {
        return bytes.getStringWithoutLengthAscii(offset(index), keySize);
    }
}
