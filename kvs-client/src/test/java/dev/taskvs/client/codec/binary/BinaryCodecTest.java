package dev.taskvs.client.codec.binary;

import static dev.taskvs.client.codec.DecoderHarness.ascii;
import static dev.taskvs.client.codec.DecoderHarness.assertDecodes;
import static dev.taskvs.client.codec.DecoderHarness.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

class BinaryCodecTest
{
    private final BinaryRequestEncoder encoder = new BinaryRequestEncoder();
    private final MutableDirectBuffer dst = new ExpandableArrayBuffer(64);

    private String hex(final int length)
    {
        final byte[] bytes = new byte[length];
        dst.getBytes(0, bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] bytes(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @Test
    void shouldEncodeRequestsAsProtocolBinaryDescribes()
    {
        // Set "bk" = "val", flags 7, exptime 0, opaque 5 (the bytes of the transcript sent to memcached 1.6.18).
        assertEquals("80010002" + "08000000" + "0000000d" + "00000005" + "0000000000000000" +
            "00000007" + "00000000" + "626b" + "76616c",
            hex(encoder.store(dst, 0, BinaryProtocol.SET, ascii("bk"), 7, 0, ascii("val"), 5, 0)));
        assertEquals("80000002" + "00000000" + "00000002" + "00000006" + "0000000000000000" + "626b",
            hex(encoder.get(dst, 0, BinaryProtocol.GET, ascii("bk"), 6)));
        assertEquals("800d0002" + "00000000" + "00000002" + "0000000a" + "0000000000000000" + "626b",
            hex(encoder.get(dst, 0, BinaryProtocol.GETKQ, ascii("bk"), 10)));
        assertEquals("80050003" + "14000000" + "00000017" + "00000008" + "0000000000000000" +
            "0000000000000001" + "0000000000000064" + "00000000" + "637472",
            hex(encoder.arithmetic(dst, 0, BinaryProtocol.INCREMENT, ascii("ctr"), 1, 100, 0, 8)));
        assertEquals("800a0000" + "00000000" + "00000000" + "0000000b" + "0000000000000000",
            hex(encoder.noop(dst, 0, 11)));
        assertEquals("80110001" + "08000000" + "0000000a" + "ffffffff" + "0000000000000063" +
            "00000000" + "0000001e" + "6b" + "76",
            hex(encoder.store(dst, 0, BinaryProtocol.SETQ, ascii("k"), 0, 30, ascii("v"), -1, 99)));
        assertEquals("80190001" + "00000000" + "00000002" + "00000001" + "0000000000000000" + "6b" + "76",
            hex(encoder.concat(dst, 0, BinaryProtocol.APPENDQ, ascii("k"), ascii("v"), 1, 0)));
        assertEquals("80140001" + "00000000" + "00000001" + "00000002" + "0000000000000005" + "6b",
            hex(encoder.delete(dst, 0, BinaryProtocol.DELETEQ, ascii("k"), 2, 5)));
        assertEquals("80240001" + "04000000" + "00000005" + "00000003" + "0000000000000000" + "0000000a" + "6b",
            hex(encoder.touch(dst, 0, BinaryProtocol.GATKQ, ascii("k"), 10, 3)));
        assertEquals("80080000" + "04000000" + "00000004" + "00000004" + "0000000000000000" + "00000005",
            hex(encoder.flush(dst, 0, BinaryProtocol.FLUSH, 5, 4)));
        assertEquals("80180000" + "00000000" + "00000000" + "00000004" + "0000000000000000",
            hex(encoder.flush(dst, 0, BinaryProtocol.FLUSHQ, 4)));
        assertEquals("80100005" + "00000000" + "00000005" + "00000001" + "0000000000000000" + "6974656d73",
            hex(encoder.stat(dst, 0, ascii("items"), 1)));
        assertEquals("800b0000" + "00000000" + "00000000" + "00000001" + "0000000000000000",
            hex(encoder.version(dst, 0, 1)));
        assertEquals("80170000" + "00000000" + "00000000" + "00000001" + "0000000000000000",
            hex(encoder.quit(dst, 0, BinaryProtocol.QUITQ, 1)));
        assertEquals("801b0000" + "04000000" + "00000004" + "00000001" + "0000000000000000" + "00000001",
            hex(encoder.verbosity(dst, 0, 1, 1)));
        assertEquals("80200000" + "00000000" + "00000000" + "00000001" + "0000000000000000",
            hex(encoder.saslListMechanisms(dst, 0, 1)));
        assertEquals("80210005" + "00000000" + "00000008" + "00000001" + "0000000000000000" + "504c41494e" + "616263",
            hex(encoder.sasl(dst, 0, BinaryProtocol.SASL_AUTH, ascii("PLAIN"), ascii("abc"), 1)));
    }

    @Test
    void shouldDecodeMemcachedRepliesSplitAtEveryByte()
    {
        // memcached 1.6.18 replies to: Set bk (opaque 5), Get bk (6), Get nokey (7), Increment ctr delta 1
        // initial 100 (8), Version (9), GetKQ bk (10), Noop (11).
        assertDecodes(new BinaryResponseDecoder(), bytes(
            "810100000000000000000000000000050000000000000009" +
            "8100000004000000000000070000000600000000000000090000000776616c" +
            "8100000000000001000000090000000700000000000000004e6f7420666f756e64" +
            "81050000000000000000000800000008000000000000000a0000000000000064" +
            "810b00000000000000000006000000090000000000000000312e362e3138" +
            "810d000204000000000000090000000a000000000000000900000007626b76616c" +
            "810a000000000000000000000000000b0000000000000000"),
            "STORED cas=9 opaque=5",
            "VALUE value=val flags=7 cas=9 opaque=6",
            "NOT_FOUND value=Not found opaque=7 status=1 message=Not found",
            "NUMBER value=\u0000\u0000\u0000\u0000\u0000\u0000\u0000d cas=10 number=100 opaque=8",
            "VERSION value=1.6.18 opaque=9 message=1.6.18",
            "VALUE key=bk value=val flags=7 cas=9 opaque=10",
            "NOOP opaque=11");
    }

    @Test
    void shouldDecodeStatPacketsAndErrors()
    {
        assertDecodes(new BinaryResponseDecoder(), bytes(
            "81100003 00000000 00000004 00000001 0000000000000000 706964 31" +
            "81100000 00000000 00000000 00000001 0000000000000000" +
            "811b0000 00000081 0000000f 00000002 0000000000000000 556e6b6e6f776e20636f6d6d616e64" +
            "81020000 00000002 00000000 00000003 0000000000000000" +
            "81010000 00000005 00000000 00000004 0000000000000000" +
            "81050000 00000006 00000000 00000005 0000000000000000" +
            "81010000 00000003 00000000 00000006 0000000000000000"),
            "STAT key=pid value=1 opaque=1", "END opaque=1",
            "ERROR value=Unknown command opaque=2 status=129 message=Unknown command",
            "EXISTS opaque=3 status=2", "NOT_STORED opaque=4 status=5", "CLIENT_ERROR opaque=5 status=6",
            "SERVER_ERROR opaque=6 status=3");
    }

    @Test
    void shouldRejectMalformedPackets()
    {
        final BinaryResponseDecoder decoder = new BinaryResponseDecoder();
        assertMalformed(decoder, bytes("80"));
        assertMalformed(decoder, bytes("800000000000000000000000000000000000000000000000"));
        assertMalformed(decoder, bytes("8100000500000000000000020000000000000000000000000000"));
        assertMalformed(decoder, bytes("81050000000000000000000100000000000000000000000000"));
    }
}
