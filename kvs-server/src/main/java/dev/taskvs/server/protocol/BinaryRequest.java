package dev.taskvs.server.protocol;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import static dev.taskvs.client.codec.binary.BinaryProtocol.BODY_LENGTH_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.CAS_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.EXTRAS_LENGTH_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.HEADER_LENGTH;
import static dev.taskvs.client.codec.binary.BinaryProtocol.KEY_LENGTH_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.MAGIC_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.OPAQUE_OFFSET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.OPCODE_OFFSET;

/**
 * Flyweight over one binary-protocol request as it sits in the connection's receive buffer.
 * <pre>
 *   0| Magic 0x80    | Opcode        | Key length                    |
 *   4| Extras length | Data type     | vbucket id                    |
 *   8| Total body length                                             |
 *  12| Opaque                                                        |
 *  16| CAS (8 bytes)                                                 |
 *  24| extras, then key, then value                                  |
 * </pre>
 * All multi-byte fields are big-endian. The lengths are unsigned on the wire: key length is 16 bits, body length
 * 32 bits (read here as a {@code long} so a hostile 4 GiB length cannot turn negative).
 */
final class BinaryRequest
{
    private DirectBuffer buffer;
    private int offset;

    BinaryRequest wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    byte magic()
    {
        return buffer.getByte(offset + MAGIC_OFFSET);
    }

    byte opcode()
    {
        return buffer.getByte(offset + OPCODE_OFFSET);
    }

    int keyLength()
    {
        return buffer.getShort(offset + KEY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    int extrasLength()
    {
        return buffer.getByte(offset + EXTRAS_LENGTH_OFFSET) & 0xFF;
    }

    long bodyLength()
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** The opaque as read big-endian; written back big-endian it echoes the client's bytes unchanged. */
    int opaque()
    {
        return buffer.getInt(offset + OPAQUE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    long cas()
    {
        return buffer.getLong(offset + CAS_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** Header, extras and key: what memcached reads before it dispatches a command. */
    int headLength()
    {
        return HEADER_LENGTH + extrasLength() + keyLength();
    }

    int extrasOffset()
    {
        return offset + HEADER_LENGTH;
    }

    int keyOffset()
    {
        return offset + HEADER_LENGTH + extrasLength();
    }

    int valueOffset()
    {
        return keyOffset() + keyLength();
    }

    /** Body bytes after extras and key; negative when the lengths contradict each other. */
    long valueLength()
    {
        return bodyLength() - extrasLength() - keyLength();
    }

    int extrasInt(final int index)
    {
        return buffer.getInt(extrasOffset() + index, ByteOrder.BIG_ENDIAN);
    }

    long extrasLong(final int index)
    {
        return buffer.getLong(extrasOffset() + index, ByteOrder.BIG_ENDIAN);
    }
}
