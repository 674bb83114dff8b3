package dev.taskvs.engine.proto;

/**
 * What {@link FrameValidator} decided about a received frame: one of the three kinds the engine handles, or
 * the reason it is dropped. Each verdict has its own counter.
 */
public enum FrameVerdict
{
    /** An IPv4 TCP segment for us, checksums verified and options well formed. */
    TCP(true),
    /** An ICMP message for us with a correct checksum (echo handling decides on the type). */
    ICMP(true),
    /** An ARP packet for IPv4 over Ethernet; the ARP layer decides what to learn or answer. */
    ARP(true),
    /** Shorter than its headers, or shorter than the IPv4 total length says. */
    TRUNCATED(false),
    /** Addressed to another MAC (unicast or a multicast group) or to another IPv4 address. */
    NOT_FOR_US(false),
    /** Neither IPv4 nor ARP: IPv6, VLAN-tagged, LLDP, ... */
    UNSUPPORTED_ETHER_TYPE(false),
    /** IPv4 version not 4, IHL below 5, or total length below the header length. */
    BAD_IP_HEADER(false),
    BAD_IP_CHECKSUM(false),
    /** IPv4 header with options: the engine neither sends nor processes them. */
    IP_OPTIONS(false),
    /** A fragment: the engine does not reassemble (it never sends more than the MTU either). */
    IP_FRAGMENT(false),
    /** An IPv4 protocol other than TCP and ICMP. */
    UNSUPPORTED_PROTOCOL(false),
    /** TCP data offset below 5 words or beyond the segment. */
    BAD_TCP_HEADER(false),
    /** A TCP option whose length is zero, one, runs past the header, or does not fit its kind. */
    BAD_TCP_OPTIONS(false),
    BAD_TCP_CHECKSUM(false),
    BAD_ICMP_CHECKSUM(false),
    /** ARP for some other hardware or protocol type. */
    BAD_ARP(false);

    private static final FrameVerdict[] VALUES = values();

    private final boolean accepted;

    FrameVerdict(final boolean accepted)
    {
        this.accepted = accepted;
    }

    /** @return true when the frame is to be processed, false when it is to be dropped. */
    public boolean isAccepted()
    {
        return accepted;
    }

    /**
     * Lookup by ordinal without the copy {@code values()} makes.
     *
     * @param ordinal of the verdict.
     * @return the verdict.
     */
    public static FrameVerdict get(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** @return the number of verdicts. */
    public static int count()
    {
        return VALUES.length;
    }
}
