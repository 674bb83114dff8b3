package dev.taskvs.engine.slowpath;

/**
 * Messages into the slow path's inbox (an Agrona many-to-one ring written by lanes and app contexts).
 * Fields are native-order values at the offsets given; the message type is the ring's type id.
 */
public final class SlowPathMessages
{
    /** Lane: a frame the fast path does not handle (SYN, unknown flow, ARP, ICMP, ...). {lane, frame}. */
    public static final int FRAME = 1;
    /** Lane: the peer's FIN arrived in order. {flowId}. */
    public static final int FIN_RECEIVED = 2;
    /** Lane: our FIN was acknowledged. {flowId}. */
    public static final int FIN_ACKED = 3;
    /** Lane: an acceptable RST arrived (RFC 5961 section 3.2: sequence equal to RCV.NXT). {flowId}. */
    public static final int RST_RECEIVED = 4;
    /** Lane: the flow is out of its table, its id and buffers may be reused. {flowId}. */
    public static final int FLOW_REMOVED = 5;
    /** App: listen on a port. {context, port, backlog}. */
    public static final int LISTEN = 6;
    /** App: open a connection. {context, remoteIp, remotePort, token(long at 16)}. */
    public static final int CONNECT = 7;
    /** App: shut down output. {flowId}. */
    public static final int SHUTDOWN = 8;
    /** App: close; unread data turns it into an abort. {flowId, unreadBytes}. */
    public static final int CLOSE = 9;
    /** App: abort with RST. {flowId}. */
    public static final int ABORT = 10;
    /** App: stop listening on a port. {context, port}. */
    public static final int UNLISTEN = 11;
    /** App: set the connection's keepalive. {flowId, idleMs (0 = off), intervalMs, probes}. */
    public static final int KEEPALIVE = 12;

    public static final int FRAME_LANE_OFFSET = 0;
    public static final int FRAME_DATA_OFFSET = 8;

    public static final int FLOW_ID_OFFSET = 0;
    public static final int VALUE_OFFSET = 4;
    public static final int LENGTH = 8;

    public static final int CONTEXT_OFFSET = 0;
    public static final int PORT_OFFSET = 4;
    public static final int BACKLOG_OFFSET = 8;
    public static final int LISTEN_LENGTH = 12;

    public static final int CONNECT_IP_OFFSET = 4;
    public static final int CONNECT_PORT_OFFSET = 8;
    public static final int CONNECT_TOKEN_OFFSET = 16;
    public static final int CONNECT_LENGTH = 24;

    public static final int KEEPALIVE_IDLE_OFFSET = 4;
    public static final int KEEPALIVE_INTERVAL_OFFSET = 8;
    public static final int KEEPALIVE_PROBES_OFFSET = 12;
    public static final int KEEPALIVE_LENGTH = 16;

    private SlowPathMessages()
    {
    }
}
