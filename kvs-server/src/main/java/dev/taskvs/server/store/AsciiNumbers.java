package dev.taskvs.server.store;

import org.agrona.UnsafeApi;

/** Decimal uint64 values as incr/decr read and write them in item memory, allocation-free. */
final class AsciiNumbers
{
    /** 10^19 as an unsigned long: the smallest 20-digit number. */
    private static final long TEN_POW_19 = Long.parseUnsignedLong("10000000000000000000");
    /** (2^64 - 1) / 10: above it, one more digit overflows. */
    private static final long MAX_BEFORE_DIGIT = Long.divideUnsigned(-1L, 10);

    private AsciiNumbers()
    {
    }

    /**
     * Parses a value the way memcached 1.6.18's {@code safe_strtoull} sees it (the value followed by its "\r\n"):
     * leading C whitespace and a sign are skipped, digits must fit in 64 bits (ERANGE is an error), and the
     * number must end at whitespace, a NUL or the end of the value. So " 12" and "007" parse, "12ab" and
     * "18446744073709551616" do not, and a negative result is refused only if a '-' was present ("-0" is 0).
     * A value of only whitespace reads as 0, because strtoull then points its end at the first character.
     *
     * @param result receives the number in {@link MutationResult#value} when this returns true.
     * @return whether the value is a number memcached would increment.
     */
    static boolean parseUint64(final long address, final int length, final MutationResult result)
    {
        int i = 0;
        while (i < length && isSpace(UnsafeApi.getByte(address + i)))
        {
            i++;
        }
        boolean negative = false;
        if (i < length)
        {
            final byte sign = UnsafeApi.getByte(address + i);
            if (sign == '+' || sign == '-')
            {
                negative = sign == '-';
                i++;
            }
        }
        final int firstDigit = i;
        long value = 0;
        while (i < length)
        {
            final int digit = UnsafeApi.getByte(address + i) - '0';
            if (digit < 0 || digit > 9)
            {
                break;
            }
            if (Long.compareUnsigned(value, MAX_BEFORE_DIGIT) > 0)
            {
                return false;
            }
            final long next = value * 10 + digit;
            if (Long.compareUnsigned(next, value * 10) < 0)
            {
                return false;
            }
            value = next;
            i++;
        }
        if (i == firstDigit)
        {
            // No conversion: strtoull's end pointer is the start of the string.
            if (length > 0 && isSpace(UnsafeApi.getByte(address)))
            {
                result.value = 0;
                return true;
            }
            return false;
        }
        if (i < length)
        {
            final byte end = UnsafeApi.getByte(address + i);
            if (end != 0 && !isSpace(end))
            {
                return false;
            }
        }
        final long signed = negative ? -value : value;
        if (negative && signed < 0)
        {
            return false;
        }
        result.value = signed;
        return true;
    }

    /** Number of decimal digits of an unsigned 64-bit value. */
    static int digits(final long value)
    {
        if (value < 0)
        {
            return Long.compareUnsigned(value, TEN_POW_19) >= 0 ? 20 : 19;
        }
        int digits = 1;
        long rest = value;
        while (rest >= 10)
        {
            rest /= 10;
            digits++;
        }
        return digits;
    }

    /** Writes the unsigned value's {@link #digits} digits at the address. */
    static void write(final long address, final long value, final int digits)
    {
        long rest = value;
        int i = digits - 1;
        if (rest < 0)
        {
            UnsafeApi.putByte(address + i, (byte)('0' + Long.remainderUnsigned(rest, 10)));
            rest = Long.divideUnsigned(rest, 10);
            i--;
        }
        for (; i >= 0; i--)
        {
            UnsafeApi.putByte(address + i, (byte)('0' + rest % 10));
            rest /= 10;
        }
    }

    /** C isspace in the "C" locale. */
    private static boolean isSpace(final byte b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }
}
