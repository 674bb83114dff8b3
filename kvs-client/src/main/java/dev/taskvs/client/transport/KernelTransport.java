package dev.taskvs.client.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link Transport} over a kernel TCP socket (a non-blocking {@link SocketChannel} with TCP_NODELAY). Reads
 * and writes wait on two separate selectors, so a reader thread and a writer thread never contend. Buffers backed
 * by a direct {@link ByteBuffer} (such as {@link org.agrona.ExpandableDirectByteBuffer}) are read and written
 * in place; others go through a scratch buffer.
 */
public final class KernelTransport implements Transport
{
    /** The factory for kernel-socket connections. */
    public static final TransportFactory FACTORY = KernelTransport::connect;

    private static final int SCRATCH_LENGTH = 64 * 1024;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private ByteBuffer readScratch;
    private ByteBuffer writeScratch;
    private volatile boolean closed;

    private KernelTransport(final SocketChannel channel) throws IOException
    {
        this.channel = channel;
        channel.configureBlocking(false);
        readSelector = Selector.open();
        writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    /** Connect with TCP_NODELAY, blocking up to {@code connectTimeout}. */
    public static KernelTransport connect(final InetSocketAddress address, final Duration connectTimeout)
        throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(address, (int)Math.max(1, connectTimeout.toMillis()));
            return new KernelTransport(channel);
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    @Override
    public void write(final DirectBuffer src, final int offset, final int length) throws IOException
    {
        final ByteBuffer direct = src.byteBuffer();
        if (direct != null && direct.isDirect())
        {
            final int start = src.wrapAdjustment() + offset;
            direct.clear().limit(start + length).position(start);
            writeFully(direct);
            return;
        }
        if (writeScratch == null)
        {
            writeScratch = BufferUtil.allocateDirectAligned(SCRATCH_LENGTH, 64);
        }
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(SCRATCH_LENGTH, length - done);
            writeScratch.clear();
            src.getBytes(offset + done, writeScratch, 0, chunk);
            writeScratch.limit(chunk).position(0);
            writeFully(writeScratch);
            done += chunk;
        }
    }

    private void writeFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            ensureOpen();
            if (channel.write(buffer) == 0)
            {
                if (!await(writeSelector, 100))
                {
                    throw new ClosedChannelException();
                }
            }
        }
    }

    @Override
    public int read(final MutableDirectBuffer dst, final int offset, final int length, final long timeoutNanos)
        throws IOException
    {
        final ByteBuffer direct = dst.byteBuffer();
        final ByteBuffer target;
        if (direct != null && direct.isDirect())
        {
            final int start = dst.wrapAdjustment() + offset;
            direct.clear().limit(start + length).position(start);
            target = direct;
        }
        else
        {
            if (readScratch == null)
            {
                readScratch = BufferUtil.allocateDirectAligned(SCRATCH_LENGTH, 64);
            }
            readScratch.clear().limit(Math.min(SCRATCH_LENGTH, length));
            target = readScratch;
        }
        final int read = readWithin(target, timeoutNanos);
        if (read > 0 && target == readScratch)
        {
            dst.putBytes(offset, readScratch, 0, read);
        }
        return read;
    }

    private int readWithin(final ByteBuffer target, final long timeoutNanos) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true)
        {
            if (closed)
            {
                return 0;
            }
            final int read;
            try
            {
                read = channel.read(target);
            }
            catch (final ClosedChannelException ex)
            {
                if (closed)
                {
                    return 0;
                }
                throw ex;
            }
            if (read != 0)
            {
                return read;
            }
            long waitMillis = 0;
            if (timeoutNanos != WAIT_FOREVER)
            {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return 0;
                }
                waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
            }
            if (!await(readSelector, waitMillis))
            {
                return 0;
            }
        }
    }

    /** Wait for readiness; false when the transport was closed meanwhile. */
    private boolean await(final Selector selector, final long millis) throws IOException
    {
        try
        {
            selector.select(millis);
            selector.selectedKeys().clear();
            return !closed;
        }
        catch (final ClosedSelectorException ex)
        {
            return false;
        }
    }

    private void ensureOpen() throws IOException
    {
        if (closed)
        {
            throw new ClosedChannelException();
        }
    }

    @Override
    public boolean isOpen()
    {
        return !closed && channel.isOpen();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        readSelector.wakeup();
        writeSelector.wakeup();
        CloseHelper.quietCloseAll(channel, readSelector, writeSelector);
    }

    @Override
    public String toString()
    {
        try
        {
            return "KernelTransport{" + channel.getLocalAddress() + " -> " + channel.getRemoteAddress() + '}';
        }
        catch (final IOException | RuntimeException ex)
        {
            return "KernelTransport{closed}";
        }
    }
}
