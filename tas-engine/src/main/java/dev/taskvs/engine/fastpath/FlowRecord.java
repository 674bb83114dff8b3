package dev.taskvs.engine.fastpath;

/**
 * Layout of the fixed-size, off-heap per-flow state the fast path works on: 128 bytes, two cache lines,
 * as TAS's {@code struct flextcp_pl_flowst}. Everything else about a connection (state machine, timers,
 * congestion control, negotiated options other than those below) lives in the slow path's objects.
 * <pre>
 *  Line 0: identity and receive side                Line 1: transmit side, pacing, statistics
 *   0 u64 RX ring address                            64 u32 SND.UNA
 *   8 u64 TX ring address                            68 u32 SND.NXT
 *  16 u32 remote IPv4                                72 u32 SND.MAX (highest sequence ever sent)
 *  20 u16 local port   22 u16 remote port            76 u32 TX end (sequence after the last committed byte)
 *  24 u32 flags                                      80 u32 TX base sequence (ISS + 1; ring offset 0)
 *  28 u16 owning app context  30 u16 peer MSS         84 u32 peer window in bytes (already scaled)
 *  32 u48 remote MAC (little-endian, bytes 32..37)    88 u32 rate limit in kbit/s, 0 = none (slow path writes)
 *  38 u16 segments received (wraps; keepalive)
 *  40 u32 RCV.NXT                                    92 u8 send shift  93 u8 receive shift  94 u8 dup ACKs
 *                                                    95 u8 generation (incarnation of this flow id)
 *  44 u32 RX free bytes (the receive window)         96 u64 earliest next transmit time, ns (pacing)
 *  48 u32 RX base sequence (IRS + 1; ring offset 0) 104 u32 bytes ACKed (statistic, wraps)
 *  52 u32 out-of-order interval start               108 u32 bytes ACKed with ECE (statistic, wraps)
 *  56 u32 out-of-order interval length (0 = none)   112 u32 go-back-N resets (statistic)
 *     (the lowest interval; more live in the lane's OutOfOrderIntervals)
 *  60 u32 TS.Recent (peer TSval to echo)            116 u32 RTT estimate in microseconds (EWMA 7/8)
 *                                                   120 u32 RX bytes not yet reported to the app
 *                                                   124 u32 TX bytes freed, not yet reported to the app
 * </pre>
 * Ring offsets are derived from sequence numbers, {@code (seq - base) & mask}, so neither ring needs a
 * position field and a go-back-N rewind is a single assignment. Only the owning fast-path lane writes a
 * record once it is registered, except the rate (slow path, volatile write); the slow path reads the
 * statistics and the receive counter with volatile reads, as TAS's slow path reads {@code flowst} from
 * shared memory.
 */
public final class FlowRecord
{
    public static final int LENGTH = 128;

    public static final int RX_ADDRESS_OFFSET = 0;
    public static final int TX_ADDRESS_OFFSET = 8;
    public static final int REMOTE_IP_OFFSET = 16;
    public static final int LOCAL_PORT_OFFSET = 20;
    public static final int REMOTE_PORT_OFFSET = 22;
    public static final int FLAGS_OFFSET = 24;
    public static final int CONTEXT_OFFSET = 28;
    public static final int MSS_OFFSET = 30;
    /** The remote MAC, the low 48 bits of a little-endian u64 whose top two bytes are the receive counter. */
    public static final int REMOTE_MAC_OFFSET = 32;
    /**
     * u16, wraps: segments the lane received for the flow (any, acceptable or not). The slow path reads it
     * (volatile) to learn that the peer was heard from since it last looked: keepalive idle time.
     */
    public static final int RX_SEGMENTS_OFFSET = 38;
    public static final int RCV_NXT_OFFSET = 40;
    public static final int RX_AVAIL_OFFSET = 44;
    public static final int RX_BASE_OFFSET = 48;
    public static final int OOO_START_OFFSET = 52;
    public static final int OOO_LENGTH_OFFSET = 56;
    public static final int TS_RECENT_OFFSET = 60;

    public static final int SND_UNA_OFFSET = 64;
    public static final int SND_NXT_OFFSET = 68;
    public static final int SND_MAX_OFFSET = 72;
    public static final int TX_END_OFFSET = 76;
    public static final int TX_BASE_OFFSET = 80;
    public static final int PEER_WINDOW_OFFSET = 84;
    public static final int RATE_OFFSET = 88;
    public static final int SND_SHIFT_OFFSET = 92;
    public static final int RCV_SHIFT_OFFSET = 93;
    public static final int DUP_ACKS_OFFSET = 94;
    public static final int GENERATION_OFFSET = 95;
    public static final int NEXT_TX_TIME_OFFSET = 96;
    public static final int ACKED_BYTES_OFFSET = 104;
    public static final int ECN_BYTES_OFFSET = 108;
    public static final int DROPS_OFFSET = 112;
    public static final int RTT_OFFSET = 116;
    public static final int RX_NOTIFY_OFFSET = 120;
    public static final int TX_NOTIFY_OFFSET = 124;

