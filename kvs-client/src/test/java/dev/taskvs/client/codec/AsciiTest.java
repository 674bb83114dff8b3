package dev.taskvs.client.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The word-at-a-time scans must find exactly what a byte-by-byte scan finds. */
class AsciiTest
{
    private static int naive(final UnsafeBuffer buffer, final int offset, final int limit, final byte b)
    {
        for (int i = offset; i < limit; i++)
        {
            if (buffer.getByte(i) == b)
            {
                return i;
            }
        }
        return limit;
    }

    @Test
    void scansShouldAgreeWithAByteByByteScanAtEveryAlignment()
    {
        final SplittableRandom random = new SplittableRandom(7);
        // Bytes near the targets and with the high bit set are where a word-at-a-time test could go wrong.
        final byte[] alphabet = {'\n', ' ', '\r', 'a', '0', 0x0B, 0x09, 0x21, 0x1F, (byte)0x8A, (byte)0xA0, (byte)0xFF,
            0, 1, (byte)0x80};
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[96]);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(96));
        for (int round = 0; round < 20_000; round++)
        {
            final UnsafeBuffer buffer = (round & 1) == 0 ? heap : direct;
            final int sparse = random.nextInt(1, 40);
            for (int i = 0; i < buffer.capacity(); i++)
            {
                buffer.putByte(i, random.nextInt(sparse) == 0 ? alphabet[random.nextInt(2)] :
                    alphabet[2 + random.nextInt(alphabet.length - 2)]);
            }
            final int offset = random.nextInt(buffer.capacity());
            final int limit = offset + random.nextInt(buffer.capacity() - offset + 1);
            final int lf = naive(buffer, offset, limit, Ascii.LF);
            assertEquals(lf == limit ? -1 : lf, Ascii.indexOfLf(buffer, offset, limit), "round " + round);
            assertEquals(naive(buffer, offset, limit, Ascii.SPACE), Ascii.indexOfSpaceOrEnd(buffer, offset, limit),
                "round " + round);
        }
    }

    @Test
    void emptyAndInvertedRangesShouldFindNothing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(Ascii.bytes("a b\r\n"));
        assertEquals(-1, Ascii.indexOfLf(buffer, 2, 2));
        assertEquals(-1, Ascii.indexOfLf(buffer, 4, 1));
        assertEquals(1, Ascii.indexOfSpaceOrEnd(buffer, 1, 1));
        assertEquals(4, Ascii.indexOfLf(buffer, 0, 5));
        assertEquals(1, Ascii.indexOfSpaceOrEnd(buffer, 0, 5));
    }
}
