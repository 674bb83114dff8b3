package dev.taskvs.client.codec.text;

import static dev.taskvs.client.codec.DecoderHarness.ascii;
import static dev.taskvs.client.codec.DecoderHarness.assertDecodes;
import static dev.taskvs.client.codec.DecoderHarness.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class TextCodecTest
{
    private final TextRequestEncoder encoder = new TextRequestEncoder();
    private final MutableDirectBuffer dst = new ExpandableArrayBuffer(64);

    private static byte[] k(final String key)
    {
        return ascii(key);
    }

    private String written(final int length)
    {
        return dst.getStringWithoutLengthAscii(0, length);
    }

    @Test
    void shouldEncodeRetrievals()
    {
        assertEquals("get foo\r\n", written(encoder.get(dst, 0, k("foo"))));
        assertEquals("gets foo\r\n", written(encoder.retrieval(dst, 0, TextCommand.GETS, 0, k("foo"))));
        assertEquals("gat 100 foo\r\n", written(encoder.retrieval(dst, 0, TextCommand.GAT, 100, k("foo"))));
        assertEquals("gats -1 foo\r\n", written(encoder.retrieval(dst, 0, TextCommand.GATS, -1, k("foo"))));
        int i = encoder.beginRetrieval(dst, 0, TextCommand.GETS, 0);
        i = encoder.appendKey(dst, i, k("a"));
        i = encoder.appendKey(dst, i, new UnsafeBuffer(k("xbcx")), 1, 2);
        assertEquals("gets a bc\r\n", written(encoder.endLine(dst, i)));
    }

    @Test
    void shouldEncodeStorageCommands()
    {
        assertEquals("set foo 5 0 3\r\nbar\r\n",
            written(encoder.storage(dst, 0, TextCommand.SET, k("foo"), 5, 0, k("bar"), 0, false)));
        assertEquals("add foo 4294967295 -1 0 noreply\r\n\r\n",
            written(encoder.storage(dst, 0, TextCommand.ADD, k("foo"), -1, -1, new byte[0], 0, true)));
        assertEquals("cas n 0 0 1 18446744073709551615\r\n1\r\n",
            written(encoder.storage(dst, 0, TextCommand.CAS, k("n"), 0, 0, k("1"), -1L, false)));
        assertEquals("append foo 0 0 1\r\nx\r\n",
            written(encoder.storage(dst, 0, TextCommand.APPEND, k("foo"), 0, 0, k("x"), 99, false)));
        assertEquals("prepend foo 0 2592000 1 noreply\r\nx\r\n",
            written(encoder.storage(dst, 0, TextCommand.PREPEND, k("foo"), 0, 2592000, k("x"), 0, true)));
        assertEquals("replace foo 1 2 1\r\nx\r\n",
            written(encoder.storage(dst, 0, TextCommand.REPLACE, k("foo"), 1, 2, k("x"), 0, false)));
    }

    @Test
    void shouldEncodeOtherCommands()
    {
        assertEquals("delete foo\r\n", written(encoder.delete(dst, 0, k("foo"), false)));
        assertEquals("delete foo noreply\r\n", written(encoder.delete(dst, 0, k("foo"), true)));
        assertEquals("incr n 5\r\n", written(encoder.arithmetic(dst, 0, TextCommand.INCR, k("n"), 5, false)));
        assertEquals("decr n 18446744073709551615 noreply\r\n",
            written(encoder.arithmetic(dst, 0, TextCommand.DECR, k("n"), -1L, true)));
        assertEquals("touch foo 10\r\n", written(encoder.touch(dst, 0, k("foo"), 10, false)));
        assertEquals("flush_all\r\n", written(encoder.flushAll(dst, 0, false)));
        assertEquals("flush_all -1 noreply\r\n", written(encoder.flushAll(dst, 0, -1, true)));
        assertEquals("stats\r\n", written(encoder.stats(dst, 0)));
        assertEquals("stats settings\r\n", written(encoder.stats(dst, 0, k("settings"))));
        assertEquals("version\r\n", written(encoder.version(dst, 0)));
        assertEquals("verbosity 1\r\n", written(encoder.verbosity(dst, 0, 1, false)));
        assertEquals("verbosity 0 noreply\r\n", written(encoder.verbosity(dst, 0, 0, true)));
        assertEquals("quit\r\n", written(encoder.quit(dst, 0)));
    }

    @Test
    void shouldWriteAtAnIndexAndReturnTheNextOne()
    {
        final int end = encoder.get(dst, 7, k("foo"));
        assertEquals(7 + "get foo\r\n".length(), end);
        assertEquals("get foo\r\n", dst.getStringWithoutLengthAscii(7, end - 7));
    }

    @Test
    void shouldDecodeMemcachedRepliesSplitAtEveryByte()
    {
        // Replies of memcached 1.6.18 to: set foo 5 0 3; get foo; gets foo; append; incr n 1 (missing);
        // set n; incr n 5; decr n 100; touch; gat 100 foo; delete foo twice.
        assertDecodes(new TextResponseDecoder(), ascii(
            "STORED\r\nVALUE foo 5 3\r\nbar\r\nEND\r\nVALUE foo 5 3 1\r\nbar\r\nEND\r\nSTORED\r\nNOT_FOUND\r\n" +
            "STORED\r\n15\r\n0\r\nTOUCHED\r\nVALUE foo 5 4\r\nbarx\r\nEND\r\nDELETED\r\nNOT_FOUND\r\n"),
            "STORED", "VALUE key=foo value=bar flags=5", "END", "VALUE key=foo value=bar flags=5 cas=1", "END",
            "STORED", "NOT_FOUND", "STORED", "NUMBER number=15", "NUMBER number=0", "TOUCHED",
            "VALUE key=foo value=barx flags=5", "END", "DELETED", "NOT_FOUND");
    }

    @Test
    void shouldDecodeStatusAndErrorLines()
    {
        assertDecodes(new TextResponseDecoder(), ascii(
            "EXISTS\r\nNOT_STORED\r\nVERSION 1.6.18\r\nOK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\n" +
            "SERVER_ERROR object too large for cache\r\nERROR Too many open connections\r\nRESET\r\n" +
            "18446744073709551615\r\n"),
            "EXISTS", "NOT_STORED", "VERSION message=1.6.18", "OK", "ERROR",
            "CLIENT_ERROR message=bad command line format", "SERVER_ERROR message=object too large for cache",
            "ERROR message=Too many open connections", "RESET", "NUMBER number=18446744073709551615");
    }

    @Test
    void shouldDecodeStats()
    {
        assertDecodes(new TextResponseDecoder(), ascii(
            "STAT maxbytes 67108864\r\nSTAT inter 127.0.0.1\r\nSTAT domain_socket NULL\r\nEND\r\n"),
            "STAT key=maxbytes value=67108864", "STAT key=inter value=127.0.0.1", "STAT key=domain_socket value=NULL",
            "END");
    }

    @Test
    void shouldDecodeValuesHoldingLineEndsAndEmptyValues()
    {
        assertDecodes(new TextResponseDecoder(), ascii(
            "VALUE a 4294967295 4 18446744073709551615\r\n\r\nEN\r\nVALUE b 0 0\r\n\r\nEND\r\n"),
            "VALUE key=a value=\r\nEN flags=4294967295 cas=18446744073709551615", "VALUE key=b", "END");
    }

    @Test
    void shouldDecodeLargeValue()
    {
        final byte[] value = new byte[512 * 1024];
        java.util.Arrays.fill(value, (byte)'x');
        final byte[] head = ascii("VALUE big 0 " + value.length + "\r\n");
        final byte[] wire = new byte[head.length + value.length + 7];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(value, 0, wire, head.length, value.length);
        System.arraycopy(ascii("\r\nEND\r\n"), 0, wire, head.length + value.length, 7);
        final TextResponseDecoder decoder = new TextResponseDecoder();
        final dev.taskvs.client.codec.Response response = new dev.taskvs.client.codec.Response();
        final UnsafeBuffer partial = new UnsafeBuffer(wire, 0, head.length + 100);
        assertEquals(0, decoder.decode(partial, 0, partial.capacity(), response));
        assertEquals(head.length + value.length + 2, decoder.pendingUnitLength());
        final UnsafeBuffer whole = new UnsafeBuffer(wire);
        assertEquals(head.length + value.length + 2, decoder.decode(whole, 0, wire.length, response));
        assertEquals(value.length, response.valueLength());
        assertEquals(true, response.valueEquals(value));
        assertEquals("big", new String(response.keyBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldRejectMalformedReplies()
    {
        final TextResponseDecoder decoder = new TextResponseDecoder();
        assertMalformed(decoder, ascii("STORED\n"));
        assertMalformed(decoder, ascii("BOGUS\r\n"));
        assertMalformed(decoder, ascii("STORED extra\r\n"));
        assertMalformed(decoder, ascii("VALUE foo x 3\r\nbar\r\n"));
        assertMalformed(decoder, ascii("VALUE foo 0 3\r\nbarX\r\n"));
        assertMalformed(decoder, ascii("VALUE foo 0 3 -1\r\nbar\r\n"));
        assertMalformed(decoder, ascii("18446744073709551616\r\n"));
        assertMalformed(decoder, ascii("VALUE foo 4294967296 3\r\nbar\r\n"));
        assertMalformed(decoder, new byte[TextResponseDecoder.MAX_LINE_LENGTH + 1]);
    }
}
