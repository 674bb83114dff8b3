package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.DirectBuffer;

/**
 * One text command line split into tokens in place, as memcached 1.6.18's {@code tokenize_command} does: tokens
 * are separated by spaces only (tabs and other control bytes belong to tokens), the line ends at its first NUL
 * byte (memcached runs {@code strlen} over it), and at most {@link #MAX_TOKENS}{@code - 1} tokens are cut; the
 * rest of the line then stays unsplit behind the last one ({@link #hasRest()}).
 * <p>
 * Counts follow memcached's convention so its checks translate one for one: {@link #ntokens()} includes the
 * terminal (empty) token. Reused for every line of a connection: no allocation.
 */
final class TextTokens
{
    /** memcached's MAX_TOKENS. */
    static final int MAX_TOKENS = 24;

    private final int[] start = new int[MAX_TOKENS];
    private final int[] length = new int[MAX_TOKENS];
    private DirectBuffer buffer;
    private int count;
    private int rest = -1;
    private int lineEnd;

    /** The value parsed by the last successful {@code parse*} call. */
    long value;
    /** The number the last successful {@link #parseDouble} read. */
    double doubleValue;

    /** Tokenizes {@code buffer[from, to)} (the line without its terminator). */
    void tokenize(final DirectBuffer buffer, final int from, final int to)
    {
        this.buffer = buffer;
        int end = from;
        while (end < to && buffer.getByte(end) != 0)
        {
            end++;
        }
        lineEnd = end;
        count = 0;
        rest = -1;
        int s = from;
        for (int e = from; e < end; e++)
        {
            if (buffer.getByte(e) == ' ')
            {
                if (s != e)
                {
                    start[count] = s;
                    length[count] = e - s;
                    count++;
                    if (count == MAX_TOKENS - 1)
                    {
                        s = e + 1;
                        rest = s < end ? s : -1;
                        return;
                    }
                }
                s = e + 1;
            }
        }
        if (s != end)
        {
            start[count] = s;
            length[count] = end - s;
            count++;
        }
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    /** Tokens cut, without the terminal one. */
    int count()
    {
        return count;
    }

    /** memcached's ntokens: tokens plus the terminal token. */
    int ntokens()
    {
        return count + 1;
    }

    /** True when the line had more tokens than were cut; {@link #restOffset()} is where they start. */
    boolean hasRest()
    {
        return rest >= 0;
    }

    int restOffset()
    {
        return rest;
    }

    /** End of the line as tokenized (its first NUL byte or its terminator). */
    int lineEnd()
    {
        return lineEnd;
    }

    int start(final int i)
    {
        return start[i];
    }

    int length(final int i)
    {
        return i < count ? length[i] : 0;
    }

    /** The token's byte at {@code k}; 0 past its end (the C string's terminator). */
    byte byteAt(final int i, final int k)
    {
        return i < count && k < length[i] ? buffer.getByte(start[i] + k) : 0;
    }

    boolean equals(final int i, final byte[] word)
    {
        if (i >= count || length[i] != word.length)
        {
            return false;
        }
        final int s = start[i];
        for (int k = 0; k < word.length; k++)
        {
            if (buffer.getByte(s + k) != word[k])
            {
                return false;
            }
        }
        return true;
    }

    /** Whether the token exists and starts with {@code prefix}. */
    boolean startsWith(final int i, final byte[] prefix)
    {
        if (i >= count || length[i] < prefix.length)
        {
            return false;
        }
        final int s = start[i];
        for (int k = 0; k < prefix.length; k++)
        {
            if (buffer.getByte(s + k) != prefix[k])
            {
                return false;
            }
        }
        return true;
    }

    /** memcached's {@code safe_strtoul} into a uint32: 64-bit parse, '-' rejected on wrap, then truncated. */
    boolean parseUint32(final int i)
    {
        return parseUint32(i, 0);
    }

    boolean parseUint32(final int i, final int skip)
    {
        if (!parseUint64(i, skip))
        {
            return false;
        }
        value &= 0xFFFF_FFFFL;
        return true;
    }

    /** memcached's {@code safe_strtoull}: uint64; a '-' anywhere fails once the result reads negative. */
    boolean parseUint64(final int i)
    {
        return parseUint64(i, 0);
    }

    boolean parseUint64(final int i, final int skip)
    {
        if (i >= count)
        {
            return false;
        }
        return parseUnsigned(start[i] + skip, start[i] + length[i]);
    }

    /** memcached's {@code safe_strtol} into an int32: a 64-bit strtol (ERANGE fails) truncated to 32 bits. */
    boolean parseInt32(final int i)
    {
        return parseInt32(i, 0);
    }

    boolean parseInt32(final int i, final int skip)
    {
        if (i >= count)
        {
            return false;
        }
        if (!parseSigned(start[i] + skip, start[i] + length[i]))
        {
            return false;
        }
        value = (int)value;
        return true;
    }

    /**
     * memcached's {@code safe_strtod}: C's strtod over the whole token (decimal, with optional fraction and
     * exponent, or inf/infinity/nan), failing on trailing bytes and on ERANGE (overflow, or underflow to zero).
     * Admin commands only (it allocates).
     */
    boolean parseDouble(final int i)
    {
        if (i >= count)
        {
            return false;
        }
        final byte[] bytes = new byte[length[i]];
        buffer.getBytes(start[i], bytes);
        final String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        final Matcher special = SPECIAL_DOUBLE.matcher(text);
        if (special.matches())
        {
            final boolean nan = special.group(2).toLowerCase(Locale.ROOT).startsWith("n");
            doubleValue = nan ? Double.NaN : "-".equals(special.group(1)) ?
                Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return true;
        }
        if (!DECIMAL_DOUBLE.matcher(text).matches())
        {
            return false;
        }
        final double d = Double.parseDouble(text);
        if (Double.isInfinite(d) || (d == 0 && NONZERO_DIGIT.matcher(text.split("[eE]")[0]).find()))
        {
            return false;
        }
        doubleValue = d;
        return true;
    }

    private static final Pattern SPECIAL_DOUBLE =
        Pattern.compile("([+-]?)((?i)inf|infinity|nan)");
    private static final Pattern DECIMAL_DOUBLE =
        Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NONZERO_DIGIT = Pattern.compile("[1-9]");

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private boolean parseUnsigned(final int from, final int to)
    {
        int p = from;
        while (p < to && isSpace(buffer.getByte(p)))
        {
            p++;
        }
        boolean negative = false;
        if (p < to && (buffer.getByte(p) == '-' || buffer.getByte(p) == '+'))
        {
            negative = buffer.getByte(p) == '-';
            p++;
        }
        final int digitsStart = p;
        long v = 0;
        boolean overflow = false;
        while (p < to)
        {
            final int d = buffer.getByte(p) - '0';
            if (d < 0 || d > 9)
            {
                break;
            }
            // 2^64 - 1 = 1844674407370955161 * 10 + 5
            if (Long.compareUnsigned(v, 1844674407370955161L) > 0 || (v == 1844674407370955161L && d > 5))
            {
                overflow = true;
            }
            v = v * 10 + d;
            p++;
        }
        if (p == digitsStart || overflow || !(p == to || isSpace(buffer.getByte(p))))
        {
            return false;
        }
        if (negative)
        {
            v = -v;
        }
        if (v < 0 && containsMinus(from, to))
        {
            return false;
        }
        value = v;
        return true;
    }

    private boolean containsMinus(final int from, final int to)
    {
        for (int p = from; p < to; p++)
        {
            if (buffer.getByte(p) == '-')
            {
                return true;
            }
        }
        return false;
    }

    private boolean parseSigned(final int from, final int to)
    {
        int p = from;
        while (p < to && isSpace(buffer.getByte(p)))
        {
            p++;
        }
        boolean negative = false;
        if (p < to && (buffer.getByte(p) == '-' || buffer.getByte(p) == '+'))
        {
            negative = buffer.getByte(p) == '-';
            p++;
        }
        final int digitsStart = p;
        long v = 0;
        boolean overflow = false;
        while (p < to)
        {
            final int d = buffer.getByte(p) - '0';
            if (d < 0 || d > 9)
            {
                break;
            }
            if (!overflow)
            {
                // accumulate negatively so Long.MIN_VALUE fits
                if (v < (Long.MIN_VALUE + d) / 10)
                {
                    overflow = true;
                }
                else
                {
                    v = v * 10 - d;
                }
            }
            p++;
        }
        if (p == digitsStart || !(p == to || isSpace(buffer.getByte(p))))
        {
            return false;
        }
        if (overflow || (!negative && v == Long.MIN_VALUE))
        {
            return false;
        }
        value = negative ? v : -v;
        return true;
    }
}
