package dev.taskvs.engine.proto;

import org.agrona.MutableDirectBuffer;

/**
 * Builds well-formed frames for tests with the production flyweights, so tests can then break one field.
 */
public final class TestFrames
{
    public static final long MAC_A = 0x02_00_00_00_00_0AL;
    public static final long MAC_B = 0x02_00_00_00_00_0BL;
    public static final int IP_A = Ipv4Address.parse("10.211.9.1");
    public static final int IP_B = Ipv4Address.parse("10.211.9.2");

    private TestFrames()
    {
    }

    /**
     * Write Ethernet, IPv4 and TCP headers with timestamps and payload {@code payloadLength} bytes of a
     * counting pattern, with both checksums correct.
     *
     * @return the frame length.
     */
    public static int tcpFrame(
        final MutableDirectBuffer buffer,
        final int offset,
        final int flags,
        final int sequence,
        final int payloadLength)
    {
        final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
        final int tcpOffset = ipOffset + Ipv4Header.MIN_HEADER_LENGTH;
        new EthernetFrame().wrap(buffer, offset).destination(MAC_B).source(MAC_A)
            .etherType(EthernetFrame.ETHER_TYPE_IPV4);
        final int optionsLength = TcpOptions.write(
            buffer, tcpOffset + TcpHeader.OPTIONS_OFFSET, TcpOptions.TIMESTAMPS, 0, 0, 1000, 2000);
        final int tcpHeaderLength = TcpHeader.MIN_HEADER_LENGTH + optionsLength;
        final int payloadOffset = tcpOffset + tcpHeaderLength;
        for (int i = 0; i < payloadLength; i++)
        {
            buffer.putByte(payloadOffset + i, (byte)(sequence + i));
        }
        final int segmentLength = tcpHeaderLength + payloadLength;
        final Ipv4Header ip = new Ipv4Header().wrap(buffer, ipOffset)
            .versionAndHeaderLength(Ipv4Header.MIN_HEADER_LENGTH)
            .tos(0)
            .totalLength(Ipv4Header.MIN_HEADER_LENGTH + segmentLength)
            .identification(0)
            .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
            .ttl(64)
            .protocol(Ipv4Header.PROTOCOL_TCP)
            .source(IP_A)
            .destination(IP_B)
            .updateChecksum();
        new TcpHeader().wrap(buffer, tcpOffset)
            .sourcePort(40000)
            .destinationPort(7000)
            .sequence(sequence)
            .acknowledgment(0)
            .headerLength(tcpHeaderLength)
            .flags(flags)
            .window(65535)
            .urgentPointer(0)
            .updateChecksum(ip.pseudoHeaderSum(), segmentLength);
        return EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + segmentLength;
    }

    /**
     * Write an ARP request from A asking for B's address.
     *
     * @return the frame length, padded to the Ethernet minimum.
     */
    public static int arpRequest(final MutableDirectBuffer buffer, final int offset)
    {
        new EthernetFrame().wrap(buffer, offset).destination(MacAddress.BROADCAST).source(MAC_A)
            .etherType(EthernetFrame.ETHER_TYPE_ARP);
        new ArpPacket().wrap(buffer, offset + EthernetFrame.HEADER_LENGTH)
            .ipv4OverEthernet()
            .operation(ArpPacket.OPERATION_REQUEST)
            .senderHardware(MAC_A)
            .senderProtocol(IP_A)
            .targetHardware(MacAddress.ZERO)
            .targetProtocol(IP_B);
        buffer.setMemory(offset + EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH, 18, (byte)0);
        return EthernetFrame.MIN_FRAME_LENGTH;
    }

    /**
     * Write an ICMP echo request from A to B with {@code dataLength} bytes of data.
     *
     * @return the frame length.
     */
    public static int icmpEchoRequest(final MutableDirectBuffer buffer, final int offset, final int dataLength)
    {
        final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
        final int icmpOffset = ipOffset + Ipv4Header.MIN_HEADER_LENGTH;
        new EthernetFrame().wrap(buffer, offset).destination(MAC_B).source(MAC_A)
            .etherType(EthernetFrame.ETHER_TYPE_IPV4);
        for (int i = 0; i < dataLength; i++)
        {
            buffer.putByte(icmpOffset + IcmpEcho.DATA_OFFSET + i, (byte)i);
        }
        new IcmpEcho().wrap(buffer, icmpOffset).type(IcmpEcho.TYPE_ECHO_REQUEST).code(0).identifier(0x1234)
            .sequence(1).updateChecksum(IcmpEcho.HEADER_LENGTH + dataLength);
        new Ipv4Header().wrap(buffer, ipOffset)
            .versionAndHeaderLength(Ipv4Header.MIN_HEADER_LENGTH)
            .tos(0)
            .totalLength(Ipv4Header.MIN_HEADER_LENGTH + IcmpEcho.HEADER_LENGTH + dataLength)
            .identification(1)
            .flagsAndFragmentOffset(0)
            .ttl(64)
            .protocol(Ipv4Header.PROTOCOL_ICMP)
            .source(IP_A)
            .destination(IP_B)
            .updateChecksum();
        return EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + IcmpEcho.HEADER_LENGTH + dataLength;
    }
}
