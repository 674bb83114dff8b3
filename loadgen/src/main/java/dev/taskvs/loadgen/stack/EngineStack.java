package dev.taskvs.loadgen.stack;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.engine.stats.LaneCounters;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The load generator over tas-engine, the userspace TCP stack: one engine (one NIC queue, one fast-path lane and
 * the slow path) and one {@link AppContext} per worker thread. Connections are engine connections; the worker
 * encodes requests into their TX rings and decodes replies from their RX rings in place ({@link ZeroCopyLoop}).
 * <p>
 * Threading follows the engine's {@code --threading}: {@code shared} with one load thread runs the engine on that
 * thread (each poll is one engine duty cycle, then the app events: one busy thread in all, for 2-core machines);
 * {@code shared} with several load threads gives the engine one thread of its own; {@code dedicated} gives each
 * lane and the slow path a thread (pinned with {@code --stack-cores}), the load threads poll their contexts.
 */
public final class EngineStack implements LoadStack
{
    /** How long {@link StackLoop#close()} lets the engine send FINs and see them answered. */
    private static final long CLOSE_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long CLOSE_LINGER_PER_CONNECTION_NS = TimeUnit.MICROSECONDS.toNanos(40);
    private static final long CLOSE_LINGER_MAX_NS = TimeUnit.SECONDS.toNanos(3);

    /** What the engine is built from. */
    public static final class Settings
    {
        /** The engine's settings (address, threading, cores, rings ...), not yet concluded. */
        public EngineContext context;
        /** Opens the NIC's queues, one per fast-path lane; called once. */
        public Supplier<PacketIo[]> nic;
        /** For messages: the backend and where it goes, e.g. {@code tap tas0 (kernel side 10.211.0.1/24)}. */
        public String nicDescription = "";
        /** Called after the engine and the NIC are closed (e.g. to stop an in-process peer). */
        public Runnable afterClose;
        /** Leave the NIC open when the stack closes (its owner closes it). */
        public boolean keepNic;

        public Settings context(final EngineContext context)
        {
            this.context = context;
            return this;
        }

        public Settings nic(final Supplier<PacketIo> nic, final String description)
        {
            return nics(() -> new PacketIo[] {nic.get()}, description);
        }

        /** A NIC with one queue per lane (the engine gets as many lanes as queues). */
        public Settings nics(final Supplier<PacketIo[]> nics, final String description)
        {
            this.nic = nics;
            this.nicDescription = description;
            return this;
        }
    }

    /** How a load thread waits for engine events when it may wait. */
    public enum Wait
    {
        SPIN,
        /** Spin, yield, then park up to 100 us. */
        BACKOFF,
        /** Spin, yield, then park up to 1 ms. */
        PARK
    }

    private final TcpEngine engine;
    private final PacketIo[] io;
    private final Runnable afterClose;
    private final boolean invokeOnLoadThread;
    private final Wait wait;
    private final String description;
    private int loops;

    private EngineStack(final TcpEngine engine, final PacketIo[] io, final Runnable afterClose,
        final boolean invokeOnLoadThread, final Wait wait, final String description)
    {
        this.engine = engine;
        this.io = io;
        this.afterClose = afterClose;
        this.invokeOnLoadThread = invokeOnLoadThread;
        this.wait = wait;
        this.description = description;
    }

