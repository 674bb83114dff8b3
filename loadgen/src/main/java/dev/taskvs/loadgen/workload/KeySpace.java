package dev.taskvs.loadgen.workload;

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

    /** The index of the key in the region, or -1 when the region is not one of this space's keys. */
    public int indexOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != keySize || buffer.getByte(offset) != PREFIX)
        {
            return -1;
        }
        long value = 0;
        for (int i = offset + 1, end = offset + length; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value < count ? (int)value : -1;
    }

    /** The key as text, for messages. */
    public String keyAsString(final int index)
    {
        return bytes.getStringWithoutLengthAscii(offset(index), keySize);
    }
}
