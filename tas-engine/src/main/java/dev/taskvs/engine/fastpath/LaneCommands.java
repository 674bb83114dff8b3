package dev.taskvs.engine.fastpath;

/**
 * Messages into a fast-path lane's inbox (an Agrona many-to-one ring: app threads and the slow path write,
 * the lane reads). Fields are native-order ints at the offsets given; the message type is the ring's type id.
 * The flow field is a {@link FlowRecord#handle}: flow id plus generation.
 */
public final class LaneCommands
{
    /** Slow path: the flow's record is initialised, add it to the table. {flowId, options}. */
    public static final int ADD_FLOW = 1;
    /** Slow path: take the flow out of the table; the lane answers FLOW_REMOVED. {flowId}. */
    public static final int REMOVE_FLOW = 2;
    /**
     * App: it wrote bytes into the TX ring and consumed bytes from the RX ring, in one message as TAS's bump
     * (a request answered is one queue write, not two). {flowId, tx bytes, rx bytes, bump flags}; either count
     * may be 0, not both. With {@link #BUMP_TX_REBASED} the TX bytes were written from the flow's home line
     * ({@link FlowRecord#ringHome}): the ring was empty (every committed byte acknowledged), so the lane moves the
     * ring's base first.
     */
    public static final int BUMP = 3;
    /** Slow path: the app shut down output; send FIN after the committed bytes. {flowId}. */
    public static final int TX_FIN = 5;
    /** Slow path: retransmission timeout, go back to SND.UNA. {flowId}. */
    public static final int RETRANSMIT = 6;
    /** Slow path: persist or keepalive timer, send an ACK with SEQ = SND.UNA - 1 and no data. {flowId}. */
    public static final int PROBE = 7;
    /** Slow path: the app closed; data that still arrives goes to the slow path. {flowId}. */
    public static final int APP_CLOSED = 8;
    /** Slow path: send RST with the flow's current sequence numbers. {flowId}. */
    public static final int SEND_RST = 9;
    /** Slow path: transmit this frame as is. {frame bytes}. */
    public static final int SEND_FRAME = 10;
    /** Another lane or the slow path: process this received frame as if it came from the NIC. {frame}. */
    public static final int RECEIVED_FRAME = 11;

    public static final int FLOW_ID_OFFSET = 0;
    public static final int VALUE_OFFSET = 4;
    public static final int LENGTH = 8;

    /** {@link #BUMP}: TX bytes committed are its {@link #VALUE_OFFSET}. */
    public static final int BUMP_RX_OFFSET = 8;
    public static final int BUMP_FLAGS_OFFSET = 12;
    public static final int BUMP_LENGTH = 16;
    /** {@link #BUMP} flag: the TX bytes start at the flow's home line. */
    public static final int BUMP_TX_REBASED = 1;

    /** ADD_FLOW option: send an ACK at once (the active opener's third handshake segment). */
    public static final int ADD_SEND_ACK = 1;

    private LaneCommands()
    {
    }
}
