package dev.taskvs.client.codec;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * A reusable, mutable result of decoding one response unit. The key, value and message are regions of the
 * decoded buffer, not copies: read them before the buffer is compacted or refilled. Nothing here allocates
 * except the {@code ...AsString} and {@code ...Bytes} conveniences meant for the control path and tests.
 */
public final class Response
{
    /** Value of {@link #opaque()} when the response carried none (or, for meta, a non-numeric one). */
    public static final long NO_OPAQUE = -1;

    private ResponseKind kind;
    private DirectBuffer buffer;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int messageOffset;
    private int messageLength;
    private int flags;
    private long cas;
    private boolean hasCas;
    private long number;
    private long opaque = NO_OPAQUE;
    private int status;
    private byte opcode;
    private long metaFlagMask;
    private int metaFlagsOffset;
    private int metaFlagsLength;
    private int opaqueOffset;
    private int opaqueLength;
    private long ttl;
    private long size;
    private long lastAccess;
    private int hit;
    private String malformedReason;

    /** Clear every field before a decoder fills in a new unit. */
    public void reset()
    {
        kind = null;
        buffer = null;
        keyOffset = 0;
        keyLength = 0;
        valueOffset = 0;
        valueLength = 0;
        messageOffset = 0;
        messageLength = 0;
        flags = 0;
        cas = 0;
        hasCas = false;
        number = 0;
        opaque = NO_OPAQUE;
        status = 0;
        opcode = 0;
        metaFlagMask = 0;
        metaFlagsOffset = 0;
        metaFlagsLength = 0;
        opaqueOffset = 0;
        opaqueLength = 0;
        ttl = 0;
        size = 0;
        lastAccess = 0;
        hit = -1;
        malformedReason = null;
    }

    public ResponseKind kind()
    {
        return kind;
    }

    /** The buffer the regions point into. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int keyOffset()
    {
        return keyOffset;
    }

    public int keyLength()
    {
        return keyLength;
    }

    /** Offset of the data block (text/meta), the binary value, or a text STAT value. */
    public int valueOffset()
    {
        return valueOffset;
    }

    public int valueLength()
    {
        return valueLength;
    }

    /** Offset of the text after ERROR/CLIENT_ERROR/SERVER_ERROR/VERSION/ME, or a binary error body. */
    public int messageOffset()
    {
        return messageOffset;
    }

    public int messageLength()
    {
        return messageLength;
    }

    /** Client flags: text VALUE, meta {@code f}, binary get extras. A 32-bit unsigned value. */
    public int flags()
    {
        return flags;
    }

    public long cas()
    {
        return cas;
    }

    /** Whether a CAS was on the wire: text {@code gets} VALUE, meta {@code c}, any binary header. */
    public boolean hasCas()
    {
        return hasCas;
    }

    /** An incr/decr result, unsigned 64-bit. */
    public long number()
    {
        return number;
    }

    /** Binary opaque (32 bits, unsigned), or a numeric meta {@code O} token; {@link #NO_OPAQUE} otherwise. */
    public long opaque()
    {
        return opaque;
    }

    /** Binary status code; 0 for the text protocols. */
    public int status()
    {
        return status;
    }

    /** Binary opcode echoed by the server. */
    public byte opcode()
    {
        return opcode;
    }

    /** Whether a meta response carried the flag {@code flag} (an ASCII letter). */
    public boolean hasMetaFlag(final char flag)
    {
        final int bit = metaFlagBit(flag);
        return bit >= 0 && (metaFlagMask & (1L << bit)) != 0;
    }

    /** Offset of the meta flags text after the return code (and data length). */
    public int metaFlagsOffset()
    {
        return metaFlagsOffset;
    }

    public int metaFlagsLength()
    {
        return metaFlagsLength;
    }

    /** Region of the meta {@code O} token, whatever its content. */
    public int opaqueOffset()
    {
        return opaqueOffset;
    }

    public int opaqueLength()
    {
        return opaqueLength;
    }

    /** Meta {@code t}: remaining TTL in seconds, -1 for never. */
    public long ttl()
    {
        return ttl;
    }

    /** Meta {@code s}: item size. */
    public long size()
    {
        return size;
    }

    /** Meta {@code l}: seconds since last access. */
    public long lastAccess()
    {
        return lastAccess;
    }

    /** Meta {@code h}: 1 if hit before, 0 if not, -1 if not returned. */
    public int hit()
    {
        return hit;
    }

    /** Why the last decode returned {@link ResponseDecoder#MALFORMED}. */
    public String malformedReason()
    {
        return malformedReason;
    }