    /** The flow is registered with its lane. */
    public static final int F_VALID = 1;
    /** Timestamps (RFC 7323) were negotiated. */
    public static final int F_TIMESTAMPS = 1 << 1;
    /** ECN (RFC 3168) was negotiated: data goes out ECT(0), CE marks are echoed with ECE. */
    public static final int F_ECN = 1 << 2;
    /** The peer's FIN was received in order; RCV.NXT counts it. */
    public static final int F_RX_FIN = 1 << 3;
    /** The app shut down output: a FIN follows the byte before TX end. */
    public static final int F_TX_FIN = 1 << 4;
    /** Our FIN was acknowledged. */
    public static final int F_FIN_ACKED = 1 << 5;
    /** The app closed: arriving data goes to the slow path, which answers with RST. */
    public static final int F_APP_CLOSED = 1 << 6;
    /** On the lane's active (transmit) list. */
    public static final int F_ACTIVE = 1 << 7;
    /** On the lane's ACK list: an ACK is owed at the end of this burst. */
    public static final int F_ACK_PENDING = 1 << 8;
    /** On the lane's notify list: the app or the slow path has something to hear. */
    public static final int F_NOTIFY = 1 << 9;
    /** Go-back-N done, further duplicate ACKs ignored until SND.UNA moves. */
    public static final int F_RECOVERY = 1 << 10;
    /** A CE-marked segment arrived: the next ACK carries ECE. */
    public static final int F_CE = 1 << 11;
    /** Pending notes for the slow path and the app. */
    public static final int F_NOTE_FIN_RECEIVED = 1 << 12;
    public static final int F_NOTE_FIN_ACKED = 1 << 13;
    public static final int F_NOTE_READ_CLOSED = 1 << 14;
    /** SACK-permitted was negotiated: ACKs carry SACK blocks for the out-of-order intervals (RFC 2018). */
    public static final int F_SACK = 1 << 15;
    /**
     * The RX ring was empty when data arrived, so the lane moved the ring's base to put that data at the flow's
     * home line ({@link #ringHome}); the app hears it with the data ({@code AppEvents.FLAG_RX_REBASED}). A
     * request/response flow then keeps touching the same few lines of its ring instead of walking the whole
     * ring, which keeps the working set of many connections small.
     */
    public static final int F_NOTE_RX_REBASED = 1 << 16;
    /** A small in-order segment waits for its ACK to ride on the app's answer (delayed ACK). */
    public static final int F_ACK_DELAYED = 1 << 17;

    /** Flow ids fit in 24 bits, so a handle carries the id and the 8-bit generation in one int. */
    public static final int MAX_FLOWS = 1 << 24;

    private FlowRecord()
    {
    }

    /**
     * A handle names one incarnation of a flow id: apps put it in their commands, so a command that arrives
     * after the id was reused for another connection is recognised and refused.
     *
     * @param flowId     the flow id.
     * @param generation its incarnation, 0..255.
     * @return the handle.
     */
    public static int handle(final int flowId, final int generation)
    {
        return (generation << 24) | flowId;
    }

    public static int flowIdOf(final int handle)
    {
        return handle & (MAX_FLOWS - 1);
    }

    public static int generationOf(final int handle)
    {
        return handle >>> 24;
    }

    /**
     * @param flowId index of the flow.
     * @return offset of its record in the flow-state region.
     */
    public static int offset(final int flowId)
    {
        return flowId * LENGTH;
    }

    /**
     * The flow-table key of a connection on an engine with one local address.
     *
     * @param remoteIp   peer address.
     * @param localPort  our port.
     * @param remotePort peer port.
     * @return remote IP in the high 32 bits, then local port, then remote port.
     */
    public static long key(final int remoteIp, final int localPort, final int remotePort)
    {
        return dev.taskvs.engine.nic.FlowSteering.key(remoteIp, localPort, remotePort);
    }

    /**
     * Which of {@code lanes} fast-path lanes owns a flow: {@link dev.taskvs.engine.nic.FlowSteering}'s hash of
     * the 4-tuple, as RSS would hash it (memory wires with several queues steer by the same function).
     *
     * @param key   from {@link #key}.
     * @param lanes number of lanes.
     * @return lane index.
     */
    public static int laneOf(final long key, final int lanes)
    {
        return dev.taskvs.engine.nic.FlowSteering.queueOf(key, lanes);
    }

    /**
     * Where a flow's ring starts over once it runs empty: a cache line in the ring's first half that depends on
     * the flow id. Rings sit at multiples of their (power-of-two) size, so restarting every ring at offset 0
     * would put every flow's hot line in the same few cache sets; spreading them keeps thousands of
     * request/response flows in cache. The app side computes the same offset.
     *
     * @param flowId   the flow.
     * @param ringSize the ring's size, a power of two.
     * @return the ring offset, a multiple of 64 below ringSize / 2 (0 for rings of 128 bytes or less).
     */
    public static int ringHome(final int flowId, final int ringSize)
    {
        return (flowId << 6) & ((ringSize >>> 1) - 1) & ~63;
    }
}
