package dev.taskvs.client.codec.binary;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes binary-protocol requests (protocol-binary.xml) without allocating: a 24-byte header, extras, key and
 * value, all big-endian. Every method takes the index to write at and returns the index just past the packet.
 * Quiet variants are chosen by the opcode argument ({@link BinaryProtocol#GETQ}, {@link BinaryProtocol#SETQ}...).
 * One instance per thread: the byte-array overloads wrap their argument in a reused flyweight.
 */
public final class BinaryRequestEncoder
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);

    /**
     * Write a request header. The caller writes {@code extrasLength} bytes of extras, the key and the value
     * after it; {@code bodyLength} counts all three.
     */
    public static int header(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final int keyLength,
        final int extrasLength,
        final int bodyLength,
        final int opaque,
        final long cas)
    {
        dst.putByte(index + MAGIC_OFFSET, MAGIC_REQUEST);
        dst.putByte(index + OPCODE_OFFSET, opcode);
        dst.putShort(index + KEY_LENGTH_OFFSET, (short)keyLength, NETWORK);
        dst.putByte(index + EXTRAS_LENGTH_OFFSET, (byte)extrasLength);
        dst.putByte(index + DATA_TYPE_OFFSET, (byte)0);
        dst.putShort(index + VBUCKET_OFFSET, (short)0, NETWORK);
        dst.putInt(index + BODY_LENGTH_OFFSET, bodyLength, NETWORK);
        dst.putInt(index + OPAQUE_OFFSET, opaque, NETWORK);
        dst.putLong(index + CAS_OFFSET, cas, NETWORK);
        return index + HEADER_LENGTH;
    }

    /** Get, GetQ, GetK, GetKQ: key only. */
    public int get(
        final MutableDirectBuffer dst, final int index, final byte opcode, final DirectBuffer key,
        final int keyOffset, final int keyLength, final int opaque)
    {
        return keyOnly(dst, index, opcode, key, keyOffset, keyLength, opaque, 0);
    }

    public int get(final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] key,
        final int opaque)
    {
        keyWrapper.wrap(key);
        return get(dst, index, opcode, keyWrapper, 0, key.length, opaque);
    }

    /**
     * Set, Add, Replace and their quiet forms: extras flags(4) + exptime(4), key, value. A non-zero {@code cas}
     * makes it a compare-and-swap.
     */
    public int store(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final int flags,
        final int exptime,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final int opaque,
        final long cas)
    {
        int i = header(dst, index, opcode, keyLength, 8, 8 + keyLength + valueLength, opaque, cas);
        dst.putInt(i, flags, NETWORK);
        dst.putInt(i + 4, exptime, NETWORK);
        i += 8;
        dst.putBytes(i, key, keyOffset, keyLength);
        i += keyLength;
        dst.putBytes(i, value, valueOffset, valueLength);
        return i + valueLength;
    }

    public int store(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final byte[] key,
        final int flags,
        final int exptime,
        final byte[] value,
        final int opaque,
        final long cas)
    {
        keyWrapper.wrap(key);
        valueWrapper.wrap(value);
        return store(dst, index, opcode, keyWrapper, 0, key.length, flags, exptime, valueWrapper, 0, value.length,
            opaque, cas);
    }

    /** Append, Prepend and their quiet forms: no extras, key, value. */
    public int concat(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final int opaque,
        final long cas)
    {
        int i = header(dst, index, opcode, keyLength, 0, keyLength + valueLength, opaque, cas);
        dst.putBytes(i, key, keyOffset, keyLength);
        i += keyLength;
        dst.putBytes(i, value, valueOffset, valueLength);
        return i + valueLength;
    }

    public int concat(
        final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] key, final byte[] value,
        final int opaque, final long cas)
    {
        keyWrapper.wrap(key);
        valueWrapper.wrap(value);
        return concat(dst, index, opcode, keyWrapper, 0, key.length, valueWrapper, 0, value.length, opaque, cas);
    }

    /** Delete, DeleteQ: key only; a non-zero cas must match. */
    public int delete(
        final MutableDirectBuffer dst, final int index, final byte opcode, final DirectBuffer key,
        final int keyOffset, final int keyLength, final int opaque, final long cas)
    {
        return keyOnly(dst, index, opcode, key, keyOffset, keyLength, opaque, cas);
    }

    public int delete(
        final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] key, final int opaque,
        final long cas)
    {
        keyWrapper.wrap(key);
        return delete(dst, index, opcode, keyWrapper, 0, key.length, opaque, cas);
    }

    /**
     * Increment, Decrement and quiet forms: extras delta(8) + initial(8) + exptime(4). An exptime of
     * {@code 0xffffffff} fails with NOT_FOUND instead of creating the counter.
     */
    public int arithmetic(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final long delta,
        final long initial,
        final int exptime,
        final int opaque)
    {
        int i = header(dst, index, opcode, keyLength, 20, 20 + keyLength, opaque, 0);
        dst.putLong(i, delta, NETWORK);
        dst.putLong(i + 8, initial, NETWORK);
        dst.putInt(i + 16, exptime, NETWORK);
        i += 20;
        dst.putBytes(i, key, keyOffset, keyLength);
        return i + keyLength;
    }

    public int arithmetic(
        final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] key, final long delta,
        final long initial, final int exptime, final int opaque)
    {
        keyWrapper.wrap(key);
        return arithmetic(dst, index, opcode, keyWrapper, 0, key.length, delta, initial, exptime, opaque);
    }

    /** Touch, GAT, GATQ, GATK, GATKQ: extras exptime(4), key. */
    public int touch(
        final MutableDirectBuffer dst, final int index, final byte opcode, final DirectBuffer key,
        final int keyOffset, final int keyLength, final int exptime, final int opaque)
    {
        int i = header(dst, index, opcode, keyLength, 4, 4 + keyLength, opaque, 0);
        dst.putInt(i, exptime, NETWORK);
        i += 4;
        dst.putBytes(i, key, keyOffset, keyLength);
        return i + keyLength;
    }

    public int touch(
        final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] key, final int exptime,
        final int opaque)
    {
        keyWrapper.wrap(key);
        return touch(dst, index, opcode, keyWrapper, 0, key.length, exptime, opaque);
    }

    /** Flush, FlushQ without a delay. */
    public int flush(final MutableDirectBuffer dst, final int index, final byte opcode, final int opaque)
    {
        return header(dst, index, opcode, 0, 0, 0, opaque, 0);
    }

    /** Flush, FlushQ with extras exptime(4): the delay. */
    public int flush(
        final MutableDirectBuffer dst, final int index, final byte opcode, final int delay, final int opaque)
    {
        final int i = header(dst, index, opcode, 0, 4, 4, opaque, 0);
        dst.putInt(i, delay, NETWORK);
        return i + 4;
    }

    /** Noop: forces out the held replies of quiet commands; answered once everything before it is. */
    public int noop(final MutableDirectBuffer dst, final int index, final int opaque)
    {
        return header(dst, index, NOOP, 0, 0, 0, opaque, 0);
    }

    public int version(final MutableDirectBuffer dst, final int index, final int opaque)
    {
        return header(dst, index, VERSION, 0, 0, 0, opaque, 0);
    }

    /** Quit or QuitQ. */
    public int quit(final MutableDirectBuffer dst, final int index, final byte opcode, final int opaque)
    {
        return header(dst, index, opcode, 0, 0, 0, opaque, 0);
    }

    /** Stat with an optional group as the key ({@code settings}, {@code items}...; empty for the general stats). */
    public int stat(final MutableDirectBuffer dst, final int index, final byte[] group, final int opaque)
    {
        keyWrapper.wrap(group);
        return keyOnly(dst, index, STAT, keyWrapper, 0, group.length, opaque, 0);
    }

    /** Verbosity: extras level(4). memcached 1.6 answers it with UNKNOWN_COMMAND. */
    public int verbosity(final MutableDirectBuffer dst, final int index, final int level, final int opaque)
    {
        final int i = header(dst, index, VERBOSITY, 0, 4, 4, opaque, 0);
        dst.putInt(i, level, NETWORK);
        return i + 4;
    }

    /** SASL list mechanisms. */
    public int saslListMechanisms(final MutableDirectBuffer dst, final int index, final int opaque)
    {
        return header(dst, index, SASL_LIST_MECHS, 0, 0, 0, opaque, 0);
    }

    /** SASL auth or step: the mechanism as the key, the challenge data as the value. */
    public int sasl(
        final MutableDirectBuffer dst, final int index, final byte opcode, final byte[] mechanism,
        final byte[] data, final int opaque)
    {
        keyWrapper.wrap(mechanism);
        valueWrapper.wrap(data);
        return concat(dst, index, opcode, keyWrapper, 0, mechanism.length, valueWrapper, 0, data.length, opaque, 0);
    }

    /** Any request: header, the extras region, key and value (any region may be empty). */
    public int request(
        final MutableDirectBuffer dst,
        final int index,
        final byte opcode,
        final DirectBuffer extras,
        final int extrasOffset,
        final int extrasLength,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final int opaque,
        final long cas)
    {
        int i = header(dst, index, opcode, keyLength, extrasLength, extrasLength + keyLength + valueLength, opaque,
            cas);
        dst.putBytes(i, extras == null ? EMPTY : extras, extrasOffset, extrasLength);
        i += extrasLength;
        dst.putBytes(i, key == null ? EMPTY : key, keyOffset, keyLength);
        i += keyLength;
        dst.putBytes(i, value == null ? EMPTY : value, valueOffset, valueLength);
        return i + valueLength;
    }

    private static int keyOnly(
        final MutableDirectBuffer dst, final int index, final byte opcode, final DirectBuffer key,
        final int keyOffset, final int keyLength, final int opaque, final long cas)
    {
        final int i = header(dst, index, opcode, keyLength, 0, keyLength, opaque, cas);
        dst.putBytes(i, key, keyOffset, keyLength);
        return i + keyLength;
    }
}