    /** Whether the value equals {@code length} bytes of {@code other} at {@code offset}. */
    public boolean valueEquals(final DirectBuffer other, final int offset, final int length)
    {
        return regionEquals(valueOffset, valueLength, other, offset, length);
    }

    /** Whether the value equals the array. */
    public boolean valueEquals(final byte[] other)
    {
        if (other.length != valueLength)
        {
            return false;
        }
        for (int i = 0; i < valueLength; i++)
        {
            if (buffer.getByte(valueOffset + i) != other[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Whether the key equals the array. */
    public boolean keyEquals(final byte[] other)
    {
        if (other.length != keyLength)
        {
            return false;
        }
        for (int i = 0; i < keyLength; i++)
        {
            if (buffer.getByte(keyOffset + i) != other[i])
            {
                return false;
            }
        }
        return true;
    }

    private boolean regionEquals(
        final int offset, final int length, final DirectBuffer other, final int otherOffset, final int otherLength)
    {
        if (length != otherLength)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != other.getByte(otherOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    /** Copy the value into {@code dst} at {@code dstOffset}; returns the value length. */
    public int copyValue(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(valueOffset, dst, dstOffset, valueLength);
        return valueLength;
    }

    public byte[] valueBytes()
    {
        final byte[] bytes = new byte[valueLength];
        buffer.getBytes(valueOffset, bytes, 0, valueLength);
        return bytes;
    }

    public byte[] keyBytes()
    {
        final byte[] bytes = new byte[keyLength];
        buffer.getBytes(keyOffset, bytes, 0, keyLength);
        return bytes;
    }

    public String keyAsString()
    {
        return regionAsString(keyOffset, keyLength);
    }

    public String valueAsString()
    {
        return regionAsString(valueOffset, valueLength);
    }

    public String messageAsString()
    {
        return regionAsString(messageOffset, messageLength);
    }

    public String opaqueAsString()
    {
        return regionAsString(opaqueOffset, opaqueLength);
    }

    public String metaFlagsAsString()
    {
        return regionAsString(metaFlagsOffset, metaFlagsLength);
    }

    private String regionAsString(final int offset, final int length)
    {
        if (buffer == null || length == 0)
        {
            return "";
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Bit index in {@link #metaFlagMask} for a flag letter: 'A'..'z' map to 0..57, anything else to -1. */
    static int metaFlagBit(final int flag)
    {
        return flag >= 'A' && flag <= 'z' ? flag - 'A' : -1;
    }

    // Setters for the decoders (in the protocol sub-packages); users of decoded responses only read.

    public void kind(final ResponseKind kind)
    {
        this.kind = kind;
    }

    public void buffer(final DirectBuffer buffer)
    {
        this.buffer = buffer;
    }

    public void key(final int offset, final int length)
    {
        keyOffset = offset;
        keyLength = length;
    }

    public void value(final int offset, final int length)
    {
        valueOffset = offset;
        valueLength = length;
    }

    public void message(final int offset, final int length)
    {
        messageOffset = offset;
        messageLength = length;
    }

    public void flags(final int flags)
    {
        this.flags = flags;
    }

    public void cas(final long cas)
    {
        this.cas = cas;
        this.hasCas = true;
    }

    public void number(final long number)
    {
        this.number = number;
    }

    public void opaque(final long opaque)
    {
        this.opaque = opaque;
    }

    public void status(final int status)
    {
        this.status = status;
    }

    public void opcode(final byte opcode)
    {
        this.opcode = opcode;
    }

    public void metaFlag(final int flag)
    {
        final int bit = metaFlagBit(flag);
        if (bit >= 0)
        {
            metaFlagMask |= 1L << bit;
        }
    }

    public void metaFlags(final int offset, final int length)
    {
        metaFlagsOffset = offset;
        metaFlagsLength = length;
    }

    public void opaqueRegion(final int offset, final int length)
    {
        opaqueOffset = offset;
        opaqueLength = length;
    }

    public void ttl(final long ttl)
    {
        this.ttl = ttl;
    }

    public void size(final long size)
    {
        this.size = size;
    }

    public void lastAccess(final long lastAccess)
    {
        this.lastAccess = lastAccess;
    }

    public void hit(final int hit)
    {
        this.hit = hit;
    }

    public void malformed(final String reason)
    {
        this.malformedReason = reason;
    }

    @Override
    public String toString()
    {
        return "Response{kind=" + kind + ", key=" + keyAsString() + ", valueLength=" + valueLength +
            ", flags=" + Integer.toUnsignedString(flags) + ", cas=" + cas + ", number=" + Long.toUnsignedString(number) +
            ", opaque=" + opaque + ", status=" + status + ", message=" + messageAsString() + '}';
    }
}
