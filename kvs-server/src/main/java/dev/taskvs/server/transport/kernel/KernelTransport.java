package dev.taskvs.server.transport.kernel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.SessionFactory;
import dev.taskvs.server.stats.ConnectionRegistry;

/**
 * The Linux-baseline transport: a blocking acceptor thread and {@code -t} NIO worker loops, as memcached's
 * dispatcher and worker threads. Connections are spread round-robin over the workers.
 */
public final class KernelTransport implements AutoCloseable, ConnectionRegistry
{
    private static final byte[] TOO_MANY_CONNECTIONS =
        "ERROR Too many open connections\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What {@code stats conns} shows for the listening socket (memcached prints its fd). */
    private static final int LISTENER_ID = 1;

    private final ServerContext ctx;
    private final ServerSocketChannel serverChannel;
    private final KernelWorker[] workers;
    private final Thread acceptor;
    private final AtomicInteger connectionIds = new AtomicInteger(100);
    private final ConcurrentHashMap<Integer, KernelConnection> connections = new ConcurrentHashMap<>();
    private final String listenName;
    private volatile boolean running = true;

    public KernelTransport(final ServerContext ctx) throws IOException
    {
        this(ctx, SessionFactory.MEMCACHED);
    }

    public KernelTransport(final ServerContext ctx, final SessionFactory sessions) throws IOException
    {
        this.ctx = ctx;
        serverChannel = ServerSocketChannel.open();
        serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        serverChannel.bind(new InetSocketAddress(ctx.config().listenAddress, ctx.config().port), ctx.config().backlog);
        listenName = "tcp:" + ctx.config().listenAddress + ":" + port();
        workers = new KernelWorker[ctx.config().threads];
        for (int i = 0; i < workers.length; i++)
        {
            workers[i] = new KernelWorker(ctx, this, sessions, i);
        }
        acceptor = new Thread(this::acceptLoop, "kvs-acceptor");
        // memcached counts its listening connection in both figures.
        ctx.stats().totalConnections.incrementAndGet();
        ctx.stats().connectionStructures.incrementAndGet();
        ctx.connections(this);
    }

    public KernelTransport start()
    {
        for (final KernelWorker worker : workers)
        {
            worker.thread.start();
        }
        acceptor.start();
        return this;
    }

    public int port()
    {
        return ((InetSocketAddress)serverChannel.socket().getLocalSocketAddress()).getPort();
    }

    private void acceptLoop()
    {
        int next = 0;
        while (running)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                // Out of file descriptors and the like: memcached backs off the same way instead of spinning.
                System.err.println("accept failed: " + ex.getMessage());
                sleepQuietly(10);
                continue;
            }
            if (ctx.stats().currConnections.get() >= ctx.config().maxConnections)
            {
                reject(channel);
                continue;
            }
            ctx.stats().currConnections.incrementAndGet();
            ctx.stats().totalConnections.incrementAndGet();
            ctx.stats().connectionStructures.incrementAndGet();
            if (!workers[next].offer(channel))
            {
                reject(channel);
                connectionClosed();
                continue;
            }
            next = (next + 1) % workers.length;
        }
    }

    /** Over the limit: tell the client why, as memcached does, then hang up. */
    private void reject(final SocketChannel channel)
    {
        ctx.stats().rejectedConnections.incrementAndGet();
        try (channel)
        {
            channel.write(ByteBuffer.wrap(TOO_MANY_CONNECTIONS));
        }
        catch (final IOException ignore)
        {
            // the client is gone already
        }
    }

    int nextConnectionId()
    {
        return connectionIds.incrementAndGet();
    }

    void register(final KernelConnection conn)
    {
        connections.put(conn.id, conn);
    }

    void unregister(final KernelConnection conn)
    {
        if (connections.remove(conn.id) != null)
        {
            connectionClosed();
        }
    }

    void connectionClosed()
    {
        ctx.stats().currConnections.decrementAndGet();
    }

    @Override
    public void forEach(final ConnectionVisitor visitor)
    {
        visitor.visit(LISTENER_ID, listenName, null, "conn_listening", 0);
        final long now = System.nanoTime();
        connections.values().forEach(c -> visitor.visit(c.id, c.peerAddress, listenName, c.state,
            (int)TimeUnit.NANOSECONDS.toSeconds(now - c.lastActiveNanos)));
    }


    @Override
    public void close()
    {
        running = false;
        try
        {
            serverChannel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        for (final KernelWorker worker : workers)
        {
            worker.stop();
        }
        try
        {
            acceptor.join(5000);
            for (final KernelWorker worker : workers)
            {
                worker.thread.join(5000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
