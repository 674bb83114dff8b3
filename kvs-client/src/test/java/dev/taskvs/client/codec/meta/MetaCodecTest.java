package dev.taskvs.client.codec.meta;

import static dev.taskvs.client.codec.DecoderHarness.ascii;
import static dev.taskvs.client.codec.DecoderHarness.assertDecodes;
import static dev.taskvs.client.codec.DecoderHarness.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseKind;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MetaCodecTest
{
    private final MetaRequestEncoder encoder = new MetaRequestEncoder();
    private final MutableDirectBuffer dst = new ExpandableArrayBuffer(64);

    private String written(final int length)
    {
        return dst.getStringWithoutLengthAscii(0, length);
    }

    @Test
    void shouldEncodeOneCallForms()
    {
        assertEquals("mg mk v f t c s k O99 h l\r\n",
            written(encoder.get(dst, 0, ascii("mk"), ascii("v f t c s k O99 h l"), MetaRequestEncoder.NO_OPAQUE)));
        assertEquals("mg mk v O7\r\n", written(encoder.get(dst, 0, ascii("mk"), ascii("v"), 7)));
        assertEquals("mg mk\r\n", written(encoder.get(dst, 0, ascii("mk"), new byte[0], MetaRequestEncoder.NO_OPAQUE)));
        assertEquals("ms mk 2 T0 F5 O12\r\nhi\r\n",
            written(encoder.set(dst, 0, ascii("mk"), ascii("hi"), ascii("T0 F5"), 12)));
        assertEquals("md mk q\r\n", written(encoder.delete(dst, 0, ascii("mk"), ascii("q"), MetaRequestEncoder.NO_OPAQUE)));
        assertEquals("ma cnt N0 J10 v\r\n",
            written(encoder.arithmetic(dst, 0, ascii("cnt"), ascii("N0 J10 v"), MetaRequestEncoder.NO_OPAQUE)));
        assertEquals("me cnt\r\n", written(encoder.debug(dst, 0, ascii("cnt"))));
        assertEquals("mn\r\n", written(encoder.noop(dst, 0)));
    }

    @Test
    void shouldBuildRequestsFlagByFlag()
    {
        int i = encoder.begin(dst, 0, MetaCommand.SET, new UnsafeBuffer(ascii("xkeyx")), 1, 3);
        i = encoder.dataLength(dst, i, 5);
        i = encoder.flag(dst, i, 'T', -1);
        i = encoder.unsignedFlag(dst, i, 'C', -1L);
        i = encoder.modeFlag(dst, i, 'M', 'E');
        i = encoder.flag(dst, i, 'q');
        i = encoder.flag(dst, i, 'O', new UnsafeBuffer(ascii("abc")), 0, 3);
        i = encoder.end(dst, i);
        i = encoder.data(dst, i, new UnsafeBuffer(ascii("hello")), 0, 5);
        assertEquals("ms key 5 T-1 C18446744073709551615 ME q Oabc\r\nhello\r\n", written(i));
    }

    @Test
    void shouldDecodeMemcachedRepliesSplitAtEveryByte()
    {
        // memcached 1.6.18 replies to: ms mk 2 T0 F5 O12; mg mk v f t c s k O99 h l; mg nokey v Oabc k;
        // mg a v q + mn; ma cnt N0 J10 v; md mk O1; md mk q (missing); me cnt; ms mk 2 MR O3.
        assertDecodes(new MetaResponseDecoder(), ascii(
            "HD O12\r\nVA 2 f5 t-1 c7 s2 kmk O99 h0 l0\r\nhi\r\nEN Oabc knokey\r\nMN\r\nVA 2\r\n10\r\nHD O1\r\n" +
            "NF\r\nME cnt exp=-1 la=0 cas=8 fetch=no cls=1 size=64\r\nNS O3\r\n"),
            "HD opaque=12", "VA key=mk value=hi flags=5 cas=7 opaque=99", "EN key=nokey", "MN", "VA value=10",
            "HD opaque=1", "NF", "ME key=cnt message=cnt exp=-1 la=0 cas=8 fetch=no cls=1 size=64", "NS opaque=3");
    }

    @Test
    void shouldExposeReturnedFlags()
    {
        final MetaResponseDecoder decoder = new MetaResponseDecoder();
        final Response response = new Response();
        final byte[] wire = ascii("VA 1 c40 t28 X W b kbWs= Oabc h1 l4 s1\r\nx\r\n");
        assertEquals(wire.length, decoder.decode(new UnsafeBuffer(wire), 0, wire.length, response));
        assertEquals(ResponseKind.VA, response.kind());
        assertEquals(40, response.cas());
        assertEquals(28, response.ttl());
        assertEquals(1, response.hit());
        assertEquals(4, response.lastAccess());
        assertEquals(1, response.size());
        assertTrue(response.hasMetaFlag('X'));
        assertTrue(response.hasMetaFlag('W'));
        assertTrue(response.hasMetaFlag('b'));
        assertFalse(response.hasMetaFlag('Z'));
        assertEquals("bWs=", response.keyAsString());
        assertEquals("abc", response.opaqueAsString());
        assertEquals(Response.NO_OPAQUE, response.opaque());
        assertEquals("c40 t28 X W b kbWs= Oabc h1 l4 s1", response.metaFlagsAsString());
    }

    @Test
    void shouldDecodeClassicRepliesOnAMetaConnection()
    {
        assertDecodes(new MetaResponseDecoder(), ascii(
            "OK\r\nVERSION 1.6.18\r\nSTAT pid 1\r\nEND\r\nERROR\r\nCLIENT_ERROR invalid flag\r\nSERVER_ERROR out of memory\r\n"),
            "OK", "VERSION message=1.6.18", "STAT key=pid value=1", "END", "ERROR", "CLIENT_ERROR message=invalid flag",
            "SERVER_ERROR message=out of memory");
    }

    @Test
    void shouldRejectMalformedReplies()
    {
        final MetaResponseDecoder decoder = new MetaResponseDecoder();
        assertMalformed(decoder, ascii("XX\r\n"));
        assertMalformed(decoder, ascii("HD\n"));
        assertMalformed(decoder, ascii("VA x\r\nhi\r\n"));
        assertMalformed(decoder, ascii("VA 2\r\nhiX\r\n"));
        assertMalformed(decoder, ascii("HD cX\r\n"));
        assertMalformed(decoder, ascii("HD  c1\r\n"));
        assertMalformed(decoder, ascii("VA 1 h2\r\nx\r\n"));
    }
}
