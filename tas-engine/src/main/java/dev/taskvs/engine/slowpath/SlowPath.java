package dev.taskvs.engine.slowpath;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.fastpath.FastPath;
import dev.taskvs.engine.fastpath.FlowBuffers;
import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.fastpath.LaneCommands;
import dev.taskvs.engine.fastpath.Seq;
import dev.taskvs.engine.proto.ArpPacket;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.IcmpEcho;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.MacAddress;
import dev.taskvs.engine.proto.TcpHeader;
import dev.taskvs.engine.proto.TcpOptions;
import dev.taskvs.engine.slowpath.cc.CcState;
import dev.taskvs.engine.slowpath.cc.CongestionControl;
import dev.taskvs.engine.stats.SlowPathCounters;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.DeadlineTimerWheel;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.taskvs.engine.fastpath.FlowRecord.*;

/**
 * The slow path (TAS's {@code tas/slow}): one agent that owns the connection state machine and everything
 * off the per-packet path. It handles active and passive opens with a bounded SYN backlog and option
 * negotiation (MSS, window scale, SACK-permitted, timestamps, ECN), SYN and SYN-ACK retransmission,
 * teardown with FIN, half-close, TIME_WAIT, RST in every state (RFC 9293, RFC 5961), ARP with an expiring
 * cache, ICMP echo, routing, the port policy, congestion control on a control interval, and retransmission
 * timeouts with exponential back-off and a retry limit.
 * <p>
 * Duty cycle: read the clock once; drain a bounded number of inbox messages; fire due timers; run the
 * congestion-control and timeout scan over a bounded slice of flows; retry deferred messages.
 */
public final class SlowPath implements Agent
{
    private static final int MESSAGE_LIMIT = 256;
    private static final int SCAN_LIMIT = 64;
    private static final long TIMER_RESOLUTION_NS = 1L << 20;
    private static final int TIMER_TICKS = 1024;
    /**
     * How often the wheel is polled: with timers pending, a poll reads its current tick's whole slot array (as
     * wide as the fullest tick's, 64 entries with 50,000 connections' timers), and polled on every duty cycle that
     * was 4.4 % of a shared-threading load generator's samples at 50,000 connections (21 % while it retried lost
     * connects). A few polls a tick lose nothing; a wheel behind the clock, or a poll that met its limit, is
     * polled again at once.
     */
    private static final long TIMER_POLL_INTERVAL_NS = TIMER_RESOLUTION_NS / 8;
    private static final int TIMER_EXPIRY_LIMIT = 64;

