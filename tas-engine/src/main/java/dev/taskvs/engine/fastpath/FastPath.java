package dev.taskvs.engine.fastpath;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskvs.engine.app.AppEvents;
import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.FrameValidator;
import dev.taskvs.engine.proto.FrameVerdict;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.TcpHeader;
import dev.taskvs.engine.proto.TcpOptions;
import dev.taskvs.engine.slowpath.SlowPathMessages;
import dev.taskvs.engine.stats.LaneCounters;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static dev.taskvs.engine.fastpath.FlowRecord.*;

/**
 * One fast-path lane: the per-packet TCP data path of the flows that hash to it (TAS's {@code tas/fast}).
 * <p>
 * Duty cycle: read the clock once; drain a bounded number of commands (app bumps, slow-path requests);
 * receive a burst and process it; send data of active flows within the peer's window and the flow's rate;
 * send the ACKs still owed (one per flow per burst); post coalesced events to apps and notes to the slow
 * path; transmit the burst.
 * <p>
 * Per segment: validate (checksums included) with {@link FrameValidator}, look the flow up by 4-tuple, run
 * the RFC 5961 RST and SYN checks, the RFC 9293 acceptability test, process the ACK (freeing TX bytes,
 * window update with the negotiated scale, three duplicate ACKs trigger go-back-N), trim the payload to
 * the window, copy it into the RX ring in order or into the single out-of-order interval, echo timestamps
 * and CE marks. SYN, unknown flows, acceptable RSTs, ARP and ICMP go to the slow path; an in-order FIN is
 * consumed here (this lane owns RCV.NXT) and reported to the slow path, which owns the state machine.
 * <p>
 * Nothing here allocates after construction.
 */
public final class FastPath implements Agent
{
    private static final int COMMAND_LIMIT = 256;
    /**
     * Fewer flows than this keep their state in the core's caches (about ten lines each per request against a
     * 1 MiB L2), and warming a burst would be work for nothing: 3-4 % of the server's time at 64 connections.
     */
    private static final int WARM_MIN_FLOWS = 1024;
    private static final int MAX_RTT_US = 10_000_000;
    private static final int TIMESTAMP_OPTIONS_LENGTH = 12;
    private static final int MIN_FRAME = 60;
    private static final long PACING_BURST = 10;
    /** RFC 5961 section 7: at most this many challenge ACKs per second per lane. */
    private static final int CHALLENGE_ACK_LIMIT = 1000;

    private final int laneId;
    private final PacketIo io;
    private final FrameBatch rxBatch;
    /** When a receive last found the NIC queue empty (read by the slow path; see {@link #rxDrainedNs()}). */
    private final AtomicLong rxDrainedNs = new AtomicLong();
    private final FrameBatch txBatch;
    private final FrameValidator validator;
    /** The wire delivers frames intact: segments go out without checksums (the peer does not check them). */
    private final boolean checksumOffload;
    private final FlowTable table;
    private final OutOfOrderIntervals outOfOrder;
    private final int[] sackLeft = new int[4];
    private final int[] sackRight = new int[4];
    private final UnsafeBuffer state;
    private final UnsafeBuffer rxRing = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer txRing = new UnsafeBuffer(0, 0);
    private final int rxSize;
    private final int rxMask;
    private final int txSize;
    private final int txMask;
    private final int localIp;
    private final long localMac;
    private final RingBuffer inbox;
    private final RingBuffer slowPath;
    private final RingBuffer[] appEvents;
    private final RingBuffer[] lanes;
    private final NanoClock clock;
    private final LaneCounters counters;
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    // Separate flyweights for frames being built, so emitting an ACK mid-segment never moves the ones above.
    private final EthernetFrame txEthernet = new EthernetFrame();
    private final Ipv4Header txIp = new Ipv4Header();
    private final TcpHeader txTcp = new TcpHeader();
    private final MessageHandler commandHandler = this::onCommand;
    private final String roleName;

    private final int[] active;
    private int activeHead;
    private int activeCount;
    /** Set this cycle when a segment found no room in the wire's transmit ring. */
    private boolean txRingFull;
    private final int[] acks;
    private int ackCount;
    /**
     * Delayed ACKs in arrival order (a ring, power-of-two sized), when each was queued and its ticket; a flow's
     * latest ticket tells its current entry from older ones whose ACK an answer already carried.
     */
    private final int[] delayed;
    private final long[] delayedSinceNs;
    private final int[] delayedEntryTicket;
    private final int[] delayedTicket;
    private int nextTicket;
    private int delayedHead;
    private int delayedCount;
    private final long ackDelayNs;
    private final int[] notify;
    private int notifyCount;
    private final long[] pendingNotes = new long[1024];
    private int pendingNoteCount;

    private long nowNs;
    private int nowUs;
    /** Where {@link #warmFlows} puts what it loaded, so that the compiler keeps the loads. */
    private long warmSink;
    private final int[] warmFlowIds;
    private final int[] warmAcks;
    private final long[] warmKeys;
    private final long[] warmRxLines;
    private final long[] warmTxLines;
    private int ipId;
    private long challengeWindowStartNs;
    private int challengeAcksInWindow;

