package dev.taskvs.engine.app;

/**
 * Events into an application context's queue (an Agrona many-to-one ring written by the lanes and the slow
 * path). For one connection they arrive in order: ACCEPTED or CONNECTED first, CLOSED or RESET last. The flow
 * field is a {@code FlowRecord.handle}: flow id plus generation.
 */
public final class AppEvents
{
    /** A passive open completed. {flowId, remoteIp, remotePort, localPort}. */
    public static final int ACCEPTED = 1;
    /** An active open completed. {flowId, remoteIp, remotePort, localPort, token(long at 16)}. */
    public static final int CONNECTED = 2;
    /** An active open failed. {reason, 0, 0, 0, token(long at 16)}. */
    public static final int CONNECT_FAILED = 3;
    /** Bytes arrived and/or TX space was freed. {flowId, rxBytes, txFreed, flags}. */
    public static final int DATA = 4;
    /** Both directions are closed; the connection is done. {flowId}. */
    public static final int CLOSED = 5;
    /** The connection was reset. {flowId, reason}. */
    public static final int RESET = 6;

    public static final int FLOW_ID_OFFSET = 0;
    public static final int REMOTE_IP_OFFSET = 4;
    public static final int REMOTE_PORT_OFFSET = 8;
    public static final int LOCAL_PORT_OFFSET = 12;
    public static final int TOKEN_OFFSET = 16;
    public static final int OPEN_LENGTH = 24;

    public static final int RX_BYTES_OFFSET = 4;
    public static final int TX_FREED_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int DATA_LENGTH = 16;

    public static final int REASON_OFFSET = 4;
    public static final int CLOSE_LENGTH = 8;

    /** DATA flag: the peer sent FIN, no more bytes will arrive. */
    public static final int FLAG_READ_CLOSED = 1;
    /** DATA flag: the RX ring was empty and these bytes start at the flow's home line (the lane moved the base). */
    public static final int FLAG_RX_REBASED = 2;

    /** Reset and failure reasons. */
    public static final int REASON_PEER_RESET = 1;
    public static final int REASON_TIMEOUT = 2;
    public static final int REASON_ABORTED = 3;
    public static final int REASON_UNREACHABLE = 4;
    public static final int REASON_REFUSED = 5;
    public static final int REASON_NO_RESOURCES = 6;
    /** Keepalive probes went unanswered (RFC 1122 section 4.2.3.6): the peer is gone. */
    public static final int REASON_KEEPALIVE = 7;

    private AppEvents()
    {
    }

    /**
     * @param reason one of the REASON constants.
     * @return a short name for logs.
     */
    public static String reasonName(final int reason)
    {
        switch (reason)
        {
            case REASON_PEER_RESET: return "peer reset";
            case REASON_TIMEOUT: return "retransmission limit";
            case REASON_ABORTED: return "aborted";
            case REASON_UNREACHABLE: return "unreachable";
            case REASON_REFUSED: return "refused";
            case REASON_NO_RESOURCES: return "no resources";
            case REASON_KEEPALIVE: return "keepalive timeout";
            default: return "reason " + reason;
        }
    }
}
