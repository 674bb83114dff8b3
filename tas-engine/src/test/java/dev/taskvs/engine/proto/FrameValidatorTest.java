package dev.taskvs.engine.proto;

import dev.taskvs.engine.stats.EngineCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameValidatorTest
{
    private static final int IP = EthernetFrame.HEADER_LENGTH;
    private static final int TCP = IP + Ipv4Header.MIN_HEADER_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameValidator validator =
        new FrameValidator(TestFrames.MAC_B, TestFrames.IP_B, EngineCounters.newManager(64));
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();

    private FrameVerdict classify(final int length)
    {
        return validator.classify(buffer, 0, length);
    }

    /** Refresh the TCP checksum after a test changed the segment, so only the intended defect remains. */
    private void fixTcpChecksum()
    {
        ip.wrap(buffer, IP);
        tcp.wrap(buffer, TCP).updateChecksum(ip.pseudoHeaderSum(), ip.payloadLength());
    }

    @Test
    void shouldAcceptAWellFormedTcpSegmentAndDescribeIt()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH, 1000, 100);
        assertEquals(FrameVerdict.TCP, classify(length));
        assertEquals(IP, validator.ipOffset());
        assertEquals(TCP, validator.l4Offset());
        assertEquals(32 + 100, validator.l4Length());
        assertEquals(TCP + 32, validator.payloadOffset());
        assertEquals(100, validator.payloadLength());
        assertTrue(validator.tcpOptions().has(TcpOptions.TIMESTAMPS));
        assertEquals(1000, validator.tcpOptions().tsVal());
        assertEquals(1, validator.counter(FrameVerdict.TCP).get());
    }

    @Test
    void shouldAcceptEthernetPaddingAfterTheIpTotalLength()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 0);
        buffer.setMemory(length, 6, (byte)0x55);
        assertEquals(FrameVerdict.TCP, classify(length + 6));
        assertEquals(0, validator.payloadLength());
    }

    @Test
    void shouldAcceptArpRequestsAndIcmp()
    {
        assertEquals(FrameVerdict.ARP, classify(TestFrames.arpRequest(buffer, 0)));
        assertEquals(FrameVerdict.ICMP, classify(TestFrames.icmpEchoRequest(buffer, 0, 56)));
        assertEquals(56, validator.payloadLength());
    }

    @Test
    void shouldClassifyTruncatedFramesAtEveryLayer()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 100);
        assertEquals(FrameVerdict.TRUNCATED, classify(0));
        assertEquals(FrameVerdict.TRUNCATED, classify(13));
        assertEquals(FrameVerdict.TRUNCATED, classify(IP + 19));
        assertEquals(FrameVerdict.TRUNCATED, classify(length - 1));
        assertEquals(FrameVerdict.TRUNCATED, classify(TestFrames.arpRequest(buffer, 0) - 20));
        assertEquals(5, validator.counter(FrameVerdict.TRUNCATED).get());
    }

    @Test
    void shouldClassifyATcpSegmentShorterThanItsFixedHeaderAsTruncated()
    {
        TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 0);
        ip.wrap(buffer, IP).totalLength(20 + 12).updateChecksum();
        assertEquals(FrameVerdict.TRUNCATED, classify(IP + 32));
    }

    @Test
    void shouldClassifyABadIpChecksum()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        buffer.putByte(IP + Ipv4Header.TTL_OFFSET, (byte)1);
        assertEquals(FrameVerdict.BAD_IP_CHECKSUM, classify(length));
    }

    @Test
    void shouldClassifyABadTcpChecksumIncludingOneInThePayload()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        buffer.putByte(length - 1, (byte)(buffer.getByte(length - 1) ^ 0x40));
        assertEquals(FrameVerdict.BAD_TCP_CHECKSUM, classify(length));
    }

    @Test
    void shouldLeaveChecksumsUncheckedOnAWireThatCannotCorruptFrames()
    {
        final FrameValidator memoryWire =
            new FrameValidator(TestFrames.MAC_B, TestFrames.IP_B, EngineCounters.newManager(64), false);
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        buffer.putShort(IP + 10, (short)0); // IPv4 header checksum left out
        tcp.wrap(buffer, IP + Ipv4Header.MIN_HEADER_LENGTH).checksum(0);
        assertEquals(FrameVerdict.TCP, memoryWire.classify(buffer, 0, length));
        assertEquals(FrameVerdict.BAD_IP_CHECKSUM, classify(length), "a NIC's frames are still checked");
    }

    @Test
    void shouldClassifyAPseudoHeaderMismatchAsBadTcpChecksum()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        // Same destination, different source: the IP header is fixed up, the TCP checksum is now wrong.
        ip.wrap(buffer, IP).source(TestFrames.IP_A + 1).updateChecksum();
        assertEquals(FrameVerdict.BAD_TCP_CHECKSUM, classify(length));
    }

    @Test
    void shouldClassifyBogusTcpDataOffsets()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 0);
        tcp.wrap(buffer, TCP).headerLength(16);
        fixTcpChecksum();
        assertEquals(FrameVerdict.BAD_TCP_HEADER, classify(length));

        tcp.headerLength(60);
        fixTcpChecksum();
        assertEquals(FrameVerdict.BAD_TCP_HEADER, classify(length));
    }

    @Test
    void shouldClassifyTcpOptionsRunningPastTheHeader()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 20);
        // The timestamps option starts at byte 2 of the 12 option bytes; claim 12 bytes for it instead of 10.
        buffer.putByte(TCP + TcpHeader.OPTIONS_OFFSET + 3, (byte)12);
        fixTcpChecksum();
        assertEquals(FrameVerdict.BAD_TCP_OPTIONS, classify(length));
    }

    @Test
    void shouldClassifyAZeroLengthTcpOption()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 20);
        buffer.putByte(TCP + TcpHeader.OPTIONS_OFFSET + 2, (byte)77);
        buffer.putByte(TCP + TcpHeader.OPTIONS_OFFSET + 3, (byte)0);
        fixTcpChecksum();
        assertEquals(FrameVerdict.BAD_TCP_OPTIONS, classify(length));
    }

    @Test
    void shouldClassifyFragmentsAndOptions()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        ip.wrap(buffer, IP).flagsAndFragmentOffset(Ipv4Header.FLAG_MORE_FRAGMENTS).updateChecksum();
        assertEquals(FrameVerdict.IP_FRAGMENT, classify(length));
        ip.flagsAndFragmentOffset(100).updateChecksum();
        assertEquals(FrameVerdict.IP_FRAGMENT, classify(length));

        // IHL 6 with a NOP-padded option word: the header is valid but carries options.
        ip.flagsAndFragmentOffset(0).versionAndHeaderLength(24).updateChecksum();
        assertEquals(FrameVerdict.IP_OPTIONS, classify(length));
    }

    @Test
    void shouldClassifyBadIpHeaders()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        ip.wrap(buffer, IP).versionAndHeaderLength(16).updateChecksum();
        assertEquals(FrameVerdict.BAD_IP_HEADER, classify(length));
        ip.versionAndHeaderLength(20).totalLength(19).updateChecksum();
        assertEquals(FrameVerdict.BAD_IP_HEADER, classify(length));
        buffer.putByte(IP, (byte)0x65);
        assertEquals(FrameVerdict.BAD_IP_HEADER, classify(length));
    }

    @Test
    void shouldClassifyFramesForOthers()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        new EthernetFrame().wrap(buffer, 0).destination(0x0200_0000_0099L);
        assertEquals(FrameVerdict.NOT_FOR_US, classify(length));
        new EthernetFrame().wrap(buffer, 0).destination(0x3333_0000_0001L);
        assertEquals(FrameVerdict.NOT_FOR_US, classify(length));
        new EthernetFrame().wrap(buffer, 0).destination(TestFrames.MAC_B);
        ip.wrap(buffer, IP).destination(TestFrames.IP_A).updateChecksum();
        assertEquals(FrameVerdict.NOT_FOR_US, classify(length));
    }

    @Test
    void shouldClassifyOtherEtherTypesAndProtocols()
    {
        final int length = TestFrames.tcpFrame(buffer, 0, TcpHeader.FLAG_ACK, 1, 10);
        ip.wrap(buffer, IP).protocol(Ipv4Header.PROTOCOL_UDP).updateChecksum();
        assertEquals(FrameVerdict.UNSUPPORTED_PROTOCOL, classify(length));
        new EthernetFrame().wrap(buffer, 0).etherType(EthernetFrame.ETHER_TYPE_IPV6);
        assertEquals(FrameVerdict.UNSUPPORTED_ETHER_TYPE, classify(length));
    }

    @Test
    void shouldClassifyBadIcmpChecksumsAndNonEthernetArp()
    {
        final int length = TestFrames.icmpEchoRequest(buffer, 0, 8);
        buffer.putByte(length - 1, (byte)0x7F);
        assertEquals(FrameVerdict.BAD_ICMP_CHECKSUM, classify(length));

        final int arpLength = TestFrames.arpRequest(buffer, 0);
        new ArpPacket().wrap(buffer, IP).operation(ArpPacket.OPERATION_REQUEST);
        buffer.putShort(IP + ArpPacket.HARDWARE_TYPE_OFFSET, (short)6, java.nio.ByteOrder.BIG_ENDIAN);
        assertEquals(FrameVerdict.BAD_ARP, classify(arpLength));
    }

    @Test
    void shouldNeverThrowOnRandomGarbage()
    {
        final java.util.Random random = new java.util.Random(3);
        final byte[] junk = new byte[1514];
        for (int i = 0; i < 20_000; i++)
        {
            random.nextBytes(junk);
            buffer.putBytes(0, junk);
            // Make most frames reach the deeper layers: our MAC, IPv4, version 4 / IHL 5, mostly sane length.
            TestFrames.tcpFrame(buffer, 0, random.nextInt(256), random.nextInt(), 0);
            buffer.putBytes(TCP + random.nextInt(40), junk, 0, 1 + random.nextInt(60));
            classify(random.nextInt(1515));
        }
        long total = 0;
        for (final FrameVerdict verdict : FrameVerdict.values())
        {
            total += validator.counter(verdict).get();
        }
        assertEquals(20_000, total);
    }
}