    /**
     * @param laneId    index of this lane.
     * @param io        the NIC queue this lane drives.
     * @param state     the flow-state region (all flows, {@link FlowRecord#LENGTH} each).
     * @param maxFlows  records in the region.
     * @param rxSize    RX ring size of every flow, a power of two.
     * @param txSize    TX ring size of every flow, a power of two.
     * @param localIp   the engine's address.
     * @param burstSize frames per receive burst.
     * @param ackDelayNs how long a small in-order segment's ACK may wait for the app's answer; 0: no delay.
     * @param inbox     this lane's command queue.
     * @param slowPath  the slow path's inbox.
     * @param appEvents event queues of the app contexts by id (filled as contexts register).
     * @param lanes     every lane's inbox, for steering.
     * @param clock     the engine clock.
     * @param validator frame validator of this lane.
     * @param counters  this lane's counters.
     */
    public FastPath(
        final int laneId,
        final PacketIo io,
        final UnsafeBuffer state,
        final int maxFlows,
        final int rxSize,
        final int txSize,
        final int localIp,
        final int burstSize,
        final long ackDelayNs,
        final RingBuffer inbox,
        final RingBuffer slowPath,
        final RingBuffer[] appEvents,
        final RingBuffer[] lanes,
        final NanoClock clock,
        final FrameValidator validator,
        final LaneCounters counters)
    {
        this.laneId = laneId;
        this.io = io;
        this.state = state;
        this.rxSize = rxSize;
        this.rxMask = rxSize - 1;
        this.txSize = txSize;
        this.txMask = txSize - 1;
        this.localIp = localIp;
        this.localMac = io.macAddress();
        this.inbox = inbox;
        this.slowPath = slowPath;
        this.appEvents = appEvents;
        this.lanes = lanes;
        this.clock = clock;
        this.validator = validator;
        this.checksumOffload = io.checksumOffload();
        this.counters = counters;
        this.rxBatch = new FrameBatch(burstSize);
        this.warmFlowIds = new int[burstSize];
        this.warmAcks = new int[burstSize];
        this.warmKeys = new long[burstSize];
        this.warmRxLines = new long[burstSize];
        this.warmTxLines = new long[2 * burstSize];
        this.txBatch = new FrameBatch(Math.max(64, burstSize * 2));
        this.table = new FlowTable(maxFlows);
        this.outOfOrder = new OutOfOrderIntervals(state, maxFlows, Math.min(maxFlows, 1024));
        this.active = new int[maxFlows];
        this.acks = new int[maxFlows * 2];
        this.delayed = new int[BitUtil.findNextPositivePowerOfTwo(maxFlows)];
        this.delayedSinceNs = new long[delayed.length];
        this.delayedEntryTicket = new int[delayed.length];
        this.delayedTicket = new int[maxFlows];
        this.ackDelayNs = ackDelayNs;
        this.notify = new int[maxFlows];
        this.roleName = "fast-path-" + laneId;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    /** @return flows in this lane's table. */
    public int flowCount()
    {
        return table.size();
    }

    /**
     * When this lane last read everything its NIC queue held. A lane that is behind may hold ACKs it has not read
     * yet, and a retransmission timeout decided meanwhile would be spurious.
     */
    public long rxDrainedNs()
    {
        return rxDrainedNs.get();
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        nowUs = (int)(nowNs / 1000);
        int work = inbox.read(commandHandler, COMMAND_LIMIT);
        work += retryNotes();
        work += receiveBurst();
        work += transmitActive();
        flushAcks();
        flushDelayedAcks();
        flushNotifications();
        if (!txBatch.isEmpty())
        {
            io.transmit(txBatch);
        }
        return work;
    }

    private int receiveBurst()
    {
        final int received = io.receive(rxBatch);
        if (received < rxBatch.capacity())
        {
            // Everything that had arrived is read now: the slow path's timers trust ACK progress up to here.
            rxDrainedNs.lazySet(nowNs);
        }
        if (received > 1 && table.size() >= WARM_MIN_FLOWS)
        {
            warmFlows(received);
        }
        for (int i = 0; i < received; i++)
        {
            processFrame(rxBatch.buffer(i), rxBatch.offset(i), rxBatch.length(i));
        }
        if (received > 0)
        {
            counters.receiveBursts.incrementRelease();
            if (received == rxBatch.capacity())
            {
                counters.fullBursts.incrementRelease();
            }
            io.release(rxBatch);
        }
        return received;
    }

    /**
     * Before a burst is processed, load what processing its frames will touch, in four passes over the burst:
     * each frame's header (its flow key), then each key's flow table entry (a loop of lookups alone, so that many
     * are in flight at once), then each flow's record (both lines), then the RX ring line its
     * payload goes to and the TX ring lines the app's answer will be written to. Within a pass one frame's loads
     * do not wait for another's, so the CPU overlaps their cache misses, where processing frame by frame takes
     * each miss in turn (with thousands of flows most of these lines are out of the core's caches). Java has no
     * prefetch instruction: plain loads summed into a field do the same. The TX lines matter as much as the RX
     * line: the app's write to a TX line that is not in the cache holds up the compare-and-swap of its commit
     * (which waits for every earlier store). Where the answer goes is predicted as the app will choose it: the
     * ring's home line when this frame acknowledges everything sent (the app then starts the empty ring over
     * there), else the end of the data already committed. Only a hint: frames that are not plain IPv4/TCP are
     * left to {@link #processFrame}, which checks everything, and the flow is looked up again there.
     */
    private void warmFlows(final int received)
    {
        long sink = 0;
        int frames = 0;
        int flows = 0;
        for (int i = 0; i < received; i++)
        {
            final MutableDirectBuffer buffer = rxBatch.buffer(i);
            final int offset = rxBatch.offset(i);
            final int length = rxBatch.length(i);
            final int ip = offset + EthernetFrame.HEADER_LENGTH;
            if (length < EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + TcpHeader.MIN_HEADER_LENGTH ||
                buffer.getShort(offset + EthernetFrame.ETHER_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) !=
                EthernetFrame.ETHER_TYPE_IPV4 ||
                buffer.getByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ipv4Header.PROTOCOL_TCP)
            {
                continue;
            }
            final int tcp = ip + (buffer.getByte(ip) & 0x0F) * 4;
            if (tcp + TcpHeader.MIN_HEADER_LENGTH > offset + length)
            {
                continue;
            }
            if (length > 64)
            {
                sink += buffer.getByte(offset + 64);
            }
            final long key = key(buffer.getInt(ip + Ipv4Header.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN),
                buffer.getShort(tcp + 2, ByteOrder.BIG_ENDIAN), buffer.getShort(tcp, ByteOrder.BIG_ENDIAN));
            if (lanes.length > 1 && laneOf(key, lanes.length) != laneId)
            {
                continue;
            }
            warmAcks[frames] = buffer.getInt(tcp + TcpHeader.ACKNOWLEDGMENT_OFFSET, ByteOrder.BIG_ENDIAN);
            warmKeys[frames++] = key;
        }
        for (int i = 0; i < frames; i++)
        {
            final int flowId = table.get(warmKeys[i]);
            if (flowId != FlowTable.MISSING)
            {
                warmAcks[flows] = warmAcks[i];
                warmFlowIds[flows++] = flowId;
            }
        }
        for (int i = 0; i < flows; i++)
        {
            final int flowId = warmFlowIds[i];
            final int r = offset(flowId);
            final int rxAvail = state.getInt(r + RX_AVAIL_OFFSET);
            final int position = rxAvail == rxSize ? ringHome(flowId, rxSize) :
                (state.getInt(r + RCV_NXT_OFFSET) - state.getInt(r + RX_BASE_OFFSET)) & rxMask;
            warmRxLines[i] = state.getLong(r + RX_ADDRESS_OFFSET) + position;
            final int txEnd = state.getInt(r + TX_END_OFFSET);
            final int txPosition = warmAcks[i] == txEnd ? ringHome(flowId, txSize) :
                (txEnd - state.getInt(r + TX_BASE_OFFSET)) & txMask;
            final long txLine = state.getLong(r + TX_ADDRESS_OFFSET) + txPosition;
            warmTxLines[2 * i] = txLine;
            // The line after too (a 64-byte value's reply takes about 100 bytes), unless it is past the ring's end.
            warmTxLines[2 * i + 1] = txPosition + 64 < txSize ? txLine + 64 : txLine;
        }
        for (int i = 0; i < flows; i++)
        {
            sink += UnsafeApi.getByte(null, warmRxLines[i]) + UnsafeApi.getByte(null, warmTxLines[2 * i]) +
                UnsafeApi.getByte(null, warmTxLines[2 * i + 1]);
        }
        warmSink += sink;
    }

    private void processFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final FrameVerdict verdict = validator.classify(buffer, offset, length);
        if (verdict == FrameVerdict.TCP)
        {
            onTcp(buffer, offset, length);
        }
        else if (verdict == FrameVerdict.ARP || verdict == FrameVerdict.ICMP)
        {
            toSlowPath(buffer, offset, length);
        }
    }

    private void onTcp(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        ip.wrap(buffer, validator.ipOffset());
        tcp.wrap(buffer, validator.l4Offset());
        final long key = key(ip.source(), tcp.destinationPort(), tcp.sourcePort());
        if (lanes.length > 1)
        {
            final int owner = laneOf(key, lanes.length);
            if (owner != laneId)
            {
                if (lanes[owner].write(LaneCommands.RECEIVED_FRAME, buffer, offset, length))
                {
                    counters.steered.incrementRelease();
                }
                else
                {
                    counters.slowPathQueueFull.incrementRelease();
                }
                return;
            }
        }
        final int flowId = table.get(key);
        if (flowId == FlowTable.MISSING)
        {
            toSlowPath(buffer, offset, length);
            return;
        }
        counters.segmentsReceived.incrementRelease();
        onSegment(flowId, offset(flowId), buffer, offset, length);
    }

