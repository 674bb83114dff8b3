package dev.taskvs.server.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The response buffer writes through raw addresses: what lands where, across growth, direct windows and spills. */
class ResponseBufferTest
{
    private static byte[] pending(final ResponseBuffer out)
    {
        final byte[] bytes = new byte[out.readableBytes()];
        out.buffer().getBytes(out.readIndex(), bytes);
        return bytes;
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldKeepEveryKindOfAppendInOrderAcrossGrowth()
    {
        final ResponseBuffer out = new ResponseBuffer(0);
        final UnsafeBuffer src = new UnsafeBuffer(ascii("xxKEYxx"));
        final ByteBuffer value = ByteBuffer.allocateDirect(100);
        for (int i = 0; i < 100; i++)
        {
            value.put(i, (byte)('a' + i % 26));
        }
        out.put((byte)'<').put(ascii("VALUE ")).put(src, 2, 3).put((byte)' ').putDecimal(-42).put((byte)' ')
            .putUnsignedDecimal(-1L).put((byte)' ').putMemory(BufferUtil.address(value), 100);
        out.putShortBE((short)0x0102).putIntBE(0x03040506).putLongBE(0x0708090a0b0c0d0eL);
        final byte[] expectedText = ascii("<VALUE KEY -42 18446744073709551615 ");
        final byte[] bytes = pending(out);
        assertEquals(expectedText.length + 100 + 14, bytes.length);
        assertArrayEquals(expectedText, java.util.Arrays.copyOf(bytes, expectedText.length));
        for (int i = 0; i < 100; i++)
        {
            assertEquals((byte)('a' + i % 26), bytes[expectedText.length + i], "value byte " + i);
        }
        final ByteBuffer tail = ByteBuffer.wrap(bytes, expectedText.length + 100, 14).order(ByteOrder.BIG_ENDIAN);
        assertEquals(0x0102, tail.getShort());
        assertEquals(0x03040506, tail.getInt());
        assertEquals(0x0708090a0b0c0d0eL, tail.getLong());
        assertTrue(out.capacity() >= bytes.length);

        out.setIntBE(1, 0x41424344);
        assertEquals("<ABCD", new String(pending(out), 0, 5, StandardCharsets.US_ASCII));
        out.free();
    }

    @Test
    void shouldWriteIntoTheDirectWindowAndSpillWithTheSameIndices()
    {
        final ByteBuffer ring = ByteBuffer.allocateDirect(64);
        final long window = BufferUtil.address(ring) + 8;
        final ResponseBuffer out = new ResponseBuffer(0);

        out.beginDirect(window, 16);
        out.put(ascii("STORED\r\n"));
        assertTrue(out.isDirect());
        assertEquals(8, out.endDirect(), "the bytes written in the window are the caller's");
        assertEquals("STORED\r\n", new String(bytes(ring, 8, 8), StandardCharsets.US_ASCII));
        assertTrue(out.isEmpty());
        assertEquals(0, ring.get(7), "nothing before the window");

        // 10 bytes fit the window, the rest does not: all of it moves to own memory, in order.
        out.beginDirect(window, 16);
        out.put(ascii("0123456789"));
        out.put(ascii("abcdefghij"));
        assertFalse(out.isDirect());
        assertEquals(1, out.spills());
        out.setIntBE(0, 0x41424344);
        assertEquals(0, out.endDirect(), "after a spill the bytes are pending here");
        assertEquals("ABCD456789abcdefghij", new String(pending(out), StandardCharsets.US_ASCII));
        assertEquals(0, ring.get(8 + 16), "nothing past the window");

        out.consume(4);
        out.compact();
        assertEquals(0, out.readIndex());
        assertEquals("456789abcdefghij", new String(pending(out), StandardCharsets.US_ASCII));
        out.free();
    }

    @Test
    void shouldRefuseOutOfRangeSourcesAndMarksWithoutWritingAnything()
    {
        final ResponseBuffer out = new ResponseBuffer(64);
        out.put(ascii("abc"));
        final DirectBuffer src = new UnsafeBuffer(new byte[4]);
        assertThrows(IndexOutOfBoundsException.class, () -> out.put(src, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> out.setIntBE(0, 1), "3 bytes written: no int fits");
        assertThrows(IndexOutOfBoundsException.class, () -> out.setIntBE(-1, 1));
        assertEquals("abc", new String(pending(out), StandardCharsets.US_ASCII));
        out.free();
    }

    private static byte[] bytes(final ByteBuffer buffer, final int from, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = buffer.get(from + i);
        }
        return bytes;
    }
}
