package dev.taskvs.client.codec.meta;

import dev.taskvs.client.codec.Ascii;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes meta-protocol requests without allocating: {@code <cm> <key> [<datalen>] <flags>*\r\n[<data>\r\n]}.
 * Every method takes the index to write at and returns the index just past what it wrote.
 * <p>
 * Build a request step by step:
 * <pre>
 * int i = encoder.begin(dst, index, MetaCommand.SET, key, 0, key.length);
 * i = encoder.dataLength(dst, i, value.length);   // ms only, right after the key
 * i = encoder.flag(dst, i, 'T', 30);
 * i = encoder.flag(dst, i, 'O', opaque);
 * i = encoder.end(dst, i);
 * i = encoder.data(dst, i, valueBuffer, 0, value.length);   // ms only
 * </pre>
 * or use the one-call forms that take the flags as one pre-encoded string (e.g. {@code "v f c"}) and an opaque.
 * One instance per thread: the byte-array overloads wrap their argument in a reused flyweight.
 */
public final class MetaRequestEncoder
{
    /** Pass as {@code opaque} to send no {@code O} flag. */
    public static final long NO_OPAQUE = -1;

    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);

    /** {@code <cm> <key>}; for {@link MetaCommand#NOOP} use {@link #noop} instead. */
    public int begin(
        final MutableDirectBuffer dst, final int index, final MetaCommand command, final DirectBuffer key,
        final int keyOffset, final int keyLength)
    {
        int i = Ascii.putBytes(dst, index, command.wireName());
        dst.putByte(i++, Ascii.SPACE);
        return Ascii.putBytes(dst, i, key, keyOffset, keyLength);
    }

    public int begin(final MutableDirectBuffer dst, final int index, final MetaCommand command, final byte[] key)
    {
        keyWrapper.wrap(key);
        return begin(dst, index, command, keyWrapper, 0, key.length);
    }

    /** The data length of an {@code ms}, which must follow the key directly. */
    public int dataLength(final MutableDirectBuffer dst, final int index, final int length)
    {
        dst.putByte(index, Ascii.SPACE);
        return Ascii.putUnsignedInt(dst, index + 1, length);
    }

    /** A flag without a token, e.g. {@code v}, {@code q}, {@code k}. */
    public int flag(final MutableDirectBuffer dst, final int index, final char flag)
    {
        dst.putByte(index, Ascii.SPACE);
        dst.putByte(index + 1, (byte)flag);
        return index + 2;
    }

    /** A flag with a signed numeric token, e.g. {@code T30}, {@code O17}, {@code N-1}. */
    public int flag(final MutableDirectBuffer dst, final int index, final char flag, final long token)
    {
        dst.putByte(index, Ascii.SPACE);
        dst.putByte(index + 1, (byte)flag);
        return index + 2 + dst.putLongAscii(index + 2, token);
    }

    /** A flag with an unsigned 64-bit numeric token, e.g. {@code C<cas>}, {@code D<delta>}. */
    public int unsignedFlag(final MutableDirectBuffer dst, final int index, final char flag, final long token)
    {
        dst.putByte(index, Ascii.SPACE);
        dst.putByte(index + 1, (byte)flag);
        return Ascii.putUnsignedLong(dst, index + 2, token);
    }

    /** A flag with a mode character token, e.g. {@code ME} (add) or {@code M+}. */
    public int modeFlag(final MutableDirectBuffer dst, final int index, final char flag, final char mode)
    {
        dst.putByte(index, Ascii.SPACE);
        dst.putByte(index + 1, (byte)flag);
        dst.putByte(index + 2, (byte)mode);
        return index + 3;
    }

    /** A flag with a token taken from a buffer region, e.g. an opaque string. */
    public int flag(
        final MutableDirectBuffer dst, final int index, final char flag, final DirectBuffer token,
        final int tokenOffset, final int tokenLength)
    {
        dst.putByte(index, Ascii.SPACE);
        dst.putByte(index + 1, (byte)flag);
        return Ascii.putBytes(dst, index + 2, token, tokenOffset, tokenLength);
    }

    /** Pre-encoded flags such as {@code "v f c T30"} (a space is written before them when not empty). */
    public int flags(final MutableDirectBuffer dst, final int index, final byte[] flags)
    {
        if (flags.length == 0)
        {
            return index;
        }
        dst.putByte(index, Ascii.SPACE);
        return Ascii.putBytes(dst, index + 1, flags);
    }

    public int end(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, index);
    }

    /** The data block of an {@code ms} and its {@code \r\n}. */
    public int data(
        final MutableDirectBuffer dst, final int index, final DirectBuffer value, final int valueOffset,
        final int valueLength)
    {
        return Ascii.putCrLf(dst, Ascii.putBytes(dst, index, value, valueOffset, valueLength));
    }

    /** {@code mg <key> <flags> [O<opaque>]\r\n}. */
    public int get(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final byte[] flags, final long opaque)
    {
        int i = begin(dst, index, MetaCommand.GET, key, keyOffset, keyLength);
        i = flags(dst, i, flags);
        return endWithOpaque(dst, i, opaque);
    }

    public int get(final MutableDirectBuffer dst, final int index, final byte[] key, final byte[] flags,
        final long opaque)
    {
        keyWrapper.wrap(key);
        return get(dst, index, keyWrapper, 0, key.length, flags, opaque);
    }

    /** {@code ms <key> <datalen> <flags> [O<opaque>]\r\n<data>\r\n}. */
    public int set(
        final MutableDirectBuffer dst,
        final int index,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final byte[] flags,
        final long opaque)
    {
        int i = begin(dst, index, MetaCommand.SET, key, keyOffset, keyLength);
        i = dataLength(dst, i, valueLength);
        i = flags(dst, i, flags);
        i = endWithOpaque(dst, i, opaque);
        return data(dst, i, value, valueOffset, valueLength);
    }

    public int set(
        final MutableDirectBuffer dst, final int index, final byte[] key, final byte[] value, final byte[] flags,
        final long opaque)
    {
        keyWrapper.wrap(key);
        valueWrapper.wrap(value);
        return set(dst, index, keyWrapper, 0, key.length, valueWrapper, 0, value.length, flags, opaque);
    }

    /** {@code md <key> <flags> [O<opaque>]\r\n}. */
    public int delete(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final byte[] flags, final long opaque)
    {
        int i = begin(dst, index, MetaCommand.DELETE, key, keyOffset, keyLength);
        i = flags(dst, i, flags);
        return endWithOpaque(dst, i, opaque);
    }

    public int delete(
        final MutableDirectBuffer dst, final int index, final byte[] key, final byte[] flags, final long opaque)
    {
        keyWrapper.wrap(key);
        return delete(dst, index, keyWrapper, 0, key.length, flags, opaque);
    }

    /** {@code ma <key> <flags> [O<opaque>]\r\n}. */
    public int arithmetic(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final byte[] flags, final long opaque)
    {
        int i = begin(dst, index, MetaCommand.ARITHMETIC, key, keyOffset, keyLength);
        i = flags(dst, i, flags);
        return endWithOpaque(dst, i, opaque);
    }

    public int arithmetic(
        final MutableDirectBuffer dst, final int index, final byte[] key, final byte[] flags, final long opaque)
    {
        keyWrapper.wrap(key);
        return arithmetic(dst, index, keyWrapper, 0, key.length, flags, opaque);
    }

    /** {@code me <key>\r\n}. */
    public int debug(final MutableDirectBuffer dst, final int index, final byte[] key)
    {
        return end(dst, begin(dst, index, MetaCommand.DEBUG, key));
    }

    /** {@code mn\r\n}: answered by {@code MN} once every earlier reply is out; ends a quiet batch. */
    public int noop(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, Ascii.putBytes(dst, index, MetaCommand.NOOP.wireName()));
    }

    private int endWithOpaque(final MutableDirectBuffer dst, final int index, final long opaque)
    {
        final int i = opaque == NO_OPAQUE ? index : flag(dst, index, 'O', opaque);
        return end(dst, i);
    }
}