    private void onSegment(
        final int flowId, final int r, final MutableDirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        final int tcpFlags = tcp.flags();
        final int seq = tcp.sequence();
        int payloadOffset = validator.payloadOffset();
        int payloadLength = validator.payloadLength();
        boolean fin = (tcpFlags & TcpHeader.FLAG_FIN) != 0;
        int flags = state.getInt(r + FLAGS_OFFSET);
        final int rcvNxt = state.getInt(r + RCV_NXT_OFFSET);
        final int rxAvail = state.getInt(r + RX_AVAIL_OFFSET);
        // The peer was heard from (keepalive's idle time): a plain store, the slow path only looks for change.
        state.putShort(r + RX_SEGMENTS_OFFSET, (short)(state.getShort(r + RX_SEGMENTS_OFFSET) + 1));

        if ((tcpFlags & TcpHeader.FLAG_RST) != 0)
        {
            onRst(flowId, r, seq, rcvNxt, rxAvail);
            return;
        }
        if ((tcpFlags & TcpHeader.FLAG_SYN) != 0)
        {
            // RFC 5961 section 4.2: a SYN in a synchronized state gets a challenge ACK, whatever its sequence.
            challengeAck(flowId, r);
            return;
        }
        if ((tcpFlags & TcpHeader.FLAG_ACK) == 0)
        {
            counters.noAckFlag.incrementRelease();
            return;
        }
        if (!isAcceptable(seq, payloadLength + (fin ? 1 : 0), rcvNxt, rxAvail))
        {
            // RFC 9293 section 3.10.7.4: an unacceptable segment is answered with an ACK and dropped.
            counters.unacceptable.incrementRelease();
            ackNow(flowId, r);
            return;
        }

        final TcpOptions options = validator.tcpOptions();
        if ((flags & F_TIMESTAMPS) != 0 && options.has(TcpOptions.TIMESTAMPS) && Seq.leq(seq, rcvNxt))
        {
            // RFC 7323 section 4.3: remember TSval of a segment that starts at or before Last.ACK.sent.
            state.putInt(r + TS_RECENT_OFFSET, options.tsVal());
        }

        flags = processAck(flowId, r, flags, tcpFlags, payloadLength, fin, options);

        if (payloadLength == 0 && !fin)
        {
            state.putInt(r + FLAGS_OFFSET, flags);
            return;
        }
        if ((flags & F_RX_FIN) != 0)
        {
            // Anything after the peer's FIN (a retransmitted FIN included) just gets an ACK.
            state.putInt(r + FLAGS_OFFSET, flags);
            ackLater(flowId, r);
            return;
        }

        // Trim the head: bytes before RCV.NXT were received already.
        int segSeq = seq;
        if (Seq.lt(segSeq, rcvNxt))
        {
            final int duplicate = rcvNxt - segSeq;
            if (duplicate >= payloadLength)
            {
                payloadLength = 0;
            }
            else
            {
                payloadOffset += duplicate;
                payloadLength -= duplicate;
            }
            segSeq = rcvNxt;
        }
        if ((flags & F_APP_CLOSED) != 0 && payloadLength > 0)
        {
            // New data for an app that closed: the slow path answers with RST. Old duplicates (a peer that
            // missed our ACK, even in TIME_WAIT) only get the ACK below.
            state.putInt(r + FLAGS_OFFSET, flags);
            toSlowPath(buffer, frameOffset, frameLength);
            return;
        }
        // Trim the tail to the window; a FIN beyond the window is dropped with it.
        final int room = rxAvail - (segSeq - rcvNxt);
        if (room <= 0)
        {
            payloadLength = 0;
            fin = false;
        }
        else if (payloadLength > room)
        {
            payloadLength = room;
            fin = false;
        }
        if (Seq.lt(rcvNxt, segSeq))
        {
            state.putInt(r + FLAGS_OFFSET, flags);
            if (payloadLength > 0)
            {
                storeOutOfOrder(flowId, r, buffer, payloadOffset, payloadLength, segSeq);
            }
            // RFC 5681 section 4.2: out-of-order data is ACKed at once, so the sender sees duplicate ACKs.
            ackNow(flowId, r);
            return;
        }
        final boolean ce = ip.ecn() == Ipv4Header.ECN_CE;
        if (ce)
        {
            flags |= F_CE;
        }
        state.putInt(r + FLAGS_OFFSET, flags);
        // RFC 5681 section 4.2: a segment that fills (part of) a gap is ACKed at once; so are FIN, full-sized
        // segments and CE marks (DCTCP echoes a change of CE state without delay).
        final boolean gap = state.getInt(r + OOO_LENGTH_OFFSET) != 0;
        deliverInOrder(flowId, r, buffer, payloadOffset, payloadLength, fin);
        if (fin || gap || ce || ackDelayNs == 0 || payloadLength >= (state.getShort(r + MSS_OFFSET) & 0xFFFF))
        {
            ackLater(flowId, r);
        }
        else
        {
            ackDelayed(flowId, r);
        }
    }

    private static boolean isAcceptable(final int seq, final int segmentLength, final int rcvNxt, final int window)
    {
        // RFC 9293 section 3.10.7.4, the four cases of the acceptability test; a zero window still lets
        // through a segment at RCV.NXT so its ACK and window are processed.
        if (window == 0)
        {
            return seq == rcvNxt;
        }
        final int end = rcvNxt + window;
        if (segmentLength == 0)
        {
            return Seq.leq(rcvNxt, seq) && Seq.lt(seq, end);
        }
        final int last = seq + segmentLength - 1;
        return (Seq.leq(rcvNxt, seq) && Seq.lt(seq, end)) || (Seq.leq(rcvNxt, last) && Seq.lt(last, end));
    }

    private void onRst(final int flowId, final int r, final int seq, final int rcvNxt, final int rxAvail)
    {
        // RFC 5961 section 3.2: reset only on an exact match with RCV.NXT; in-window gets a challenge ACK.
        if (seq == rcvNxt)
        {
            int flags = state.getInt(r + FLAGS_OFFSET);
            flags |= F_APP_CLOSED;
            state.putInt(r + FLAGS_OFFSET, flags);
            noteToSlowPath(SlowPathMessages.RST_RECEIVED, flowId);
        }
        else if (Seq.lt(rcvNxt, seq) && Seq.lt(seq, rcvNxt + Math.max(rxAvail, 1)))
        {
            challengeAck(flowId, r);
        }
        else
        {
            counters.unacceptable.incrementRelease();
        }
    }

    private void challengeAck(final int flowId, final int r)
    {
        if (nowNs - challengeWindowStartNs >= 1_000_000_000L)
        {
            challengeWindowStartNs = nowNs;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow < CHALLENGE_ACK_LIMIT)
        {
            challengeAcksInWindow++;
            counters.challengeAcks.incrementRelease();
            ackNow(flowId, r);
        }
    }

