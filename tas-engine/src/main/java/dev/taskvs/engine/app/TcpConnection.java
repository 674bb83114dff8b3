package dev.taskvs.engine.app;

import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.fastpath.LaneCommands;
import dev.taskvs.engine.slowpath.SlowPathMessages;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One connection as its app context sees it: socket-like reads and writes that copy, plus zero-copy views
 * of the flow's RX and TX rings for parsers and writers that work in place and then {@link #consume} or
 * {@link #commit} byte counts (TAS's "bumps"). Owned by the context's thread; not thread-safe.
 * <p>
 * Ring positions run from 0 at the first byte of each direction; a ring offset is the position modulo the
 * ring size, so a region may wrap, which {@link #rxContiguous()} and {@link #txContiguous()} account for.
 * Whenever a ring runs empty, the next bytes start again at the flow's home line ({@link
 * dev.taskvs.engine.fastpath.FlowRecord#ringHome}; the position skips ahead to it and the lane moves its base
 * with it): a request/response connection touches only a few lines of its rings, so thousands of connections
 * stay cheap to keep in cache.
 * <p>
 * The rings are held as addresses; a buffer view of either is made only when {@link #rxBuffer()} or {@link
 * #txBuffer()} is first asked for. A server with tens of thousands of connections reads them through views of
 * its own ({@link #rxAddress()}, {@link #txAddress()}), so a connection is two objects fewer and a request
 * touches fewer cache lines.
 */
public final class TcpConnection
{
    /** Life cycle as the app sees it. */
    public enum State
    {
        CONNECTING,
        OPEN,
        CLOSED
    }

    private final AppContext context;
    private State state = State.CONNECTING;
    private int flowId = -1;
    private int handle;
    private int lane;
    private final int remoteIp;
    private final int remotePort;
    private int localPort;
    private final long token;
    /** 0 until open. */
    private long rxAddress;
    private long txAddress;
    private UnsafeBuffer rxView;
    private UnsafeBuffer txView;
    private int rxMask;
    private int txMask;
    private long rxDelivered;
    private long rxConsumed;
    private long txCommitted;
    private long txFreed;
    private int pendingRx;
    private int pendingTx;
    private boolean readClosed;
    private boolean outputShutdown;
    private boolean shutdownPending;
    private boolean closePending;
    private boolean queuedForFlush;
    /** The TX position skipped to the home line and the lane has not been told yet (with the next commit). */
    private boolean txRebasePending;
    private Object attachment;

    TcpConnection(final AppContext context, final int remoteIp, final int remotePort, final long token)
    {
        this.context = context;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.token = token;
    }

    void open(final int handle, final int lane, final int localPort, final long rxAddress, final int rxSize,
        final long txAddress, final int txSize)
    {
        this.handle = handle;
        this.flowId = FlowRecord.flowIdOf(handle);
        this.lane = lane;
        this.localPort = localPort;
        this.rxAddress = rxAddress;
        this.txAddress = txAddress;
        this.rxMask = rxSize - 1;
        this.txMask = txSize - 1;
        this.state = State.OPEN;
    }

    void onData(final int rxBytes, final int txBytes, final boolean finReceived, final boolean rxRebased)
    {
        if (rxRebased)
        {
            // The lane moved the RX base only with nothing unread, so consumed == delivered here.
            rxDelivered += (FlowRecord.ringHome(flowId, rxMask + 1) - rxDelivered) & rxMask;
            rxConsumed = rxDelivered;
        }
        rxDelivered += rxBytes;
        txFreed += txBytes;
        if (finReceived)
        {
            readClosed = true;
        }
    }

    /**
     * Loads what handing this connection a data event will touch, for {@link AppContext}'s warm pass: this object,
     * its RX buffer, the line where the new data starts (the ring's home line when the lane rebased it), the
     * attached object's header, and the TX lines an answer will be written to. Those are written, not read (a zero
     * into free room the answer overwrites; the lane never reads past the committed bytes), so the line arrives
     * owned: where the lane runs on another core it last read that line, and the answer's store would otherwise
     * wait for the line to change hands with the commit's compare-and-swap (which waits for every earlier store).
     *
     * @param rxRebased    the event's rebased flag.
     * @param txFreedBytes TX bytes the event frees.
     * @return a sum of what was read, to be kept somewhere.
     */
    long warm(final boolean rxRebased, final int txFreedBytes)
    {
        if (rxAddress == 0 || state != State.OPEN)
        {
            return 0;
        }
        final int rxAt = rxRebased ? FlowRecord.ringHome(flowId, rxMask + 1) : (int)(rxDelivered & rxMask);
        final Object attachment = this.attachment;
        final long sink = UnsafeApi.getByte(rxAddress + rxAt) +
            (attachment == null || attachment.getClass() == Object.class ? 0 : 1);
        if (!outputShutdown)
        {
            // As rebaseTxWhenEmpty will place the answer once the event's freed bytes are counted. With more events
            // of this flow in the poll, freed undercounts: the room taken as free is free all the same.
            final long freed = txFreed + txFreedBytes;
            final int txAt = txCommitted == freed && pendingTx == 0 ?
                FlowRecord.ringHome(flowId, txMask + 1) : (int)(txCommitted & txMask);
            final int free = txMask + 1 - (int)(txCommitted - freed);
            if (free > 0)
            {
                UnsafeApi.putByte(txAddress + txAt, (byte)0);
            }
            if (free > 64)
            {
                UnsafeApi.putByte(txAddress + ((txAt + 64) & txMask), (byte)0);
            }
        }
        return sink;
    }

    void markClosed()
    {
        state = State.CLOSED;
    }

    long token()
    {
        return token;
    }

    /** @return flow id and generation, as commands carry them. */
    int handle()
    {
        return handle;
    }

    public State state()
    {
        return state;
    }

    public boolean isOpen()
    {
        return state == State.OPEN;
    }

    public int flowId()
    {
        return flowId;
    }

    public int remoteIp()
    {
        return remoteIp;
    }

    public int remotePort()
    {
        return remotePort;
    }

    public int localPort()
    {
        return localPort;
    }

    /** @return whatever the app attached, for its own per-connection state. */
    public Object attachment()
    {
        return attachment;
    }

    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /** @return true once the peer's FIN arrived: {@link #readable()} bytes are all that is left. */
    public boolean isReadClosed()
    {
        return readClosed;
    }

    // ------------------------------------------------------------------ receive

    /** @return bytes received and not yet consumed. */
    public int readable()
    {
        return (int)(rxDelivered - rxConsumed);
    }

    /** @return the RX ring, for reading in place at {@link #rxOffset()}; null until open. */
    public DirectBuffer rxBuffer()
    {
        if (rxView == null && rxAddress != 0)
        {
            rxView = new UnsafeBuffer(rxAddress, rxMask + 1);
        }
        return rxView;
    }

    /** @return the RX ring's address, for a view the caller keeps ({@link #rxCapacity()} bytes); 0 until open. */
    public long rxAddress()
    {
        return rxAddress;
    }

    /** @return the RX ring's size in bytes, a power of two. */
    public int rxCapacity()
    {
        return rxMask + 1;
    }

    /** @return ring offset of the first unconsumed byte. */
    public int rxOffset()
    {
        return (int)(rxConsumed & rxMask);
    }

    /** @return readable bytes from {@link #rxOffset()} up to the ring's end. */
    public int rxContiguous()
    {
        return Math.min(readable(), rxMask + 1 - rxOffset());
    }

    /**
     * @param index 0 for the first unconsumed byte.
     * @return the byte at that position, wrapping around the ring.
     */
    public byte rxByte(final int index)
    {
        if (index < 0 || index >= readable())
        {
            throw new IndexOutOfBoundsException("byte " + index + " of " + readable() + " readable");
        }
        return UnsafeApi.getByte(rxAddress + ((rxConsumed + index) & rxMask));
    }

    /**
     * Release bytes read in place; their room goes back into the receive window. Inside an event handler the
     * lane hears of it with this connection's next {@link #commit}, or when another connection consumes, or at
     * the end of the poll, whichever comes first, so a request answered from a handler (consume, then commit) is
     * one message to the lane, not two; outside a handler at once.
     *
     * @param bytes at most {@link #readable()}.
     */
    public void consume(final int bytes)
    {
        if (bytes < 0 || bytes > readable())
        {
            throw new IllegalArgumentException("consume " + bytes + " of " + readable() + " readable bytes");
        }
        if (bytes == 0)
        {
            return;
        }
        rxConsumed += bytes;
        pendingRx += bytes;
        if (!context.deferBump(this))
        {
            flush();
        }
    }

    /**
     * Copy out and consume up to {@code length} bytes.
     *
     * @return bytes copied, 0 when none are readable.
     */
    public int read(final MutableDirectBuffer destination, final int offset, final int length)
    {
        final int n = Math.min(length, readable());
        if (n == 0)
        {
            return 0;
        }
        destination.checkLimit(offset + n); // an expandable destination grows, as putBytes grew it
        destination.boundsCheck(offset, n);
        final int at = rxOffset();
        final int first = Math.min(n, rxMask + 1 - at);
        final byte[] array = destination.byteArray();
        final long to = destination.addressOffset() + offset;
        UnsafeApi.copyMemory(null, rxAddress + at, array, to, first);
        if (first < n)
        {
            UnsafeApi.copyMemory(null, rxAddress, array, to + first, n - first);
        }
        consume(n);
        return n;
    }

    // ------------------------------------------------------------------ transmit

    /** @return free bytes in the TX ring. */
    public int writable()
    {
        if (state != State.OPEN || outputShutdown)
        {
            return 0;
        }
        return txMask + 1 - (int)(txCommitted - txFreed);
    }

    /** @return the TX ring, for writing in place at {@link #txOffset()}; null until open. */
    public MutableDirectBuffer txBuffer()
    {
        if (txView == null && txAddress != 0)
        {
            txView = new UnsafeBuffer(txAddress, txMask + 1);
        }
        return txView;
    }

    /** @return the TX ring's address, for a view the caller keeps ({@link #txCapacity()} bytes); 0 until open. */
    public long txAddress()
    {
        return txAddress;
    }

    /** @return the TX ring's size in bytes, a power of two. */
    public int txCapacity()
    {
        return txMask + 1;
    }

    /**
     * Where to write in place next. When the ring is empty this (and {@link #txContiguous()}) moves the write
     * position to the home line, so {@link #commit} bytes written in place before asking for either again:
     * bytes written but not committed when the ring runs empty would be left behind at the old offset.
     *
     * @return ring offset of the next byte to write.
     */
    public int txOffset()
    {
        rebaseTxWhenEmpty();
        return (int)(txCommitted & txMask);
    }

    /** @return writable bytes from {@link #txOffset()} up to the ring's end. */
    public int txContiguous()
    {
        rebaseTxWhenEmpty();
        return Math.min(writable(), txMask + 1 - (int)(txCommitted & txMask));
    }

    /**
     * With every committed byte acknowledged the ring is empty, and no lane is reading it: write from the home
     * line again. The lane learns of it with the next commit, before it can send any of the new bytes.
     */
    private void rebaseTxWhenEmpty()
    {
        final int home = FlowRecord.ringHome(flowId, txMask + 1);
        if (txCommitted == txFreed && (txCommitted & txMask) != home && pendingTx == 0)
        {
            txCommitted += (home - txCommitted) & txMask;
            txFreed = txCommitted;
            txRebasePending = true;
        }
    }

    /**
     * Hand bytes written in place to the engine for sending.
     *
     * @param bytes at most {@link #writable()}.
     */
    public void commit(final int bytes)
    {
        if (bytes < 0 || bytes > writable())
        {
            throw new IllegalArgumentException("commit " + bytes + " of " + writable() + " writable bytes");
        }
        if (bytes == 0)
        {
            return;
        }
        txCommitted += bytes;
        pendingTx += bytes;
        flush();
    }

    /**
     * Copy in and commit up to {@code length} bytes.
     *
     * @return bytes accepted, fewer than asked when the TX ring is short of room.
     */
    public int write(final DirectBuffer source, final int offset, final int length)
    {
        final int n = Math.min(length, writable());
        if (n == 0)
        {
            return 0;
        }
        source.boundsCheck(offset, n);
        final int at = txOffset();
        final int first = Math.min(n, txMask + 1 - at);
        final byte[] array = source.byteArray();
        final long from = source.addressOffset() + offset;
        UnsafeApi.copyMemory(array, from, null, txAddress + at, first);
        if (first < n)
        {
            UnsafeApi.copyMemory(array, from + first, null, txAddress, n - first);
        }
        commit(n);
        return n;
    }

    // ------------------------------------------------------------------ keepalive

    /**
     * Set this connection's TCP keepalive (RFC 9293 section 3.8.4), overriding the engine's defaults
     * ({@code EngineContext.keepaliveIdleNs} and friends): after {@code idleMs} without a segment from the
     * peer, with nothing outstanding, probe it every {@code intervalMs}; after {@code probes} unanswered
     * probes the connection is reset and the app hears {@code onReset(AppEvents.REASON_KEEPALIVE)}.
     *
     * @param idleMs     idle time before the first probe, 0 turns keepalive off.
     * @param intervalMs time between probes, > 0.
     * @param probes     unanswered probes before the reset, > 0.
     */
    public void keepalive(final int idleMs, final int intervalMs, final int probes)
    {
        if (idleMs < 0 || intervalMs <= 0 || probes <= 0)
        {
            throw new IllegalArgumentException("keepalive needs idle >= 0, interval > 0, probes > 0: " + idleMs +
                " " + intervalMs + " " + probes);
        }
        if (state != State.OPEN)
        {
            return;
        }
        context.keepaliveCommand(handle, idleMs, intervalMs, probes);
    }

    // ------------------------------------------------------------------ close

    /** Send FIN after the bytes committed so far; reading goes on (half-close). */
    public void shutdownOutput()
    {
        if (state != State.OPEN || outputShutdown)
        {
            return;
        }
        outputShutdown = true;
        shutdownPending = true;
        flush();
    }

    /** Graceful close; with unread bytes it turns into a reset (RFC 9293 section 3.10.4). */
    public void close()
    {
        if (state != State.OPEN || closePending)
        {
            return;
        }
        outputShutdown = true;
        closePending = true;
        flush();
    }

    /** Reset the connection at once. */
    public void abort()
    {
        if (state != State.OPEN)
        {
            return;
        }
        outputShutdown = true;
        context.command(SlowPathMessages.ABORT, handle, 0);
    }

    /**
     * Push pending byte counts to the lane and pending shutdown or close to the slow path, in that order,
     * so the FIN follows every committed byte.
     *
     * @return true when nothing is left pending.
     */
    boolean flush()
    {
        if (state != State.OPEN)
        {
            return true;
        }
        if (pendingTx != 0 || pendingRx != 0)
        {
            // A rebase goes with the first bytes written from the home line; an RX-only bump leaves it pending.
            final boolean rebased = pendingTx != 0 && txRebasePending;
            if (!context.bump(lane, handle, pendingTx, pendingRx, rebased))
            {
                return queueFlush();
            }
            if (pendingTx != 0)
            {
                txRebasePending = false;
            }
            pendingTx = 0;
            pendingRx = 0;
        }
        if (closePending)
        {
            closePending = false;
            shutdownPending = false;
            context.command(SlowPathMessages.CLOSE, handle, readable());
        }
        else if (shutdownPending)
        {
            shutdownPending = false;
            context.command(SlowPathMessages.SHUTDOWN, handle, 0);
        }
        return true;
    }

    private boolean queueFlush()
    {
        if (!queuedForFlush)
        {
            queuedForFlush = true;
            context.queueFlush(this);
        }
        return false;
    }

    void flushed()
    {
        queuedForFlush = false;
    }

    @Override
    public String toString()
    {
        return "TcpConnection{flow=" + flowId + ", state=" + state + ", local=" + localPort + ", remote=" +
            dev.taskvs.engine.proto.Ipv4Address.toString(remoteIp) + ":" + remotePort + "}";
    }
}
