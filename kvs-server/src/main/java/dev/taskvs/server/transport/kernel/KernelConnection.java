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
        allocateReceive(INITIAL_RECEIVE_CAPACITY);
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
     * Makes room for at least one more read: compacts when the unconsumed bytes sit at the end, and grows (up to
     * {@code maxCapacity}) when the session needs more than fits.
     *
     * @return false when the buffer is full at its limit and the session still made no progress.
     */
    boolean prepareForRead(final int maxCapacity)
    {
        final int needed = Math.max(session.bytesNeeded(), pendingInput() + 1);
        if (needed > receive.capacity())
        {
            if (receive.capacity() >= maxCapacity)
            {
                return false;
            }
            allocateReceive(Math.min(maxCapacity, Math.max(needed, receive.capacity() * 2)));
        }
        if (writeIndex == receive.capacity() && readIndex > 0)
        {
            compact();
        }
        if (writeIndex == receive.capacity())
        {
            if (receive.capacity() >= maxCapacity)
            {
                return false;
            }
            allocateReceive(Math.min(maxCapacity, receive.capacity() * 2));
        }
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
        }
        return n;
    }

    void release()
    {
        session.onClose();
        if (receiveByteBuffer != null)
        {
            BufferUtil.free(receiveByteBuffer);
            receiveByteBuffer = null;
        }
    }
}
