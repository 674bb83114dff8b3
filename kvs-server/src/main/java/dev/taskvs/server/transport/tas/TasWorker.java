package dev.taskvs.server.transport.tas;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.GetKeys;
import dev.taskvs.server.protocol.ProtocolSession;
import dev.taskvs.server.protocol.ResponseBuffer;
import dev.taskvs.server.protocol.SessionFactory;
import dev.taskvs.server.protocol.SessionScratch;
import dev.taskvs.server.stats.WorkerStats;
import dev.taskvs.server.store.Store;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One cache worker on the engine: an Agrona agent that polls its {@link AppContext} and drives each connection's
 * {@link ProtocolSession} in place.
 * <p>
 * <b>Receive</b>: the session parses straight from the flow's RX ring (through this worker's one view of the
 * rings, at {@link TcpConnection#rxOffset()}, the contiguous part). A request that runs over the ring's end is
 * copied, with what follows it up to what the session says it needs, into this worker's scratch buffer (one
 * ring's size) and parsed there; a request larger than the whole ring (a big value) is gathered in the
 * connection's own staging buffer, which is freed once it drains. Bytes are released with {@link
 * TcpConnection#consume}, which reopens the window.
 * <p>
 * <b>Transmit</b>: before the session runs, its {@link ResponseBuffer} is pointed at the free contiguous part of
 * the flow's TX ring ({@link ResponseBuffer#beginDirect}), so responses are written once, where the lane cuts
 * segments from, and committed with {@link TcpConnection#commit}. What does not fit spills into the response
 * buffer's own memory and is copied to the ring as the peer acknowledges (onWritable).
 * <p>
 * <b>Batches</b>: with {@code warmBatches} (one app context, so this worker is the store's only user) the
 * connections that received data in a poll are served after it, their gets' store lines loaded first for the
 * whole batch ({@link #serveBatch}).
 * <p>
 * The rest is the kernel worker's policy: at most {@code -R} requests per turn with a ready list for the rest;
 * no reading while more than the high-water mark of output waits; close after the output is flushed.
 */
final class TasWorker implements Agent, ConnectionHandler
{
    private static final byte[] TOO_MANY_CONNECTIONS =
        "ERROR Too many open connections\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int EVENTS_PER_POLL = 256;
    /** A direct window smaller than this is not worth starting: the response would likely spill. */
    private static final int MIN_DIRECT_WINDOW = 128;
    /** Overflow memory an idle connection may keep; more is given back once it drains. */
    private static final int OUTPUT_RETAINED_CAPACITY = 16 * 1024;

    private final TasTransport transport;
    private final ServerContext ctx;
    private final SessionFactory sessions;
    /** Shared by this worker's sessions, which it runs one at a time. */
    private final SessionScratch sessionScratch = new SessionScratch();
    private final AppContext app;
    private final WorkerStats stats;
    private final int index;
    private final int port;
    private final int rxCapacity;
    private final UnsafeBuffer scratch;
    private final UnsafeBuffer rxWindow = new UnsafeBuffer(0, 0);
    private final int maxReceiveCapacity;
    private final int highWaterMark;
    private final int lowWaterMark;
    private final long idleTimeoutNanos;
    private final UnsafeBuffer rejectLine = new UnsafeBuffer(TOO_MANY_CONNECTIONS);
    private final ArrayDeque<TasConnection> ready = new ArrayDeque<>();
    private final ArrayList<TasConnection> connections = new ArrayList<>();
    private final ArrayList<TasConnection> doomed = new ArrayList<>();
    private long nextIdleCheckNanos;
    private volatile boolean stopRequested;
    private boolean stopping;
    private volatile boolean drained;
    private long wrapCopies;
    private long staged;
    private final boolean warmBatches;
    private final Store store;
    /** Connections that received data in this poll, served after it (see {@link #serveBatch}). */
    private final TasConnection[] batch = new TasConnection[EVENTS_PER_POLL];
    private final long[] batchTokens = new long[EVENTS_PER_POLL];
    private final int[] batchLengths = new int[EVENTS_PER_POLL];
    private final UnsafeBuffer warmView = new UnsafeBuffer(0, 0);
    private int batchSize;
    /** Where {@link #serveBatch} puts what it loaded, so that the compiler keeps the loads. */
    private long warmSink;

    TasWorker(final TasTransport transport, final ServerContext ctx, final SessionFactory sessions,
        final AppContext app, final int index, final int port, final int rxCapacity, final boolean warmBatches)
    {
        this.warmBatches = warmBatches;
        this.store = ctx.store();
        this.transport = transport;
        this.ctx = ctx;
        this.sessions = sessions;
        this.app = app;
        this.index = index;
        this.port = port;
        this.rxCapacity = rxCapacity;
        this.scratch = new UnsafeBuffer(org.agrona.BufferUtil.allocateDirectAligned(rxCapacity, 64));
        this.stats = ctx.stats().newWorker();
        this.maxReceiveCapacity = Math.max(ctx.config().itemSizeMax, ctx.config().maxMultiGetLineLength) +
            ctx.config().maxLineLength + 1024;
        this.highWaterMark = ctx.config().outputHighWaterMark;
        this.lowWaterMark = highWaterMark / 2;
        this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(ctx.config().idleTimeoutSeconds);
    }

    @Override
    public String roleName()
    {
        return "kvs-app-" + index; // within the 15 characters Linux keeps of a thread name (top, /proc)
    }

    @Override
    public void onStart()
    {
        app.listen(port, ctx.config().backlog);
    }

    @Override
    public int doWork()
    {
        int work = app.poll(this, EVENTS_PER_POLL);
        if (batchSize > 0)
        {
            work += serveBatch();
        }
        work += serveReadyList();
        if (idleTimeoutNanos != 0)
        {
            closeIdleConnections();
        }
        if (stopRequested)
        {
            work += stop();
        }
        return work;
    }

    /** Asks the worker to stop taking connections, answer what was received, and close every connection. */
    void requestStop()
    {
        stopRequested = true;
    }

    /** @return true once every connection of this worker is closed. */
    boolean isDrained()
    {
        return drained;
    }

    long wrapCopies()
    {
        return wrapCopies;
    }

    long stagedRequests()
    {
        return staged;
    }

    int openConnections()
    {
        return connections.size();
    }

    private int stop()
    {
        if (!stopping)
        {
            stopping = true;
            app.unlisten(port);
            doomed.clear();
            doomed.addAll(connections);
            for (final TasConnection conn : doomed)
            {
                // Requests already received are answered, over as many turns as they take (-R per turn, output
                // back-pressure); afterProcess closes the connection (FIN) once nothing complete is left.
                conn.peerClosed = true;
                serve(conn);
            }
            return 1;
        }
        if (!drained && app.openConnections() == 0)
        {
            drained = true;
        }
        return 0;
    }

    // ------------------------------------------------------------------ engine events

    @Override
    public void onAccepted(final TcpConnection flow)
    {
        if (stopping)
        {
            flow.close();
            return;
        }
        if (!transport.admit())
        {
            flow.write(rejectLine, 0, rejectLine.capacity());
            flow.close();
            return;
        }
        final TasConnection conn = new TasConnection(transport.nextConnectionId(), flow,
            sessions.create(ctx, stats, sessionScratch));
        flow.attachment(conn);
        conn.index = connections.size();
        connections.add(conn);
        transport.register(conn);
    }

    @Override
    public void onData(final TcpConnection flow, final int bytes)
    {
        final TasConnection conn = (TasConnection)flow.attachment();
        if (conn == null)
        {
            flow.consume(flow.readable());
            return;
        }
        stats.bytesRead += bytes;
        conn.lastActiveNanos = System.nanoTime();
        if (!warmBatches)
        {
            serve(conn);
        }
        else if (!conn.inBatch)
        {
            // Each connection once, and a poll delivers at most EVENTS_PER_POLL events: the batch cannot overflow.
            conn.inBatch = true;
            batch[batchSize++] = conn;
        }
    }

    /**
     * Serve the connections that received data in the last poll, as a batch: first load what serving them will
     * touch, in passes over the batch, so that the cache misses of different connections overlap, where serving
     * one by one takes each in turn (with thousands of connections most of these lines are out of the caches,
     * and the store's lookup alone was 26-31 % of the probe's samples). Pass 1, each connection's objects and
     * where its request starts; pass 2, where the bucket of each get's key is (the first one of a multi-key get;
     * parsing and hashing, no load that misses); pass 3, each bucket; pass 4, the item each bucket leads to. Then
     * serve each in order, each request's release and answer going to the lane in one bump, as from a handler.
     */
    private int serveBatch()
    {
        final int n = batchSize;
        long sink = 0;
        for (int i = 0; i < n; i++)
        {
            final TasConnection conn = batch[i];
            if (conn.closing || conn.readPaused || conn.released || conn.isStaging())
            {
                batchTokens[i] = 0;
                continue;
            }
            final TcpConnection flow = conn.flow;
            batchTokens[i] = flow.rxAddress() + flow.rxOffset();
            batchLengths[i] = Math.min(flow.rxContiguous(), GetKeys.LONGEST_PREFIX);
            sink += conn.out.readableBytes() + conn.session.bytesNeeded();
        }
        for (int i = 0; i < n; i++)
        {
            if (batchTokens[i] != 0)
            {
                batchTokens[i] = bucketOfGet(batchTokens[i], batchLengths[i]);
            }
        }
        for (int i = 0; i < n; i++)
        {
            batchTokens[i] = store.warmBucket(batchTokens[i]);
        }
        for (int i = 0; i < n; i++)
        {
            sink += store.warmItem(batchTokens[i]);
        }
        warmSink += sink;
        app.beginBatch();
        try
        {
            for (int i = 0; i < n; i++)
            {
                final TasConnection conn = batch[i];
                batch[i] = null;
                conn.inBatch = false;
                serve(conn);
            }
        }
        finally
        {
            // Should serving throw past serve's own handler, the rest are not left marked as batched forever.
            for (int i = 0; i < n; i++)
            {
                if (batch[i] != null)
                {
                    batch[i].inBatch = false;
                    batch[i] = null;
                }
            }
            batchSize = 0;
            app.endBatch();
        }
        return n;
    }

    /** Pass 2 for one request: when it is a get (text, meta or binary), where its key's bucket is. */
    private long bucketOfGet(final long address, final int length)
    {
        warmView.wrap(address, length);
        final long key = GetKeys.find(warmView, 0, length);
        return key < 0 ? 0 : store.bucketOf(warmView, (int)(key >>> 32), (int)key);
    }

    @Override
    public void onWritable(final TcpConnection flow, final int bytes)
    {
        final TasConnection conn = (TasConnection)flow.attachment();
        if (conn == null || conn.released)
        {
            return;
        }
        drainOverflow(conn);
        if (conn.closing)
        {
            if (conn.out.isEmpty())
            {
                closeFlow(conn);
            }
            return;
        }
        if (conn.readPaused && conn.out.readableBytes() <= lowWaterMark)
        {
            conn.readPaused = false;
            // Requests that arrived while paused wait in the ring: answer them now.
            serve(conn);
        }
    }

    @Override
    public void onReadClosed(final TcpConnection flow)
    {
        final TasConnection conn = (TasConnection)flow.attachment();
        if (conn == null || conn.released)
        {
            flow.close();
            return;
        }
        // The peer half-closed: answer the complete requests it sent, then close our side too.
        conn.peerClosed = true;
        serve(conn);
    }

    @Override
    public void onClosed(final TcpConnection flow)
    {
        release(flow);
    }

    @Override
    public void onReset(final TcpConnection flow, final int reason)
    {
        release(flow);
    }

    private void release(final TcpConnection flow)
    {
        final TasConnection conn = (TasConnection)flow.attachment();
        flow.attachment(null);
        if (conn == null || conn.released)
        {
            return;
        }
        conn.release();
        final int i = conn.index;
        final TasConnection last = connections.remove(connections.size() - 1);
        if (last != conn)
        {
            connections.set(i, last);
            last.index = i;
        }
        conn.index = -1;
        transport.unregister(conn);
    }

    // ------------------------------------------------------------------ serving

    private void serve(final TasConnection conn)
    {
        if (conn.closing || conn.readPaused || conn.released)
        {
            return;
        }
        conn.state = "conn_parse_cmd";
        final int consumed;
        try
        {
            consumed = conn.isStaging() ? processStaged(conn) : processRing(conn);
        }
        catch (final RuntimeException | Error ex)
        {
            // A bug or an exhausted resource on one connection: drop that one, serve the rest.
            System.err.println(roleName() + ": resetting connection " + conn.id + " after " + ex);
            conn.out.endDirect();
            conn.closing = true;
            conn.flow.abort();
            return;
        }
        if (consumed < 0)
        {
            // A request larger than any limit we accept: memcached would have closed it too.
            conn.closing = true;
            conn.out.clear();
            closeFlow(conn);
            return;
        }
        drainOverflow(conn);
        afterProcess(conn, consumed);
    }

    private int processRing(final TasConnection conn)
    {
        final TcpConnection flow = conn.flow;
        final ProtocolSession session = conn.session;
        final int readable = flow.readable();
        if (readable == 0)
        {
            return 0;
        }
        final int needed = session.bytesNeeded();
        if (needed > rxCapacity)
        {
            return stageAndProcess(conn);
        }
        if (needed > readable)
        {
            return 0;
        }
        final int contiguous = flow.rxContiguous();
        beginOutput(conn);
        int consumed = session.process(rxWindow(flow), flow.rxOffset(), contiguous, conn.out);
        if (consumed == 0 && contiguous < readable && !session.closeRequested())
        {
            consumed = processWrapped(conn, readable, contiguous);
        }
        if (consumed > 0)
        {
            // Before the commit: from an event handler both then reach the lane in one message.
            flow.consume(consumed);
            endOutput(conn);
            return consumed;
        }
        endOutput(conn);
        if (!session.closeRequested() && (readable == rxCapacity || session.bytesNeeded() > rxCapacity))
        {
            return stageAndProcess(conn);
        }
        return 0;
    }

    /** The first request runs over the ring's end: parse a copy of it (and what follows) from the scratch buffer. */
    private int processWrapped(final TasConnection conn, final int readable, final int contiguous)
    {
        final ProtocolSession session = conn.session;
        int length = Math.min(readable, Math.max(session.bytesNeeded(), contiguous + 2048));
        copyRx(conn.flow, length);
        int consumed = session.process(scratch, 0, length, conn.out);
        if (consumed == 0 && length < readable && !session.closeRequested())
        {
            copyRx(conn.flow, readable);
            length = readable;
            consumed = session.process(scratch, 0, length, conn.out);
        }
        return consumed;
    }

    private void copyRx(final TcpConnection flow, final int length)
    {
        wrapCopies++;
        final int first = Math.min(length, flow.rxContiguous());
        final DirectBuffer rx = rxWindow(flow);
        scratch.putBytes(0, rx, flow.rxOffset(), first);
        if (first < length)
        {
            scratch.putBytes(first, rx, 0, length - first);
        }
    }

    /**
     * The worker's one view of RX rings, pointed at this flow's: a session reads its bytes only inside {@code
     * process}, so one view serves every connection, and a connection holds none of its own (a cache line less a
     * request at tens of thousands of connections).
     */
    private DirectBuffer rxWindow(final TcpConnection flow)
    {
        rxWindow.wrap(flow.rxAddress(), flow.rxCapacity());
        return rxWindow;
    }

    private int stageAndProcess(final TasConnection conn)
    {
        staged++;
        return processStaged(conn);
    }

    /** A request larger than the RX ring: gather it in the connection's staging buffer and parse it there. */
    private int processStaged(final TasConnection conn)
    {
        if (!conn.stageReadable(maxReceiveCapacity))
        {
            return -1;
        }
        final ProtocolSession session = conn.session;
        final int pending = conn.staged();
        if (pending == 0 || session.bytesNeeded() > pending)
        {
            return 0;
        }
        beginOutput(conn);
        final int consumed = session.process(conn.staging, conn.stagedRead, pending, conn.out);
        endOutput(conn);
        conn.consumeStaged(consumed);
        return consumed;
    }

    private void beginOutput(final TasConnection conn)
    {
        final ResponseBuffer out = conn.out;
        if (out.isEmpty())
        {
            final TcpConnection flow = conn.flow;
            final int offset = flow.txOffset(); // first: an empty ring starts over at its home line
            final int room = flow.txContiguous();
            if (room >= MIN_DIRECT_WINDOW)
            {
                out.beginDirect(flow.txAddress() + offset, room);
            }
        }
    }

    private void endOutput(final TasConnection conn)
    {
        final int written = conn.out.endDirect();
        if (written > 0)
        {
            conn.flow.commit(written);
            stats.bytesWritten += written;
        }
    }

    /** Copies responses that did not fit the TX ring into the room it has now. */
    private void drainOverflow(final TasConnection conn)
    {
        final ResponseBuffer out = conn.out;
        if (out.isEmpty())
        {
            return;
        }
        final int n = conn.flow.write(out.buffer(), out.readIndex(), out.readableBytes());
        if (n > 0)
        {
            out.consume(n);
            stats.bytesWritten += n;
            if (out.isEmpty() && out.capacity() > OUTPUT_RETAINED_CAPACITY)
            {
                out.releaseIfEmpty();
            }
        }
    }

    private void afterProcess(final TasConnection conn, final int consumed)
    {
        final ResponseBuffer out = conn.out;
        if (conn.session.closeRequested())
        {
            conn.closing = true;
        }
        if (out.readableBytes() > highWaterMark)
        {
            conn.readPaused = true;
        }
        final boolean inputLeft = conn.flow.readable() > 0 || conn.staged() > 0;
        if (conn.peerClosed && !conn.readPaused && (consumed == 0 || !inputLeft))
        {
            // Nothing more will arrive and nothing complete is left to answer.
            conn.closing = true;
        }
        if (conn.closing)
        {
            if (out.isEmpty())
            {
                closeFlow(conn);
            }
            return;
        }
        if (!conn.readPaused && consumed > 0 && inputLeft && !conn.inReadyList)
        {
            // Stopped at requests-per-event with input left: the others get their turn first.
            conn.inReadyList = true;
            ready.add(conn);
        }
        conn.state = "conn_waiting";
    }

    private void closeFlow(final TasConnection conn)
    {
        final TcpConnection flow = conn.flow;
        conn.state = "conn_closing";
        if (!flow.isOpen())
        {
            return;
        }
        // Unanswered input is dropped as the client is gone or told to go: close with FIN, not a reset.
        final int unread = flow.readable();
        if (unread > 0)
        {
            flow.consume(unread);
        }
        flow.close();
    }

    private int serveReadyList()
    {
        int count = ready.size();
        final int work = count;
        while (count-- > 0)
        {
            final TasConnection conn = ready.poll();
            conn.inReadyList = false;
            serve(conn);
        }
        return work;
    }

    private void closeIdleConnections()
    {
        final long now = System.nanoTime();
        if (now < nextIdleCheckNanos)
        {
            return;
        }
        nextIdleCheckNanos = now + TimeUnit.SECONDS.toNanos(1);
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final TasConnection conn = connections.get(i);
            if (!conn.closing && now - conn.lastActiveNanos > idleTimeoutNanos && conn.out.isEmpty())
            {
                conn.closing = true;
                closeFlow(conn);
            }
        }
    }
}
