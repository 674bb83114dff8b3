package dev.taskvs.server.transport.kernel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.SessionFactory;
import dev.taskvs.server.protocol.SessionScratch;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * One NIO event loop (epoll on Linux) serving many connections, as one of memcached's worker threads.
 * <p>
 * Per readable connection: read what the socket has, let the session answer every complete request, write the
 * responses. Fairness as memcached's {@code -R}: a session handles at most requests-per-event requests per turn;
 * a connection with input left over goes on a ready list and gets another turn after the others (conn_yields).
 * Back-pressure: while a connection's unsent output is above the high-water mark it is not read from, so a client
 * that does not read its responses cannot make the server buffer without bound.
 */
final class KernelWorker implements Runnable
{
    /** memcached reads up to 16 KiB at a time; a little more lets big pipelined bursts parse in one go. */
    static final int SHARED_RECEIVE_CAPACITY = 64 * 1024;

    private final ServerContext ctx;
    private final KernelTransport transport;
    private final SessionFactory sessions;
    /** Shared by this worker's sessions, which it runs one at a time. */
    private final SessionScratch sessionScratch = new SessionScratch();
    private final Selector selector;
    private final WorkerStats stats;
    private final ManyToOneConcurrentArrayQueue<SocketChannel> newChannels;
    private final ArrayDeque<KernelConnection> ready = new ArrayDeque<>();
    private final ArrayList<KernelConnection> scratch = new ArrayList<>();
    private final java.util.function.Consumer<SelectionKey> onSelectedKey = this::onSelectedKey;
    private final int maxReceiveCapacity;
    /** One receive buffer for every connection of this worker that has no partial request pending. */
    private final java.nio.ByteBuffer sharedReceiveByteBuffer = java.nio.ByteBuffer.allocateDirect(SHARED_RECEIVE_CAPACITY);
    private final org.agrona.concurrent.UnsafeBuffer sharedReceive =
        new org.agrona.concurrent.UnsafeBuffer(sharedReceiveByteBuffer);
    private final int highWaterMark;
    private final int lowWaterMark;
    private final long idleTimeoutNanos;
    private long nextIdleCheckNanos;
    private volatile boolean running = true;
    final Thread thread;

    KernelWorker(final ServerContext ctx, final KernelTransport transport, final SessionFactory sessions,
        final int index) throws IOException
    {
        this.sessions = sessions;
        this.ctx = ctx;
        this.transport = transport;
        this.selector = Selector.open();
        this.stats = ctx.stats().newWorker();
        this.newChannels = new ManyToOneConcurrentArrayQueue<>(Math.max(1024, ctx.config().backlog));
        // A data block plus its command line must fit, as must the longest multi-get line.
        this.maxReceiveCapacity = Math.max(ctx.config().itemSizeMax, ctx.config().maxMultiGetLineLength) +
            ctx.config().maxLineLength + 1024;
        this.highWaterMark = ctx.config().outputHighWaterMark;
        this.lowWaterMark = highWaterMark / 2;
        this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(ctx.config().idleTimeoutSeconds);
        this.thread = new Thread(this, "kvs-worker-" + index);
    }

    /** Hands a freshly accepted channel to this worker; called by the acceptor. */
    boolean offer(final SocketChannel channel)
    {
        if (!newChannels.offer(channel))
        {
            return false;
        }
        selector.wakeup();
        return true;
    }

