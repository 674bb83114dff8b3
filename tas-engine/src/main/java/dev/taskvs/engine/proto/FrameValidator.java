package dev.taskvs.engine.proto;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * First look at every received frame: checks lengths, addresses and checksums layer by layer and returns a
 * {@link FrameVerdict}, counting each verdict. It allocates nothing and keeps the offsets it found, so the
 * fast path does not parse the headers twice.
 * <p>
 * Checks, in order: Ethernet length and destination (ours or broadcast); for ARP the fixed IPv4-over-Ethernet
 * fields; for IPv4 version, IHL, total length against the frame (Ethernet padding after total length is
 * allowed), header checksum, destination, fragments, options; for TCP the data offset against the segment,
 * the checksum with the pseudo-header, then the options; for ICMP the checksum.
 * <p>
 * ARP is accepted whatever its target: RFC 826 wants the sender's mapping refreshed when it is already known,
 * even from requests for other hosts, and that decision belongs to the ARP layer.
 * <p>
 * Single-threaded: one validator per receiving thread. Counters are single-writer, updated with release
 * semantics so a stats reader on another thread sees them without locked instructions on the data path.
 */
public final class FrameValidator
{
    private final long localMac;
    private final int localIp;
    private final AtomicCounter[] counters;

    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions tcpOptions = new TcpOptions();

    private int ipOffset;
    private int l4Offset;
    private int l4Length;
    private int payloadOffset;
    private int payloadLength;

    private final boolean checkChecksums;

    /**
     * @param localMac the MAC address frames must be sent to (broadcast is also accepted).
     * @param localIp  the IPv4 address datagrams must be sent to, or {@link Ipv4Address#ANY} for any.
     * @param counters where to allocate one counter per verdict, labelled "rx frames: VERDICT".
     */
    public FrameValidator(final long localMac, final int localIp, final CountersManager counters)
    {
        this(localMac, localIp, counters, true);
    }

    /**
     * @param localMac       the MAC address frames must be sent to (broadcast is also accepted).
     * @param localIp        the IPv4 address datagrams must be sent to, or {@link Ipv4Address#ANY} for any.
     * @param counters       where to allocate one counter per verdict, labelled "rx frames: VERDICT".
     * @param checkChecksums false on a wire that cannot corrupt frames ({@code PacketIo.checksumOffload()}).
     */
    public FrameValidator(
        final long localMac, final int localIp, final CountersManager counters, final boolean checkChecksums)
    {
        this.checkChecksums = checkChecksums;
        this.localMac = localMac;
        this.localIp = localIp;
        this.counters = new AtomicCounter[FrameVerdict.count()];
        for (int i = 0; i < this.counters.length; i++)
        {
            this.counters[i] = counters.newCounter("rx frames: " + FrameVerdict.get(i).name());
        }
    }

    /**
     * Classify one frame and count the verdict.
     *
     * @param buffer holding the frame.
     * @param offset of the first byte of the Ethernet header.
     * @param length of the frame without FCS.
     * @return the verdict; when accepted, the accessors describe where the headers and payload are.
     */
    public FrameVerdict classify(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final FrameVerdict verdict = check(buffer, offset, length);
        counters[verdict.ordinal()].incrementRelease();
        return verdict;
    }

    private FrameVerdict check(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        ipOffset = 0;
        l4Offset = 0;
        l4Length = 0;
        payloadOffset = 0;
        payloadLength = 0;
        tcpOptions.reset();

        if (length < EthernetFrame.HEADER_LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }
        ethernet.wrap(buffer, offset);
        final long destination = ethernet.destination();
        if (destination != localMac && destination != MacAddress.BROADCAST)
        {
            return FrameVerdict.NOT_FOR_US;
        }

        final int etherType = ethernet.etherType();
        if (etherType == EthernetFrame.ETHER_TYPE_IPV4)
        {
            return checkIpv4(buffer, offset + EthernetFrame.HEADER_LENGTH, length - EthernetFrame.HEADER_LENGTH);
        }
        if (etherType == EthernetFrame.ETHER_TYPE_ARP)
        {
            return checkArp(buffer, offset + EthernetFrame.HEADER_LENGTH, length - EthernetFrame.HEADER_LENGTH);
        }
        return FrameVerdict.UNSUPPORTED_ETHER_TYPE;
    }

