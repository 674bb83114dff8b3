package dev.taskvs.engine.slowpath;

/** Connection states (RFC 9293 section 3.3.2), plus ARP_PENDING before an active open's SYN can leave. */
public enum TcpState
{
    ARP_PENDING,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSING,
    TIME_WAIT,
    CLOSE_WAIT,
    LAST_ACK,
    CLOSED;

    /** @return true in the states where the flow is registered with a lane and may carry data. */
    public boolean isSynchronized()
    {
        return ordinal() >= ESTABLISHED.ordinal() && this != CLOSED;
    }
}
