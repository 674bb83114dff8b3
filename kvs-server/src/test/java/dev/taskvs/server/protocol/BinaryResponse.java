package dev.taskvs.server.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.taskvs.client.codec.binary.BinaryProtocol;

/** Test-only view of one parsed binary-protocol response. */
final class BinaryResponse
{
    final int magic;
    final byte opcode;
    final int status;
    final int opaque;
    final long cas;
    final byte[] extras;
    final byte[] key;
    final byte[] value;

    private BinaryResponse(
        final int magic, final byte opcode, final int status, final int opaque, final long cas, final byte[] extras,
        final byte[] key, final byte[] value)
    {
        this.magic = magic;
        this.opcode = opcode;
        this.status = status;
        this.opaque = opaque;
        this.cas = cas;
        this.extras = extras;
        this.key = key;
        this.value = value;
    }

    /** Parses whole responses; fails the test on trailing partial bytes. */
    static List<BinaryResponse> parseAll(final byte[] bytes)
    {
        final List<BinaryResponse> responses = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining())
        {
            if (buffer.remaining() < BinaryProtocol.HEADER_LENGTH)
            {
                throw new AssertionError("trailing partial header: " + buffer.remaining() + " bytes");
            }
            final int magic = buffer.get() & 0xFF;
            final byte opcode = buffer.get();
            final int keyLength = buffer.getShort() & 0xFFFF;
            final int extrasLength = buffer.get() & 0xFF;
            buffer.get();
            final int status = buffer.getShort() & 0xFFFF;
            final int bodyLength = buffer.getInt();
            final int opaque = buffer.getInt();
            final long cas = buffer.getLong();
            if (buffer.remaining() < bodyLength)
            {
                throw new AssertionError("trailing partial body: " + buffer.remaining() + " of " + bodyLength);
            }
            final byte[] extras = new byte[extrasLength];
            final byte[] key = new byte[keyLength];
            final byte[] value = new byte[bodyLength - extrasLength - keyLength];
            buffer.get(extras).get(key).get(value);
            responses.add(new BinaryResponse(magic, opcode, status, opaque, cas, extras, key, value));
        }
        return responses;
    }

    String keyText()
    {
        return new String(key, StandardCharsets.US_ASCII);
    }

    String valueText()
    {
        return new String(value, StandardCharsets.US_ASCII);
    }

    int flags()
    {
        return ByteBuffer.wrap(extras).getInt();
    }

    long counter()
    {
        return ByteBuffer.wrap(value).getLong();
    }

    @Override
    public String toString()
    {
        return String.format("op=%02x status=%x opaque=%d cas=%d extras=%s key=%s value=%s",
            opcode, status, opaque, cas, Arrays.toString(extras), keyText(),
            value.length > 64 ? value.length + " bytes" : valueText());
    }
}