    private FrameVerdict checkArp(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < ArpPacket.LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }
        arp.wrap(buffer, offset);
        if (!arp.isIpv4OverEthernet())
        {
            return FrameVerdict.BAD_ARP;
        }
        l4Offset = offset;
        l4Length = ArpPacket.LENGTH;
        return FrameVerdict.ARP;
    }

    private FrameVerdict checkIpv4(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < Ipv4Header.MIN_HEADER_LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }
        ip.wrap(buffer, offset);
        final int headerLength = ip.headerLength();
        if (ip.version() != Ipv4Header.VERSION || headerLength < Ipv4Header.MIN_HEADER_LENGTH)
        {
            return FrameVerdict.BAD_IP_HEADER;
        }
        if (headerLength > length)
        {
            return FrameVerdict.TRUNCATED;
        }
        final int totalLength = ip.totalLength();
        if (totalLength < headerLength)
        {
            return FrameVerdict.BAD_IP_HEADER;
        }
        // Frames below 60 bytes arrive padded, so only a frame shorter than total length is wrong.
        if (totalLength > length)
        {
            return FrameVerdict.TRUNCATED;
        }
        if (checkChecksums && !ip.isChecksumValid())
        {
            return FrameVerdict.BAD_IP_CHECKSUM;
        }
        if (localIp != Ipv4Address.ANY && ip.destination() != localIp)
        {
            return FrameVerdict.NOT_FOR_US;
        }
        if (ip.isFragment())
        {
            return FrameVerdict.IP_FRAGMENT;
        }
        if (ip.hasOptions())
        {
            return FrameVerdict.IP_OPTIONS;
        }

        ipOffset = offset;
        l4Offset = offset + headerLength;
        l4Length = totalLength - headerLength;
        switch (ip.protocol())
        {
            case Ipv4Header.PROTOCOL_TCP:
                return checkTcp(buffer);
            case Ipv4Header.PROTOCOL_ICMP:
                return checkIcmp(buffer);
            default:
                return FrameVerdict.UNSUPPORTED_PROTOCOL;
        }
    }

    private FrameVerdict checkTcp(final MutableDirectBuffer buffer)
    {
        if (l4Length < TcpHeader.MIN_HEADER_LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }
        tcp.wrap(buffer, l4Offset);
        final int headerLength = tcp.headerLength();
        if (headerLength < TcpHeader.MIN_HEADER_LENGTH || headerLength > l4Length)
        {
            return FrameVerdict.BAD_TCP_HEADER;
        }
        if (checkChecksums && !tcp.isChecksumValid(ip.pseudoHeaderSum(), l4Length))
        {
            return FrameVerdict.BAD_TCP_CHECKSUM;
        }
        if (tcpOptions.parse(buffer, tcp.optionsOffset(), headerLength - TcpHeader.MIN_HEADER_LENGTH) !=
            TcpOptions.PARSE_OK)
        {
            return FrameVerdict.BAD_TCP_OPTIONS;
        }
        payloadOffset = l4Offset + headerLength;
        payloadLength = l4Length - headerLength;
        return FrameVerdict.TCP;
    }

    private FrameVerdict checkIcmp(final MutableDirectBuffer buffer)
    {
        if (l4Length < IcmpEcho.HEADER_LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }
        if (!InternetChecksum.isValid(buffer, l4Offset, l4Length, 0))
        {
            return FrameVerdict.BAD_ICMP_CHECKSUM;
        }
        payloadOffset = l4Offset + IcmpEcho.HEADER_LENGTH;
        payloadLength = l4Length - IcmpEcho.HEADER_LENGTH;
        return FrameVerdict.ICMP;
    }

    /** @return offset of the IPv4 header of the last accepted IPv4 frame. */
    public int ipOffset()
    {
        return ipOffset;
    }

    /** @return offset of the TCP, ICMP or ARP header of the last accepted frame. */
    public int l4Offset()
    {
        return l4Offset;
    }

    /** @return bytes of TCP or ICMP header plus data (from the IPv4 total length), or the ARP length. */
    public int l4Length()
    {
        return l4Length;
    }

    /** @return offset of the TCP payload or the ICMP data of the last accepted frame. */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /** @return bytes of TCP payload or ICMP data of the last accepted frame. */
    public int payloadLength()
    {
        return payloadLength;
    }

    /** @return the TCP options parsed from the last TCP frame; reused by the next call. */
    public TcpOptions tcpOptions()
    {
        return tcpOptions;
    }

    /**
     * @param verdict whose counter to return.
     * @return the counter of frames given that verdict.
     */
    public AtomicCounter counter(final FrameVerdict verdict)
    {
        return counters[verdict.ordinal()];
    }
}