    private int processAck(
        final int flowId,
        final int r,
        final int flagsIn,
        final int tcpFlags,
        final int payloadLength,
        final boolean fin,
        final TcpOptions options)
    {
        int flags = flagsIn;
        final int ack = tcp.acknowledgment();
        final int sndUna = state.getInt(r + SND_UNA_OFFSET);
        final int sndMax = state.getInt(r + SND_MAX_OFFSET);
        if (Seq.gt(ack, sndMax))
        {
            // RFC 9293 section 3.10.7.4: an ACK for something not yet sent is answered with an ACK; the
            // segment's data is still processed.
            counters.ackBeyondSent.incrementRelease();
            return withAckPending(flowId, flags);
        }
        if (Seq.lt(ack, sndUna))
        {
            return flags;
        }
        final int oldWindow = state.getInt(r + PEER_WINDOW_OFFSET);
        final int window = tcp.window() << state.getByte(r + SND_SHIFT_OFFSET);
        final int sndNxt = state.getInt(r + SND_NXT_OFFSET);
        if (ack != sndUna)
        {
            final int txEnd = state.getInt(r + TX_END_OFFSET);
            final int acked = ack - sndUna;
            int dataAcked = acked;
            if ((flags & F_TX_FIN) != 0 && Seq.gt(ack, txEnd))
            {
                dataAcked--;
                if ((flags & F_FIN_ACKED) == 0)
                {
                    flags |= F_FIN_ACKED | F_NOTE_FIN_ACKED;
                }
            }
            state.putInt(r + SND_UNA_OFFSET, ack);
            if (Seq.lt(sndNxt, ack))
            {
                // After a go-back-N the peer may ACK data that was sent before the rewind.
                state.putInt(r + SND_NXT_OFFSET, ack);
            }
            state.putInt(r + TX_NOTIFY_OFFSET, state.getInt(r + TX_NOTIFY_OFFSET) + dataAcked);
            state.putIntOrdered(r + ACKED_BYTES_OFFSET, state.getInt(r + ACKED_BYTES_OFFSET) + acked);
            if ((tcpFlags & TcpHeader.FLAG_ECE) != 0 && (flags & F_ECN) != 0)
            {
                state.putIntOrdered(r + ECN_BYTES_OFFSET, state.getInt(r + ECN_BYTES_OFFSET) + acked);
            }
            state.putByte(r + DUP_ACKS_OFFSET, (byte)0);
            flags &= ~F_RECOVERY;
            if ((flags & F_TIMESTAMPS) != 0 && options.has(TcpOptions.TIMESTAMPS) && options.tsEcr() != 0)
            {
                sampleRtt(r, nowUs - options.tsEcr());
            }
            flags = markNotify(flowId, flags);
            state.putInt(r + PEER_WINDOW_OFFSET, window);
            flags = activate(flowId, flags);
        }
        else
        {
            if (payloadLength == 0 && !fin && sndNxt != sndUna && window == oldWindow && (flags & F_RECOVERY) == 0)
            {
                final int dupAcks = state.getByte(r + DUP_ACKS_OFFSET) + 1;
                if (dupAcks >= 3)
                {
                    goBackN(r);
                    counters.goBackN.incrementRelease();
                    flags |= F_RECOVERY;
                    state.putByte(r + DUP_ACKS_OFFSET, (byte)0);
                    flags = activate(flowId, flags);
                }
                else
                {
                    state.putByte(r + DUP_ACKS_OFFSET, (byte)dupAcks);
                }
            }
            if (window != oldWindow)
            {
                state.putInt(r + PEER_WINDOW_OFFSET, window);
                if (window > oldWindow)
                {
                    flags = activate(flowId, flags);
                }
            }
        }
        return flags;
    }

    private void sampleRtt(final int r, final int rttUs)
    {
        if (rttUs >= 0 && rttUs < MAX_RTT_US)
        {
            final int estimate = state.getInt(r + RTT_OFFSET);
            state.putIntOrdered(r + RTT_OFFSET, estimate == 0 ? Math.max(rttUs, 1) : (7 * estimate + rttUs) >>> 3);
        }
    }

    private void goBackN(final int r)
    {
        final int sndUna = state.getInt(r + SND_UNA_OFFSET);
        final int sndNxt = state.getInt(r + SND_NXT_OFFSET);
        counters.retransmittedBytes.getAndAddRelease(sndNxt - sndUna);
        state.putInt(r + SND_NXT_OFFSET, sndUna);
        state.putIntOrdered(r + DROPS_OFFSET, state.getInt(r + DROPS_OFFSET) + 1);
    }

    private void storeOutOfOrder(
        final int flowId, final int r, final MutableDirectBuffer buffer, final int payloadOffset, final int length,
        final int seq)
    {
        if (!outOfOrder.insert(flowId, r, state.getInt(r + RCV_NXT_OFFSET), seq, length))
        {
            counters.outOfOrderDropped.incrementRelease();
            return;
        }
        counters.outOfOrder.incrementRelease();
        writeRx(r, buffer, payloadOffset, length, seq);
    }

    private void deliverInOrder(
        final int flowId,
        final int r,
        final MutableDirectBuffer buffer,
        final int payloadOffset,
        final int length,
        final boolean fin)
    {
        int rcvNxt = state.getInt(r + RCV_NXT_OFFSET);
        int rxAvail = state.getInt(r + RX_AVAIL_OFFSET);
        int delivered = 0;
        int rebased = 0;
        if (length > 0)
        {
            // Every delivered byte consumed and nothing held out of order: start the ring over at the flow's
            // home line. The app cannot be reading the ring now (it has nothing unread), and it learns of the
            // move with this data, before it can read any of it.
            final int home = ringHome(flowId, rxSize);
            if (rxAvail == rxSize && state.getInt(r + OOO_LENGTH_OFFSET) == 0 &&
                ((rcvNxt - state.getInt(r + RX_BASE_OFFSET)) & rxMask) != home)
            {
                state.putInt(r + RX_BASE_OFFSET, rcvNxt - home);
                rebased = F_NOTE_RX_REBASED;
            }
            writeRx(r, buffer, payloadOffset, length, rcvNxt);
            rcvNxt += length;
            rxAvail -= length;
            delivered = length;
        }
        final int merged = outOfOrder.advance(flowId, r, rcvNxt);
        if (merged != rcvNxt)
        {
            final int extra = merged - rcvNxt;
            rcvNxt = merged;
            rxAvail -= extra;
            delivered += extra;
        }
        // A FIN counts only once nothing is missing before it and nothing claims to follow it.
        final boolean finAccepted = fin && state.getInt(r + OOO_LENGTH_OFFSET) == 0;
        int flags = state.getInt(r + FLAGS_OFFSET) | rebased;
        if (finAccepted)
        {
            rcvNxt++;
            flags |= F_RX_FIN | F_NOTE_FIN_RECEIVED | F_NOTE_READ_CLOSED;
            flags = markNotify(flowId, flags);
        }
        if (delivered > 0)
        {
            state.putInt(r + RX_NOTIFY_OFFSET, state.getInt(r + RX_NOTIFY_OFFSET) + delivered);
            flags = markNotify(flowId, flags);
            counters.bytesReceived.getAndAddRelease(delivered);
        }
        state.putInt(r + FLAGS_OFFSET, flags);
        state.putInt(r + RCV_NXT_OFFSET, rcvNxt);
        state.putInt(r + RX_AVAIL_OFFSET, rxAvail);
    }