    void stop()
    {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                try
                {
                    if (ready.isEmpty())
                    {
                        selector.select(onSelectedKey, 1000);
                    }
                    else
                    {
                        selector.selectNow(onSelectedKey);
                    }
                    registerNewChannels();
                    serveReadyList();
                    closeIdleConnections();
                }
                catch (final ClosedSelectorException ex)
                {
                    break;
                }
                catch (final IOException | RuntimeException | Error ex)
                {
                    // The loop must outlive any one failure: its connections would hang without it.
                    System.err.println(thread.getName() + ": event loop error: " + ex);
                }
            }
        }
        finally
        {
            closeAll();
        }
    }

    private void registerNewChannels()
    {
        SocketChannel channel;
        while ((channel = newChannels.poll()) != null)
        {
            try
            {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                applyKeepalive(channel);
                final KernelConnection conn = new KernelConnection(
                    transport.nextConnectionId(), channel, "tcp:" + channel.getRemoteAddress().toString().replace("/", ""),
                    sessions.create(ctx, stats, sessionScratch), 1024);
                conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
                transport.register(conn);
            }
            catch (final IOException ex)
            {
                transport.connectionClosed();
                closeQuietly(channel);
            }
        }
    }

    /** --keepalive-s on kernel sockets: the kernel's own keepalive, with the same idle, interval and probes. */
    private void applyKeepalive(final SocketChannel channel) throws IOException
    {
        final dev.taskvs.server.transport.tas.TasConfig keepalive = ctx.config().tas;
        if (keepalive.keepaliveSeconds > 0)
        {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, keepalive.keepaliveSeconds);
            channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, keepalive.keepaliveIntervalSeconds);
            channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.keepaliveProbes);
        }
    }

    /** Called by the selector for each ready key, without the selected-key set's iterator garbage. */
    private void onSelectedKey(final SelectionKey key)
    {
        final KernelConnection conn = (KernelConnection)key.attachment();
        if (!key.isValid())
        {
            close(conn);
            return;
        }
        try
        {
            if (key.isWritable())
            {
                onWritable(conn);
            }
            if (key.isValid() && key.isReadable() && !conn.readPaused && !conn.closing)
            {
                onReadable(conn);
            }
        }
        catch (final IOException ex)
        {
            close(conn);
        }
        catch (final RuntimeException | Error ex)
        {
            // A bug or an exhausted resource (direct memory) on one connection: drop that one, serve the rest.
            System.err.println(thread.getName() + ": closing connection " + conn.id + " after " + ex);
            close(conn);
        }
    }

    private void onReadable(final KernelConnection conn) throws IOException
    {
        if (conn.pendingInput() == 0)
        {
            sharedReceiveByteBuffer.clear();
            final int n = conn.channel.read(sharedReceiveByteBuffer);
            if (n < 0)
            {
                close(conn);
                return;
            }
            if (n > 0)
            {
                conn.touch();
                stats.bytesRead += n;
                conn.state = "conn_parse_cmd";
                final int pendingBefore = conn.out.readableBytes();
                final int consumed = conn.processShared(sharedReceive, n);
                afterProcess(conn, consumed, conn.out.readableBytes() > pendingBefore);
            }
            return;
        }
        if (!conn.prepareForRead(maxReceiveCapacity))
        {
            // A request larger than any limit we accept: memcached would have closed it too.
            close(conn);
            return;
        }
        final int n = conn.read();
        if (n < 0)
        {
            // The peer closed its side: answer nothing more and release the connection.
            close(conn);
            return;
        }
        stats.bytesRead += n;
        serve(conn);
    }

    private void onWritable(final KernelConnection conn) throws IOException
    {
        conn.flush(stats);
        afterWrite(conn);
        if (conn.readPaused && conn.out.readableBytes() <= lowWaterMark && !conn.closing)
        {
            conn.readPaused = false;
            setInterest(conn);
            // Requests that arrived while paused are already buffered: answer them now.
            serve(conn);
        }
    }

    /** Answers what the connection has buffered, writes, and decides whether it needs another turn. */
    private void serve(final KernelConnection conn) throws IOException
    {
        conn.state = "conn_parse_cmd";
        final int pendingBefore = conn.out.readableBytes();
        final int consumed = conn.process();
        afterProcess(conn, consumed, conn.out.readableBytes() > pendingBefore);
    }

    /** Writes what the session answered and decides whether the connection needs another turn. */
    private void afterProcess(final KernelConnection conn, final int consumed, final boolean produced)
        throws IOException
    {
        conn.flush(stats);
        if (conn.session.closeRequested())
        {
            conn.closing = true;
        }
        if (conn.out.readableBytes() > highWaterMark)
        {
            conn.readPaused = true;
        }
        afterWrite(conn);
        if (!conn.closing && !conn.readPaused && (consumed > 0 || produced) && conn.pendingInput() > 0 &&
            !conn.inReadyList)
        {
            // The session stopped with input left after making progress: at requests-per-event (it counted the
            // yield), or at the high-water mark in the middle of a multi-get whose output has since drained.
            // Either way no new bytes may come to wake it: let the others have their turn and come back.
            conn.inReadyList = true;
            ready.add(conn);
        }
        conn.state = "conn_waiting";
    }

    private void afterWrite(final KernelConnection conn)
    {
        if (conn.closing && conn.out.isEmpty())
        {
            close(conn);
            return;
        }
        setInterest(conn);
    }

    private void setInterest(final KernelConnection conn)
    {
        if (!conn.key.isValid())
        {
            return;
        }
        int ops = 0;
        if (!conn.readPaused && !conn.closing)
        {
            ops |= SelectionKey.OP_READ;
        }
        if (!conn.out.isEmpty())
        {
            ops |= SelectionKey.OP_WRITE;
        }
        if (conn.key.interestOps() != ops)
        {
            conn.key.interestOps(ops);
        }
    }

    private void serveReadyList()
    {
        int count = ready.size();
        while (count-- > 0)
        {
            final KernelConnection conn = ready.poll();
            conn.inReadyList = false;
            if (!conn.key.isValid() || conn.closing || conn.readPaused)
            {
                continue;
            }
            try
            {
                serve(conn);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                close(conn);
            }
        }
    }

    private void closeIdleConnections()
    {
        if (idleTimeoutNanos == 0)
        {
            return;
        }
        final long now = System.nanoTime();
        if (now < nextIdleCheckNanos)
        {
            return;
        }
        nextIdleCheckNanos = now + TimeUnit.SECONDS.toNanos(1);
        scratch.clear();
        for (final SelectionKey key : selector.keys())
        {
            final KernelConnection conn = (KernelConnection)key.attachment();
            if (conn != null && now - conn.lastActiveNanos > idleTimeoutNanos && conn.out.isEmpty())
            {
                scratch.add(conn);
            }
        }
        scratch.forEach(this::close);
    }

    private void close(final KernelConnection conn)
    {
        if (conn == null || !conn.channel.isOpen())
        {
            return;
        }
        conn.key.cancel();
        closeQuietly(conn.channel);
        conn.release();
        transport.unregister(conn);
    }

    private void closeAll()
    {
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                close((KernelConnection)key.attachment());
            }
            SocketChannel channel;
            while ((channel = newChannels.poll()) != null)
            {
                transport.connectionClosed();
                closeQuietly(channel);
            }
            selector.close();
        }
        catch (final IOException | ClosedSelectorException ignore)
        {
            // shutting down
        }
    }

    private static void closeQuietly(final java.io.Closeable c)
    {
        try
        {
            c.close();
        }
        catch (final IOException ignore)
        {
            // nothing useful to do
        }
    }
}
