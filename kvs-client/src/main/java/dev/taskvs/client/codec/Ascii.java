package dev.taskvs.client.codec;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Allocation-free ASCII helpers shared by the text and meta codecs: writing unsigned numbers, finding line ends
 * and parsing the decimal fields of response lines.
 */
public final class Ascii
{
    public static final byte SPACE = ' ';
    public static final byte CR = '\r';
    public static final byte LF = '\n';

    /** Returned by the parsers when a field is not a valid number; callers check {@link #isValid}. */
    private static final long INVALID_MARKER = Long.MIN_VALUE + 7;
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Ascii()
    {
    }

    /** Write an unsigned 64-bit decimal; returns the index after it. */
    public static int putUnsignedLong(final MutableDirectBuffer dst, final int index, final long value)
    {
        if (value >= 0)
        {
            return index + dst.putNaturalLongAscii(index, value);
        }
        final long quotient = Long.divideUnsigned(value, 10);
        final long remainder = Long.remainderUnsigned(value, 10);
        final int next = index + dst.putNaturalLongAscii(index, quotient);
        dst.putByte(next, (byte)('0' + remainder));
        return next + 1;
    }

    /** Write an unsigned 32-bit decimal (memcached client flags); returns the index after it. */
    public static int putUnsignedInt(final MutableDirectBuffer dst, final int index, final int value)
    {
        return index + dst.putNaturalLongAscii(index, value & 0xFFFF_FFFFL);
    }

    /** Write a signed 32-bit decimal (exptime, delay); returns the index after it. */
    public static int putInt(final MutableDirectBuffer dst, final int index, final int value)
    {
        return index + dst.putIntAscii(index, value);
    }

    public static int putBytes(final MutableDirectBuffer dst, final int index, final byte[] src)
    {
        dst.putBytes(index, src);
        return index + src.length;
    }

    public static int putBytes(
        final MutableDirectBuffer dst, final int index, final DirectBuffer src, final int offset, final int length)
    {
        dst.putBytes(index, src, offset, length);
        return index + length;
    }

    public static int putCrLf(final MutableDirectBuffer dst, final int index)
    {
        dst.putByte(index, CR);
        dst.putByte(index + 1, LF);
        return index + 2;
    }

    /** Index of the first {@code '\n'} in {@code [offset, limit)}, or -1. */
    public static int indexOfLf(final DirectBuffer buffer, final int offset, final int limit)
    {
        final int i = indexOf(buffer, offset, limit, LF);
        return i < limit ? i : -1;
    }

    /** Index of the first space in {@code [offset, limit)}, or {@code limit}. */
    public static int indexOfSpaceOrEnd(final DirectBuffer buffer, final int offset, final int limit)
    {
        return indexOf(buffer, offset, limit, SPACE);
    }

    /**
     * Index of the first {@code b} in {@code [offset, limit)}, or {@code limit}. Reads eight bytes at a time (one
     * bounds check per word instead of per byte: a response line is scanned three or four times, and the per-byte
     * checks were a sixth of the load generator's time at 2.5 M replies/s).
     */
    private static int indexOf(final DirectBuffer buffer, final int offset, final int limit, final byte b)
    {
        final long pattern = ONES * (b & 0xFF);
        int i = offset;
        for (; i + Long.BYTES <= limit; i += Long.BYTES)
        {
            final long x = buffer.getLong(i, ByteOrder.LITTLE_ENDIAN) ^ pattern;
            // A byte of x is zero where the word holds b; the lowest flagged byte is exact (a borrow only runs upward).
            final long zeros = (x - ONES) & ~x & HIGH_BITS;
            if (zeros != 0)
            {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < limit; i++)
        {
            if (buffer.getByte(i) == b)
            {
                return i;
            }
        }
        return limit;
    }

    /** Whether {@code [offset, offset + length)} holds exactly the bytes of {@code expected}. */
    public static boolean regionEquals(
        final DirectBuffer buffer, final int offset, final int length, final byte[] expected)
    {
        if (length != expected.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Parse an unsigned 64-bit decimal of 1..20 digits. Returns {@link #invalid()} on an empty field, a
     * non-digit or overflow; a valid result can only be confused with it for the one value
     * {@code Long.MIN_VALUE + 7}, so callers that accept the full range check {@link #isUnsignedDecimal} first.
     */
    public static long parseUnsignedLong(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= 0 || length > 20)
        {
            return INVALID_MARKER;
        }
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            final int digit = buffer.getByte(offset + i) - '0';
            if (digit < 0 || digit > 9)
            {
                return INVALID_MARKER;
            }
            final long times10 = value * 10;
            if (Long.compareUnsigned(value, 0x1999_9999_9999_9999L) > 0 ||
                Long.compareUnsigned(times10 + digit, times10) < 0)
            {
                return INVALID_MARKER;
            }
            value = times10 + digit;
        }
        return value;
    }

    /** Whether the region is 1..20 digits whose value fits in 64 unsigned bits. */
    public static boolean isUnsignedDecimal(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= 0 || length > 20)
        {
            return false;
        }
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            final int digit = buffer.getByte(offset + i) - '0';
            if (digit < 0 || digit > 9)
            {
                return false;
            }
            final long times10 = value * 10;
            if (Long.compareUnsigned(value, 0x1999_9999_9999_9999L) > 0 ||
                Long.compareUnsigned(times10 + digit, times10) < 0)
            {
                return false;
            }
            value = times10 + digit;
        }
        return true;
    }

    /** Parse a signed decimal that fits in a long (meta {@code t-1}); {@link #invalid()} when not a number. */
    public static long parseSignedLong(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > 1 && buffer.getByte(offset) == '-')
        {
            final long magnitude = parseUnsignedLong(buffer, offset + 1, length - 1);
            return magnitude == INVALID_MARKER || magnitude < 0 ? INVALID_MARKER : -magnitude;
        }
        final long value = parseUnsignedLong(buffer, offset, length);
        return value < 0 ? INVALID_MARKER : value;
    }

    public static long invalid()
    {
        return INVALID_MARKER;
    }

    public static boolean isValid(final long parsed)
    {
        return parsed != INVALID_MARKER;
    }

    /** ASCII bytes of a constant; for building static command and response tables. */
    public static byte[] bytes(final String ascii)
    {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