    private void writeRx(
        final int r, final MutableDirectBuffer buffer, final int payloadOffset, final int length, final int seq)
    {
        rxRing.wrap(state.getLong(r + RX_ADDRESS_OFFSET), rxSize);
        final int position = (seq - state.getInt(r + RX_BASE_OFFSET)) & rxMask;
        final int first = Math.min(length, rxSize - position);
        rxRing.putBytes(position, buffer, payloadOffset, first);
        if (first < length)
        {
            rxRing.putBytes(0, buffer, payloadOffset + first, length - first);
        }
    }

    private int activate(final int flowId, final int flags)
    {
        if ((flags & F_ACTIVE) != 0)
        {
            return flags;
        }
        active[(activeHead + activeCount) % active.length] = flowId;
        activeCount++;
        return flags | F_ACTIVE;
    }

    private int markNotify(final int flowId, final int flags)
    {
        if ((flags & F_NOTIFY) != 0)
        {
            return flags;
        }
        notify[notifyCount++] = flowId;
        return flags | F_NOTIFY;
    }

    private void ackLater(final int flowId, final int r)
    {
        final int flags = state.getInt(r + FLAGS_OFFSET);
        if ((flags & F_ACK_PENDING) == 0)
        {
            if (ackCount == acks.length)
            {
                return;
            }
            acks[ackCount++] = flowId;
            state.putInt(r + FLAGS_OFFSET, flags | F_ACK_PENDING);
        }
    }

    /** Queue an ACK that the app's answer may carry; {@link #flushDelayedAcks} sends it when none came in time. */
    private void ackDelayed(final int flowId, final int r)
    {
        final int flags = state.getInt(r + FLAGS_OFFSET);
        if ((flags & (F_ACK_PENDING | F_ACK_DELAYED)) == 0)
        {
            if (delayedCount == delayed.length)
            {
                ackLater(flowId, r);
                return;
            }
            final int tail = (delayedHead + delayedCount) & (delayed.length - 1);
            delayed[tail] = flowId;
            delayedSinceNs[tail] = nowNs;
            delayedEntryTicket[tail] = ++nextTicket;
            delayedTicket[flowId] = nextTicket;
            delayedCount++;
            state.putInt(r + FLAGS_OFFSET, flags | F_ACK_DELAYED);
        }
    }

    /**
     * Send the delayed ACKs whose time is up (the queue is in arrival order, so it stops at the first young one)
     * unless a data segment carried them meanwhile, which cleared the flag.
     */
    private void flushDelayedAcks()
    {
        final int mask = delayed.length - 1;
        while (delayedCount > 0)
        {
            final int head = delayedHead;
            if (nowNs - delayedSinceNs[head] < ackDelayNs)
            {
                return;
            }
            final int flowId = delayed[head];
            final int r = offset(flowId);
            final int flags = state.getInt(r + FLAGS_OFFSET);
            // Older entries are done: an answer carried their ACK and the flow has queued a newer one since.
            final boolean current = delayedEntryTicket[head] == delayedTicket[flowId];
            if (current && (flags & F_ACK_DELAYED) != 0)
            {
                // Owed unless the flow is gone or an ACK is already queued; an answer waiting its turn carries it.
                final boolean owed = (flags & (F_VALID | F_ACK_PENDING)) == F_VALID;
                if (owed && !answerQueued(r, flags))
                {
                    if (!emitSegment(r, state.getInt(r + SND_NXT_OFFSET), 0, TcpHeader.FLAG_ACK))
                    {
                        txRingFull = true;
                        return; // no room on the wire: try again next cycle
                    }
                    counters.acksSent.incrementRelease();
                    counters.delayedAcksSent.incrementRelease();
                }
                else
                {
                    if (owed)
                    {
                        counters.delayedAcksCarried.incrementRelease();
                    }
                    state.putInt(r + FLAGS_OFFSET, flags & ~F_ACK_DELAYED);
                }
            }
            delayedHead = (head + 1) & mask;
            delayedCount--;
        }
    }

    /**
     * The app's answer is committed and waits only for its turn on the active list (behind other flows, or for a
     * full wire): the segment that carries it carries the ACK, so a pure ACK now is one more segment for a peer
     * that is likely behind already. Not when the peer's window or a pacing delay of more than another ACK delay
     * holds the data back.
     */
    private boolean answerQueued(final int r, final int flags)
    {
        if ((flags & F_ACTIVE) == 0)
        {
            return false;
        }
        final int sndUna = state.getInt(r + SND_UNA_OFFSET);
        final int sndNxt = state.getInt(r + SND_NXT_OFFSET);
        if (state.getInt(r + TX_END_OFFSET) - sndNxt <= 0 ||
            state.getInt(r + PEER_WINDOW_OFFSET) - (sndNxt - sndUna) <= 0)
        {
            return false;
        }
        return state.getIntVolatile(r + RATE_OFFSET) == 0 ||
            state.getLong(r + NEXT_TX_TIME_OFFSET) - nowNs <= ackDelayNs;
    }

    private int withAckPending(final int flowId, final int flags)
    {
        if ((flags & F_ACK_PENDING) != 0 || ackCount == acks.length)
        {
            return flags;
        }
        acks[ackCount++] = flowId;
        return flags | F_ACK_PENDING;
    }

    private void ackNow(final int flowId, final int r)
    {
        if (emitSegment(r, state.getInt(r + SND_NXT_OFFSET), 0, TcpHeader.FLAG_ACK))
        {
            counters.acksSent.incrementRelease();
        }
        else
        {
            ackLater(flowId, r);
        }
    }

    private int transmitActive()
    {
        int budget = txBatch.capacity();
        int sent = 0;
        int visits = activeCount;
        txRingFull = false;
        while (visits-- > 0 && budget > 0)
        {
            final int flowId = active[activeHead];
            activeHead = (activeHead + 1) % active.length;
            activeCount--;
            final int r = offset(flowId);
            int flags = state.getInt(r + FLAGS_OFFSET);
            if ((flags & F_VALID) == 0)
            {
                state.putInt(r + FLAGS_OFFSET, flags & ~F_ACTIVE);
                continue;
            }
            final int segments = sendFlow(r, budget);
            if (segments < 0)
            {
                final int n = -segments - 1;
                budget -= n;
                sent += n;
                if (txRingFull)
                {
                    // The wire's transmit ring is full: every other flow would fail the same way. Put this one
                    // back first in line and stop, instead of visiting every active flow each cycle (O(flows)
                    // work per cycle exactly when the peer is behind, which kept it behind).
                    activeHead = (activeHead - 1 + active.length) % active.length;
                    active[activeHead] = flowId;
                    activeCount++;
                    break;
                }
                active[(activeHead + activeCount) % active.length] = flowId;
                activeCount++;
            }
            else
            {
                budget -= segments;
                sent += segments;
                flags = state.getInt(r + FLAGS_OFFSET);
                state.putInt(r + FLAGS_OFFSET, flags & ~F_ACTIVE);
            }
        }
        return sent;
    }

