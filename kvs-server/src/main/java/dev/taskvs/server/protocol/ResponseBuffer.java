package dev.taskvs.server.protocol;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection's outgoing bytes: protocol handlers append responses, the transport drains them to the wire.
 * <p>
 * Off-heap and growable, so a large value or a big multi-get fits; the transport applies back-pressure by not
 * reading more requests while {@link #readableBytes()} is above its high-water mark, which bounds the buffer at
 * that mark plus one request's responses. Single-threaded: owned by the connection's worker.
 */
public final class ResponseBuffer
{
    private static final byte[] DIGITS = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ExpandableDirectByteBuffer buffer;
    private final UnsafeBuffer memoryView = new UnsafeBuffer(0, 0);
    private int readIndex;
    private int writeIndex;

    public ResponseBuffer(final int initialCapacity)
    {
        buffer = new ExpandableDirectByteBuffer(BitUtil.findNextPositivePowerOfTwo(Math.max(64, initialCapacity)));
    }

    public int readableBytes()
    {
        return writeIndex - readIndex;
    }

    public boolean isEmpty()
    {
        return writeIndex == readIndex;
    }

    public int readIndex()
    {
        return readIndex;
    }

    public int writeIndex()
    {
        return writeIndex;
    }

    public int capacity()
    {
        return buffer.capacity();
    }

    /** The underlying buffer; bytes [readIndex, writeIndex) are pending. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * A ByteBuffer view of the pending bytes for a channel write: position = readIndex, limit = writeIndex.
     * Valid until the next append (which may reallocate).
     */
    public ByteBuffer pendingByteBuffer()
    {
        final ByteBuffer bb = buffer.byteBuffer();
        bb.limit(writeIndex).position(readIndex);
        return bb;
    }

    /** Marks {@code count} bytes as sent; resets to the start once empty so the buffer does not creep. */
    public void consume(final int count)
    {
        readIndex += count;
        if (readIndex >= writeIndex)
        {
            readIndex = 0;
            writeIndex = 0;
        }
    }

    /**
     * Gives back a buffer that grew for one big response, once it has drained, so an idle connection holds only
     * {@code capacity} bytes.
     */
    public void shrinkIfEmpty(final int capacity)
    {
        if (writeIndex == readIndex && buffer.capacity() > capacity)
        {
            final ExpandableDirectByteBuffer old = buffer;
            buffer = new ExpandableDirectByteBuffer(BitUtil.findNextPositivePowerOfTwo(Math.max(64, capacity)));
            readIndex = 0;
            writeIndex = 0;
            BufferUtil.free(old.byteBuffer());
        }
    }

    /** Releases the off-heap memory now rather than at some later GC; the buffer is unusable afterwards. */
    public void free()
    {
        BufferUtil.free(buffer.byteBuffer());
        readIndex = 0;
        writeIndex = 0;
    }

    public void clear()
    {
        readIndex = 0;
        writeIndex = 0;
    }

    /** Drops everything written after {@code index} (used to retract a partly written response). */
    public void truncate(final int index)
    {
        writeIndex = Math.max(readIndex, index);
    }

    /** Moves pending bytes to the front when the tail room is short, so growth happens only for real need. */
    public void compact()
    {
        if (readIndex > 0)
        {
            final int pending = writeIndex - readIndex;
            buffer.putBytes(0, buffer, readIndex, pending);
            readIndex = 0;
            writeIndex = pending;
        }
    }

    private void ensure(final int extra)
    {
        buffer.checkLimit(writeIndex + extra);
    }

    public ResponseBuffer put(final byte b)
    {
        ensure(1);
        buffer.putByte(writeIndex++, b);
        return this;
    }

    public ResponseBuffer put(final byte[] bytes)
    {
        ensure(bytes.length);
        buffer.putBytes(writeIndex, bytes);
        writeIndex += bytes.length;
        return this;
    }

    public ResponseBuffer put(final DirectBuffer src, final int offset, final int length)
    {
        ensure(length);
        buffer.putBytes(writeIndex, src, offset, length);
        writeIndex += length;
        return this;
    }

    /** Copies raw off-heap memory (an item's key or value) into the buffer. */
    public ResponseBuffer putMemory(final long address, final int length)
    {
        ensure(length);
        memoryView.wrap(address, length);
        buffer.putBytes(writeIndex, memoryView, 0, length);
        writeIndex += length;
        return this;
    }

    public ResponseBuffer putShortBE(final short value)
    {
        ensure(2);
        buffer.putShort(writeIndex, value, java.nio.ByteOrder.BIG_ENDIAN);
        writeIndex += 2;
        return this;
    }

    public ResponseBuffer putIntBE(final int value)
    {
        ensure(4);
        buffer.putInt(writeIndex, value, java.nio.ByteOrder.BIG_ENDIAN);
        writeIndex += 4;
        return this;
    }

    public ResponseBuffer putLongBE(final long value)
    {
        ensure(8);
        buffer.putLong(writeIndex, value, java.nio.ByteOrder.BIG_ENDIAN);
        writeIndex += 8;
        return this;
    }

    /** Writes a big-endian int at an absolute index already written (binary header back-patching). */
    public void setIntBE(final int index, final int value)
    {
        buffer.putInt(index, value, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Appends a signed decimal number without allocating. */
    public ResponseBuffer putDecimal(final long value)
    {
        if (value < 0)
        {
            if (value == Long.MIN_VALUE)
            {
                return put("-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            put((byte)'-');
            return putUnsignedDecimal(-value);
        }
        return putUnsignedDecimal(value);
    }

    /** Appends a decimal number, reading {@code value} as an unsigned 64-bit integer. */
    public ResponseBuffer putUnsignedDecimal(final long value)
    {
        ensure(20);
        final int digits = unsignedDigits(value);
        long v = value;
        for (int pos = writeIndex + digits - 1; pos >= writeIndex; pos--)
        {
            final long next = Long.divideUnsigned(v, 10);
            buffer.putByte(pos, DIGITS[(int)(v - next * 10)]);
            v = next;
        }
        writeIndex += digits;
        return this;
    }

    static int unsignedDigits(final long value)
    {
        int digits = 1;
        long v = value;
        while (Long.compareUnsigned(v, 10) >= 0)
        {
            v = Long.divideUnsigned(v, 10);
            digits++;
        }
        return digits;
    }
}
