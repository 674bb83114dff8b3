package dev.taskvs.engine.proto;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpOptionsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private final TcpOptions options = new TcpOptions();

    private int put(final int... bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            buffer.putByte(i, (byte)bytes[i]);
        }
        return bytes.length;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void shouldRoundTripEveryCombinationOfWrittenOptions(final int present)
    {
        final int length = TcpOptions.write(buffer, 0, present, 1460, 7, 0xCAFEBABE, 0x01020304);
        assertEquals(TcpOptions.writtenLength(present), length);
        assertEquals(0, length % 4);
        assertEquals(TcpOptions.PARSE_OK, options.parse(buffer, 0, length));
        assertEquals(present, options.present());
        if (options.has(TcpOptions.MSS))
        {
            assertEquals(1460, options.mss());
        }
        if (options.has(TcpOptions.WINDOW_SCALE))
        {
            assertEquals(7, options.windowScale());
        }
        if (options.has(TcpOptions.TIMESTAMPS))
        {
            assertEquals(0xCAFEBABE, options.tsVal());
            assertEquals(0x01020304, options.tsEcr());
        }
    }

    @Test
    void shouldWriteTheLinuxSynLayout()
    {
        final int length = TcpOptions.write(buffer, 0,
            TcpOptions.MSS | TcpOptions.SACK_PERMITTED | TcpOptions.TIMESTAMPS | TcpOptions.WINDOW_SCALE,
            1460, 7, 123456, 0);
        assertEquals(20, length);
        final byte[] expected = {2, 4, 5, (byte)0xB4, 4, 2, 8, 10, 0, 1, (byte)0xE2, 0x40, 0, 0, 0, 0, 1, 3, 3, 7};
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], buffer.getByte(i), "byte " + i);
        }
    }

    @Test
    void shouldStopAtEndOfOptionListAndIgnoreWhatFollows()
    {
        final int length = put(1, 1, 0, 99, 0, 0, 0, 0);
        assertEquals(TcpOptions.PARSE_OK, options.parse(buffer, 0, length));
        assertEquals(0, options.present());
    }

    @Test
    void shouldSkipUnknownOptionsByTheirLength()
    {
        final int length = put(30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xDC);
        assertEquals(TcpOptions.PARSE_OK, options.parse(buffer, 0, length));
        assertEquals(1500, options.mss());
    }

    @Test
    void shouldParseSackBlocks()
    {
        final int length = put(1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 5);
        assertEquals(TcpOptions.PARSE_OK, options.parse(buffer, 0, length));
        assertTrue(options.has(TcpOptions.SACK));
        assertEquals(2, options.sackBlockCount());
        assertEquals(1, options.sackLeft(0));
        assertEquals(2, options.sackRight(0));
        assertEquals(0xFFFF_FFF0, options.sackLeft(1));
        assertEquals(5, options.sackRight(1));
    }

    @Test
    void shouldClampAWindowScaleAboveFourteen()
    {
        final int length = put(1, 3, 3, 20);
        assertEquals(TcpOptions.PARSE_OK, options.parse(buffer, 0, length));
        assertEquals(14, options.windowScale());
    }

    @Test
    void shouldRejectAZeroLengthOptionInsteadOfLoopingForever()
    {
        assertEquals(TcpOptions.PARSE_BAD_LENGTH, options.parse(buffer, 0, put(30, 0, 1, 1)));
    }

    @Test
    void shouldRejectALengthOfOne()
    {
        assertEquals(TcpOptions.PARSE_BAD_LENGTH, options.parse(buffer, 0, put(30, 1, 1, 1)));
    }

    @Test
    void shouldRejectAnOptionRunningPastTheHeader()
    {
        assertEquals(TcpOptions.PARSE_BAD_LENGTH, options.parse(buffer, 0, put(1, 8, 10, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldRejectAKindWithoutItsLengthByte()
    {
        assertEquals(TcpOptions.PARSE_BAD_LENGTH, options.parse(buffer, 0, put(1, 1, 1, 2)));
    }

    @Test
    void shouldRejectKnownOptionsWithTheWrongSize()
    {
        assertEquals(TcpOptions.PARSE_BAD_SIZE, options.parse(buffer, 0, put(2, 3, 5, 1)));
        assertEquals(TcpOptions.PARSE_BAD_SIZE, options.parse(buffer, 0, put(3, 4, 7, 1)));
        assertEquals(TcpOptions.PARSE_BAD_SIZE, options.parse(buffer, 0, put(4, 3, 0, 1)));
        assertEquals(TcpOptions.PARSE_BAD_SIZE, options.parse(buffer, 0, put(8, 8, 0, 0, 0, 0, 0, 0)));
        assertEquals(TcpOptions.PARSE_BAD_SIZE, options.parse(buffer, 0, put(5, 6, 0, 0, 0, 0, 1, 1)));
    }

    @Test
    void shouldForgetEarlierResultsOnTheNextParse()
    {
        TcpOptions.write(buffer, 0, TcpOptions.MSS, 1460, 0, 0, 0);
        options.parse(buffer, 0, 4);
        assertTrue(options.has(TcpOptions.MSS));
        options.parse(buffer, 0, 0);
        assertFalse(options.has(TcpOptions.MSS));
    }
}
