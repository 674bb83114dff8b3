package dev.taskvs.server.protocol;

import java.nio.ByteOrder;

import dev.taskvs.client.codec.binary.BinaryProtocol;
import dev.taskvs.server.ServerConfig;
import org.agrona.DirectBuffer;

/**
 * Finds the key of a get at the start of a request without parsing it: the text protocol's {@code get} and
 * {@code gets} (the first key), the meta protocol's {@code mg} and the binary protocol's GET, GETQ, GETK and
 * GETKQ. For warming the store ahead of serving, so a miss here only means nothing is warmed; the session still
 * parses and checks everything.
 */
public final class GetKeys
{
    /** The most bytes of a request {@link #find} may need: a binary get's header and the longest key. */
    public static final int LONGEST_PREFIX = BinaryProtocol.HEADER_LENGTH + ServerConfig.KEY_MAX_LENGTH;

    private GetKeys()
    {
    }

    /**
     * @param buffer the request's bytes.
     * @param at     where the request starts.
     * @param end    end of the bytes that may be read.
     * @return the key's offset and length as {@code offset << 32 | length}, or -1 when the request is not a get
     * whose key lies complete before {@code end}.
     */
    public static long find(final DirectBuffer buffer, final int at, final int end)
    {
        if (end - at >= BinaryProtocol.HEADER_LENGTH &&
            buffer.getByte(at + BinaryProtocol.MAGIC_OFFSET) == BinaryProtocol.MAGIC_REQUEST)
        {
            final byte opcode = buffer.getByte(at + BinaryProtocol.OPCODE_OFFSET);
            final int length = buffer.getShort(at + BinaryProtocol.KEY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int key = at + BinaryProtocol.HEADER_LENGTH;
            final boolean get = opcode == BinaryProtocol.GET || opcode == BinaryProtocol.GETQ ||
                opcode == BinaryProtocol.GETK || opcode == BinaryProtocol.GETKQ;
            // A get has no extras: its key follows the header.
            return get && buffer.getByte(at + BinaryProtocol.EXTRAS_LENGTH_OFFSET) == 0 && length > 0 &&
                length <= ServerConfig.KEY_MAX_LENGTH &&
                key + length <= end ? (long)key << 32 | length : -1;
        }
        final int key = keyStart(buffer, at, end);
        final int length = key < 0 ? -1 : keyLength(buffer, key, end);
        return length < 0 ? -1 : (long)key << 32 | length;
    }

    /**
     * @param buffer the request's bytes.
     * @param at     where the request starts.
     * @param end    end of the bytes that may be read.
     * @return offset of the key's first byte, or -1 when the bytes do not start with a get and a space.
     */
    public static int keyStart(final DirectBuffer buffer, final int at, final int end)
    {
        if (end - at < 4)
        {
            return -1;
        }
        final byte b0 = buffer.getByte(at);
        final byte b1 = buffer.getByte(at + 1);
        final byte b2 = buffer.getByte(at + 2);
        final byte b3 = buffer.getByte(at + 3);
        if (b0 == 'm' && b1 == 'g' && b2 == ' ')
        {
            return at + 3;
        }
        if (b0 != 'g' || b1 != 'e' || b2 != 't')
        {
            return -1;
        }
        if (b3 == ' ')
        {
            return at + 4;
        }
        return b3 == 's' && end - at > 4 && buffer.getByte(at + 4) == ' ' ? at + 5 : -1;
    }

    /**
     * @param buffer the request's bytes.
     * @param key    what {@link #keyStart} returned.
     * @param end    end of the bytes that may be read.
     * @return the key's length up to a space, CR or LF, or -1 when none comes within
     * {@link ServerConfig#KEY_MAX_LENGTH} bytes and before {@code end}, or the key is empty.
     */
    public static int keyLength(final DirectBuffer buffer, final int key, final int end)
    {
        final int limit = Math.min(end, key + ServerConfig.KEY_MAX_LENGTH + 1);
        for (int i = key; i < limit; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == ' ' || b == '\r' || b == '\n')
            {
                return i > key ? i - key : -1;
            }
        }
        return -1;
    }
}
