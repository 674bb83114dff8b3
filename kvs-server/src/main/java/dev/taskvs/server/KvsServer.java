package dev.taskvs.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;

import dev.taskvs.server.store.OffHeapStore;
import dev.taskvs.server.store.Store;
import dev.taskvs.server.store.StoreConfig;
import dev.taskvs.server.store.SystemStoreClock;
import dev.taskvs.server.transport.kernel.KernelTransport;
import dev.taskvs.server.transport.tas.TasTransport;

/**
 * A running cache server: one store, one transport. Tests start it in-process with {@link #start(ServerConfig)};
 * the CLI ({@link KvsServerMain}) does the same and waits for shutdown.
 */
public final class KvsServer implements AutoCloseable
{
    private final ServerContext ctx;
    private final KernelTransport transport;
    private final TasTransport tasTransport;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;

    private KvsServer(final ServerContext ctx, final KernelTransport transport, final TasTransport tasTransport)
    {
        this.ctx = ctx;
        this.transport = transport;
        this.tasTransport = tasTransport;
    }

    /**
     * Starts a server on the configured stack: kernel sockets ({@code config.port = 0} picks a free port, see
     * {@link #port()}) or the engine ({@code config.stack = "tas"}).
     */
    public static KvsServer start(final ServerConfig config)
    {
        config.conclude();
        if ("tas".equals(config.stack))
        {
            return startTas(config, null);
        }
        final Store store = new OffHeapStore(storeConfig(config), new SystemStoreClock());
        final ServerContext ctx = new ServerContext(config, store, "kernel");
        try
        {
            final KernelTransport transport = new KernelTransport(ctx);
            final KvsServer server = new KvsServer(ctx, transport, null);
            // The shutdown command runs on a worker thread, which close() joins: hand it to another thread.
            ctx.shutdownAction(() -> new Thread(server::close, "kvs-shutdown").start());
            transport.start();
            return server;
        }
        catch (final IOException ex)
        {
            store.close();
            throw new UncheckedIOException("cannot listen on " + config.listenAddress + ":" + config.port, ex);
        }
    }

    /**
     * Starts a server on the engine.
     *
     * @param queues NIC queues to run on (tests: one end of a loopback wire), or null to open {@code config.tas.nic}.
     */
    public static KvsServer startTas(final ServerConfig config, final dev.taskvs.engine.nic.PacketIo[] queues)
    {
        config.stack = "tas";
        config.conclude();
        final Store store = new OffHeapStore(storeConfig(config), new SystemStoreClock());
        final ServerContext ctx = new ServerContext(config, store, "tas");
        try
        {
            final TasTransport transport = new TasTransport(ctx, config.tas,
                dev.taskvs.server.protocol.SessionFactory.MEMCACHED, queues);
            final KvsServer server = new KvsServer(ctx, null, transport);
            ctx.shutdownAction(() -> new Thread(server::close, "kvs-shutdown").start());
            transport.start();
            return server;
        }
        catch (final RuntimeException | Error ex)
        {
            store.close();
            throw ex;
        }
    }

    static StoreConfig storeConfig(final ServerConfig config)
    {
        final StoreConfig sc = new StoreConfig();
        sc.memoryLimitBytes = config.memoryLimitMb * 1024 * 1024;
        sc.itemSizeMax = config.itemSizeMax;
        sc.evictionDisabled = config.noEviction;
        sc.casDisabled = config.casDisabled;
        sc.segments = config.storeSegments;
        return sc;
    }

    public int port()
    {
        return transport != null ? transport.port() : tasTransport.port();
    }

    /** @return the engine transport, or null on kernel sockets. */
    public TasTransport tas()
    {
        return tasTransport;
    }

    public ServerContext context()
    {
        return ctx;
    }

    /** Blocks until the server has been closed (by {@link #close()}, the shutdown command or a signal). */
    public void awaitShutdown() throws InterruptedException
    {
        stopped.await();
    }

    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        if (transport != null)
        {
            transport.close();
        }
        else
        {
            tasTransport.close();
        }
        ctx.store().close();
        stopped.countDown();
    }
}
