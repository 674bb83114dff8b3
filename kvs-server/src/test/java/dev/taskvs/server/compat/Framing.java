package dev.taskvs.server.compat;

import java.nio.charset.StandardCharsets;

/**
 * Where one response unit ends in a byte stream. A text unit is one line, except that a {@code VALUE} or meta
 * {@code VA} line carries its data block and the block's {@code \r\n}. A binary unit is one packet.
 */
final class Framing
{
    static final int BINARY_HEADER = 24;

    private Framing()
    {
    }

    /** Length of the complete text unit at {@code off}, or -1 when more bytes are needed. */
    static int textUnit(final byte[] buf, final int off, final int len)
    {
        int nl = -1;
        for (int i = off; i < off + len; i++)
        {
            if (buf[i] == '\n')
            {
                nl = i;
                break;
            }
        }
        if (nl < 0)
        {
            return -1;
        }
        final int lineLength = nl - off + 1;
        final long dataLength = dataLength(new String(buf, off, lineLength, StandardCharsets.ISO_8859_1));
        if (dataLength < 0)
        {
            return lineLength;
        }
        final long unit = lineLength + dataLength + 2;
        return unit <= len ? (int)unit : -1;
    }

    /** Length of the data block a response header line announces, or -1 when it announces none. */
    static long dataLength(final String line)
    {
        final String header = stripEol(line);
        final String[] tokens = header.split(" ", -1);
        int index = -1;
        if (header.startsWith("VALUE ") && tokens.length >= 4)
        {
            index = 3;
        }
        else if (header.startsWith("VA ") && tokens.length >= 2)
        {
            index = 1;
        }
        if (index < 0)
        {
            return -1;
        }
        try
        {
            final long length = Long.parseLong(tokens[index]);
            return length >= 0 && length < Integer.MAX_VALUE - 64 ? length : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** Length of the complete binary packet at {@code off}, or -1 when more bytes are needed. */
    static int binaryUnit(final byte[] buf, final int off, final int len)
    {
        if (len < BINARY_HEADER)
        {
            return -1;
        }
        final long bodyLength = u32(buf, off + 8);
        final long unit = BINARY_HEADER + bodyLength;
        return unit <= len ? (int)unit : -1;
    }

    static String stripEol(final String line)
    {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\n')
        {
            end--;
        }
        if (end > 0 && line.charAt(end - 1) == '\r')
        {
            end--;
        }
        return line.substring(0, end);
    }

    static int u8(final byte[] buf, final int at)
    {
        return buf[at] & 0xFF;
    }

    static int u16(final byte[] buf, final int at)
    {
        return (u8(buf, at) << 8) | u8(buf, at + 1);
    }

    static long u32(final byte[] buf, final int at)
    {
        return ((long)u16(buf, at) << 16) | u16(buf, at + 2);
    }

    static long u64(final byte[] buf, final int at)
    {
        return (u32(buf, at) << 32) | u32(buf, at + 4);
    }

    /** Bytes as readable text: printable ASCII kept, CR and LF and the rest escaped. */
    static String escape(final byte[] bytes, final int off, final int len, final int limit)
    {
        final StringBuilder out = new StringBuilder(Math.min(len, limit) + 16);
        final int shown = Math.min(len, limit);
        for (int i = off; i < off + shown; i++)
        {
            final int b = bytes[i] & 0xFF;
            if (b == '\r')
            {
                out.append("\\r");
            }
            else if (b == '\n')
            {
                out.append("\\n");
            }
            else if (b == '\\')
            {
                out.append("\\\\");
            }
            else if (b >= 0x20 && b < 0x7F)
            {
                out.append((char)b);
            }
            else
            {
                out.append(String.format("\\x%02x", b));
            }
        }
        if (len > shown)
        {
            out.append("...(").append(len - shown).append(" more bytes)");
        }
        return out.toString();
    }

    static String escape(final byte[] bytes, final int limit)
    {
        return escape(bytes, 0, bytes.length, limit);
    }
}
