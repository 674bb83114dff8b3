package dev.taskvs.client.codec.text;

import dev.taskvs.client.codec.Ascii;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes classic text-protocol requests (protocol.txt) into a buffer without allocating. Every method takes the
 * index to write at and returns the index just past what it wrote. Keys and values come as {@link DirectBuffer}
 * regions or byte arrays; the encoder checks neither (the server answers a bad key with CLIENT_ERROR).
 * <p>
 * One instance per thread: the byte-array overloads wrap their argument in a reused flyweight.
 */
public final class TextRequestEncoder
{
    private static final byte[] NOREPLY = Ascii.bytes(" noreply");

    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);

    /** {@code get|gets <key>\r\n}, or {@code gat|gats <exptime> <key>\r\n}. */
    public int retrieval(
        final MutableDirectBuffer dst,
        final int index,
        final TextCommand command,
        final int exptime,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength)
    {
        int i = beginRetrieval(dst, index, command, exptime);
        i = appendKey(dst, i, key, keyOffset, keyLength);
        return endLine(dst, i);
    }

    public int retrieval(
        final MutableDirectBuffer dst, final int index, final TextCommand command, final int exptime, final byte[] key)
    {
        keyWrapper.wrap(key);
        return retrieval(dst, index, command, exptime, keyWrapper, 0, key.length);
    }

    /** {@code get <key>\r\n}. */
    public int get(final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength)
    {
        return retrieval(dst, index, TextCommand.GET, 0, key, keyOffset, keyLength);
    }

    public int get(final MutableDirectBuffer dst, final int index, final byte[] key)
    {
        return retrieval(dst, index, TextCommand.GET, 0, key);
    }

    /**
     * Start a multi-key retrieval: {@code get}, {@code gets}, or {@code gat}/{@code gats} with the exptime
     * (ignored for get and gets). Follow with {@link #appendKey} per key and {@link #endLine}.
     */
    public int beginRetrieval(
        final MutableDirectBuffer dst, final int index, final TextCommand command, final int exptime)
    {
        if (!command.isRetrieval())
        {
            throw new IllegalArgumentException("not a retrieval command: " + command);
        }
        int i = Ascii.putBytes(dst, index, command.wireName());
        if (command.isTouchingRetrieval())
        {
            dst.putByte(i++, Ascii.SPACE);
            i = Ascii.putInt(dst, i, exptime);
        }
        return i;
    }

    /** A space and a key, for the multi-key commands. */
    public int appendKey(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength)
    {
        dst.putByte(index, Ascii.SPACE);
        return Ascii.putBytes(dst, index + 1, key, keyOffset, keyLength);
    }

    public int appendKey(final MutableDirectBuffer dst, final int index, final byte[] key)
    {
        dst.putByte(index, Ascii.SPACE);
        return Ascii.putBytes(dst, index + 1, key);
    }

    public int endLine(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, index);
    }

    /**
     * {@code <set|add|replace|append|prepend> <key> <flags> <exptime> <bytes> [noreply]\r\n<data>\r\n}, or for
     * {@link TextCommand#CAS} {@code cas <key> <flags> <exptime> <bytes> <cas> [noreply]\r\n<data>\r\n}.
     * {@code cas} is ignored by the other commands.
     */
    public int storage(
        final MutableDirectBuffer dst,
        final int index,
        final TextCommand command,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final int flags,
        final int exptime,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long cas,
        final boolean noreply)
    {
        if (!command.isStorage())
        {
            throw new IllegalArgumentException("not a storage command: " + command);
        }
        int i = Ascii.putBytes(dst, index, command.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putBytes(dst, i, key, keyOffset, keyLength);
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putUnsignedInt(dst, i, flags);
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putInt(dst, i, exptime);
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putUnsignedInt(dst, i, valueLength);
        if (command == TextCommand.CAS)
        {
            dst.putByte(i++, Ascii.SPACE);
            i = Ascii.putUnsignedLong(dst, i, cas);
        }
        if (noreply)
        {
            i = Ascii.putBytes(dst, i, NOREPLY);
        }
        i = Ascii.putCrLf(dst, i);
        i = Ascii.putBytes(dst, i, value, valueOffset, valueLength);
        return Ascii.putCrLf(dst, i);
    }

    public int storage(
        final MutableDirectBuffer dst,
        final int index,
        final TextCommand command,
        final byte[] key,
        final int flags,
        final int exptime,
        final byte[] value,
        final long cas,
        final boolean noreply)
    {
        keyWrapper.wrap(key);
        valueWrapper.wrap(value);
        return storage(dst, index, command, keyWrapper, 0, key.length, flags, exptime, valueWrapper, 0, value.length,
            cas, noreply);
    }

    /** {@code set <key> <flags> <exptime> <bytes>\r\n<data>\r\n}. */
    public int set(
        final MutableDirectBuffer dst,
        final int index,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final int flags,
        final int exptime,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        return storage(dst, index, TextCommand.SET, key, keyOffset, keyLength, flags, exptime, value, valueOffset,
            valueLength, 0, false);
    }

    /** {@code delete <key> [noreply]\r\n}. */
    public int delete(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final boolean noreply)
    {
        int i = Ascii.putBytes(dst, index, TextCommand.DELETE.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putBytes(dst, i, key, keyOffset, keyLength);
        return endWithNoreply(dst, i, noreply);
    }

    public int delete(final MutableDirectBuffer dst, final int index, final byte[] key, final boolean noreply)
    {
        keyWrapper.wrap(key);
        return delete(dst, index, keyWrapper, 0, key.length, noreply);
    }

    /** {@code incr|decr <key> <delta> [noreply]\r\n}, delta unsigned 64-bit. */
    public int arithmetic(
        final MutableDirectBuffer dst,
        final int index,
        final TextCommand command,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final long delta,
        final boolean noreply)
    {
        if (!command.isArithmetic())
        {
            throw new IllegalArgumentException("not incr or decr: " + command);
        }
        int i = Ascii.putBytes(dst, index, command.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putBytes(dst, i, key, keyOffset, keyLength);
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putUnsignedLong(dst, i, delta);
        return endWithNoreply(dst, i, noreply);
    }

    public int arithmetic(
        final MutableDirectBuffer dst, final int index, final TextCommand command, final byte[] key,
        final long delta, final boolean noreply)
    {
        keyWrapper.wrap(key);
        return arithmetic(dst, index, command, keyWrapper, 0, key.length, delta, noreply);
    }

    /** {@code touch <key> <exptime> [noreply]\r\n}. */
    public int touch(
        final MutableDirectBuffer dst, final int index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final int exptime, final boolean noreply)
    {
        int i = Ascii.putBytes(dst, index, TextCommand.TOUCH.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putBytes(dst, i, key, keyOffset, keyLength);
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putInt(dst, i, exptime);
        return endWithNoreply(dst, i, noreply);
    }

    public int touch(
        final MutableDirectBuffer dst, final int index, final byte[] key, final int exptime, final boolean noreply)
    {
        keyWrapper.wrap(key);
        return touch(dst, index, keyWrapper, 0, key.length, exptime, noreply);
    }

    /** {@code flush_all [noreply]\r\n}. */
    public int flushAll(final MutableDirectBuffer dst, final int index, final boolean noreply)
    {
        final int i = Ascii.putBytes(dst, index, TextCommand.FLUSH_ALL.wireName());
        return endWithNoreply(dst, i, noreply);
    }

    /** {@code flush_all <delay> [noreply]\r\n}. */
    public int flushAll(final MutableDirectBuffer dst, final int index, final int delay, final boolean noreply)
    {
        int i = Ascii.putBytes(dst, index, TextCommand.FLUSH_ALL.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putInt(dst, i, delay);
        return endWithNoreply(dst, i, noreply);
    }

    /** {@code stats\r\n}. */
    public int stats(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, Ascii.putBytes(dst, index, TextCommand.STATS.wireName()));
    }

    /** {@code stats <arguments>\r\n}, e.g. {@code settings}, {@code items}, {@code reset}. */
    public int stats(final MutableDirectBuffer dst, final int index, final byte[] arguments)
    {
        int i = Ascii.putBytes(dst, index, TextCommand.STATS.wireName());
        if (arguments.length > 0)
        {
            dst.putByte(i++, Ascii.SPACE);
            i = Ascii.putBytes(dst, i, arguments);
        }
        return Ascii.putCrLf(dst, i);
    }

    /** {@code version\r\n}. */
    public int version(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, Ascii.putBytes(dst, index, TextCommand.VERSION.wireName()));
    }

    /** {@code verbosity <level> [noreply]\r\n}. */
    public int verbosity(final MutableDirectBuffer dst, final int index, final int level, final boolean noreply)
    {
        int i = Ascii.putBytes(dst, index, TextCommand.VERBOSITY.wireName());
        dst.putByte(i++, Ascii.SPACE);
        i = Ascii.putInt(dst, i, level);
        return endWithNoreply(dst, i, noreply);
    }

    /** {@code quit\r\n}: the server closes the connection without a reply. */
    public int quit(final MutableDirectBuffer dst, final int index)
    {
        return Ascii.putCrLf(dst, Ascii.putBytes(dst, index, TextCommand.QUIT.wireName()));
    }

    private static int endWithNoreply(final MutableDirectBuffer dst, final int index, final boolean noreply)
    {
        final int i = noreply ? Ascii.putBytes(dst, index, NOREPLY) : index;
        return Ascii.putCrLf(dst, i);
    }
}
