package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;

import dev.taskvs.server.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GetKeysTest
{
    /** The key {@link GetKeys} finds at offset 3 of "xx " + request, or null. */
    private static String key(final String request)
    {
        final byte[] bytes = ("xx " + request).getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int start = GetKeys.keyStart(buffer, 3, bytes.length);
        if (start < 0)
        {
            return null;
        }
        final int length = GetKeys.keyLength(buffer, start, bytes.length);
        return length < 0 ? null : new String(bytes, start, length, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldFindTheFirstKeyOfTextAndMetaGets()
    {
        assertEquals("user:42", key("get user:42\r\n"));
        assertEquals("a", key("gets a b c\r\n"));
        assertEquals("k", key("get k\n"));
        assertEquals("key", key("mg key v f t\r\n"));
        assertEquals("key", key("mg key\r\n"));
        final String longest = "k".repeat(ServerConfig.KEY_MAX_LENGTH);
        assertEquals(longest, key("get " + longest + "\r\n"));
    }

    @Test
    void shouldFindNothingInOtherCommandsOrIncompleteOrOverlongKeys()
    {
        assertEquals(null, key("set k 0 0 1\r\nx\r\n"));
        assertEquals(null, key("gat 0 k\r\n"), "gat's first argument is not a key");
        assertEquals(null, key("getx k\r\n"));
        assertEquals(null, key("GET k\r\n"), "commands are lower case");
        assertEquals(null, key("ms k 1\r\nx\r\n"));
        assertEquals(null, key("ge"));
        assertEquals(null, key("get"));
        assertEquals(null, key("gets"));
        assertEquals(null, key("get \r\n"), "an empty key");
        assertEquals(null, key("get partial"), "the key's end has not arrived");
        assertEquals(null, key("get " + "k".repeat(ServerConfig.KEY_MAX_LENGTH + 1) + "\r\n"));
        assertEquals(null, key("\u0080\u0000\u0000\u0003"), "binary");
    }

    /** The key {@link GetKeys#find} finds in a binary request with this opcode and key, or null. */
    private static String binaryKey(final int opcode, final int extras, final String key, final int cut)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + 24 + extras + k.length]);
        final int at = 8;
        buffer.putByte(at, (byte)0x80);
        buffer.putByte(at + 1, (byte)opcode);
        buffer.putShort(at + 2, (short)k.length, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putByte(at + 4, (byte)extras);
        buffer.putInt(at + 8, extras + k.length, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putBytes(at + 24 + extras, k);
        final long found = GetKeys.find(buffer, at, buffer.capacity() - cut);
        if (found < 0)
        {
            return null;
        }
        final byte[] out = new byte[(int)found];
        buffer.getBytes((int)(found >>> 32), out);
        return new String(out, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldFindTheKeyOfEveryBinaryGet()
    {
        assertEquals("bin:key", binaryKey(0x00, 0, "bin:key", 0), "GET");
        assertEquals("bin:key", binaryKey(0x09, 0, "bin:key", 0), "GETQ");
        assertEquals("bin:key", binaryKey(0x0C, 0, "bin:key", 0), "GETK");
        assertEquals("bin:key", binaryKey(0x0D, 0, "bin:key", 0), "GETKQ");
        assertEquals(null, binaryKey(0x01, 8, "bin:key", 0), "SET");
        assertEquals(null, binaryKey(0x00, 4, "bin:key", 0), "a get with extras is malformed");
        assertEquals(null, binaryKey(0x00, 0, "bin:key", 1), "the key's last byte has not arrived");
        assertEquals(null, binaryKey(0x00, 0, "", 0), "no key");
        assertEquals(null, binaryKey(0x00, 0, "k".repeat(ServerConfig.KEY_MAX_LENGTH + 1), 0));
    }

    @Test
    void longestPrefixHoldsTheLongestKeyOfEveryGet()
    {
        final String longest = "k".repeat(ServerConfig.KEY_MAX_LENGTH);
        final byte[] binary = new byte[GetKeys.LONGEST_PREFIX];
        final UnsafeBuffer buffer = new UnsafeBuffer(binary);
        buffer.putByte(0, (byte)0x80);
        buffer.putShort(2, (short)longest.length(), java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putInt(8, longest.length(), java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putStringWithoutLengthAscii(24, longest);
        assertEquals((24L << 32) | longest.length(), GetKeys.find(buffer, 0, GetKeys.LONGEST_PREFIX), "binary GET");
        for (final String command : new String[] {"get ", "gets ", "mg "})
        {
            final byte[] text = (command + longest + "\r\n").getBytes(StandardCharsets.US_ASCII);
            assertEquals(longest.length(),
                (int)GetKeys.find(new UnsafeBuffer(text), 0, Math.min(text.length, GetKeys.LONGEST_PREFIX)), command);
        }
    }

    @Test
    void shouldPackTextKeysAsFindDoes()
    {
        final byte[] bytes = "xx gets abc def\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals((8L << 32) | 3, GetKeys.find(new UnsafeBuffer(bytes), 3, bytes.length));
        assertEquals(-1, GetKeys.find(new UnsafeBuffer(bytes), 4, bytes.length));
    }
}