    /**
     * Open the NIC and start the engine for {@code threads} load threads holding {@code connections} in all.
     *
     * @throws IllegalArgumentException with one line naming the option when the settings do not fit.
     * @throws IllegalStateException    with one line when the NIC or the engine cannot be opened.
     */
    public static EngineStack open(final Settings settings, final int threads, final int connections, final Wait wait)
    {
        final EngineContext ctx = settings.context;
        final ThreadingMode mode = ctx.threading();
        if (mode == ThreadingMode.INVOKER && threads > 1)
        {
            throw new IllegalArgumentException("--threading invoker runs the engine on the load thread: it needs " +
                "--threads 1 (use shared or dedicated with more threads)");
        }
        final long flows = Math.min(FlowRecord.MAX_FLOWS, Math.max(4096L, 2L * connections + 64));
        if (connections > FlowRecord.MAX_FLOWS)
        {
            throw new IllegalArgumentException("--connections = " + connections + " is out of range for --stack tas: " +
                "must be 1.." + FlowRecord.MAX_FLOWS + " (the engine's flow table)");
        }
        ctx.maxFlows((int)flows).maxContexts(Math.max(threads + 1, 4));
        if (connections > 15_000)
        {
            ctx.ephemeralPorts(1024, 65535);
        }
        final boolean onLoadThread = mode == ThreadingMode.INVOKER || (mode == ThreadingMode.SHARED && threads == 1);
        if (onLoadThread)
        {
            ctx.threading(ThreadingMode.INVOKER);
        }
        try
        {
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--stack tas: " + ex.getMessage());
        }
        final PacketIo[] io;
        try
        {
            io = settings.nic.get();
        }
        catch (final RuntimeException ex)
        {
            final String why = oneLine(ex);
            throw new IllegalStateException("--stack tas --nic " + settings.nicDescription + ": " + why +
                (why.contains("Operation not permitted") ? " (needs root or CAP_NET_ADMIN)" : ""), ex);
        }
        final TcpEngine engine;
        try
        {
            engine = new TcpEngine(ctx, io);
            engine.start();
        }
        catch (final RuntimeException ex)
        {
            if (!settings.keepNic)
            {
                CloseHelper.quietCloseAll(io);
            }
            throw new IllegalStateException("--stack tas: the engine did not start: " + oneLine(ex), ex);
        }
        final String threading = onLoadThread ? "shared: the engine runs on the load thread" :
            mode == ThreadingMode.SHARED ? "shared: the engine on one thread of its own, " + threads + " load threads" :
            "dedicated: a thread per lane" + (engine.laneCount() > 1 ? " (" + engine.laneCount() + " lanes)" : "") +
            " and one for the slow path" +
            (ctx.laneCores().length > 0 ? " (cores " + java.util.Arrays.toString(ctx.laneCores()) +
            (ctx.slowPathCore() >= 0 ? " and " + ctx.slowPathCore() : "") + ")" : "") + ", " + threads + " load threads";
        final String description = "engine " + Ipv4Address.toString(ctx.localIp()) + "/" + ctx.prefixLength() +
            " over " + settings.nicDescription + ", " + threading + ", rings " + ctx.rxBufferSize() / 1024 +
            " KiB per direction per connection, " + ctx.congestionControl();
        return new EngineStack(engine, settings.keepNic ? null : io, settings.afterClose, onLoadThread, wait,
            description);
    }

