package dev.taskvs.server.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.taskvs.client.codec.binary.BinaryProtocol;

/**
 * Test-only builder of binary-protocol request packets. Lengths default to what the parts add up to; the
 * {@code *Length} setters override them to build contradictory packets.
 */
final class BinaryPackets
{
    private byte magic = BinaryProtocol.MAGIC_REQUEST;
    private final byte opcode;
    private byte[] extras = new byte[0];
    private byte[] key = new byte[0];
    private byte[] value = new byte[0];
    private int opaque;
    private long cas;
    private Integer keyLength;
    private Integer extrasLength;
    private Long bodyLength;

    private BinaryPackets(final byte opcode)
    {
        this.opcode = opcode;
    }

    static BinaryPackets request(final byte opcode)
    {
        return new BinaryPackets(opcode);
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        for (final byte[] part : parts)
        {
            buffer.put(part);
        }
        return buffer.array();
    }

    static byte[] ints(final int... values)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4 * values.length);
        for (final int v : values)
        {
            buffer.putInt(v);
        }
        return buffer.array();
    }

    static byte[] storeExtras(final int flags, final int exptime)
    {
        return ints(flags, exptime);
    }

    static byte[] arithmeticExtras(final long delta, final long initial, final int exptime)
    {
        return ByteBuffer.allocate(20).putLong(delta).putLong(initial).putInt(exptime).array();
    }

    // ---- common requests

    static byte[] get(final byte opcode, final String key, final int opaque)
    {
        return request(opcode).key(key).opaque(opaque).build();
    }

    static byte[] set(final String key, final int flags, final String value)
    {
        return store(BinaryProtocol.SET, key, flags, 0, value, 0);
    }

    static byte[] store(
        final byte opcode, final String key, final int flags, final int exptime, final String value, final long cas)
    {
        return request(opcode).extras(storeExtras(flags, exptime)).key(key).value(value).cas(cas).build();
    }

    static byte[] arithmetic(
        final byte opcode, final String key, final long delta, final long initial, final int exptime)
    {
        return request(opcode).extras(arithmeticExtras(delta, initial, exptime)).key(key).build();
    }

    static byte[] simple(final byte opcode, final int opaque)
    {
        return request(opcode).opaque(opaque).build();
    }

    // ---- builder

    BinaryPackets magic(final int magic)
    {
        this.magic = (byte)magic;
        return this;
    }

    BinaryPackets extras(final byte[] extras)
    {
        this.extras = extras;
        return this;
    }

    BinaryPackets key(final String key)
    {
        return key(ascii(key));
    }

    BinaryPackets key(final byte[] key)
    {
        this.key = key;
        return this;
    }

    BinaryPackets value(final String value)
    {
        return value(ascii(value));
    }

    BinaryPackets value(final byte[] value)
    {
        this.value = value;
        return this;
    }

    BinaryPackets opaque(final int opaque)
    {
        this.opaque = opaque;
        return this;
    }

    BinaryPackets cas(final long cas)
    {
        this.cas = cas;
        return this;
    }

    BinaryPackets keyLength(final int keyLength)
    {
        this.keyLength = keyLength;
        return this;
    }

    BinaryPackets extrasLength(final int extrasLength)
    {
        this.extrasLength = extrasLength;
        return this;
    }

    BinaryPackets bodyLength(final long bodyLength)
    {
        this.bodyLength = bodyLength;
        return this;
    }

    byte[] build()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(
            BinaryProtocol.HEADER_LENGTH + extras.length + key.length + value.length);
        buffer.put(magic)
            .put(opcode)
            .putShort((short)(keyLength != null ? keyLength : key.length))
            .put((byte)(extrasLength != null ? extrasLength : extras.length))
            .put((byte)0)
            .putShort((short)0)
            .putInt((int)(bodyLength != null ? bodyLength : extras.length + key.length + value.length))
            .putInt(opaque)
            .putLong(cas)
            .put(extras)
            .put(key)
            .put(value);
        return buffer.array();
    }
}