    /**
     * Send what the window, the rate and the budget allow.
     *
     * @return segments sent when the flow has nothing more to send now (it leaves the active list), or
     * {@code -(sent + 1)} when it must stay active (rate, budget or ring limited).
     */
    private int sendFlow(final int r, final int budget)
    {
        int sent = 0;
        final int mss = state.getShort(r + MSS_OFFSET) & 0xFFFF;
        while (true)
        {
            final int flags = state.getInt(r + FLAGS_OFFSET);
            final int sndUna = state.getInt(r + SND_UNA_OFFSET);
            final int sndNxt = state.getInt(r + SND_NXT_OFFSET);
            final int txEnd = state.getInt(r + TX_END_OFFSET);
            final int window = state.getInt(r + PEER_WINDOW_OFFSET);
            final int available = Math.max(0, txEnd - sndNxt);
            final int room = Math.max(0, window - (sndNxt - sndUna));
            final int length = Math.min(Math.min(available, room), mss);
            final boolean finDue = (flags & (F_TX_FIN | F_FIN_ACKED)) == F_TX_FIN && sndNxt + length == txEnd;
            if (length == 0 && !finDue)
            {
                return sent;
            }
            final int rate = state.getIntVolatile(r + RATE_OFFSET);
            final long nextTx = state.getLong(r + NEXT_TX_TIME_OFFSET);
            if (budget - sent <= 0 || (rate != 0 && nextTx - nowNs > 0))
            {
                return -(sent + 1);
            }
            final int tcpFlags = TcpHeader.FLAG_ACK | (length > 0 ? TcpHeader.FLAG_PSH : 0) |
                (finDue ? TcpHeader.FLAG_FIN : 0);
            if (!emitSegment(r, sndNxt, length, tcpFlags))
            {
                counters.txNoRoom.incrementRelease();
                txRingFull = true;
                return -(sent + 1);
            }
            final int next = sndNxt + length + (finDue ? 1 : 0);
            state.putInt(r + SND_NXT_OFFSET, next);
            if (Seq.gt(next, state.getInt(r + SND_MAX_OFFSET)))
            {
                state.putInt(r + SND_MAX_OFFSET, next);
            }
            if (rate != 0)
            {
                // Pace at the rate, with up to PACING_BURST segments of credit banked while idle. TAS banks one
                // segment only, which spreads even a small burst (a multi-segment response) over milliseconds
                // at low rates; ten matches the initial window of RFC 6928.
                // Payload bytes only, as TAS's queue manager counts them and as the slow path measures rates.
                final long segmentNs = length * 8_000_000L / rate;
                final long start = Math.max(nextTx, nowNs - PACING_BURST * segmentNs);
                state.putLong(r + NEXT_TX_TIME_OFFSET, start + segmentNs);
            }
            counters.segmentsSent.incrementRelease();
            counters.bytesSent.getAndAddRelease(length);
            sent++;
            if (finDue)
            {
                return sent;
            }
        }
    }

    private void flushAcks()
    {
        int kept = 0;
        for (int i = 0; i < ackCount; i++)
        {
            if (kept > 0 && txRingFull)
            {
                // No room on the wire: keep the rest for the next cycle without visiting each one.
                final int rest = ackCount - i;
                if (kept != i)
                {
                    System.arraycopy(acks, i, acks, kept, rest);
                }
                kept += rest;
                break;
            }
            final int flowId = acks[i];
            final int r = offset(flowId);
            final int flags = state.getInt(r + FLAGS_OFFSET);
            if ((flags & F_ACK_PENDING) == 0 || (flags & F_VALID) == 0)
            {
                state.putInt(r + FLAGS_OFFSET, flags & ~F_ACK_PENDING);
                continue;
            }
            if (emitSegment(r, state.getInt(r + SND_NXT_OFFSET), 0, TcpHeader.FLAG_ACK))
            {
                counters.acksSent.incrementRelease();
            }
            else
            {
                acks[kept++] = flowId;
                txRingFull = true;
            }
        }
        ackCount = kept;
    }

    private void flushNotifications()
    {
        int kept = 0;
        for (int i = 0; i < notifyCount; i++)
        {
            final int flowId = notify[i];
            final int r = offset(flowId);
            int flags = state.getInt(r + FLAGS_OFFSET);
            if ((flags & F_VALID) == 0)
            {
                state.putInt(r + FLAGS_OFFSET, flags & ~F_NOTIFY);
                continue;
            }
            final int rxBytes = state.getInt(r + RX_NOTIFY_OFFSET);
            final int txFreed = state.getInt(r + TX_NOTIFY_OFFSET);
            final boolean readClosed = (flags & F_NOTE_READ_CLOSED) != 0;
            final boolean rebased = (flags & F_NOTE_RX_REBASED) != 0;
            boolean done = true;
            if (rxBytes != 0 || txFreed != 0 || readClosed)
            {
                final RingBuffer events = appEvents[state.getShort(r + CONTEXT_OFFSET) & 0xFFFF];
                final int index = events.tryClaim(AppEvents.DATA, AppEvents.DATA_LENGTH);
                if (index > 0)
                {
                    final var buffer = events.buffer();
                    buffer.putInt(index + AppEvents.FLOW_ID_OFFSET,
                        handle(flowId, state.getByte(r + GENERATION_OFFSET) & 0xFF));
                    buffer.putInt(index + AppEvents.RX_BYTES_OFFSET, rxBytes);
                    buffer.putInt(index + AppEvents.TX_FREED_OFFSET, txFreed);
                    buffer.putInt(index + AppEvents.FLAGS_OFFSET, (readClosed ? AppEvents.FLAG_READ_CLOSED : 0) |
                        (rebased ? AppEvents.FLAG_RX_REBASED : 0));
                    events.commit(index);
                    state.putInt(r + RX_NOTIFY_OFFSET, 0);
                    state.putInt(r + TX_NOTIFY_OFFSET, 0);
                    flags &= ~(F_NOTE_READ_CLOSED | F_NOTE_RX_REBASED);
                }
                else
                {
                    counters.appQueueFull.incrementRelease();
                    done = false;
                }
            }
            // Notes to the slow path follow the app event, so a CLOSED the slow path posts comes after it.
            if (done && (flags & F_NOTE_FIN_ACKED) != 0)
            {
                if (writeNote(SlowPathMessages.FIN_ACKED, flowId))
                {
                    flags &= ~F_NOTE_FIN_ACKED;
                }
                else
                {
                    done = false;
                }
            }
            if (done && (flags & F_NOTE_FIN_RECEIVED) != 0)
            {
                if (writeNote(SlowPathMessages.FIN_RECEIVED, flowId))
                {
                    flags &= ~F_NOTE_FIN_RECEIVED;
                }
                else
                {
                    done = false;
                }
            }
            if (done)
            {
                flags &= ~F_NOTIFY;
            }
            else
            {
                notify[kept++] = flowId;
            }
            state.putInt(r + FLAGS_OFFSET, flags);
        }
        notifyCount = kept;
    }

    private boolean writeNote(final int type, final int flowId)
    {
        final int index = slowPath.tryClaim(type, SlowPathMessages.LENGTH);
        if (index <= 0)
        {
            counters.slowPathQueueFull.incrementRelease();
            return false;
        }
        slowPath.buffer().putInt(index + SlowPathMessages.FLOW_ID_OFFSET, flowId);
        slowPath.buffer().putInt(index + SlowPathMessages.VALUE_OFFSET, laneId);
        slowPath.commit(index);
        return true;
    }

    private void noteToSlowPath(final int type, final int flowId)
    {
        if (!writeNote(type, flowId))
        {
            if (pendingNoteCount < pendingNotes.length)
            {
                pendingNotes[pendingNoteCount++] = ((long)type << 32) | flowId;
            }
        }
    }

    private int retryNotes()
    {
        int kept = 0;
        final int count = pendingNoteCount;
        for (int i = 0; i < count; i++)
        {
            final long note = pendingNotes[i];
            if (!writeNote((int)(note >>> 32), (int)note))
            {
                pendingNotes[kept++] = note;
            }
        }
        pendingNoteCount = kept;
        return count - kept;
    }

