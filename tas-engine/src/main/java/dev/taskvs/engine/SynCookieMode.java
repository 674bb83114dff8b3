package dev.taskvs.engine;

/** When a listener answers SYNs with SYN cookies (RFC 4987), as Linux's {@code net.ipv4.tcp_syncookies} 0, 1, 2. */
public enum SynCookieMode
{
    /** Never: SYNs past the backlog are dropped, and the peer's retransmissions try again. */
    OFF,
    /** Only for SYNs that find the listener's backlog of half-open connections full. The default. */
    ON_OVERFLOW,
    /** For every SYN: no half-open state at all (tests use it to run every connection through a cookie). */
    ALWAYS
}
