package dev.taskvs.server.protocol;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection's outgoing bytes: protocol handlers append responses, the transport drains them to the wire.
 * <p>
 * Off-heap and growable, so a large value or a big multi-get fits; the transport applies back-pressure by not
 * reading more requests while {@link #readableBytes()} is above its high-water mark, which bounds the buffer at
 * that mark plus one request's responses. Single-threaded: owned by the connection's worker.
 * <p>
 * <b>Direct mode</b> (the engine transport): between {@link #beginDirect} and {@link #endDirect} the appends land
 * straight in a caller's memory, the free contiguous part of a flow's TX ring, so a response is written once,
 * where the NIC path reads it. When an append does not fit there the buffer <i>spills</i>: what was written so
 * far moves to its own memory at the same indices (so {@link #truncate} and {@link #setIntBE} marks stay valid)
 * and writing goes on there; the transport then copies that out as the ring frees. The kernel path never enters
 * direct mode and pays one predictable branch per append for it.
 * <p>
 * Appends write through the target's address, not through a buffer view: an engine server keeps one of these
 * per connection, and each view would be one more object per connection and one more cache line per request
 * (at tens of thousands of connections, a miss). {@link #ensure} has checked every index first.
 */
public final class ResponseBuffer
{
    private static final byte[] DIGITS = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int MIN_CAPACITY = 64;
    private static final boolean NATIVE_BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    /** Where appends go: {@link #owned}'s address or the direct window's; {@link #limit} bytes from there. */
    private long address;
    /** Own memory, allocated on first need; null while only direct mode has been used. */
    private ByteBuffer owned;
    /** What {@link #buffer()} returns, made on first call (draining a spill): most connections never need it. */
    private UnsafeBuffer view;
    private int initialCapacity;
    private int limit;
    private int readIndex;
    private int writeIndex;
    private boolean direct;
    private long spills;

    /** @param initialCapacity own memory to allocate now; 0 to allocate on first need. */
    public ResponseBuffer(final int initialCapacity)
    {
        this.initialCapacity = BitUtil.findNextPositivePowerOfTwo(Math.max(MIN_CAPACITY, initialCapacity));
        if (initialCapacity > 0)
        {
            allocateOwned(this.initialCapacity);
        }
    }

    private void allocateOwned(final int capacity)
    {
        owned = ByteBuffer.allocateDirect(capacity);
        address = BufferUtil.address(owned);
        limit = capacity;
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
        return owned == null ? 0 : owned.capacity();
    }

    /** The underlying memory as a buffer; bytes [readIndex, writeIndex) are pending. Valid until the next append. */
    public DirectBuffer buffer()
    {
        if (view == null)
        {
            view = new UnsafeBuffer(0, 0);
        }
        view.wrap(address, limit);
        return view;
    }

    /** @return true while appends go to caller memory (between {@link #beginDirect} and a spill). */
    public boolean isDirect()
    {
        return direct;
    }

    /** @return times a direct window was too small and the bytes moved to own memory. */
    public long spills()
    {
        return spills;
    }

    /**
     * Sends the following appends straight to {@code [address, address + length)}. Only while empty, so the order
     * of bytes on the wire is the order of appends.
     */
    public void beginDirect(final long address, final int length)
    {
        if (!isEmpty())
        {
            throw new IllegalStateException("direct mode needs an empty buffer: " + readableBytes() + " pending");
        }
        this.address = address;
        limit = length;
        readIndex = 0;
        writeIndex = 0;
        direct = true;
    }

    /**
     * Leaves direct mode.
     *
     * @return bytes written into the direct window, which the caller now owns (0 after a spill: those bytes are
     * pending in this buffer instead).
     */
    public int endDirect()
    {
        if (!direct)
        {
            return 0;
        }
        final int written = writeIndex - readIndex;
        direct = false;
        readIndex = 0;
        writeIndex = 0;
        retarget();
        return written;
    }

    private void retarget()
    {
        if (owned != null)
        {
            address = BufferUtil.address(owned);
            limit = owned.capacity();
        }
        else
        {
            address = 0;
            limit = 0;
        }
    }

    /** The window was too small: copy what it holds to own memory, same indices, and append there from now on. */
    private void spill(final int needed)
    {
        final long window = address;
        final int written = writeIndex;
        direct = false;
        spills++;
        if (owned == null || owned.capacity() < needed)
        {
            if (owned != null)
            {
                BufferUtil.free(owned);
            }
            allocateOwned(BitUtil.findNextPositivePowerOfTwo(Math.max(initialCapacity, needed)));
        }
        else
        {
            retarget();
        }
        UnsafeApi.copyMemory(window, address, written);
    }

    /**
     * A ByteBuffer view of the pending bytes for a channel write: position = readIndex, limit = writeIndex.
     * Valid until the next append (which may reallocate).
     */
    public ByteBuffer pendingByteBuffer()
    {
        owned.limit(writeIndex).position(readIndex);
        return owned;
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
        if (writeIndex == readIndex && owned != null && owned.capacity() > capacity && !direct)
        {
            final ByteBuffer old = owned;
            allocateOwned(BitUtil.findNextPositivePowerOfTwo(Math.max(MIN_CAPACITY, capacity)));
            readIndex = 0;
            writeIndex = 0;
            BufferUtil.free(old);
        }
    }

    /** Gives back all own memory once drained (an idle engine connection needs none); reallocated on need. */
    public void releaseIfEmpty()
    {
        if (writeIndex == readIndex && owned != null && !direct)
        {
            BufferUtil.free(owned);
            owned = null;
            readIndex = 0;
            writeIndex = 0;
            retarget();
        }
    }

    /** Releases the off-heap memory now rather than at some later GC; the buffer is unusable afterwards. */
    public void free()
    {
        if (direct)
        {
            endDirect();
        }
        if (owned != null)
        {
            BufferUtil.free(owned);
            owned = null;
        }
        retarget();
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
        if (readIndex > 0 && !direct)
        {
            final int pending = writeIndex - readIndex;
            UnsafeApi.copyMemory(address + readIndex, address, pending);
            readIndex = 0;
            writeIndex = pending;
        }
    }

    private void ensure(final int extra)
    {
        final int needed = writeIndex + extra;
        if (needed > limit)
        {
            grow(needed);
        }
    }

    private void grow(final int needed)
    {
        if (needed < 0)
        {
            throw new IllegalStateException("response larger than 2 GiB");
        }
        if (direct)
        {
            spill(needed);
            return;
        }
        if (owned == null)
        {
            allocateOwned(BitUtil.findNextPositivePowerOfTwo(Math.max(initialCapacity, needed)));
            return;
        }
        final ByteBuffer old = owned;
        allocateOwned(BitUtil.findNextPositivePowerOfTwo(Math.max(needed, (int)Math.min(1 << 30, old.capacity() * 2L))));
        UnsafeApi.copyMemory(BufferUtil.address(old), address, writeIndex);
        BufferUtil.free(old);
    }

    public ResponseBuffer put(final byte b)
    {
        ensure(1);
        UnsafeApi.putByte(address + writeIndex++, b);
        return this;
    }

    public ResponseBuffer put(final byte[] bytes)
    {
        ensure(bytes.length);
        UnsafeApi.copyMemory(bytes, BYTE_ARRAY_BASE, null, address + writeIndex, bytes.length);
        writeIndex += bytes.length;
        return this;
    }

    public ResponseBuffer put(final DirectBuffer src, final int offset, final int length)
    {
        src.boundsCheck(offset, length);
        ensure(length);
        UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + offset, null, address + writeIndex, length);
        writeIndex += length;
        return this;
    }

    /** Copies raw off-heap memory (an item's key or value) into the buffer. */
    public ResponseBuffer putMemory(final long address, final int length)
    {
        ensure(length);
        UnsafeApi.copyMemory(address, this.address + writeIndex, length);
        writeIndex += length;
        return this;
    }

    public ResponseBuffer putShortBE(final short value)
    {
        ensure(2);
        UnsafeApi.putShort(address + writeIndex, NATIVE_BIG_ENDIAN ? value : Short.reverseBytes(value));
        writeIndex += 2;
        return this;
    }

    public ResponseBuffer putIntBE(final int value)
    {
        ensure(4);
        UnsafeApi.putInt(address + writeIndex, NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value));
        writeIndex += 4;
        return this;
    }

    public ResponseBuffer putLongBE(final long value)
    {
        ensure(8);
        UnsafeApi.putLong(address + writeIndex, NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value));
        writeIndex += 8;
        return this;
    }

    /** Writes a big-endian int at an absolute index already written (binary header back-patching). */
    public void setIntBE(final int index, final int value)
    {
        if (index < 0 || index > writeIndex - 4)
        {
            throw new IndexOutOfBoundsException("setIntBE at " + index + " of " + writeIndex + " written bytes");
        }
        UnsafeApi.putInt(address + index, NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value));
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
            UnsafeApi.putByte(address + pos, DIGITS[(int)(v - next * 10)]);
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
