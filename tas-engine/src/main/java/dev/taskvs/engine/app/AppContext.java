package dev.taskvs.engine.app;

import dev.taskvs.engine.fastpath.FlowBuffers;
import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.fastpath.LaneCommands;
import dev.taskvs.engine.slowpath.PortPolicy;
import dev.taskvs.engine.slowpath.SlowPathMessages;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * An application thread's handle on the engine: its own event queue (written by the lanes and the slow
 * path), commands to the slow path (listen, connect, shutdown, close, abort) and byte-count bumps straight to
 * the lanes. Single-threaded: the thread that polls owns it and every {@link TcpConnection} it yields.
 */
public final class AppContext
{
    private static final int COMMAND_LENGTH = 32;
    /** Data events held for one warm pass before they are handed out; a fuller stage is handed out first. */
    private static final int STAGE_CAPACITY = 256;
    /**
     * With the lanes on this thread, below this many connections their lines stay in the core's caches and the warm
     * pass only costs (as a lane's own).
     */
    private static final int WARM_MIN_CONNECTIONS = 1024;

    private final int id;
    private final RingBuffer events;
    private final RingBuffer slowPath;
    private final RingBuffer[] lanes;
    private final FlowBuffers buffers;
    private final PortPolicy portPolicy;
    private final TcpConnection[] byFlow;
    /**
     * The lanes run on other threads (dedicated threading): the RX lines a lane wrote and the TX lines it read are
     * in another core's cache at any number of connections, so the warm pass pays off at any number.
     */
    private final boolean lanesElsewhere;
    private final Long2ObjectHashMap<TcpConnection> connecting = new Long2ObjectHashMap<>();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[COMMAND_LENGTH]);
    private final UnsafeBuffer bump = new UnsafeBuffer(new byte[LaneCommands.BUMP_LENGTH]);
    private final MessageHandler eventHandler = this::onEvent;
    private final ArrayList<TcpConnection> flushQueue = new ArrayList<>();
    private final ArrayDeque<byte[]> deferredCommands = new ArrayDeque<>();
    private final ArrayDeque<Integer> deferredTypes = new ArrayDeque<>();
    private ConnectionHandler handler;
    private long nextToken = 1;
    private int openConnections;
    /** Set while poll's handlers run and between beginBatch and endBatch: consume waits for a commit. */
    private boolean holdBumps;
    private TcpConnection deferredBump;
    private final int[] stagedHandles = new int[STAGE_CAPACITY];
    private final int[] stagedRxBytes = new int[STAGE_CAPACITY];
    private final int[] stagedTxFreed = new int[STAGE_CAPACITY];
    private final int[] stagedFlags = new int[STAGE_CAPACITY];
    /** The warm pass's connections, one per staged event (null where none); cleared by the pass. */
    private final TcpConnection[] stagedConnections = new TcpConnection[STAGE_CAPACITY];
    private int staged;
    /** The next staged event to hand out: past one whose handler threw, the rest wait for the next poll. */
    private int stagedNext;
    /** Where {@link #dispatchStaged}'s warm pass leaves what it read, so the reads are not compiled away. */
    private long warmSink;

    /**
     * Created by the engine.
     *
     * @param id         index of this context's event queue.
     * @param events     its event queue.
     * @param slowPath   the slow path's inbox.
     * @param lanes      every lane's inbox.
     * @param buffers    the flows' rings.
     * @param portPolicy which ports may listen.
     * @param maxFlows   flow ids go up to this.
     * @param lanesElsewhere whether the lanes run on threads of their own.
     */
    public AppContext(
        final int id,
        final RingBuffer events,
        final RingBuffer slowPath,
        final RingBuffer[] lanes,
        final FlowBuffers buffers,
        final PortPolicy portPolicy,
        final int maxFlows,
        final boolean lanesElsewhere)
    {
        this.id = id;
        this.events = events;
        this.slowPath = slowPath;
        this.lanes = lanes;
        this.buffers = buffers;
        this.portPolicy = portPolicy;
        this.byFlow = new TcpConnection[maxFlows];
        this.lanesElsewhere = lanesElsewhere;
    }

    public int id()
    {
        return id;
    }

    /**
     * Reset every open connection of this context, each as {@link TcpConnection#abort} does: before the process
     * goes away with its engine. A userspace stack that exits with connections open sends nothing more, so its
     * peers keep them until their own timers give up, or for ever without keepalive.
     *
     * @return connections reset.
     */
    public int abortOpen()
    {
        int reset = 0;
        for (final TcpConnection connection : byFlow)
        {
            if (connection != null && connection.isOpen())
            {
                connection.abort();
                reset++;
            }
        }
        return reset;
    }

    /** @return connections asked for with {@link #connect} that have neither opened nor failed yet. */
    public int pendingConnects()
    {
        return connecting.size();
    }

    /** @return connections opened or accepted and not yet closed or reset. */
    public int openConnections()
    {
        return openConnections;
    }

    /**
     * Accept connections on a port; they arrive as {@link ConnectionHandler#onAccepted}.
     *
     * @param port    local port, allowed by the port policy.
     * @param backlog most half-open connections, 0 for the engine default.
     */
    public void listen(final int port, final int backlog)
    {
        if (!portPolicy.allows(port))
        {
            throw new IllegalArgumentException("port " + port + " not allowed by the port policy " + portPolicy);
        }
        command.putInt(SlowPathMessages.CONTEXT_OFFSET, id);
        command.putInt(SlowPathMessages.PORT_OFFSET, port);
        command.putInt(SlowPathMessages.BACKLOG_OFFSET, backlog);
        sendCommand(SlowPathMessages.LISTEN, SlowPathMessages.LISTEN_LENGTH);
    }

    public void listen(final int port)
    {
        listen(port, 0);
    }

    public void unlisten(final int port)
    {
        command.putInt(SlowPathMessages.CONTEXT_OFFSET, id);
        command.putInt(SlowPathMessages.PORT_OFFSET, port);
        sendCommand(SlowPathMessages.UNLISTEN, SlowPathMessages.LISTEN_LENGTH);
    }

    /**
     * Start an active open; the result arrives as {@link ConnectionHandler#onConnected} or
     * {@link ConnectionHandler#onConnectFailed} with the returned handle.
     *
     * @param remoteIp   peer address.
     * @param remotePort peer port.
     * @return the connection, in state CONNECTING.
     */
    public TcpConnection connect(final int remoteIp, final int remotePort)
    {
        final long token = nextToken++;
        final TcpConnection connection = new TcpConnection(this, remoteIp, remotePort, token);
        connecting.put(token, connection);
        command.putInt(SlowPathMessages.CONTEXT_OFFSET, id);
        command.putInt(SlowPathMessages.CONNECT_IP_OFFSET, remoteIp);
        command.putInt(SlowPathMessages.CONNECT_PORT_OFFSET, remotePort);
        command.putLong(SlowPathMessages.CONNECT_TOKEN_OFFSET, token);
        sendCommand(SlowPathMessages.CONNECT, SlowPathMessages.CONNECT_LENGTH);
        return connection;
    }

    /**
     * Deliver up to {@code limit} events to {@code handler}, then push pending bumps and commands.
     *
     * @return events delivered plus work flushed.
     */
    public int poll(final ConnectionHandler handler, final int limit)
    {
        this.handler = handler;
        int work;
        holdBumps = true;
        try
        {
            dispatchStaged();
            work = events.read(eventHandler, limit);
            dispatchStaged();
        }
        finally
        {
            holdBumps = false;
            flushDeferredBump();
        }
        work += flushPending();
        return work;
    }

    /**
     * From here to {@link #endBatch}, as inside {@link #poll}'s handlers, a connection's RX-consumed bump waits for
     * its next commit: for an app that serves a batch of connections after the poll rather than in the handlers.
     */
    public void beginBatch()
    {
        holdBumps = true;
    }

    /** Ends what {@link #beginBatch} began and sends the bump still held. */
    public void endBatch()
    {
        holdBumps = false;
        flushDeferredBump();
    }

    /**
     * While {@link #poll} hands events to the handler (or between {@link #beginBatch} and {@link #endBatch}), hold
     * a connection's RX-consumed bump for its next commit
     * (the usual handler reads a request, then answers it), so both go to the lane in one message. One
     * connection at a time: holding another's, or the end of the poll, sends the one held.
     *
     * @return false otherwise: the caller sends the bump itself.
     */
    boolean deferBump(final TcpConnection connection)
    {
        if (!holdBumps)
        {
            return false;
        }
        if (deferredBump != connection)
        {
            flushDeferredBump();
            deferredBump = connection;
        }
        return true;
    }

    private void flushDeferredBump()
    {
        final TcpConnection connection = deferredBump;
        if (connection != null)
        {
            deferredBump = null;
            connection.flush();
        }
    }

    private int flushPending()
    {
        int work = 0;
        while (!deferredCommands.isEmpty())
        {
            final byte[] bytes = deferredCommands.peekFirst();
            if (!slowPath.write(deferredTypes.peekFirst(), new UnsafeBuffer(bytes), 0, bytes.length))
            {
                return work;
            }
            deferredCommands.removeFirst();
            deferredTypes.removeFirst();
            work++;
        }
        for (int i = flushQueue.size() - 1; i >= 0; i--)
        {
            final TcpConnection connection = flushQueue.get(i);
            if (connection.flush())
            {
                connection.flushed();
                flushQueue.remove(i);
                work++;
            }
        }
        return work;
    }

    private void onEvent(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int handle = buffer.getInt(index + AppEvents.FLOW_ID_OFFSET);
        final int flowId = handle < 0 && type == AppEvents.CONNECT_FAILED ? -1 : FlowRecord.flowIdOf(handle);
        if (type == AppEvents.DATA)
        {
            if (staged == STAGE_CAPACITY)
            {
                dispatchStaged();
            }
            final int i = staged++;
            stagedHandles[i] = handle;
            stagedRxBytes[i] = buffer.getInt(index + AppEvents.RX_BYTES_OFFSET);
            stagedTxFreed[i] = buffer.getInt(index + AppEvents.TX_FREED_OFFSET);
            stagedFlags[i] = buffer.getInt(index + AppEvents.FLAGS_OFFSET);
            return;
        }
        // Events keep their order: the data events before this one are handed out first.
        dispatchStaged();
        switch (type)
        {
            case AppEvents.ACCEPTED:
            {
                final TcpConnection connection = new TcpConnection(this,
                    buffer.getInt(index + AppEvents.REMOTE_IP_OFFSET),
                    buffer.getInt(index + AppEvents.REMOTE_PORT_OFFSET), 0);
                open(connection, handle, buffer.getInt(index + AppEvents.LOCAL_PORT_OFFSET));
                handler.onAccepted(connection);
                break;
            }

            case AppEvents.CONNECTED:
            {
                final TcpConnection connection = connecting.remove(buffer.getLong(index + AppEvents.TOKEN_OFFSET));
                if (connection != null)
                {
                    open(connection, handle, buffer.getInt(index + AppEvents.LOCAL_PORT_OFFSET));
                    handler.onConnected(connection);
                }
                break;
            }

            case AppEvents.CONNECT_FAILED:
            {
                final TcpConnection connection = connecting.remove(buffer.getLong(index + AppEvents.TOKEN_OFFSET));
                if (connection != null)
                {
                    connection.markClosed();
                    handler.onConnectFailed(connection, buffer.getInt(index + AppEvents.REMOTE_IP_OFFSET));
                }
                break;
            }

            case AppEvents.CLOSED:
            case AppEvents.RESET:
            {
                final TcpConnection connection = flowId >= 0 && flowId < byFlow.length ? byFlow[flowId] : null;
                if (connection != null && connection.isOpen() && connection.handle() == handle)
                {
                    byFlow[flowId] = null;
                    connection.markClosed();
                    openConnections--;
                    if (type == AppEvents.CLOSED)
                    {
                        handler.onClosed(connection);
                    }
                    else
                    {
                        handler.onReset(connection, buffer.getInt(index + AppEvents.REASON_OFFSET));
                    }
                }
                break;
            }

            default:
                break;
        }
    }

    private void open(final TcpConnection connection, final int handle, final int localPort)
    {
        final int flowId = FlowRecord.flowIdOf(handle);
        final long key = FlowRecord.key(connection.remoteIp(), localPort, connection.remotePort());
        connection.open(handle, FlowRecord.laneOf(key, lanes.length), localPort, buffers.rxAddress(flowId),
            buffers.rxSize(), buffers.txAddress(flowId), buffers.txSize());
        byFlow[flowId] = connection;
        openConnections++;
    }

    /**
     * Hand out the data events staged by this poll, after a warm pass that loads what handing them out touches, in
     * three loops over the events: each connection's slot in the flow-id table, then each connection's object,
     * then what each object leads to: its RX buffer and the line its new data starts on, what the app attached,
     * and the TX lines its answer goes to ({@link TcpConnection#warm}). Within a loop no load waits for a miss of
     * the same loop, so with thousands of connections (most of these lines out of the caches) the misses of many
     * connections overlap; a miss that waits for another costs ten to twenty-five times one that does not
     * ({@code MissLatencyBenchmark}). As {@code FastPath.warmFlows} does for the lane's per-flow lines.
     */
    private void dispatchStaged()
    {
        final int n = staged;
        if (stagedNext == n)
        {
            return;
        }
        if (n - stagedNext > 1 && (lanesElsewhere || openConnections >= WARM_MIN_CONNECTIONS))
        {
            long sink = 0;
            final TcpConnection[] byFlow = this.byFlow;
            final TcpConnection[] connections = this.stagedConnections;
            for (int i = stagedNext; i < n; i++)
            {
                final int flowId = FlowRecord.flowIdOf(stagedHandles[i]);
                connections[i] = flowId < byFlow.length ? byFlow[flowId] : null;
            }
            for (int i = stagedNext; i < n; i++)
            {
                final TcpConnection connection = connections[i];
                if (connection != null)
                {
                    sink += connection.handle();
                }
            }
            for (int i = stagedNext; i < n; i++)
            {
                final TcpConnection connection = connections[i];
                // Not for an event of an earlier incarnation of the flow id: its freed bytes are not this one's.
                if (connection != null && connection.handle() == stagedHandles[i])
                {
                    sink += connection.warm((stagedFlags[i] & AppEvents.FLAG_RX_REBASED) != 0, stagedTxFreed[i]);
                }
                connections[i] = null;
            }
            warmSink += sink;
        }
        while (stagedNext < n)
        {
            final int i = stagedNext++;
            final int handle = stagedHandles[i];
            onData(FlowRecord.flowIdOf(handle), handle, stagedRxBytes[i], stagedTxFreed[i], stagedFlags[i]);
        }
        staged = 0;
        stagedNext = 0;
    }

    private void onData(final int flowId, final int handle, final int rxBytes, final int txFreed, final int flags)
    {
        final TcpConnection connection = flowId < byFlow.length ? byFlow[flowId] : null;
        if (connection == null || !connection.isOpen() || connection.handle() != handle)
        {
            return;
        }
        final boolean finReceived = (flags & AppEvents.FLAG_READ_CLOSED) != 0;
        connection.onData(rxBytes, txFreed, finReceived, (flags & AppEvents.FLAG_RX_REBASED) != 0);
        if (rxBytes > 0)
        {
            handler.onData(connection, rxBytes);
        }
        if (txFreed > 0 && connection.isOpen())
        {
            handler.onWritable(connection, txFreed);
        }
        if (finReceived && connection.isOpen())
        {
            handler.onReadClosed(connection);
        }
    }

    boolean bump(final int lane, final int handle, final int txBytes, final int rxBytes, final boolean txRebased)
    {
        bump.putInt(LaneCommands.FLOW_ID_OFFSET, handle);
        bump.putInt(LaneCommands.VALUE_OFFSET, txBytes);
        bump.putInt(LaneCommands.BUMP_RX_OFFSET, rxBytes);
        bump.putInt(LaneCommands.BUMP_FLAGS_OFFSET, txRebased ? LaneCommands.BUMP_TX_REBASED : 0);
        return lanes[lane].write(LaneCommands.BUMP, bump, 0, LaneCommands.BUMP_LENGTH);
    }

    void command(final int type, final int handle, final int value)
    {
        command.putInt(SlowPathMessages.FLOW_ID_OFFSET, handle);
        command.putInt(SlowPathMessages.VALUE_OFFSET, value);
        sendCommand(type, SlowPathMessages.LENGTH);
    }

    void keepaliveCommand(final int handle, final int idleMs, final int intervalMs, final int probes)
    {
        command.putInt(SlowPathMessages.FLOW_ID_OFFSET, handle);
        command.putInt(SlowPathMessages.KEEPALIVE_IDLE_OFFSET, idleMs);
        command.putInt(SlowPathMessages.KEEPALIVE_INTERVAL_OFFSET, intervalMs);
        command.putInt(SlowPathMessages.KEEPALIVE_PROBES_OFFSET, probes);
        sendCommand(SlowPathMessages.KEEPALIVE, SlowPathMessages.KEEPALIVE_LENGTH);
    }

    private void sendCommand(final int type, final int length)
    {
        if (deferredCommands.isEmpty() && slowPath.write(type, command, 0, length))
        {
            return;
        }
        final byte[] copy = new byte[length];
        command.getBytes(0, copy);
        deferredCommands.addLast(copy);
        deferredTypes.addLast(type);
    }

    void queueFlush(final TcpConnection connection)
    {
        flushQueue.add(connection);
    }
}