    private static String oneLine(final Throwable ex)
    {
        final String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        final int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A ring size that holds a window of requests or replies twice over, within a memory budget for all. */
    public static int ringSize(final int windowBytes, final int connections)
    {
        int size = 16 * 1024;
        while (size < 2L * windowBytes && size < (1 << 20))
        {
            size <<= 1;
        }
        while (size > 4096 && 2L * size * connections > (512L << 20))
        {
            size >>>= 1;
        }
        return size;
    }

    @Override
    public String name()
    {
        return "tas";
    }

    /** @return what runs where, for the start-up line. */
    public String describe()
    {
        return description;
    }

    public TcpEngine engine()
    {
        return engine;
    }

    /**
     * The lanes' receive polls so far, summed over the lanes: polls that found frames, polls that filled the whole
     * burst (frames were left waiting: the lanes are behind), and segments received. Two readings around a
     * measured window say whether the generator's own lanes were its limit.
     *
     * @return {bursts, full bursts, segments}.
     */
    public long[] laneBursts()
    {
        return new long[] {engine.counterSum(": " + LaneCounters.RECEIVE_BURSTS),
            engine.counterSum(": " + LaneCounters.FULL_BURSTS),
            engine.counterSum(": " + LaneCounters.SEGMENTS_RECEIVED)};
    }

    /** @return frames a lane takes per receive poll at most. */
    public int burstSize()
    {
        return engine.context().burstSize();
    }

    @Override
    public synchronized StackLoop newLoop(final int capacity)
    {
        if (invokeOnLoadThread && loops > 0)
        {
            throw new IllegalStateException("the engine runs on the load thread: one load thread only");
        }
        loops++;
        return new Loop(engine.newAppContext(), invokeOnLoadThread ? engine : null, capacity, wait);
    }

    @Override
    public void close()
    {
        System.out.println("engine counters: " + engine.nonZeroCounters());
        System.out.println("engine memory: " + engine.memoryReport());
        CloseHelper.quietClose(engine);
        if (io != null)
        {
            CloseHelper.quietCloseAll(io);
        }
        if (afterClose != null)
        {
            afterClose.run();
        }
    }

    /** What a connection's attachment says: its id in the loop. */
    private static final class Slot
    {
        final int id;

        Slot(final int id)
        {
            this.id = id;
        }
    }

    static final class Loop implements ZeroCopyLoop, ConnectionHandler
    {
        private final AppContext app;
        private final TcpEngine invoke;
        private final IdleStrategy idle;
        private final TcpConnection[] connections;
        private final DirectSlabs staging = new DirectSlabs();
        /**
         * The loop's one view of each direction's rings, pointed at a connection's when asked for it: a connection
         * then holds no view objects of its own (one cache line less a request with thousands of connections).
         */
        private final UnsafeBuffer rxView = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer txView = new UnsafeBuffer(0, 0);
        private final Slot[] slots;
        private final boolean[] writeInterest;
        private StackHandler handler;
        private int dispatched;
        private boolean closing;

        Loop(final AppContext app, final TcpEngine invoke, final int capacity, final Wait wait)
        {
            this.app = app;
            this.invoke = invoke;
            this.idle = wait == Wait.SPIN ? new BusySpinIdleStrategy() :
                new BackoffIdleStrategy(100, 10, 1_000, wait == Wait.PARK ? 1_000_000 : 100_000);
            connections = new TcpConnection[capacity];
            slots = new Slot[capacity];
            writeInterest = new boolean[capacity];
            for (int i = 0; i < capacity; i++)
            {
                slots[i] = new Slot(i);
            }
        }

        @Override
        public MutableDirectBuffer allocate(final int capacity)
        {
            // Staging only (a request that would wrap the TX ring, a reply that wraps the RX ring): rarely touched.
            // Off the heap, so the heap holds only what a request touches (at 20,000 connections its live objects
            // fell from 134 MB to 51 MB, 4 KiB or more a connection being these buffers).
            return staging.allocate(capacity);
        }

        @Override
        public void connect(final int id, final InetSocketAddress address) throws IOException
        {
            final InetAddress host = address.getAddress();
            if (!(host instanceof Inet4Address))
            {
                throw new IOException("--stack tas connects to IPv4 addresses only: " + address);
            }
            final byte[] b = host.getAddress();
            final int ip = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
            final TcpConnection connection = app.connect(ip, address.getPort());
            connection.attachment(slots[id]);
            connections[id] = connection;
            writeInterest[id] = false;
        }

        @Override
        public int poll(final long timeoutNanos, final StackHandler handler)
        {
            this.handler = handler;
            dispatched = 0;
            long deadline = 0;
            while (true)
            {
                int work = invoke != null ? invoke.invoke() : 0;
                work += app.poll(this, 1024);
                if (dispatched > 0 || timeoutNanos <= 0)
                {
                    break;
                }
                final long now = System.nanoTime();
                if (deadline == 0)
                {
                    deadline = now + timeoutNanos;
                }
                else if (now - deadline >= 0)
                {
                    break;
                }
                idle.idle(work);
            }
            idle.reset();
            return dispatched;
        }

        private int current(final TcpConnection connection)
        {
            final Object attachment = connection.attachment();
            if (closing || !(attachment instanceof Slot))
            {
                return -1;
            }
            final int id = ((Slot)attachment).id;
            return connections[id] == connection ? id : -1;
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            final int id = current(connection);
            if (id < 0)
            {
                // Timed out or closed while connecting; while the loop closes, a reset: the process is going.
                if (closing)
                {
                    connection.abort();
                }
                else
                {
                    connection.close();
                }
                return;
            }
            dispatched++;
            handler.onConnected(id);
        }

        @Override
        public void onConnectFailed(final TcpConnection connection, final int reason)
        {
            final int id = current(connection);
            if (id >= 0)
            {
                connections[id] = null;
                dispatched++;
                handler.onConnectFailed(id, new IOException("connect to " +
                    Ipv4Address.toString(connection.remoteIp()) + ":" + connection.remotePort() + " failed: " +
                    AppEvents.reasonName(reason)));
            }
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            final int id = current(connection);
            if (id >= 0)
            {
                dispatched++;
                handler.onReadable(id);
            }
        }

        @Override
        public void onWritable(final TcpConnection connection, final int bytes)
        {
            final int id = current(connection);
            if (id >= 0 && writeInterest[id])
            {
                dispatched++;
                handler.onWritable(id);
            }
        }

        /** End of stream, close and reset all reach the worker as readability with nothing more to read. */
        private void ended(final TcpConnection connection)
        {
            final int id = current(connection);
            if (id >= 0)
            {
                dispatched++;
                handler.onReadable(id);
            }
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            ended(connection);
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            ended(connection);
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            ended(connection);
        }

        private TcpConnection open(final int id)
        {
            final TcpConnection c = connections[id];
            return c != null && c.isOpen() ? c : null;
        }

        @Override
        public int read(final int id, final MutableDirectBuffer dst, final int offset, final int length)
        {
            final TcpConnection c = open(id);
            if (c == null)
            {
                return -1;
            }
            final int n = c.read(dst, offset, length);
            return n == 0 && c.isReadClosed() ? -1 : n;
        }

        @Override
        public int write(final int id, final DirectBuffer src, final int offset, final int length) throws IOException
        {
            final TcpConnection c = open(id);
            if (c == null)
            {
                throw new IOException("connection " + id + " is closed");
            }
            return c.write(src, offset, length);
        }

        @Override
        public void writeInterest(final int id, final boolean on)
        {
            writeInterest[id] = on;
        }

        @Override
        public int readable(final int id)
        {
            final TcpConnection c = open(id);
            if (c == null)
            {
                return -1;
            }
            final int n = c.readable();
            return n == 0 && c.isReadClosed() ? -1 : n;
        }

        @Override
        public DirectBuffer rxBuffer(final int id)
        {
            final TcpConnection c = connections[id];
            rxView.wrap(c.rxAddress(), c.rxCapacity());
            return rxView;
        }

        @Override
        public int rxOffset(final int id)
        {
            return connections[id].rxOffset();
        }

        @Override
        public int rxContiguous(final int id)
        {
            final TcpConnection c = open(id);
            return c == null ? 0 : c.rxContiguous();
        }

        @Override
        public int rxCapacity(final int id)
        {
            return connections[id].rxCapacity();
        }

        @Override
        public void consume(final int id, final int bytes)
        {
            final TcpConnection c = open(id);
            if (c != null)
            {
                c.consume(bytes);
            }
        }

        @Override
        public MutableDirectBuffer txBuffer(final int id)
        {
            final TcpConnection c = connections[id];
            txView.wrap(c.txAddress(), c.txCapacity());
            return txView;
        }

        @Override
        public int txOffset(final int id)
        {
            return connections[id].txOffset();
        }

        @Override
        public int txContiguous(final int id)
        {
            final TcpConnection c = open(id);
            return c == null ? 0 : c.txContiguous();
        }

        @Override
        public void commit(final int id, final int bytes)
        {
            final TcpConnection c = open(id);
            if (c != null)
            {
                c.commit(bytes);
            }
        }

        @Override
        public void close(final int id)
        {
            final TcpConnection c = connections[id];
            connections[id] = null;
            writeInterest[id] = false;
            if (c != null && c.isOpen())
            {
                c.close(); // a FIN; with unread bytes the engine turns it into a reset
            }
        }

        @Override
        public void close()
        {
            for (int i = 0; i < connections.length; i++)
            {
                close(i);
            }
            // Let the engine send the FINs and hear them answered, so servers see clean closes. Thousands of
            // connections take longer: the server answers every FIN in turn.
            closing = true;
            final int open = app.openConnections();
            pollUntilClosed(System.nanoTime() + Math.min(CLOSE_LINGER_NS + open * CLOSE_LINGER_PER_CONNECTION_NS,
                CLOSE_LINGER_MAX_NS));
            if (app.openConnections() + app.pendingConnects() > 0)
            {
                // Whatever did not close in time is reset: once this process is gone its engine sends nothing,
                // and a server would keep those connections (and count them against its limit) until its own
                // timers gave up. A sweep's next run then met "ERROR Too many open connections".
                app.abortOpen();
                pollUntilClosed(System.nanoTime() + CLOSE_LINGER_NS);
            }
        }

        private void pollUntilClosed(final long deadlineNs)
        {
            // Connections still connecting count too: one that opens now is reset by onConnected.
            while (app.openConnections() + app.pendingConnects() > 0 && System.nanoTime() - deadlineNs < 0)
            {
                final int work = (invoke != null ? invoke.invoke() : 0) + app.poll(this, 1024);
                if (work == 0)
                {
                    Thread.onSpinWait();
                    if (invoke == null)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    }
                }
            }
        }
    }
}
