package dev.taskvs.engine.proto;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternetChecksumTest
{
    private static UnsafeBuffer hex(final String hex)
    {
        final String clean = hex.replace(" ", "");
        final byte[] bytes = new byte[clean.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }
        return new UnsafeBuffer(bytes);
    }

    /** Straightforward 16-bit-word reference implementation to compare the 32-bit-word loop against. */
    private static int referenceChecksum(final byte[] data, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int hi = data[offset + i] & 0xFF;
            final int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    @Test
    void shouldSumTheRfc1071Example()
    {
        // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum (folded) to ddf2.
        final UnsafeBuffer buffer = hex("0001f203f4f5f6f7");
        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.sum(buffer, 0, 8, 0)));
        assertEquals(0x220D, InternetChecksum.checksum(buffer, 0, 8));
    }

    @Test
    void shouldComputeAKnownIpv4HeaderChecksum()
    {
        // A widely quoted IPv4 header (192.168.0.1 -> 192.168.0.199, UDP) whose checksum is b861.
        final UnsafeBuffer buffer = hex("45000073000040004011 0000 c0a80001c0a800c7");
        assertEquals(0xB861, InternetChecksum.checksum(buffer, 0, 20));
        buffer.putShort(10, (short)0xB861, java.nio.ByteOrder.BIG_ENDIAN);
        assertTrue(InternetChecksum.isValid(buffer, 0, 20, 0));
    }

    @Test
    void shouldPadAnOddTrailingByteWithZero()
    {
        final UnsafeBuffer odd = hex("0102ab");
        final UnsafeBuffer even = hex("0102ab00");
        assertEquals(InternetChecksum.checksum(even, 0, 4), InternetChecksum.checksum(odd, 0, 3));
    }

    @Test
    void shouldMatchReferenceForEveryLengthAndAlignment()
    {
        final Random random = new Random(42);
        final byte[] data = new byte[300];
        random.nextBytes(data);
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        for (int offset = 0; offset < 4; offset++)
        {
            for (int length = 0; length < 290; length++)
            {
                assertEquals(referenceChecksum(data, offset, length), InternetChecksum.checksum(buffer, offset, length),
                    "offset " + offset + " length " + length);
            }
        }
    }

    @Test
    void shouldUpdateIncrementallyAsAFullRecomputationWould()
    {
        final Random random = new Random(7);
        final byte[] data = new byte[40];
        for (int trial = 0; trial < 2000; trial++)
        {
            random.nextBytes(data);
            final UnsafeBuffer buffer = new UnsafeBuffer(data);
            final int before = InternetChecksum.checksum(buffer, 0, 40);
            final int oldWord = buffer.getShort(10, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int oldLong = buffer.getInt(20, java.nio.ByteOrder.BIG_ENDIAN);
            final int newWord = random.nextInt(0x10000);
            final int newLong = random.nextInt();
            buffer.putShort(10, (short)newWord, java.nio.ByteOrder.BIG_ENDIAN);
            buffer.putInt(20, newLong, java.nio.ByteOrder.BIG_ENDIAN);
            final int updated = InternetChecksum.update32(
                InternetChecksum.update16(before, oldWord, newWord), oldLong, newLong);
            final int full = InternetChecksum.checksum(buffer, 0, 40);
            // RFC 1624: equal, or equal as one's complement numbers (0x0000 and 0xFFFF are both zero).
            assertTrue(updated == full || (updated ^ full) == 0xFFFF && (full == 0 || full == 0xFFFF),
                "trial " + trial + ": " + Integer.toHexString(updated) + " vs " + Integer.toHexString(full));
        }
    }

    @Test
    void shouldVerifyAHandBuiltTcpSynWithItsKnownChecksum()
    {
        // 10.0.0.1:40000 -> 10.0.0.2:80 SYN, seq 0x12345678, window 64240, options MSS 1460, SACK-permitted,
        // timestamps (123456, 0), NOP, window scale 7; checksum 518e computed independently.
        final UnsafeBuffer segment = hex(
            "9c40 0050 12345678 00000000 a002 faf0 518e 0000" +
            "020405b4 0402 080a 0001e240 00000000 01 030307");
        final long pseudo = InternetChecksum.pseudoHeaderSum(
            Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), Ipv4Header.PROTOCOL_TCP, 40);
        final TcpHeader tcp = new TcpHeader().wrap(segment, 0);
        assertTrue(tcp.isChecksumValid(pseudo, 40));
        assertEquals(0x518E, tcp.checksum());
        tcp.updateChecksum(pseudo, 40);
        assertEquals(0x518E, tcp.checksum());

        segment.putByte(30, (byte)0x01);
        assertFalse(tcp.isChecksumValid(pseudo, 40));
    }
}
