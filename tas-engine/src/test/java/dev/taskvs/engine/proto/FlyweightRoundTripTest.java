package dev.taskvs.engine.proto;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlyweightRoundTripTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));

    @Test
    void shouldRoundTripEthernetFieldsInNetworkOrder()
    {
        final EthernetFrame frame = new EthernetFrame().wrap(buffer, 3)
            .destination(0x0011_2233_4455L).source(0xAABB_CCDD_EEFFL).etherType(EthernetFrame.ETHER_TYPE_ARP);
        assertEquals(0x0011_2233_4455L, frame.destination());
        assertEquals(0xAABB_CCDD_EEFFL, frame.source());
        assertEquals(EthernetFrame.ETHER_TYPE_ARP, frame.etherType());
        assertEquals(0x00, buffer.getByte(3) & 0xFF);
        assertEquals(0x55, buffer.getByte(8) & 0xFF);
        assertEquals(0xAA, buffer.getByte(9) & 0xFF);
        assertEquals(0x08, buffer.getByte(15) & 0xFF);
        assertEquals(0x06, buffer.getByte(16) & 0xFF);
        assertEquals(17, frame.payloadOffset());
    }

    @Test
    void shouldParseAndFormatMacAndIpv4Addresses()
    {
        assertEquals(0x0211_2233_44FFL, MacAddress.parse("02:11:22:33:44:ff"));
        assertEquals("02:11:22:33:44:ff", MacAddress.toString(0x0211_2233_44FFL));
        assertTrue(MacAddress.isGroup(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(0x0100_5E00_0001L));
        assertFalse(MacAddress.isGroup(0x0200_0000_0001L));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:11:22:33:44"));
        assertEquals(0x0AD3_0002, Ipv4Address.parse("10.211.0.2"));
        assertEquals("10.211.0.2", Ipv4Address.toString(0x0AD3_0002));
        assertEquals("255.255.255.255", Ipv4Address.toString(-1));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("10.211.0.256"));
    }

    @Test
    void shouldRoundTripArpFields()
    {
        final ArpPacket arp = new ArpPacket().wrap(buffer, 14).ipv4OverEthernet()
            .operation(ArpPacket.OPERATION_REPLY)
            .senderHardware(TestFrames.MAC_A).senderProtocol(TestFrames.IP_A)
            .targetHardware(TestFrames.MAC_B).targetProtocol(TestFrames.IP_B);
        assertTrue(arp.isIpv4OverEthernet());
        assertEquals(ArpPacket.OPERATION_REPLY, arp.operation());
        assertEquals(TestFrames.MAC_A, arp.senderHardware());
        assertEquals(TestFrames.IP_A, arp.senderProtocol());
        assertEquals(TestFrames.MAC_B, arp.targetHardware());
        assertEquals(TestFrames.IP_B, arp.targetProtocol());
        buffer.putByte(14 + ArpPacket.HARDWARE_LENGTH_OFFSET, (byte)8);
        assertFalse(arp.isIpv4OverEthernet());
    }

    @Test
    void shouldRoundTripIpv4FieldsAndChecksum()
    {
        final Ipv4Header ip = new Ipv4Header().wrap(buffer, 14)
            .versionAndHeaderLength(20).tos(0xB8).ecn(Ipv4Header.ECN_CE).totalLength(1500).identification(0xBEEF)
            .flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT).ttl(64).protocol(Ipv4Header.PROTOCOL_TCP)
            .source(TestFrames.IP_A).destination(TestFrames.IP_B).updateChecksum();
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLength());
        assertEquals(0xBB, ip.tos());
        assertEquals(Ipv4Header.ECN_CE, ip.ecn());
        assertEquals(1500, ip.totalLength());
        assertEquals(1480, ip.payloadLength());
        assertEquals(0xBEEF, ip.identification());
        assertFalse(ip.isFragment());
        assertFalse(ip.hasOptions());
        assertEquals(64, ip.ttl());
        assertEquals(TestFrames.IP_A, ip.source());
        assertEquals(TestFrames.IP_B, ip.destination());
        assertTrue(ip.isChecksumValid());

        ip.flagsAndFragmentOffset(Ipv4Header.FLAG_MORE_FRAGMENTS);
        assertTrue(ip.isFragment());
        ip.flagsAndFragmentOffset(185);
        assertTrue(ip.isFragment());
        assertFalse(ip.isChecksumValid());

        // Decrementing TTL the way a router does, with RFC 1624's incremental update, keeps the header valid.
        ip.flagsAndFragmentOffset(0).updateChecksum();
        final int oldWord = buffer.getShort(14 + Ipv4Header.TTL_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        ip.ttl(63);
        final int newWord = buffer.getShort(14 + Ipv4Header.TTL_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        ip.checksum(InternetChecksum.update16(ip.checksum(), oldWord, newWord));
        assertTrue(ip.isChecksumValid());
    }

    @Test
    void shouldRoundTripIcmpEcho()
    {
        final int length = TestFrames.icmpEchoRequest(buffer, 0, 56);
        final IcmpEcho icmp = new IcmpEcho().wrap(buffer, 34);
        assertEquals(98, length);
        assertEquals(IcmpEcho.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertTrue(icmp.isChecksumValid(64));
        icmp.type(IcmpEcho.TYPE_ECHO_REPLY).updateChecksum(64);
        assertTrue(icmp.isChecksumValid(64));
        assertEquals(IcmpEcho.TYPE_ECHO_REPLY, icmp.type());
    }

    @Test
    void shouldRoundTripAllTcpHeaderFields()
    {
        final TcpHeader tcp = new TcpHeader().wrap(buffer, 34)
            .sourcePort(65535).destinationPort(1).sequence(0xFFFF_FFF0).acknowledgment(0x8000_0000)
            .headerLength(32).flags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK | TcpHeader.FLAG_ECE | TcpHeader.FLAG_CWR)
            .window(0xFFFF).checksum(0xABCD).urgentPointer(7);
        assertEquals(65535, tcp.sourcePort());
        assertEquals(1, tcp.destinationPort());
        assertEquals(0xFFFF_FFF0, tcp.sequence());
        assertEquals(0x8000_0000, tcp.acknowledgment());
        assertEquals(32, tcp.headerLength());
        assertEquals(12, tcp.optionsLength());
        assertEquals(34 + 32, tcp.payloadOffset());
        assertTrue(tcp.hasFlags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertFalse(tcp.hasFlags(TcpHeader.FLAG_FIN));
        assertEquals(0xD2, tcp.flags());
        assertEquals(0xFFFF, tcp.window());
        assertEquals(0xABCD, tcp.checksum());
        assertEquals(7, tcp.urgentPointer());
        assertEquals(0x80, buffer.getByte(34 + TcpHeader.DATA_OFFSET_OFFSET) & 0xFF);
    }
}
