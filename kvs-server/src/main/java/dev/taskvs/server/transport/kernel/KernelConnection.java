package dev.taskvs.server.transport.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.taskvs.server.protocol.ProtocolSession;
import dev.taskvs.server.protocol.ResponseBuffer;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One client connection on kernel sockets: its channel, receive buffer, response buffer and protocol session.
 * Owned by one {@link KernelWorker}; nothing here is touched by another thread except the fields read (racily)
 * by {@code stats conns}.
 */
final class KernelConnection
{
    static final int INITIAL_RECEIVE_CAPACITY = 2048;
    /** Output capacity an idle connection keeps; more is given back once it drains. */
    static final int OUTPUT_RETAINED_CAPACITY = 64 * 1024;

    final int id;
    final SocketChannel channel;
    final String peerAddress;
    final ProtocolSession session;
    final ResponseBuffer out;
    SelectionKey key;

    private ByteBuffer receiveByteBuffer;
    private final UnsafeBuffer receive = new UnsafeBuffer(0, 0);
    /** Received bytes not yet consumed by the session are [readIndex, writeIndex). */
    private int readIndex;
    private int writeIndex;

    volatile long lastActiveNanos;
    volatile String state = "conn_new_cmd";
    boolean readPaused;
    boolean closing;
    boolean inReadyList;

    KernelConnection(final int id, final SocketChannel channel, final String peerAddress,
        final ProtocolSession session, final int outputCapacity)
    {
        this.id = id;
        this.channel = channel;
        this.peerAddress = peerAddress;
        this.session = session;
        this.out = new ResponseBuffer(outputCapacity);
        lastActiveNanos = System.nanoTime();
    }

    private void allocateReceive(final int capacity)
    {
        final ByteBuffer bb = ByteBuffer.allocateDirect(capacity);
        if (receiveByteBuffer != null)
        {
            final int pending = writeIndex - readIndex;
            receive.getBytes(readIndex, bb, 0, pending);
            BufferUtil.free(receiveByteBuffer);
            writeIndex = pending;
            readIndex = 0;
        }
        receiveByteBuffer = bb;
        receive.wrap(bb);
    }

    int pendingInput()
    {
        return writeIndex - readIndex;
    }

    int receiveCapacity()
    {
        return receive.capacity();
    }

    /**
     * Makes room for at least one more read: compacts when the unconsumed bytes sit at the end, and grows when one
     * incomplete request fills the buffer. Growth doubles, in step with the bytes that actually arrived, so a
     * client that announces a large value and sends little of it costs little (memory follows data, not claims).
     *
     * @return false when the buffer is full at its limit and the session still made no progress.
     */
    boolean prepareForRead(final int maxCapacity)
    {
        if (receiveByteBuffer == null)
        {
            allocateReceive(INITIAL_RECEIVE_CAPACITY);
        }
        final int capacity = receive.capacity();
        if (writeIndex < capacity)
        {
            return true;
        }
        if (readIndex > 0)
        {
            compact();
            return true;
        }
        if (capacity >= maxCapacity)
        {
            return false;
        }
        int target = (int)Math.min(maxCapacity, capacity * 2L);
        final int needed = session.bytesNeeded();
        if (needed > capacity && needed < target)
        {
            target = needed;
        }
        allocateReceive(target);
        return true;
    }

    private void compact()
    {
        final int pending = writeIndex - readIndex;
        receive.putBytes(0, receive, readIndex, pending);
        readIndex = 0;
        writeIndex = pending;
    }

    /** @return bytes read, or -1 at end of stream. */
    int read() throws IOException
    {
        receiveByteBuffer.limit(receive.capacity()).position(writeIndex);
        final int n = channel.read(receiveByteBuffer);
        if (n > 0)
        {
            writeIndex += n;
            lastActiveNanos = System.nanoTime();
        }
        return n;
    }

    /**
     * Lets the session answer bytes read into the worker's shared buffer, keeping what it left (an incomplete
     * request, or requests it yielded on) in this connection's own buffer. Connections with nothing pending thus
     * hold no receive buffer of their own, and a whole burst is parsed where it landed, as memcached's per-thread
     * read buffer does.
     *
     * @return bytes consumed.
     */
    int processShared(final UnsafeBuffer shared, final int length)
    {
        final int consumed = session.process(shared, 0, length, out);
        if (consumed < length)
        {
            retain(shared, consumed, length - consumed);
        }
        return consumed;
    }

    private void retain(final UnsafeBuffer src, final int offset, final int length)
    {
        if (receiveByteBuffer == null || receive.capacity() < length)
        {
            if (receiveByteBuffer != null)
            {
                BufferUtil.free(receiveByteBuffer);
                receiveByteBuffer = null;
            }
            readIndex = 0;
            writeIndex = 0;
            allocateReceive(Math.max(INITIAL_RECEIVE_CAPACITY, org.agrona.BitUtil.findNextPositivePowerOfTwo(length)));
        }
        receive.putBytes(0, src, offset, length);
        readIndex = 0;
        writeIndex = length;
    }

    void touch()
    {
        lastActiveNanos = System.nanoTime();
    }

    /** Lets the session answer what has arrived. @return bytes consumed. */
    int process()
    {
        if (writeIndex == readIndex)
        {
            return 0;
        }
        final int consumed = session.process(receive, readIndex, writeIndex - readIndex, out);
        readIndex += consumed;
        if (readIndex == writeIndex)
        {
            readIndex = 0;
            writeIndex = 0;
            shrinkIfIdle();
        }
        return consumed;
    }

    /** A connection that once took a big value should not keep a big buffer while idle. */
    private void shrinkIfIdle()
    {
        if (receive.capacity() > 64 * 1024 && session.bytesNeeded() <= INITIAL_RECEIVE_CAPACITY)
        {
            BufferUtil.free(receiveByteBuffer);
            receiveByteBuffer = null;
            allocateReceive(INITIAL_RECEIVE_CAPACITY);
        }
    }

    /** @return bytes written to the socket. */
    int flush(final WorkerStats stats) throws IOException
    {
        if (out.isEmpty())
        {
            return 0;
        }
        final int n = channel.write(out.pendingByteBuffer());
        if (n > 0)
        {
            out.consume(n);
            stats.bytesWritten += n;
            out.shrinkIfEmpty(OUTPUT_RETAINED_CAPACITY);
        }
        return n;
    }

    void release()
    {
        session.onClose();
        out.free();
        if (receiveByteBuffer != null)
        {
            BufferUtil.free(receiveByteBuffer);
            receiveByteBuffer = null;
        }
    }
}