    private void toSlowPath(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int index = slowPath.tryClaim(SlowPathMessages.FRAME, SlowPathMessages.FRAME_DATA_OFFSET + length);
        if (index <= 0)
        {
            counters.slowPathQueueFull.incrementRelease();
            return;
        }
        final var ring = slowPath.buffer();
        ring.putInt(index + SlowPathMessages.FRAME_LANE_OFFSET, laneId);
        ring.putBytes(index + SlowPathMessages.FRAME_DATA_OFFSET, buffer, offset, length);
        slowPath.commit(index);
        counters.toSlowPath.incrementRelease();
    }

    private int claimTxFrame()
    {
        if (txBatch.remaining() == 0)
        {
            io.transmit(txBatch);
        }
        if (io.allocate(txBatch, 1) == 0)
        {
            if (txBatch.isEmpty())
            {
                return -1;
            }
            io.transmit(txBatch);
            if (io.allocate(txBatch, 1) == 0)
            {
                return -1;
            }
        }
        return txBatch.size() - 1;
    }

    /**
     * Build one segment of a registered flow: Ethernet, IPv4, TCP with timestamps when negotiated, payload
     * from the TX ring at {@code seq}, both checksums.
     */
    private boolean emitSegment(final int r, final int seq, final int length, final int tcpFlagsIn)
    {
        final int index = claimTxFrame();
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer buffer = txBatch.buffer(index);
        final int frameOffset = txBatch.offset(index);
        int flags = state.getInt(r + FLAGS_OFFSET);
        int tcpFlags = tcpFlagsIn;
        if ((flags & F_CE) != 0)
        {
            tcpFlags |= TcpHeader.FLAG_ECE;
        }
        final boolean timestamps = (flags & F_TIMESTAMPS) != 0;
        int sackBlocks = 0;
        if (length == 0 && (flags & F_SACK) != 0 && state.getInt(r + OOO_LENGTH_OFFSET) != 0)
        {
            // RFC 2018: tell the peer which out-of-order intervals we hold (3 blocks fit beside timestamps).
            sackBlocks = outOfOrder.sackBlocks(r / FlowRecord.LENGTH, r, sackLeft, sackRight, timestamps ? 3 : 4);
        }
        final int sackLength = sackBlocks == 0 ? 0 : 4 + 8 * sackBlocks;
        final int tcpHeaderLength = TcpHeader.MIN_HEADER_LENGTH + (timestamps ? TIMESTAMP_OPTIONS_LENGTH : 0) +
            sackLength;
        final int ipOffset = frameOffset + EthernetFrame.HEADER_LENGTH;
        final int tcpOffset = ipOffset + Ipv4Header.MIN_HEADER_LENGTH;
        final int segmentLength = tcpHeaderLength + length;
        final int remoteIp = state.getInt(r + REMOTE_IP_OFFSET);

        txEthernet.wrap(buffer, frameOffset)
            .destination(state.getLong(r + REMOTE_MAC_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN))
            .source(localMac)
            .etherType(EthernetFrame.ETHER_TYPE_IPV4);
        txIp.wrap(buffer, ipOffset)
            .versionAndHeaderLength(Ipv4Header.MIN_HEADER_LENGTH)
            .tos(length > 0 && (flags & F_ECN) != 0 ? Ipv4Header.ECN_ECT_0 : 0)
            .totalLength(Ipv4Header.MIN_HEADER_LENGTH + segmentLength)
            .identification(ipId++ & 0xFFFF)
            .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
            .ttl(64)
            .protocol(Ipv4Header.PROTOCOL_TCP)
            .source(localIp)
            .destination(remoteIp);
        if (checksumOffload)
        {
            txIp.checksum(0);
        }
        else
        {
            txIp.updateChecksum();
        }
        final int rxAvail = state.getInt(r + RX_AVAIL_OFFSET);
        final int window = Math.min(rxAvail >>> state.getByte(r + RCV_SHIFT_OFFSET), 0xFFFF);
        txTcp.wrap(buffer, tcpOffset)
            .sourcePort(state.getShort(r + LOCAL_PORT_OFFSET) & 0xFFFF)
            .destinationPort(state.getShort(r + REMOTE_PORT_OFFSET) & 0xFFFF)
            .sequence(seq)
            .acknowledgment((tcpFlags & TcpHeader.FLAG_ACK) != 0 ? state.getInt(r + RCV_NXT_OFFSET) : 0)
            .headerLength(tcpHeaderLength)
            .flags(tcpFlags)
            .window(window)
            .urgentPointer(0);
        int optionsAt = tcpOffset + TcpHeader.OPTIONS_OFFSET;
        if (timestamps)
        {
            optionsAt += TcpOptions.write(buffer, optionsAt, TcpOptions.TIMESTAMPS, 0, 0,
                nowUs, state.getInt(r + TS_RECENT_OFFSET));
        }
        if (sackBlocks > 0)
        {
            buffer.putByte(optionsAt, (byte)TcpOptions.KIND_NOP);
            buffer.putByte(optionsAt + 1, (byte)TcpOptions.KIND_NOP);
            buffer.putByte(optionsAt + 2, (byte)TcpOptions.KIND_SACK);
            buffer.putByte(optionsAt + 3, (byte)(2 + 8 * sackBlocks));
            for (int i = 0; i < sackBlocks; i++)
            {
                buffer.putInt(optionsAt + 4 + 8 * i, sackLeft[i], java.nio.ByteOrder.BIG_ENDIAN);
                buffer.putInt(optionsAt + 8 + 8 * i, sackRight[i], java.nio.ByteOrder.BIG_ENDIAN);
            }
        }
        if (length > 0)
        {
            copyFromTx(r, seq, buffer, tcpOffset + tcpHeaderLength, length);
        }
        if (checksumOffload)
        {
            txTcp.checksum(0);
        }
        else
        {
            txTcp.updateChecksum(txIp.pseudoHeaderSum(), segmentLength);
        }
        int frameLength = EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + segmentLength;
        if (frameLength < MIN_FRAME)
        {
            buffer.setMemory(frameOffset + frameLength, MIN_FRAME - frameLength, (byte)0);
            frameLength = MIN_FRAME;
        }
        txBatch.length(index, frameLength);
        flags &= ~(F_ACK_PENDING | F_ACK_DELAYED | F_CE);
        state.putInt(r + FLAGS_OFFSET, flags);
        return true;
    }

    private void copyFromTx(
        final int r, final int seq, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        txRing.wrap(state.getLong(r + TX_ADDRESS_OFFSET), txSize);
        final int position = (seq - state.getInt(r + TX_BASE_OFFSET)) & txMask;
        final int first = Math.min(length, txSize - position);
        buffer.putBytes(offset, txRing, position, first);
        if (first < length)
        {
            buffer.putBytes(offset + first, txRing, 0, length - first);
        }
    }

