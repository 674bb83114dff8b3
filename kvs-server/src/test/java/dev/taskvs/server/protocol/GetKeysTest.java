package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;

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
        final String longest = "k".repeat(GetKeys.MAX_KEY_LENGTH);
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
        assertEquals(null, key("get " + "k".repeat(GetKeys.MAX_KEY_LENGTH + 1) + "\r\n"));
        assertEquals(null, key("\u0080\u0000\u0000\u0003"), "binary");
    }
}
