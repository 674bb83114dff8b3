package dev.taskvs.server.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unsigned decimal reading and writing at the 64-bit boundaries. */
class AsciiNumbersTest
{
    private final UnsafeBuffer memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 8));
    private final MutationResult result = new MutationResult();

    @ParameterizedTest
    @ValueSource(strings = {
        "0", "9", "10", "99", "100", "9223372036854775807", "9223372036854775808", "9999999999999999999",
        "10000000000000000000", "18446744073709551615" })
    void shouldWriteAndReadBackUnsignedValues(final String decimal)
    {
        final long value = Long.parseUnsignedLong(decimal);
        final int digits = AsciiNumbers.digits(value);
        assertEquals(decimal.length(), digits);
        AsciiNumbers.write(memory.addressOffset(), value, digits);
        assertEquals(decimal, memory.getStringWithoutLengthAscii(0, digits));
        assertTrue(AsciiNumbers.parseUint64(memory.addressOffset(), digits, result));
        assertEquals(value, result.value);
    }

    @Test
    void shouldRefuseOneMoreThanTheLargest()
    {
        assertFalse(parse("18446744073709551616"));
        assertFalse(parse("18446744073709551620"));
        assertFalse(parse("100000000000000000000"));
    }

    @Test
    void shouldFollowStrtoullOnSignsAndEnds()
    {
        assertTrue(parse("-0"));
        assertEquals(0, result.value);
        assertFalse(parse("-1"));
        assertTrue(parse("12\u0000junk"), "a NUL ends the number as in C");
        assertEquals(12, result.value);
        assertFalse(parse("+"));
        assertFalse(parse("- 1"));
    }

    private boolean parse(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        memory.putBytes(0, bytes);
        return AsciiNumbers.parseUint64(memory.addressOffset(), bytes.length, result);
    }
}