    private void onCommand(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (type == LaneCommands.SEND_FRAME)
        {
            sendFrame(buffer, index, length);
            return;
        }
        if (type == LaneCommands.RECEIVED_FRAME)
        {
            processFrame(buffer, index, length);
            return;
        }
        final int handle = buffer.getInt(index + LaneCommands.FLOW_ID_OFFSET);
        final int flowId = flowIdOf(handle);
        final int value = buffer.getInt(index + LaneCommands.VALUE_OFFSET);
        if (flowId >= active.length)
        {
            counters.badCommands.incrementRelease();
            return;
        }
        final int r = offset(flowId);
        final int flags = state.getInt(r + FLAGS_OFFSET);
        if (type == LaneCommands.ADD_FLOW)
        {
            addFlow(flowId, r, flags, value);
            return;
        }
        // A command for another incarnation of this id (sent before the id was reused) is refused.
        if ((flags & F_VALID) == 0 || (state.getByte(r + GENERATION_OFFSET) & 0xFF) != generationOf(handle))
        {
            counters.badCommands.incrementRelease();
            return;
        }
        switch (type)
        {
            case LaneCommands.BUMP:
                onBump(flowId, r, flags, value, buffer, index, length);
                break;

            case LaneCommands.TX_FIN:
                state.putInt(r + FLAGS_OFFSET, activate(flowId, flags | F_TX_FIN));
                break;

            case LaneCommands.RETRANSMIT:
                if (state.getInt(r + SND_NXT_OFFSET) != state.getInt(r + SND_UNA_OFFSET))
                {
                    goBackN(r);
                    counters.timeoutRetransmits.incrementRelease();
                    state.putInt(r + FLAGS_OFFSET, activate(flowId, flags | F_RECOVERY));
                }
                break;

            case LaneCommands.PROBE:
                // A zero-window or keepalive probe: an ACK one below SND.UNA (RFC 9293 sections 3.8.6.1 and
                // 3.8.4), which the peer must answer with an ACK carrying its window.
                emitSegment(r, state.getInt(r + SND_UNA_OFFSET) - 1, 0, TcpHeader.FLAG_ACK);
                break;

            case LaneCommands.APP_CLOSED:
                state.putInt(r + FLAGS_OFFSET, flags | F_APP_CLOSED);
                break;

            case LaneCommands.SEND_RST:
                emitSegment(r, state.getInt(r + SND_NXT_OFFSET), 0, TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK);
                break;

            case LaneCommands.REMOVE_FLOW:
                removeFlow(flowId, r);
                break;

            default:
                counters.badCommands.incrementRelease();
                break;
        }
    }

    private void addFlow(final int flowId, final int r, final int flags, final int options)
    {
        final long key = key(state.getInt(r + REMOTE_IP_OFFSET), state.getShort(r + LOCAL_PORT_OFFSET) & 0xFFFF,
            state.getShort(r + REMOTE_PORT_OFFSET) & 0xFFFF);
        table.put(key, flowId);
        int f = (flags | F_VALID) & ~(F_ACTIVE | F_ACK_PENDING | F_ACK_DELAYED | F_NOTIFY);
        state.putInt(r + FLAGS_OFFSET, f);
        if ((options & LaneCommands.ADD_SEND_ACK) != 0)
        {
            ackLater(flowId, r);
            f = state.getInt(r + FLAGS_OFFSET);
        }
        if (state.getInt(r + TX_END_OFFSET) != state.getInt(r + SND_NXT_OFFSET))
        {
            state.putInt(r + FLAGS_OFFSET, activate(flowId, f));
        }
    }

    private void removeFlow(final int flowId, final int r)
    {
        final long key = key(state.getInt(r + REMOTE_IP_OFFSET), state.getShort(r + LOCAL_PORT_OFFSET) & 0xFFFF,
            state.getShort(r + REMOTE_PORT_OFFSET) & 0xFFFF);
        if (table.get(key) == flowId)
        {
            table.remove(key);
        }
        purge(flowId);
        outOfOrder.release(flowId);
        state.putInt(r + FLAGS_OFFSET, 0);
        noteToSlowPath(SlowPathMessages.FLOW_REMOVED, flowId);
    }

    private void purge(final int flowId)
    {
        int kept = 0;
        for (int i = 0; i < ackCount; i++)
        {
            if (acks[i] != flowId)
            {
                acks[kept++] = acks[i];
            }
        }
        ackCount = kept;
        kept = 0;
        for (int i = 0; i < notifyCount; i++)
        {
            if (notify[i] != flowId)
            {
                notify[kept++] = notify[i];
            }
        }
        notifyCount = kept;
        final int count = activeCount;
        int write = 0;
        for (int i = 0; i < count; i++)
        {
            final int id = active[(activeHead + i) % active.length];
            if (id != flowId)
            {
                active[(activeHead + write++) % active.length] = id;
            }
        }
        activeCount = write;
    }

    private void onBump(final int flowId, final int r, final int flags, final int txBytes,
        final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < LaneCommands.BUMP_LENGTH)
        {
            counters.badCommands.incrementRelease();
            return;
        }
        final int rxBytes = buffer.getInt(index + LaneCommands.BUMP_RX_OFFSET);
        final boolean rebased = (buffer.getInt(index + LaneCommands.BUMP_FLAGS_OFFSET) &
            LaneCommands.BUMP_TX_REBASED) != 0;
        if (txBytes == 0 && (rxBytes == 0 || rebased))
        {
            counters.badCommands.incrementRelease();
            return;
        }
        counters.appBumps.incrementRelease();
        // TX first: it rewrites the flags, which the RX side's window update reads afresh.
        if (txBytes != 0)
        {
            onTxCommit(flowId, r, flags, txBytes, rebased);
        }
        if (rxBytes != 0)
        {
            onRxConsumed(flowId, r, rxBytes);
        }
    }

    private void onRxConsumed(final int flowId, final int r, final int bytes)
    {
        final int old = state.getInt(r + RX_AVAIL_OFFSET);
        if (bytes <= 0 || bytes > rxSize - old)
        {
            counters.badCommands.incrementRelease();
            return;
        }
        final int now = old + bytes;
        state.putInt(r + RX_AVAIL_OFFSET, now);
        final int mss = state.getShort(r + MSS_OFFSET) & 0xFFFF;
        final int half = rxSize >>> 1;
        // Window update when the window reopens (receiver-side silly window avoidance, RFC 9293 3.8.6.2.2).
        if ((old < mss && now >= mss) || (old < half && now >= half))
        {
            ackLater(flowId, r);
        }
    }

    private void onTxCommit(final int flowId, final int r, final int flags, final int bytes, final boolean rebased)
    {
        final int txEnd = state.getInt(r + TX_END_OFFSET);
        final int inRing = txEnd - state.getInt(r + SND_UNA_OFFSET);
        if (bytes <= 0 || (flags & F_TX_FIN) != 0 || inRing + (long)bytes > txSize ||
            (rebased && (inRing != 0 || state.getInt(r + SND_NXT_OFFSET) != txEnd)))
        {
            counters.badCommands.incrementRelease();
            return;
        }
        if (rebased)
        {
            // The app saw every committed byte acknowledged and wrote these from the flow's home line.
            state.putInt(r + TX_BASE_OFFSET, txEnd - ringHome(flowId, txSize));
        }
        state.putInt(r + TX_END_OFFSET, txEnd + bytes);
        state.putInt(r + FLAGS_OFFSET, activate(flowId, flags));
    }

    private void sendFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int index = claimTxFrame();
        if (index < 0)
        {
            counters.txNoRoom.incrementRelease();
            return;
        }
        final int capacity = txBatch.frameCapacity(index);
        if (length > capacity)
        {
            counters.badCommands.incrementRelease();
            txBatch.length(index, 0);
            return;
        }
        txBatch.buffer(index).putBytes(txBatch.offset(index), buffer, offset, length);
        txBatch.length(index, length);
    }
}