    private final EngineContext ctx;
    private final UnsafeBuffer state;
    private final FlowBuffers buffers;
    private final RingBuffer inbox;
    private final RingBuffer[] lanes;
    private final RingBuffer[] appEvents;
    private final NanoClock clock;
    private final long localMac;
    private final int localIp;
    private final int localMss;
    private final SlowPathCounters counters;
    private final RoutingTable routes;
    private final ArpCache arp;
    private final PortPolicy portPolicy;
    private final SynCookies cookies = new SynCookies();
    /** When the last cookie went out (see {@link #cookiesMayReturn}). */
    private long lastCookieNs;
    private boolean cookiesSent;
    private final CongestionControl cc;
    private final MessageHandler handler = this::onMessage;
    private final DeadlineTimerWheel timers;
    private long nextTimerPollNs;
    private final DeadlineTimerWheel.TimerHandler timerHandler = this::onTimer;
    private final Long2ObjectHashMap<Connection> byTimer = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Connection> byKeepaliveTimer = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Connection> byKey = new Long2ObjectHashMap<>();
    private final Connection[] byFlow;
    /** Every connection that holds a flow id, densely: {@code live[conn.liveIndex] == conn}. */
    private final Connection[] live;
    /** The scan's state of live[i] at entry i. */
    private final ScanTable scan;
    private int liveCount;
    private final int[] freeFlows;
    private final byte[] generations;
    private int freeCount;
    private final Int2ObjectHashMap<Listener> listeners = new Int2ObjectHashMap<>();
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(65536, 64));
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
    private final EthernetFrame ethernet = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private final ArpPacket arpPacket = new ArpPacket();
    private final IcmpEcho icmp = new IcmpEcho();
    private final int rcvShift;
    private int scanCursor;
    private long scanCredit;
    /** Where {@link #warmScan} leaves what it read, so the reads are not compiled away. */
    private int scanWarmSink;
    private long lastScanNs;
    private int nextEphemeral;
    private int timeWaitCount;
    private long nowNs;
    private FastPath[] fastPaths;
    private int nowUs;
    private int ipId;

    private static final class Deferred
    {
        final RingBuffer ring;
        final int type;
        final byte[] bytes;

        Deferred(final RingBuffer ring, final int type, final byte[] bytes)
        {
            this.ring = ring;
            this.type = type;
            this.bytes = bytes;
        }
    }

    /**
     * @param ctx       concluded engine settings.
     * @param localMac  the NIC's MAC.
     * @param mtu       the NIC's IP MTU.
     * @param state     the flow-state region.
     * @param buffers   the flows' payload rings.
     * @param inbox     this agent's inbox.
     * @param lanes     every lane's inbox.
     * @param appEvents app contexts' event queues by id.
     * @param counters  slow-path counters.
     */
    public SlowPath(
        final EngineContext ctx,
        final long localMac,
        final int mtu,
        final UnsafeBuffer state,
        final FlowBuffers buffers,
        final RingBuffer inbox,
        final RingBuffer[] lanes,
        final RingBuffer[] appEvents,
        final SlowPathCounters counters)
    {
        this.ctx = ctx;
        this.state = state;
        this.buffers = buffers;
        this.inbox = inbox;
        this.lanes = lanes;
        this.appEvents = appEvents;
        this.clock = ctx.clock();
        this.localMac = localMac;
        this.localIp = ctx.localIp();
        this.localMss = mtu - Ipv4Header.MIN_HEADER_LENGTH - TcpHeader.MIN_HEADER_LENGTH;
        this.counters = counters;
        this.routes = new RoutingTable(ctx.localIp(), ctx.prefixLength(), ctx.gateway());
        this.arp = new ArpCache(ctx.arpCacheTtlNs());
        this.portPolicy = ctx.portPolicy();
        this.cc = ctx.congestionControl().create(ctx.constRateKbps());
        this.timers = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, clock.nanoTime(), TIMER_RESOLUTION_NS,
            TIMER_TICKS);
        this.nextTimerPollNs = clock.nanoTime();
        this.byFlow = new Connection[ctx.maxFlows()];
        this.live = new Connection[ctx.maxFlows()];
        this.scan = new ScanTable(ctx.maxFlows());
        this.freeFlows = new int[ctx.maxFlows()];
        this.generations = new byte[ctx.maxFlows()];
        for (int i = ctx.maxFlows() - 1; i >= 0; i--)
        {
            freeFlows[freeCount++] = i;
        }
        if (ctx.flowIdSeed() != 0)
        {
            shuffle(freeFlows, freeCount, new SplittableRandom(ctx.flowIdSeed()));
        }
        int shift = 0;
        while ((ctx.rxBufferSize() >>> shift) > 0xFFFF)
        {
            shift++;
        }
        this.rcvShift = shift;
        this.nextEphemeral = ctx.ephemeralLow() +
            Math.floorMod(ctx.isnSupplier().getAsInt(), ctx.ephemeralHigh() - ctx.ephemeralLow() + 1);
    }

    @Override
    public String roleName()
    {
        return "slow-path";
    }

    /** @return connections the slow path knows, in any state (half-open and TIME_WAIT included). */
    public int connectionCount()
    {
        return byKey.size();
    }

    /** @return flow ids in use. */
    public int flowsInUse()
    {
        return byFlow.length - freeCount;
    }

    /** @return the ARP cache, for inspection. */
    public ArpCache arpCache()
    {
        return arp;
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        nowUs = (int)(nowNs / 1000);
        int work = retryDeferred();
        work += inbox.read(handler, MESSAGE_LIMIT);
        if (nowNs - nextTimerPollNs >= 0)
        {
            final int expired = timers.poll(nowNs, timerHandler, TIMER_EXPIRY_LIMIT);
            work += expired;
            nextTimerPollNs = expired >= TIMER_EXPIRY_LIMIT || timers.currentTickTime() <= nowNs ? nowNs :
                nowNs + TIMER_POLL_INTERVAL_NS;
        }
        work += scanFlows();
        return work;
    }

    // ---------------------------------------------------------------- inbox

    private void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (type)
        {
            case SlowPathMessages.FRAME:
                onFrame(buffer.getInt(index + SlowPathMessages.FRAME_LANE_OFFSET), buffer,
                    index + SlowPathMessages.FRAME_DATA_OFFSET, length - SlowPathMessages.FRAME_DATA_OFFSET);
                break;
            case SlowPathMessages.FIN_RECEIVED:
                onFinReceived(connection(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)));
                break;
            case SlowPathMessages.FIN_ACKED:
                onFinAcked(connection(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)));
                break;
            case SlowPathMessages.RST_RECEIVED:
                onRstReceived(connection(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)));
                break;
            case SlowPathMessages.FLOW_REMOVED:
                onFlowRemoved(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET));
                break;
            case SlowPathMessages.LISTEN:
                onListen(buffer.getInt(index + SlowPathMessages.CONTEXT_OFFSET),
                    buffer.getInt(index + SlowPathMessages.PORT_OFFSET),
                    buffer.getInt(index + SlowPathMessages.BACKLOG_OFFSET));
                break;
            case SlowPathMessages.UNLISTEN:
                onUnlisten(buffer.getInt(index + SlowPathMessages.CONTEXT_OFFSET),
                    buffer.getInt(index + SlowPathMessages.PORT_OFFSET));
                break;
            case SlowPathMessages.CONNECT:
                onConnect(buffer.getInt(index + SlowPathMessages.CONTEXT_OFFSET),
                    buffer.getInt(index + SlowPathMessages.CONNECT_IP_OFFSET),
                    buffer.getInt(index + SlowPathMessages.CONNECT_PORT_OFFSET),
                    buffer.getLong(index + SlowPathMessages.CONNECT_TOKEN_OFFSET));
                break;
            case SlowPathMessages.SHUTDOWN:
                onShutdown(connectionOf(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)));
                break;
            case SlowPathMessages.CLOSE:
                onClose(connectionOf(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)),
                    buffer.getInt(index + SlowPathMessages.VALUE_OFFSET));
                break;
            case SlowPathMessages.KEEPALIVE:
                onKeepaliveCommand(connectionOf(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET)),
                    buffer.getInt(index + SlowPathMessages.KEEPALIVE_IDLE_OFFSET),
                    buffer.getInt(index + SlowPathMessages.KEEPALIVE_INTERVAL_OFFSET),
                    buffer.getInt(index + SlowPathMessages.KEEPALIVE_PROBES_OFFSET));
                break;
            case SlowPathMessages.ABORT:
                final Connection conn = connectionOf(buffer.getInt(index + SlowPathMessages.FLOW_ID_OFFSET));
                // A connection in TIME_WAIT closed cleanly; the app had not read its CLOSED yet: nothing to reset.
                if (conn != null && conn.registered && !conn.removing && conn.state != TcpState.TIME_WAIT)
                {
                    conn.appClosed = true;
                    abort(conn, AppEvents.REASON_ABORTED);
                }
                break;
            default:
                break;
        }
    }

    private Connection connection(final int flowId)
    {
        return flowId >= 0 && flowId < byFlow.length ? byFlow[flowId] : null;
    }

    /** The connection an app's handle names, or null when the id was reused since (a stale command). */
    private Connection connectionOf(final int handle)
    {
        final Connection conn = connection(FlowRecord.flowIdOf(handle));
        return conn != null && conn.registered && conn.generation == FlowRecord.generationOf(handle) ? conn : null;
    }

    // ---------------------------------------------------------------- frames

    private void onFrame(final int lane, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        ethernet.wrap(buffer, offset);
        final int etherType = ethernet.etherType();
        if (etherType == EthernetFrame.ETHER_TYPE_ARP)
        {
            onArp(lane, buffer, offset + EthernetFrame.HEADER_LENGTH);
            return;
        }
        ip.wrap(buffer, offset + EthernetFrame.HEADER_LENGTH);
        if (ip.protocol() == Ipv4Header.PROTOCOL_ICMP)
        {
            onIcmp(lane, buffer, offset, length);
        }
        else if (ip.protocol() == Ipv4Header.PROTOCOL_TCP)
        {
            onTcp(lane, buffer, offset, length);
        }
    }

    private void onTcp(final int lane, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final long peerMac = ethernet.source();
        final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
        final int tcpOffset = ipOffset + ip.headerLength();
        tcp.wrap(buffer, tcpOffset);
        final int segmentLength = ip.totalLength() - ip.headerLength();
        final int payloadLength = segmentLength - tcp.headerLength();
        options.parse(buffer, tcp.optionsOffset(), tcp.headerLength() - TcpHeader.MIN_HEADER_LENGTH);
        final int remoteIp = ip.source();
        final int localPort = tcp.destinationPort();
        final int remotePort = tcp.sourcePort();
        final int flags = tcp.flags();
        final long key = FlowRecord.key(remoteIp, localPort, remotePort);
        final Connection conn = byKey.get(key);
        if (conn == null)
        {
            onNoConnection(lane, peerMac, key, remoteIp, localPort, remotePort, flags, payloadLength, buffer, offset,
                length);
            return;
        }
        switch (conn.state)
        {
            case SYN_SENT:
                onSynSentSegment(conn, flags, payloadLength);
                break;
            case SYN_RECEIVED:
                onSynReceivedSegment(conn, flags, payloadLength, buffer, offset, length);
                break;
            case ARP_PENDING:
                break;
            default:
                if (conn.registered && !conn.removing)
                {
                    if (conn.appClosed && payloadLength > 0)
                    {
                        // RFC 9293 section 3.10.7.4 / RFC 2525: data for a closed app is answered with RST.
                        abort(conn, AppEvents.REASON_ABORTED);
                    }
                    else
                    {
                        // The lane had not taken the flow yet when this frame arrived: hand it back.
                        send(lanes[conn.lane], LaneCommands.RECEIVED_FRAME, buffer, offset, length);
                    }
                }
                break;
        }
    }

    private void onNoConnection(
        final int lane,
        final long peerMac,
        final long key,
        final int remoteIp,
        final int localPort,
        final int remotePort,
        final int flags,
        final int payloadLength,
        final MutableDirectBuffer buffer,
        final int offset,
        final int length)
    {
        if ((flags & TcpHeader.FLAG_RST) != 0)
        {
            return;
        }
        if ((flags & (TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK)) == TcpHeader.FLAG_SYN)
        {
            counters.synReceived.incrementRelease();
            final Listener listener = listeners.get(localPort);
            if (listener != null)
            {
                passiveOpen(listener, peerMac, key, remoteIp, localPort, remotePort);
                return;
            }
        }
        else if ((flags & (TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK)) == TcpHeader.FLAG_ACK && cookiesMayReturn())
        {
            final Listener listener = listeners.get(localPort);
            if (listener != null && openFromCookie(listener, peerMac, key, payloadLength, buffer, offset, length))
            {
                return;
            }
        }
        // RFC 9293 section 3.10.7.1: a segment for no connection gets a RST.
        counters.unexpectedSegments.incrementRelease();
        sendResetFor(lane, peerMac, remoteIp, localPort, remotePort, flags, payloadLength);
    }

    private void sendResetFor(
        final int lane,
        final long peerMac,
        final int remoteIp,
        final int localPort,
        final int remotePort,
        final int flags,
        final int payloadLength)
    {
        final int seq;
        final int ack;
        final int rstFlags;
        if ((flags & TcpHeader.FLAG_ACK) != 0)
        {
            seq = tcp.acknowledgment();
            ack = 0;
            rstFlags = TcpHeader.FLAG_RST;
        }
        else
        {
            seq = 0;
            ack = tcp.sequence() + payloadLength + ((flags & TcpHeader.FLAG_SYN) != 0 ? 1 : 0) +
                ((flags & TcpHeader.FLAG_FIN) != 0 ? 1 : 0);
            rstFlags = TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK;
        }
        final int length = buildSegment(peerMac, remoteIp, localPort, remotePort, seq, ack, rstFlags, 0, 0, 0, 0);
        send(lanes[lane], LaneCommands.SEND_FRAME, scratch, 0, length);
        counters.resetsSent.incrementRelease();
    }

    private void passiveOpen(
        final Listener listener,
        final long peerMac,
        final long key,
        final int remoteIp,
        final int localPort,
        final int remotePort)
    {
        final SynCookieMode cookieMode = ctx.synCookieMode();
        final boolean full = listener.halfOpen >= listener.backlog;
        if ((full && cookieMode != SynCookieMode.OFF) || cookieMode == SynCookieMode.ALWAYS)
        {
            if (sendCookie(peerMac, key, remoteIp, localPort, remotePort))
            {
                return;
            }
        }
        if (full)
        {
            counters.synBacklogDrops.incrementRelease();
            return;
        }
        if (freeCount == 0)
        {
            counters.noFlowIds.incrementRelease();
            return;
        }
        final Connection conn = newPassive(listener, peerMac, key, remoteIp, localPort, remotePort, tcp.sequence(),
            ctx.isnSupplier().getAsInt());
        conn.state = TcpState.SYN_RECEIVED;
        negotiate(conn, true);
        conn.ecn = ctx.ecn() && (tcp.flags() & (TcpHeader.FLAG_ECE | TcpHeader.FLAG_CWR)) ==
            (TcpHeader.FLAG_ECE | TcpHeader.FLAG_CWR);
        conn.peerWindow = tcp.window();
        listener.halfOpen++;
        byKey.put(key, conn);
        track(conn);
        sendSynAck(conn);
        armTimer(conn, ctx.synRtoNs());
    }

    /**
     * Answer a SYN past the backlog with a cookie SYN-ACK and keep nothing (RFC 4987 section 3.6).
     *
     * @return false when the SYN cannot take a cookie (an MSS below the cookie table's smallest): drop it.
     */
    private boolean sendCookie(
        final long peerMac, final long key, final int remoteIp, final int localPort, final int remotePort)
    {
        final int peerMss = options.has(TcpOptions.MSS) ? options.mss() : 536;
        final int mss = Math.min(peerMss, localMss);
        if (mss < SynCookies.MSS_TABLE[0])
        {
            return false;
        }
        final boolean windowScaling = ctx.windowScaling() && options.has(TcpOptions.WINDOW_SCALE);
        final boolean timestamps = ctx.timestamps() && options.has(TcpOptions.TIMESTAMPS);
        final boolean sack = ctx.sackPermitted() && options.has(TcpOptions.SACK_PERMITTED);
        final int bits = SynCookies.options(mss, windowScaling ? options.windowScale() : -1, sack, timestamps);
        final int iss = cookies.make(key, tcp.sequence(), nowNs, bits);
        final int length = buildSegment(peerMac, remoteIp, localPort, remotePort, iss, tcp.sequence() + 1,
            TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, synOptions(windowScaling, timestamps, sack), rcvShift, nowUs,
            timestamps ? options.tsVal() : 0);
        send(lanes[FlowRecord.laneOf(key, lanes.length)], LaneCommands.SEND_FRAME, scratch, 0, length);
        counters.synCookiesSent.incrementRelease();
        cookiesSent = true;
        lastCookieNs = nowNs;
        return true;
    }

    /**
     * An ACK for no connection at a listening port: open the connection if it returns one of our cookies.
     *
     * @return true when the segment was taken (opened, or dropped for want of a flow id); false: not a cookie.
     */
    private boolean openFromCookie(
        final Listener listener,
        final long peerMac,
        final long key,
        final int payloadLength,
        final MutableDirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int irs = tcp.sequence() - 1;
        final int cookie = tcp.acknowledgment() - 1;
        if (!cookies.check(key, irs, cookie, nowNs))
        {
            counters.synCookiesRejected.incrementRelease();
            return false;
        }
        if (freeCount == 0)
        {
            // The peer thinks it is connected; its retransmissions bring the cookie back when an id is free.
            counters.noFlowIds.incrementRelease();
            return true;
        }
        final Connection conn = newPassive(listener, peerMac, key, ip.source(), tcp.destinationPort(),
            tcp.sourcePort(), irs, cookie);
        takeCookie(conn, cookie);
        byKey.put(key, conn);
        track(conn);
        counters.synCookiesAccepted.incrementRelease();
        establishPassive(conn, tcp.flags(), payloadLength, buffer, offset, length);
        return true;
    }

    /** A connection for the handshake a listener is answering; the caller sets its options and state. */
    private Connection newPassive(
        final Listener listener,
        final long peerMac,
        final long key,
        final int remoteIp,
        final int localPort,
        final int remotePort,
        final int irs,
        final int iss)
    {
        final Connection conn = new Connection();
        conn.flowId = freeFlows[--freeCount];
        conn.key = key;
        conn.lane = FlowRecord.laneOf(key, lanes.length);
        conn.remoteIp = remoteIp;
        conn.localPort = localPort;
        conn.remotePort = remotePort;
        conn.remoteMac = peerMac;
        conn.contextId = listener.nextContext();
        conn.listener = listener;
        conn.irs = irs;
        conn.iss = iss;
        if (!arp.contains(remoteIp, nowNs))
        {
            arp.learn(remoteIp, peerMac, nowNs);
        }
        return conn;
    }

    /**
     * The handshake's ACK arrived (or returned a cookie): take its window and timestamp, and hand the flow to its
     * lane and the app.
     */
    private void establishPassive(
        final Connection conn,
        final int flags,
        final int payloadLength,
        final MutableDirectBuffer buffer,
        final int offset,
        final int length)
    {
        conn.peerWindow = tcp.window() << conn.sndShift;
        if (conn.timestamps && options.has(TcpOptions.TIMESTAMPS))
        {
            conn.tsRecent = options.tsVal();
        }
        conn.state = TcpState.ESTABLISHED;
        register(conn);
        counters.connectionsAccepted.incrementRelease();
        postOpen(conn, AppEvents.ACCEPTED);
        addToLane(conn, 0);
        if (payloadLength > 0 || (flags & TcpHeader.FLAG_FIN) != 0)
        {
            // The ACK brought data (or a FIN) along: the lane, which now owns the flow, takes it.
            send(lanes[conn.lane], LaneCommands.RECEIVED_FRAME, buffer, offset, length);
        }
    }

    /** Take the peer's SYN options; {@code passive} answers only what the peer offered. */
    private void negotiate(final Connection conn, final boolean passive)
    {
        conn.peerMss = options.has(TcpOptions.MSS) ? Math.max(options.mss(), 64) : 536;
        conn.windowScaling = ctx.windowScaling() && options.has(TcpOptions.WINDOW_SCALE);
        conn.sndShift = conn.windowScaling ? options.windowScale() : 0;
        conn.rcvShift = conn.windowScaling ? rcvShift : 0;
        conn.timestamps = ctx.timestamps() && options.has(TcpOptions.TIMESTAMPS);
        conn.tsRecent = options.has(TcpOptions.TIMESTAMPS) ? options.tsVal() : 0;
        conn.sackPermitted = ctx.sackPermitted() && options.has(TcpOptions.SACK_PERMITTED);
    }

    private void onSynSentSegment(final Connection conn, final int flags, final int payloadLength)
    {
        final boolean hasAck = (flags & TcpHeader.FLAG_ACK) != 0;
        if (hasAck && tcp.acknowledgment() != conn.iss + 1)
        {
            // RFC 9293 section 3.10.7.3: an unacceptable ACK gets a RST (unless it is one).
            if ((flags & TcpHeader.FLAG_RST) == 0)
            {
                final int length = buildSegment(conn.remoteMac, conn.remoteIp, conn.localPort, conn.remotePort,
                    tcp.acknowledgment(), 0, TcpHeader.FLAG_RST, 0, 0, 0, 0);
                send(lanes[conn.lane], LaneCommands.SEND_FRAME, scratch, 0, length);
                counters.resetsSent.incrementRelease();
            }
            return;
        }
        if ((flags & TcpHeader.FLAG_RST) != 0)
        {
            if (hasAck)
            {
                counters.resetsReceived.incrementRelease();
                failConnect(conn, AppEvents.REASON_REFUSED);
            }
            return;
        }
        if ((flags & TcpHeader.FLAG_SYN) == 0 || !hasAck)
        {
            // Simultaneous open (SYN without ACK) is not supported: ignore it and let our SYN win or time out.
            counters.unexpectedSegments.incrementRelease();
            return;
        }
        conn.irs = tcp.sequence();
        negotiate(conn, false);
        conn.ecn = ctx.ecn() && (flags & (TcpHeader.FLAG_ECE | TcpHeader.FLAG_CWR)) == TcpHeader.FLAG_ECE;
        // RFC 7323 section 2.2: the window of a SYN-ACK is never scaled.
        conn.peerWindow = tcp.window();
        cancelTimer(conn);
        conn.state = TcpState.ESTABLISHED;
        register(conn);
        counters.connectionsOpened.incrementRelease();
        postOpen(conn, AppEvents.CONNECTED);
        addToLane(conn, LaneCommands.ADD_SEND_ACK);
    }

    private void onSynReceivedSegment(
        final Connection conn,
        final int flags,
        final int payloadLength,
        final MutableDirectBuffer buffer,
        final int offset,
        final int length)
    {
        if ((flags & TcpHeader.FLAG_RST) != 0)
        {
            // RFC 9293 section 3.10.7.4: an in-window RST in SYN-RECEIVED (passive) returns to LISTEN.
            if (tcp.sequence() == conn.irs + 1)
            {
                counters.resetsReceived.incrementRelease();
                dropHalfOpen(conn);
            }
            return;
        }
        if ((flags & TcpHeader.FLAG_SYN) != 0)
        {
            if (tcp.sequence() == conn.irs)
            {
                sendSynAck(conn);
            }
            return;
        }
        if ((flags & TcpHeader.FLAG_ACK) == 0)
        {
            return;
        }
        if (tcp.acknowledgment() != conn.iss + 1 && !returnsCookie(conn))
        {
            final int rst = buildSegment(conn.remoteMac, conn.remoteIp, conn.localPort, conn.remotePort,
                tcp.acknowledgment(), 0, TcpHeader.FLAG_RST, 0, 0, 0, 0);
            send(lanes[conn.lane], LaneCommands.SEND_FRAME, scratch, 0, rst);
            counters.resetsSent.incrementRelease();
            return;
        }
        cancelTimer(conn);
        conn.listener.halfOpen--;
        establishPassive(conn, flags, payloadLength, buffer, offset, length);
    }

    /**
     * A SYN resent while the backlog was full got a cookie, and a later copy a half-open connection: the peer may
     * answer either SYN-ACK. If it answered the cookie's, the connection takes the cookie.
     */
    private boolean returnsCookie(final Connection conn)
    {
        final int cookie = tcp.acknowledgment() - 1;
        if (!cookiesMayReturn() || !cookies.check(conn.key, conn.irs, cookie, nowNs))
        {
            return false;
        }
        takeCookie(conn, cookie);
        counters.synCookiesAccepted.incrementRelease();
        return true;
    }

    /** ACKs are checked for cookies only while a cookie sent may still be good: fewer hashes, fewer guesses. */
    private boolean cookiesMayReturn()
    {
        return cookiesSent && nowNs - lastCookieNs < SynCookies.LIFETIME_NS;
    }

    /**
     * The connection takes the cookie's ISN and the options it carries: the peer accepted that SYN-ACK, whose
     * options answered the SYN the cookie was made for (a resent SYN may have offered others). No ECN, which
     * the cookie's SYN-ACK did not offer.
     */
    private void takeCookie(final Connection conn, final int cookie)
    {
        conn.iss = cookie;
        conn.peerMss = SynCookies.mss(cookie);
        final int windowScale = SynCookies.windowScale(cookie);
        conn.windowScaling = windowScale >= 0;
        conn.sndShift = conn.windowScaling ? windowScale : 0;
        conn.rcvShift = conn.windowScaling ? rcvShift : 0;
        conn.timestamps = SynCookies.timestamps(cookie);
        conn.sackPermitted = SynCookies.sack(cookie);
        conn.ecn = false;
    }

    private void dropHalfOpen(final Connection conn)
    {
        cancelTimer(conn);
        conn.listener.halfOpen--;
        release(conn);
    }

    private void failConnect(final Connection conn, final int reason)
    {
        cancelTimer(conn);
        counters.connectFailures.incrementRelease();
        message.putInt(AppEvents.FLOW_ID_OFFSET, -1);
        message.putInt(AppEvents.REMOTE_IP_OFFSET, reason);
        message.putInt(AppEvents.REMOTE_PORT_OFFSET, 0);
        message.putInt(AppEvents.LOCAL_PORT_OFFSET, 0);
        message.putLong(AppEvents.TOKEN_OFFSET, conn.token);
        send(appEvents[conn.contextId], AppEvents.CONNECT_FAILED, message, 0, AppEvents.OPEN_LENGTH);
        release(conn);
    }

    private void release(final Connection conn)
    {
        byKey.remove(conn.key);
        if (conn.flowId >= 0)
        {
            untrack(conn);
            freeFlows[freeCount++] = conn.flowId;
            conn.flowId = -1;
        }
        conn.state = TcpState.CLOSED;
    }

    /** Write the flow's record; the lane takes it over with ADD_FLOW. */
    private void register(final Connection conn)
    {
        final int flowId = conn.flowId;
        buffers.ensure(flowId);
        final int r = FlowRecord.offset(flowId);
        state.setMemory(r, FlowRecord.LENGTH, (byte)0);
        state.putLong(r + RX_ADDRESS_OFFSET, buffers.rxAddress(flowId));
        state.putLong(r + TX_ADDRESS_OFFSET, buffers.txAddress(flowId));
        state.putInt(r + REMOTE_IP_OFFSET, conn.remoteIp);
        state.putShort(r + LOCAL_PORT_OFFSET, (short)conn.localPort);
        state.putShort(r + REMOTE_PORT_OFFSET, (short)conn.remotePort);
        state.putShort(r + CONTEXT_OFFSET, (short)conn.contextId);
        final int mss = Math.min(conn.peerMss, localMss) - (conn.timestamps ? 12 : 0);
        state.putShort(r + MSS_OFFSET, (short)mss);
        // Little-endian, so the MAC is bytes 32..37 and the lane's receive counter (38..39) starts at 0.
        state.putLong(r + REMOTE_MAC_OFFSET, conn.remoteMac & 0xFFFF_FFFF_FFFFL, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int rxStart = conn.irs + 1;
        state.putInt(r + RCV_NXT_OFFSET, rxStart);
        state.putInt(r + RX_AVAIL_OFFSET, buffers.rxSize());
        state.putInt(r + RX_BASE_OFFSET, rxStart);
        state.putInt(r + TS_RECENT_OFFSET, conn.tsRecent);
        final int txStart = conn.iss + 1;
        state.putInt(r + SND_UNA_OFFSET, txStart);
        state.putInt(r + SND_NXT_OFFSET, txStart);
        state.putInt(r + SND_MAX_OFFSET, txStart);
        state.putInt(r + TX_END_OFFSET, txStart);
        state.putInt(r + TX_BASE_OFFSET, txStart);
        state.putInt(r + PEER_WINDOW_OFFSET, conn.peerWindow);
        state.putByte(r + SND_SHIFT_OFFSET, (byte)conn.sndShift);
        state.putByte(r + RCV_SHIFT_OFFSET, (byte)conn.rcvShift);
        conn.generation = ++generations[flowId] & 0xFF;
        state.putByte(r + GENERATION_OFFSET, (byte)conn.generation);
        cc.init(conn.cc);
        state.putInt(r + RATE_OFFSET, conn.cc.rateKbps);
        final int flags = F_VALID | (conn.timestamps ? F_TIMESTAMPS : 0) | (conn.ecn ? F_ECN : 0) |
            (conn.sackPermitted ? F_SACK : 0);
        state.putIntVolatile(r + FLAGS_OFFSET, flags);
        conn.registered = true;
        conn.rxSegmentsSeen = 0;
        conn.lastReceivedNs = nowNs;
        conn.keepaliveIdleNs = ctx.keepaliveIdleNs();
        conn.keepaliveIntervalNs = ctx.keepaliveIntervalNs();
        conn.keepaliveProbes = ctx.keepaliveProbes();
        if (conn.keepaliveIdleNs > 0)
        {
            armKeepalive(conn, conn.keepaliveIdleNs);
        }
        if (conn.liveIndex >= 0)
        {
            scan.init(conn.liveIndex, conn.flowId, nowNs);
        }
        refreshScanFlags(conn);
        counters.activeFlows.incrementRelease();
    }

    private void addToLane(final Connection conn, final int options)
    {
        message.putInt(LaneCommands.FLOW_ID_OFFSET, FlowRecord.handle(conn.flowId, conn.generation));
        message.putInt(LaneCommands.VALUE_OFFSET, options);
        send(lanes[conn.lane], LaneCommands.ADD_FLOW, message, 0, LaneCommands.LENGTH);
    }

    private void laneCommand(final Connection conn, final int type)
    {
        message.putInt(LaneCommands.FLOW_ID_OFFSET, FlowRecord.handle(conn.flowId, conn.generation));
        message.putInt(LaneCommands.VALUE_OFFSET, 0);
        send(lanes[conn.lane], type, message, 0, LaneCommands.LENGTH);
    }

    private void postOpen(final Connection conn, final int type)
    {
        message.putInt(AppEvents.FLOW_ID_OFFSET, FlowRecord.handle(conn.flowId, conn.generation));
        message.putInt(AppEvents.REMOTE_IP_OFFSET, conn.remoteIp);
        message.putInt(AppEvents.REMOTE_PORT_OFFSET, conn.remotePort);
        message.putInt(AppEvents.LOCAL_PORT_OFFSET, conn.localPort);
        message.putLong(AppEvents.TOKEN_OFFSET, conn.token);
        send(appEvents[conn.contextId], type, message, 0, AppEvents.OPEN_LENGTH);
    }

    private void postClose(final Connection conn, final int type, final int reason)
    {
        if (conn.appNotified)
        {
            return;
        }
        conn.appNotified = true;
        message.putInt(AppEvents.FLOW_ID_OFFSET, FlowRecord.handle(conn.flowId, conn.generation));
        message.putInt(AppEvents.REASON_OFFSET, reason);
        send(appEvents[conn.contextId], type, message, 0, AppEvents.CLOSE_LENGTH);
    }

    // ---------------------------------------------------------------- teardown

    private void onFinReceived(final Connection conn)
    {
        if (conn == null || conn.removing)
        {
            return;
        }
        switch (conn.state)
        {
            case ESTABLISHED:
                conn.state = TcpState.CLOSE_WAIT;
                break;
            case FIN_WAIT_1:
                conn.state = TcpState.CLOSING;
                break;
            case FIN_WAIT_2:
                enterTimeWait(conn);
                break;
            default:
                break;
        }
    }

    private void onFinAcked(final Connection conn)
    {
        if (conn == null || conn.removing)
        {
            return;
        }
        switch (conn.state)
        {
            case FIN_WAIT_1:
                conn.state = TcpState.FIN_WAIT_2;
                if (conn.appClosed)
                {
                    // An orphaned FIN_WAIT_2 (the app closed, the peer never sends FIN) would live forever;
                    // like Linux's tcp_fin_timeout, give it TIME_WAIT's length and then reset it.
                    armTimer(conn, Math.max(ctx.timeWaitNs(), 1_000_000L));
                }
                break;
            case CLOSING:
                enterTimeWait(conn);
                break;
            case LAST_ACK:
                conn.state = TcpState.CLOSED;
                postClose(conn, AppEvents.CLOSED, 0);
                removeFlow(conn);
                break;
            default:
                break;
        }
    }

    private void enterTimeWait(final Connection conn)
    {
        conn.state = TcpState.TIME_WAIT;
        refreshScanFlags(conn);
        cancelKeepalive(conn);
        postClose(conn, AppEvents.CLOSED, 0);
        timeWaitCount++;
        counters.timeWaitFlows.setRelease(timeWaitCount);
        if (ctx.timeWaitNs() == 0)
        {
            removeFlow(conn);
        }
        else
        {
            armTimer(conn, ctx.timeWaitNs());
        }
    }

    private void onRstReceived(final Connection conn)
    {
        if (conn == null || conn.removing)
        {
            return;
        }
        counters.resetsReceived.incrementRelease();
        closeAfterRemoval(conn, AppEvents.RESET, AppEvents.REASON_PEER_RESET);
        removeFlow(conn);
    }

    private void abort(final Connection conn, final int reason)
    {
        laneCommand(conn, LaneCommands.SEND_RST);
        counters.resetsSent.incrementRelease();
        closeAfterRemoval(conn, AppEvents.RESET, reason);
        removeFlow(conn);
    }

    /** The app hears of a reset only once the lane let go of the flow, so no DATA event follows it. */
    private void closeAfterRemoval(final Connection conn, final int event, final int reason)
    {
        if (!conn.appNotified && conn.finalEvent == 0)
        {
            conn.finalEvent = event;
            conn.finalReason = reason;
        }
    }

    private void removeFlow(final Connection conn)
    {
        if (conn.removing)
        {
            return;
        }
        cancelTimer(conn);
        cancelKeepalive(conn);
        if (conn.state == TcpState.TIME_WAIT)
        {
            timeWaitCount--;
            counters.timeWaitFlows.setRelease(timeWaitCount);
        }
        conn.removing = true;
        refreshScanFlags(conn);
        laneCommand(conn, LaneCommands.REMOVE_FLOW);
    }

    private void onFlowRemoved(final int flowId)
    {
        final Connection conn = connection(flowId);
        if (conn == null || !conn.removing)
        {
            return;
        }
        conn.registered = false;
        refreshScanFlags(conn);
        counters.activeFlows.decrementRelease();
        if (conn.finalEvent != 0)
        {
            postClose(conn, conn.finalEvent, conn.finalReason);
        }
        release(conn);
    }

    private void onShutdown(final Connection conn)
    {
        if (conn == null || conn.removing)
        {
            return;
        }
        if (conn.state == TcpState.ESTABLISHED)
        {
            conn.state = TcpState.FIN_WAIT_1;
            laneCommand(conn, LaneCommands.TX_FIN);
        }
        else if (conn.state == TcpState.CLOSE_WAIT)
        {
            conn.state = TcpState.LAST_ACK;
            laneCommand(conn, LaneCommands.TX_FIN);
        }
    }

    private void onClose(final Connection conn, final int unreadBytes)
    {
        if (conn == null || conn.removing)
        {
            return;
        }
        conn.appClosed = true;
        if (unreadBytes > 0)
        {
            // RFC 9293 section 3.10.4 (and RFC 2525 section 2.17): closing with unread data resets.
            abort(conn, AppEvents.REASON_ABORTED);
            return;
        }
        laneCommand(conn, LaneCommands.APP_CLOSED);
        onShutdown(conn);
        if (conn.state == TcpState.FIN_WAIT_2 && conn.timerId == Long.MIN_VALUE)
        {
            armTimer(conn, Math.max(ctx.timeWaitNs(), 1_000_000L));
        }
    }

    // ---------------------------------------------------------------- app commands

    private void onListen(final int contextId, final int port, final int backlog)
    {
        if (!portPolicy.allows(port))
        {
            return;
        }
        final Listener listener = listeners.get(port);
        if (listener != null)
        {
            listener.add(contextId);
            return;
        }
        listeners.put(port, new Listener(port, contextId, backlog > 0 ? backlog : ctx.synBacklog()));
    }

    private void onUnlisten(final int contextId, final int port)
    {
        final Listener listener = listeners.get(port);
        if (listener != null && listener.has(contextId) && listener.remove(contextId))
        {
            listeners.remove(port);
        }
    }

    private void onConnect(final int contextId, final int remoteIp, final int remotePort, final long token)
    {
        final Connection conn = new Connection();
        conn.contextId = contextId;
        conn.token = token;
        conn.remoteIp = remoteIp;
        conn.remotePort = remotePort;
        if (freeCount == 0)
        {
            counters.noFlowIds.incrementRelease();
            failConnect(conn, AppEvents.REASON_NO_RESOURCES);
            return;
        }
        final int localPort = allocatePort(remoteIp, remotePort);
        final int nextHop = routes.nextHop(remoteIp);
        if (localPort < 0 || nextHop == Ipv4Address.ANY)
        {
            failConnect(conn, localPort < 0 ? AppEvents.REASON_NO_RESOURCES : AppEvents.REASON_UNREACHABLE);
            return;
        }
        conn.flowId = freeFlows[--freeCount];
        conn.localPort = localPort;
        conn.key = FlowRecord.key(remoteIp, localPort, remotePort);
        conn.lane = FlowRecord.laneOf(conn.key, lanes.length);
        conn.iss = ctx.isnSupplier().getAsInt();
        conn.arpTarget = nextHop;
        byKey.put(conn.key, conn);
        track(conn);
        final long mac = arp.lookup(nextHop, nowNs);
        if (mac >= 0)
        {
            conn.remoteMac = mac;
            sendSyn(conn);
        }
        else
        {
            conn.state = TcpState.ARP_PENDING;
            sendArpRequest(nextHop);
            armTimer(conn, ctx.arpTimeoutNs());
        }
    }

    private int allocatePort(final int remoteIp, final int remotePort)
    {
        final int span = ctx.ephemeralHigh() - ctx.ephemeralLow() + 1;
        for (int i = 0; i < span; i++)
        {
            final int port = nextEphemeral;
            nextEphemeral = nextEphemeral == ctx.ephemeralHigh() ? ctx.ephemeralLow() : nextEphemeral + 1;
            if (!listeners.containsKey(port) && !byKey.containsKey(FlowRecord.key(remoteIp, port, remotePort)))
            {
                return port;
            }
        }
        return -1;
    }

    private void sendSyn(final Connection conn)
    {
        conn.state = TcpState.SYN_SENT;
        final int flags = TcpHeader.FLAG_SYN | (ctx.ecn() ? TcpHeader.FLAG_ECE | TcpHeader.FLAG_CWR : 0);
        final int length = buildSegment(conn.remoteMac, conn.remoteIp, conn.localPort, conn.remotePort, conn.iss, 0,
            flags, synOptions(ctx.windowScaling(), ctx.timestamps(), ctx.sackPermitted()), rcvShift, nowUs, 0);
        send(lanes[conn.lane], LaneCommands.SEND_FRAME, scratch, 0, length);
        armTimer(conn, ctx.synRtoNs() << Math.min(conn.retries, 20));
    }

    private void sendSynAck(final Connection conn)
    {
        final int flags = TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK | (conn.ecn ? TcpHeader.FLAG_ECE : 0);
        final int length = buildSegment(conn.remoteMac, conn.remoteIp, conn.localPort, conn.remotePort, conn.iss,
            conn.irs + 1, flags, synOptions(conn.windowScaling, conn.timestamps, conn.sackPermitted), rcvShift, nowUs,
            conn.tsRecent);
        send(lanes[conn.lane], LaneCommands.SEND_FRAME, scratch, 0, length);
    }

    /** The options a SYN or SYN-ACK carries: always MSS, the others as offered or negotiated. */
    private static int synOptions(final boolean windowScaling, final boolean timestamps, final boolean sack)
    {
        return TcpOptions.MSS | (windowScaling ? TcpOptions.WINDOW_SCALE : 0) |
            (timestamps ? TcpOptions.TIMESTAMPS : 0) | (sack ? TcpOptions.SACK_PERMITTED : 0);
    }

    // ---------------------------------------------------------------- timers

    private void armTimer(final Connection conn, final long delayNs)
    {
        cancelTimer(conn);
        conn.timerId = timers.scheduleTimer(nowNs + delayNs);
        byTimer.put(conn.timerId, conn);
    }

    private void cancelTimer(final Connection conn)
    {
        if (conn.timerId != Long.MIN_VALUE)
        {
            timers.cancelTimer(conn.timerId);
            byTimer.remove(conn.timerId);
            conn.timerId = Long.MIN_VALUE;
        }
    }

    private boolean onTimer(final TimeUnit unit, final long now, final long timerId)
    {
        final Connection conn = byTimer.remove(timerId);
        if (conn == null)
        {
            final Connection kept = byKeepaliveTimer.remove(timerId);
            if (kept != null && kept.keepaliveTimerId == timerId)
            {
                kept.keepaliveTimerId = Long.MIN_VALUE;
                onKeepaliveTimer(kept);
            }
            return true;
        }
        if (conn.timerId != timerId)
        {
            return true;
        }
        conn.timerId = Long.MIN_VALUE;
        switch (conn.state)
        {
            case ARP_PENDING:
                if (++conn.retries > ctx.arpRetries())
                {
                    failConnect(conn, AppEvents.REASON_UNREACHABLE);
                }
                else
                {
                    sendArpRequest(conn.arpTarget);
                    armTimer(conn, ctx.arpTimeoutNs() << Math.min(conn.retries, 20));
                }
                break;
            case SYN_SENT:
                if (++conn.retries > ctx.synRetries())
                {
                    failConnect(conn, AppEvents.REASON_TIMEOUT);
                }
                else
                {
                    counters.synRetransmits.incrementRelease();
                    sendSyn(conn);
                }
                break;
            case SYN_RECEIVED:
                if (++conn.retries > ctx.synAckRetries())
                {
                    dropHalfOpen(conn);
                }
                else
                {
                    counters.synRetransmits.incrementRelease();
                    sendSynAck(conn);
                    armTimer(conn, ctx.synRtoNs() << Math.min(conn.retries, 20));
                }
                break;
            case TIME_WAIT:
                removeFlow(conn);
                break;
            case FIN_WAIT_2:
                abort(conn, AppEvents.REASON_TIMEOUT);
                break;
            default:
                break;
        }
        return true;
    }

    // ---------------------------------------------------------------- keepalive

    private void armKeepalive(final Connection conn, final long delayNs)
    {
        cancelKeepalive(conn);
        conn.keepaliveTimerId = timers.scheduleTimer(nowNs + Math.max(delayNs, 0));
        byKeepaliveTimer.put(conn.keepaliveTimerId, conn);
    }

    private void cancelKeepalive(final Connection conn)
    {
        if (conn.keepaliveTimerId != Long.MIN_VALUE)
        {
            timers.cancelTimer(conn.keepaliveTimerId);
            byKeepaliveTimer.remove(conn.keepaliveTimerId);
            conn.keepaliveTimerId = Long.MIN_VALUE;
        }
    }

    /** The lane counts the segments it receives for a flow: a change means the peer was heard from. */
    private void noteReceived(final Connection conn, final int r)
    {
        final int received = state.getShortVolatile(r + RX_SEGMENTS_OFFSET) & 0xFFFF;
        if (received != conn.rxSegmentsSeen)
        {
            conn.rxSegmentsSeen = received;
            conn.lastReceivedNs = nowNs;
            conn.keepaliveProbesSent = 0;
        }
    }

    private void onKeepaliveCommand(final Connection conn, final int idleMs, final int intervalMs, final int probes)
    {
        if (conn == null || conn.removing || conn.state == TcpState.TIME_WAIT || idleMs < 0 || intervalMs <= 0 ||
            probes <= 0)
        {
            return;
        }
        noteReceived(conn, FlowRecord.offset(conn.flowId));
        conn.keepaliveIdleNs = idleMs * 1_000_000L;
        conn.keepaliveIntervalNs = intervalMs * 1_000_000L;
        conn.keepaliveProbes = probes;
        conn.keepaliveProbesSent = 0;
        refreshScanFlags(conn);
        if (idleMs == 0)
        {
            cancelKeepalive(conn);
        }
        else
        {
            armKeepalive(conn, conn.lastReceivedNs + conn.keepaliveIdleNs - nowNs);
        }
    }

    /**
     * RFC 9293 section 3.8.4 and RFC 1122 section 4.2.3.6, as Linux does it: once nothing was heard from the
     * peer for the idle time and nothing of ours is outstanding (that is the retransmission timer's job),
     * probe with an ACK one below SND.UNA every interval; any segment from the peer starts the count again;
     * after the last unanswered probe, reset the connection and free it as the retransmission limit does.
     */
    private void onKeepaliveTimer(final Connection conn)
    {
        if (!conn.registered || conn.removing || conn.keepaliveIdleNs == 0 || conn.state == TcpState.TIME_WAIT)
        {
            return;
        }
        final int r = FlowRecord.offset(conn.flowId);
        noteReceived(conn, r);
        final int sndUna = state.getIntVolatile(r + SND_UNA_OFFSET);
        final int sndNxt = state.getIntVolatile(r + SND_NXT_OFFSET);
        final int txEnd = state.getIntVolatile(r + TX_END_OFFSET);
        final int flags = state.getIntVolatile(r + FLAGS_OFFSET);
        if (sndNxt != sndUna || Seq.lt(sndNxt, txEnd) || (flags & (F_TX_FIN | F_FIN_ACKED)) == F_TX_FIN)
        {
            armKeepalive(conn, conn.keepaliveIdleNs);
            return;
        }
        final long idleNs = nowNs - conn.lastReceivedNs;
        if (idleNs < conn.keepaliveIdleNs)
        {
            armKeepalive(conn, conn.keepaliveIdleNs - idleNs);
            return;
        }
        if (conn.keepaliveProbesSent >= conn.keepaliveProbes)
        {
            counters.keepaliveResets.incrementRelease();
            abort(conn, AppEvents.REASON_KEEPALIVE);
            return;
        }
        conn.keepaliveProbesSent++;
        counters.keepaliveProbes.incrementRelease();
        laneCommand(conn, LaneCommands.PROBE);
        armKeepalive(conn, conn.keepaliveIntervalNs);
    }

    // ---------------------------------------------------------------- congestion control and timeouts

    /**
     * Visit connections for congestion control and timers: each about once per control interval (`ccIntervalNs`),
     * within the visit budget ({@link EngineContext#scanVisitsPerSecond}) but each at least once a round ({@link
     * EngineContext#scanRoundNs}), at most {@link #SCAN_LIMIT} a cycle, walking the dense
     * list of connections rather than every flow slot. Walking slots (64 a cycle, with slots for 60,000 flows and
     * 1,000 in use) took a thousand cycles per round, so a flow's retransmission timer, counted from its last visit,
     * could fire a whole round early (3,679 spurious timeouts in a 16 s run at 1,000 connections); visiting 64
     * connections every cycle instead would cost more than the fast path's own work at 64 connections.
     */
    private int scanFlows()
    {
        final long elapsed = Math.min(Math.max(nowNs - lastScanNs, 0), ctx.ccIntervalNs());
        lastScanNs = nowNs;
        if (liveCount == 0)
        {
            scanCredit = 0;
            return 0;
        }
        // Credit in visits, kept in 1/1024ths so that a few visits a millisecond still accrue between cycles.
        // Each connection once a control interval, within the budget; but never less often than once a round.
        final long perSecond = Math.min(liveCount * 1_000_000_000L / ctx.ccIntervalNs(),
            Math.max(ctx.scanVisitsPerSecond(), liveCount * 1_000_000_000L / ctx.scanRoundNs()));
        scanCredit = Math.min(scanCredit + perSecond * elapsed * 1024 / 1_000_000_000L, SCAN_LIMIT * 1024L);
        final int visits = (int)(scanCredit >>> 10);
        scanCredit -= (long)visits << 10;
        int work = 0;
        final int count = Math.min(visits, liveCount);
        if (count > 1)
        {
            warmScan(count);
        }
        for (int i = count; i > 0; i--)
        {
            if (scanCursor >= liveCount)
            {
                scanCursor = 0;
            }
            final int index = scanCursor++;
            if ((scan.flags(index) & ScanTable.ELIGIBLE) != 0)
            {
                // controlFlow may release the connection; the one moved into its place waits for the next round.
                work += controlFlow(index);
            }
        }
        return work;
    }

    /**
     * Reads the transmit line of every flow this cycle will visit, before visiting any: the reads do not depend on
     * each other, so their cache misses overlap instead of coming one visit at a time. With tens of thousands of
     * connections the records are not in cache, a visit is little more than that miss, and every connection is
     * visited at least once a round (a million visits a second at 50,000 connections).
     */
    private void warmScan(final int count)
    {
        int cursor = scanCursor;
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            if (cursor >= liveCount)
            {
                cursor = 0;
            }
            sum += state.getInt(FlowRecord.offset(scan.flowId(cursor++)) + SND_UNA_OFFSET);
        }
        scanWarmSink += sum;
    }

    private void track(final Connection conn)
    {
        byFlow[conn.flowId] = conn;
        conn.liveIndex = liveCount;
        scan.init(liveCount, conn.flowId, nowNs);
        live[liveCount++] = conn;
    }

    private void untrack(final Connection conn)
    {
        byFlow[conn.flowId] = null;
        final int index = conn.liveIndex;
        final Connection last = live[--liveCount];
        live[index] = last;
        scan.move(liveCount, index);
        last.liveIndex = index;
        live[liveCount] = null;
        conn.liveIndex = -1;
    }

    /**
     * One visit: a congestion-control step when the flow's control interval has passed, then the retransmission
     * and persist timers. In the common case (a step with nothing to change, progress or nothing outstanding) it
     * reads only the scan entry and the record's transmit line; the connection object is loaded only to act.
     */
    private int controlFlow(final int index)
    {
        final int r = FlowRecord.offset(scan.flowId(index));
        final int acked = state.getIntVolatile(r + ACKED_BYTES_OFFSET);
        final int rttUs = state.getIntVolatile(r + RTT_OFFSET);
        final long rttNs = (rttUs == 0 ? ctx.initialRttUs() : rttUs) * 1000L;
        int work = 0;
        if ((scan.flags(index) & ScanTable.KEEPALIVE) != 0)
        {
            noteReceived(live[index], r);
        }

        final long intervalNs = nowNs - scan.lastCcNs(index);
        if (intervalNs >= Math.max(ctx.ccIntervalNs(), 2 * rttNs))
        {
            final int ecn = state.getIntVolatile(r + ECN_BYTES_OFFSET);
            final int drops = state.getIntVolatile(r + DROPS_OFFSET);
            final long ackedBytes = (acked - scan.lastAcked(index)) & 0xFFFF_FFFFL;
            final long ecnBytes = (ecn - scan.lastEcn(index)) & 0xFFFF_FFFFL;
            final int dropCount = drops - scan.lastDrops(index);
            // A step that cannot change the rate is not run (its interval still ends here): for an app-limited
            // flow that is every step, and running it would load the connection's congestion state every visit.
            if (!cc.quiet(ackedBytes, ecnBytes, dropCount, state.getIntVolatile(r + RATE_OFFSET), intervalNs))
            {
                final CcState flowCc = live[index].cc;
                final int rateBefore = flowCc.rateKbps;
                cc.update(flowCc, ackedBytes, ecnBytes, dropCount, rttUs, intervalNs);
                if (flowCc.rateKbps != rateBefore)
                {
                    // Only a change is written: the line is the one the lane reads on every ACK, and a store from
                    // this thread would take it away from the lane's core at every visit of a steady flow.
                    state.putIntVolatile(r + RATE_OFFSET, flowCc.rateKbps);
                }
                if (ecnBytes != 0)
                {
                    counters.ecnMarkedBytes.getAndAddRelease(ecnBytes);
                }
                if (flowCc.rateKbps < rateBefore)
                {
                    counters.rateCuts.incrementRelease();
                }
                work++;
            }
            scan.controlled(index, nowNs, acked, ecn, drops);
        }

        final int sndUna = state.getIntVolatile(r + SND_UNA_OFFSET);
        final int sndNxt = state.getIntVolatile(r + SND_NXT_OFFSET);
        final int txEnd = state.getIntVolatile(r + TX_END_OFFSET);
        final boolean outstanding = sndNxt != sndUna;
        final int backoffs = scan.rtoBackoffs(index);
        if (acked != scan.rtoAcked(index))
        {
            scan.rtoAcked(index, acked);
            scan.lastProgressNs(index, nowNs);
            scan.timer(index, outstanding, 0);
        }
        else if (outstanding && !scan.timerRunning(index))
        {
            // Data went out since the last visit, which saw none outstanding: the timer starts here, not at that
            // visit, which could be most of a scan round (20 ms at 10,000 connections) before the send.
            scan.timer(index, true, backoffs);
            scan.lastProgressNs(index, nowNs);
        }
        else if (outstanding)
        {
            final long rto = rto(backoffs, rttUs);
            final long lastProgressNs = scan.lastProgressNs(index);
            final long idle = nowNs - lastProgressNs;
            // The lane must have read its whole queue at least a timeout after the last progress: otherwise the
            // ACK may be waiting there. A lane that never catches up still times out, four timeouts late.
            if (idle >= rto && (laneDrainedSince(live[index].lane, lastProgressNs + rto) || idle >= 4 * rto))
            {
                final Connection conn = live[index];
                if (backoffs + 1 > ctx.rtoRetries())
                {
                    counters.retransmitLimitResets.incrementRelease();
                    abort(conn, AppEvents.REASON_TIMEOUT);
                    return work + 1;
                }
                scan.timer(index, true, backoffs + 1);
                counters.retransmitTimeouts.incrementRelease();
                laneCommand(conn, LaneCommands.RETRANSMIT);
                scan.lastProgressNs(index, nowNs);
                work++;
            }
        }
        else if (state.getIntVolatile(r + PEER_WINDOW_OFFSET) == 0 && (Seq.lt(sndNxt, txEnd) ||
            (sndNxt == txEnd && (state.getIntVolatile(r + FLAGS_OFFSET) & (F_TX_FIN | F_FIN_ACKED)) == F_TX_FIN)))
        {
            // Data (or our FIN) waits on a zero window. Persist timer (RFC 9293 section 3.8.6.1): probe with
            // back-off, never give up.
            scan.timer(index, false, backoffs);
            if (nowNs - scan.lastProgressNs(index) >= rto(backoffs, rttUs))
            {
                scan.timer(index, false, Math.min(backoffs + 1, 30));
                counters.zeroWindowProbes.incrementRelease();
                laneCommand(live[index], LaneCommands.PROBE);
                scan.lastProgressNs(index, nowNs);
                work++;
            }
        }
        else
        {
            scan.lastProgressNs(index, nowNs);
            scan.timer(index, false, 0);
        }
        return work;
    }

    /** Recomputes the scan's flags of a connection from its state, after any of them changed. */
    private void refreshScanFlags(final Connection conn)
    {
        if (conn.liveIndex >= 0)
        {
            final boolean eligible = conn.registered && !conn.removing && conn.state != TcpState.TIME_WAIT;
            scan.flags(conn.liveIndex, (eligible ? ScanTable.ELIGIBLE : 0) |
                (conn.keepaliveIdleNs != 0 ? ScanTable.KEEPALIVE : 0));
        }
    }

    /**
     * Whether the lane has read everything its NIC queue held at some moment at or after {@code sinceNs}. After
     * its thread was off the CPU (preempted, a safepoint, a paused VM) the peer's ACKs wait there and the lane reads
     * 32 frames a cycle; with thousands of flows answering at once a generator's own queue held ACKs older than the
     * 10 ms minimum timeout.
     */
    private boolean laneDrainedSince(final int lane, final long sinceNs)
    {
        return fastPaths == null || fastPaths[lane].rxDrainedNs() - sinceNs >= 0;
    }

    /** The lanes whose receive progress the timers consult; null (tests of the slow path alone) trusts them. */
    public void watchLanes(final FastPath[] lanes)
    {
        this.fastPaths = lanes.clone();
    }

    private long rto(final int backoffs, final int rttUs)
    {
        long base = rttUs == 0 ? ctx.rtoInitialNs() : Math.max(ctx.rtoMinNs(), 4L * rttUs * 1000L);
        base = Math.min(base, ctx.rtoMaxNs());
        final long backedOff = base << Math.min(backoffs, 30);
        return backedOff < 0 ? ctx.rtoMaxNs() : Math.min(backedOff, ctx.rtoMaxNs());
    }

    // ---------------------------------------------------------------- ARP and ICMP

    private void onArp(final int lane, final MutableDirectBuffer buffer, final int offset)
    {
        arpPacket.wrap(buffer, offset);
        final int senderIp = arpPacket.senderProtocol();
        final long senderMac = arpPacket.senderHardware();
        final boolean forUs = arpPacket.targetProtocol() == localIp;
        // RFC 826: refresh a known sender; add it when the packet is for us.
        if (senderIp != Ipv4Address.ANY && (forUs || arp.contains(senderIp, nowNs)))
        {
            arp.learn(senderIp, senderMac, nowNs);
            if (forUs)
            {
                resolvePending(senderIp, senderMac);
            }
        }
        if (forUs && arpPacket.operation() == ArpPacket.OPERATION_REQUEST)
        {
            ethernet.wrap(scratch, 0).destination(senderMac).source(localMac)
                .etherType(EthernetFrame.ETHER_TYPE_ARP);
            arpPacket.wrap(scratch, EthernetFrame.HEADER_LENGTH).ipv4OverEthernet()
                .operation(ArpPacket.OPERATION_REPLY)
                .senderHardware(localMac).senderProtocol(localIp)
                .targetHardware(senderMac).targetProtocol(senderIp);
            send(lanes[lane], LaneCommands.SEND_FRAME, scratch, 0, paddedArpLength());
            counters.arpRepliesSent.incrementRelease();
        }
    }

    private int paddedArpLength()
    {
        final int length = EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH;
        scratch.setMemory(length, EthernetFrame.MIN_FRAME_LENGTH - length, (byte)0);
        return EthernetFrame.MIN_FRAME_LENGTH;
    }

    private void sendArpRequest(final int targetIp)
    {
        ethernet.wrap(scratch, 0).destination(MacAddress.BROADCAST).source(localMac)
            .etherType(EthernetFrame.ETHER_TYPE_ARP);
        arpPacket.wrap(scratch, EthernetFrame.HEADER_LENGTH).ipv4OverEthernet()
            .operation(ArpPacket.OPERATION_REQUEST)
            .senderHardware(localMac).senderProtocol(localIp)
            .targetHardware(MacAddress.ZERO).targetProtocol(targetIp);
        send(lanes[0], LaneCommands.SEND_FRAME, scratch, 0, paddedArpLength());
        counters.arpRequestsSent.incrementRelease();
    }

    private void resolvePending(final int ip, final long mac)
    {
        // The dense list, not every flow slot: sendSyn neither adds nor removes connections.
        for (int i = 0; i < liveCount; i++)
        {
            final Connection conn = live[i];
            if (conn.state == TcpState.ARP_PENDING && conn.arpTarget == ip)
            {
                cancelTimer(conn);
                conn.remoteMac = mac;
                conn.retries = 0;
                sendSyn(conn);
            }
        }
    }

    private void onIcmp(final int lane, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
        final int icmpOffset = ipOffset + ip.headerLength();
        icmp.wrap(buffer, icmpOffset);
        if (icmp.type() != IcmpEcho.TYPE_ECHO_REQUEST || length > scratch.capacity())
        {
            return;
        }
        final int ipLength = ip.totalLength();
        final int frameLength = EthernetFrame.HEADER_LENGTH + ipLength;
        final long peerMac = ethernet.wrap(buffer, offset).source();
        scratch.putBytes(0, buffer, offset, frameLength);
        ethernet.wrap(scratch, 0).destination(peerMac).source(localMac);
        final int source = ip.source();
        ip.wrap(scratch, EthernetFrame.HEADER_LENGTH).source(localIp).destination(source).ttl(64).updateChecksum();
        final int icmpLength = ipLength - ip.headerLength();
        icmp.wrap(scratch, EthernetFrame.HEADER_LENGTH + ip.headerLength()).type(IcmpEcho.TYPE_ECHO_REPLY)
            .updateChecksum(icmpLength);
        send(lanes[lane], LaneCommands.SEND_FRAME, scratch, 0, Math.max(frameLength, EthernetFrame.MIN_FRAME_LENGTH));
        counters.icmpEchoReplies.incrementRelease();
    }

    // ---------------------------------------------------------------- frame building and queues

    /** Build a control segment (no payload) into {@link #scratch}; returns the frame length. */
    private int buildSegment(
        final long peerMac,
        final int remoteIp,
        final int localPort,
        final int remotePort,
        final int seq,
        final int ack,
        final int flags,
        final int tcpOptions,
        final int windowShift,
        final int tsVal,
        final int tsEcr)
    {
        final int optionsLength = TcpOptions.writtenLength(tcpOptions);
        final int tcpLength = TcpHeader.MIN_HEADER_LENGTH + optionsLength;
        final int ipOffset = EthernetFrame.HEADER_LENGTH;
        final int tcpOffset = ipOffset + Ipv4Header.MIN_HEADER_LENGTH;
        ethernet.wrap(scratch, 0).destination(peerMac).source(localMac).etherType(EthernetFrame.ETHER_TYPE_IPV4);
        ip.wrap(scratch, ipOffset)
            .versionAndHeaderLength(Ipv4Header.MIN_HEADER_LENGTH)
            .tos(0)
            .totalLength(Ipv4Header.MIN_HEADER_LENGTH + tcpLength)
            .identification(ipId++ & 0xFFFF)
            .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
            .ttl(64)
            .protocol(Ipv4Header.PROTOCOL_TCP)
            .source(localIp)
            .destination(remoteIp)
            .updateChecksum();
        tcp.wrap(scratch, tcpOffset)
            .sourcePort(localPort)
            .destinationPort(remotePort)
            .sequence(seq)
            .acknowledgment(ack)
            .headerLength(tcpLength)
            .flags(flags)
            .window((flags & TcpHeader.FLAG_RST) != 0 ? 0 : Math.min(buffers.rxSize(), 0xFFFF))
            .urgentPointer(0);
        TcpOptions.write(scratch, tcpOffset + TcpHeader.OPTIONS_OFFSET, tcpOptions, localMss, windowShift, tsVal,
            tsEcr);
        tcp.updateChecksum(ip.pseudoHeaderSum(), tcpLength);
        int length = tcpOffset + tcpLength;
        if (length < EthernetFrame.MIN_FRAME_LENGTH)
        {
            scratch.setMemory(length, EthernetFrame.MIN_FRAME_LENGTH - length, (byte)0);
            length = EthernetFrame.MIN_FRAME_LENGTH;
        }
        return length;
    }

    /** Write to a queue in order with everything deferred before; a full queue defers (control path). */
    private void send(final RingBuffer ring, final int type, final DirectBuffer source, final int offset,
        final int length)
    {
        if (deferred.isEmpty() && ring.write(type, source, offset, length))
        {
            return;
        }
        final byte[] copy = new byte[length];
        source.getBytes(offset, copy);
        deferred.addLast(new Deferred(ring, type, copy));
        counters.deferredMessages.incrementRelease();
    }

    private int retryDeferred()
    {
        int work = 0;
        while (!deferred.isEmpty())
        {
            final Deferred next = deferred.peekFirst();
            if (!next.ring.write(next.type, new UnsafeBuffer(next.bytes), 0, next.bytes.length))
            {
                break;
            }
            deferred.removeFirst();
            work++;
        }
        return work;
    }

    /** Fisher-Yates over the first {@code count} entries. */
    private static void shuffle(final int[] ids, final int count, final SplittableRandom random)
    {
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int id = ids[i];
            ids[i] = ids[j];
            ids[j] = id;
        }
    }
}
