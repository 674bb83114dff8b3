package dev.taskvs.server.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Standard base64 (RFC 4648 section 4, with padding) for meta keys sent with the {@code b} flag, without
 * allocation. Decoding is strict as memcached's {@code base64_decode}: whole 4-character groups, padding only at
 * the end; anything else decodes to nothing (length 0), which the caller reports as an error.
 */
final class TextBase64
{
    private static final byte[] ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DECODE = new byte[256];

    static
    {
        java.util.Arrays.fill(DECODE, (byte)-1);
        for (int i = 0; i < ALPHABET.length; i++)
        {
            DECODE[ALPHABET[i]] = (byte)i;
        }
    }

    private TextBase64()
    {
    }

    /** @return decoded length, or 0 when the input is not valid base64 or does not fit {@code dst}. */
    static int decode(
        final DirectBuffer src, final int offset, final int length,
        final MutableDirectBuffer dst, final int dstCapacity)
    {
        if (length == 0 || (length & 3) != 0)
        {
            return 0;
        }
        int out = 0;
        for (int i = 0; i < length; i += 4)
        {
            final int a = DECODE[src.getByte(offset + i) & 0xFF];
            final int b = DECODE[src.getByte(offset + i + 1) & 0xFF];
            final byte c3 = src.getByte(offset + i + 2);
            final byte c4 = src.getByte(offset + i + 3);
            final boolean last = i + 4 == length;
            if (a < 0 || b < 0)
            {
                return 0;
            }
            int bytes = 3;
            int c = 0;
            int d = 0;
            if (c3 == '=')
            {
                if (!last || c4 != '=')
                {
                    return 0;
                }
                bytes = 1;
            }
            else
            {
                c = DECODE[c3 & 0xFF];
                if (c < 0)
                {
                    return 0;
                }
                if (c4 == '=')
                {
                    if (!last)
                    {
                        return 0;
                    }
                    bytes = 2;
                }
                else
                {
                    d = DECODE[c4 & 0xFF];
                    if (d < 0)
                    {
                        return 0;
                    }
                }
            }
            if (out + bytes > dstCapacity)
            {
                return 0;
            }
            final int triple = (a << 18) | (b << 12) | (c << 6) | d;
            dst.putByte(out++, (byte)(triple >> 16));
            if (bytes > 1)
            {
                dst.putByte(out++, (byte)(triple >> 8));
            }
            if (bytes > 2)
            {
                dst.putByte(out++, (byte)triple);
            }
        }
        return out;
    }

    /** Appends the base64 form of {@code src[offset, offset + length)}. */
    static void encode(final DirectBuffer src, final int offset, final int length, final ResponseBuffer out)
    {
        int i = 0;
        for (; i + 3 <= length; i += 3)
        {
            final int triple = ((src.getByte(offset + i) & 0xFF) << 16) |
                ((src.getByte(offset + i + 1) & 0xFF) << 8) | (src.getByte(offset + i + 2) & 0xFF);
            out.put(ALPHABET[(triple >> 18) & 63]).put(ALPHABET[(triple >> 12) & 63])
                .put(ALPHABET[(triple >> 6) & 63]).put(ALPHABET[triple & 63]);
        }
        final int remaining = length - i;
        if (remaining == 1)
        {
            final int v = (src.getByte(offset + i) & 0xFF) << 16;
            out.put(ALPHABET[(v >> 18) & 63]).put(ALPHABET[(v >> 12) & 63]).put((byte)'=').put((byte)'=');
        }
        else if (remaining == 2)
        {
            final int v = ((src.getByte(offset + i) & 0xFF) << 16) | ((src.getByte(offset + i + 1) & 0xFF) << 8);
            out.put(ALPHABET[(v >> 18) & 63]).put(ALPHABET[(v >> 12) & 63]).put(ALPHABET[(v >> 6) & 63])
                .put((byte)'=');
        }
    }
}
