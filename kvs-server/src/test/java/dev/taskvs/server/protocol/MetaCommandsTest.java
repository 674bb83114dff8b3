package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Meta commands; expected transcripts come from memcached 1.6.18 (CAS numbers renumbered: this store starts
 * at 1 and these tests start from an empty store).
 */
class MetaCommandsTest
{
    private final TextSessionDriver d = new TextSessionDriver();

    @AfterEach
    void close()
    {
        d.close();
    }

    @Test
    void shouldEchoRequestedFlagsInRequestOrderAndHideMissesWhenQuiet()
    {
        assertEquals("HD\r\nVA 1\r\nx\r\nVA 1 s1 f0 t-1 c1 ka h1 l0 O123\r\nx\r\nEN\r\nMN\r\n",
            d.send("set a 0 0 1 noreply\r\nx\r\nmg a\r\nmg a v\r\nmg a s v f t c k h l O123 q\r\nmg miss v\r\n" +
                "mg miss v q\r\nmg miss k Oabc q\r\nmn\r\n"));
        assertEquals("EN Oabc knokey\r\n", d.send("mg nokey v Oabc k\r\n"));
    }

    @Test
    void shouldAnswerQuietBatchesWithHitsOnlyThenMn()
    {
        d.send("set a 0 0 5\r\nhello\r\n");
        assertEquals("VA 5\r\nhello\r\nSTORED\r\nVA 5\r\nhello\r\nVA 1 kb\r\nB\r\nMN\r\n",
            d.send("mg a v q\r\nmg b v q k\r\nset b 0 0 1\r\nB\r\nmg a v q\r\nmg b v q k\r\nmn\r\n"));
    }

    @Test
    void shouldRejectFlagsAs1618Does()
    {
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("CLIENT_ERROR invalid flag\r\n", d.send("mg a E55\r\n"));
        assertEquals("HD\r\n", d.send("mg a C55\r\n"));
        assertEquals("CLIENT_ERROR invalid flag\r\n", d.send("mg a Y\r\n"));
        assertEquals("CLIENT_ERROR duplicate flag\r\n", d.send("mg a v v\r\n"));
        assertEquals("CLIENT_ERROR opaque token too long\r\n", d.send("mg a O12345678901234567890123456789012\r\n"));
        assertEquals("HD O1234567890123456789012345678901\r\n", d.send("mg a O1234567890123456789012345678901\r\n"));
        assertEquals("CLIENT_ERROR error decoding key\r\n", d.send("mg a b\r\n"));
        assertEquals("CLIENT_ERROR error decoding key\r\n", d.send("mg YQ= b v k\r\n"));
        for (final String flag : new String[]{"T", "Tx", "N", "R"})
        {
            assertEquals("CLIENT_ERROR bad token in command line format\r\n", d.send("mg a " + flag + "\r\n"));
        }
        assertEquals("HD O\r\n", d.send("mg a O\r\n"));
        assertEquals("VA 1\r\nx\r\n", d.send("mg a vx\r\n"));
        assertEquals("VA 1\r\nx\r\n", d.send("mg a P123 L456 v\r\n"));
        assertEquals("VA 1 ka\r\nx\r\n", d.send("mg a  v   k\r\n"));
        assertEquals("ERROR\r\n", d.send("mg\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("mg " + "k".repeat(251) + " v\r\n"));
        assertEquals("CLIENT_ERROR options flags are too long\r\n",
            d.send("mg a v k c f s t h l u O1 O2 O3 O4 O5 O6 O7 O8 O9 O10\r\n"));
    }

    @Test
    void shouldSetWithFlagsModesAndErrors()
    {
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("ms a\r\n"));
        assertEquals("HD\r\n", d.send("ms a 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("ms a x\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("ms a -1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR error decoding key\r\n", d.send("ms a 1 c k O9 b\r\nx\r\n"));
        assertEquals("CLIENT_ERROR invalid mode for ms M token\r\n", d.send("ms a 1 MX\r\nx\r\n"));
        assertEquals("CLIENT_ERROR invalid mode for ms M token\r\n", d.send("ms a 1 Mx\r\nx\r\n"));
        assertEquals("CLIENT_ERROR incorrect length for M token\r\n", d.send("ms a 1 M\r\nx\r\n"));
        assertEquals("NS\r\nCLIENT_ERROR invalid mode for ms M token\r\nNS\r\nNS\r\nNS\r\nEN\r\n",
            d.send("ms a 1 ME\r\nx\r\nms a 1 Me\r\nx\r\nms zz 1 MR\r\nx\r\nms zz 1 MA\r\nx\r\nms zz 1 MA N0\r\nx\r\n" +
                "mg zz v\r\n"));
        assertEquals("NS\r\nMN\r\n", d.send("ms a 1 q\r\nx\r\nms a 1 q ME\r\nx\r\nmn\r\n"));
        assertEquals("HD\r\nVA 1 f5 t100 s1\r\nx\r\n", d.send("ms a 1 F5 T100\r\nx\r\nmg a f t v s\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("ms a 1 Fx\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad token in command line format\r\n", d.send("ms a 1 Tx\r\nx\r\n"));
        assertEquals("EX\r\n", d.send("ms a 1 C1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR invalid flag\r\n", d.send("ms a 1 E99\r\nx\r\n"));
        assertEquals("CLIENT_ERROR invalid flag\r\n", d.send("ms a 1 S\r\nx\r\n"));
        assertEquals("HD\r\nHD\r\nHD\r\nHD\r\n", d.send("ms a 1 I\r\nx\r\nms a 1 s\r\nx\r\nms a 1 v\r\nx\r\nms a 1 h\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("ms " + "k".repeat(251) + " 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad data chunk\r\nERROR\r\n", d.send("ms a 1 q\r\nxy\r\n"));
    }

    @Test
    void shouldReturnCasKeyAndOpaqueAfterSetAndHonourCasInAppendModes()
    {
        assertEquals("HD c1 kYWI= b O9\r\n", d.send("ms YWI= 2 c k O9 b\r\nxy\r\n"));
        assertEquals("HD\r\nHD c3\r\nEX\r\nVA 2 c3\r\nxy\r\n",
            d.send("ms ap 1\r\nx\r\nms ap 1 MA c\r\ny\r\nms ap 1 MP C1\r\nz\r\nmg ap v c\r\n"));
    }

    @Test
    void shouldWaitForTheWholeDataBlock()
    {
        assertEquals("", d.send("ms a 3\r\nx\r\n"));
        assertEquals("HD\r\n", d.send("\r\n"));
        assertEquals("VA 3\r\nx\r\n\r\n", d.send("mg a v\r\n"));
    }

    @Test
    void shouldDeleteWithQuietModeAndErrors()
    {
        assertEquals("ERROR\r\n", d.send("md\r\n"));
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("HD\r\nNF\r\nNF\r\nNF ka O1\r\nMN\r\n", d.send("md a\r\nmd a\r\nmd a q\r\nmd a k O1 q\r\nmn\r\n"));
        assertEquals("CLIENT_ERROR invalid or duplicate flag\r\n", d.send("md a x\r\n"));
        assertEquals("CLIENT_ERROR invalid or duplicate flag\r\n", d.send("md a E5\r\n"));
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("EX\r\n", d.send("md a C99 q\r\n"));
        assertEquals("", d.send("md a q\r\n"));
    }

    @Test
    void shouldMarkStaleAndHandOutOneWinToken()
    {
        assertEquals("STORED\r\nHD\r\nVA 1 c2 t30 X W\r\nx\r\nVA 1 c2 t30 Z X\r\nx\r\nHD s1 X W\r\n",
            d.send("set stale 0 100 1\r\nx\r\nmd stale I T30\r\nmg stale v c t\r\nmg stale v c t\r\n" +
                "md stale q I\r\nmg stale s\r\n"));
    }

    @Test
    void shouldVivifyOnMissAndRecacheOnLowTtl()
    {
        assertEquals("VA 0 c1 W\r\n\r\nVA 0 c1 Z\r\n\r\nVA 0 c1 t30 Z\r\n\r\n",
            d.send("mg viv1 N30 v c\r\nmg viv1 N30 v c\r\nmg viv1 v c t\r\n"));
        assertEquals("STORED\r\nVA 1 c2 W\r\nx\r\nVA 1 c2 Z\r\nx\r\nVA 1 Z\r\nx\r\n",
            d.send("set r 0 100 1\r\nx\r\nmg r R200 v c\r\nmg r R200 v c\r\nmg r R50 v\r\n"));
    }

    @Test
    void shouldReportHitBeforeLastAccessAndTouch()
    {
        assertEquals("HD\r\nHD h0 l0 t-1\r\nHD h1 l0\r\nHD h1\r\nHD t5\r\n",
            d.send("ms lk 1 T0\r\nx\r\nmg lk h l t\r\nmg lk h l\r\nmg lk u h\r\nmg lk T5 t\r\n"));
        d.clock.advance(3);
        assertEquals("HD l3 t2\r\n", d.send("mg lk l t\r\n"));
    }

    @Test
    void shouldUseBase64KeysThroughout()
    {
        assertEquals("HD\r\nVA 2 kYWJj b\r\nxy\r\nHD kYWJj b\r\nEN kbm9rZXk= b\r\nHD kYWJj b\r\nNF kYWJj b\r\n" +
            "VA 1 kYWJj b\r\n3\r\n",
            d.send("ms YWJj 2 b\r\nxy\r\nmg YWJj b k v\r\nmg YWJj b k q\r\nmg bm9rZXk= b k\r\nmd YWJj b k\r\n" +
                "md YWJj b k\r\nma YWJj b k N0 J3 v\r\n"));
        assertEquals("VALUE abc 0 1\r\n3\r\nEND\r\n", d.send("get abc\r\n"));
    }

    @Test
    void shouldDoArithmeticWithModesAndVivify()
    {
        assertEquals("ERROR\r\nNF\r\n", d.send("ma\r\nma cnt\r\n"));
        assertEquals("VA 2\r\n10\r\nVA 2\r\n11\r\nVA 1\r\n0\r\nVA 1 t-1 c4 kcnt O1\r\n5\r\n" +
            "CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid or duplicate flag\r\n" +
            "CLIENT_ERROR invalid or duplicate flag\r\nCLIENT_ERROR invalid or duplicate flag\r\nMN\r\n",
            d.send("ma cnt N0 J10 v\r\nma cnt v\r\nma cnt v D100 M-\r\nma cnt MI D5 v t c k O1\r\nma cnt q\r\n" +
                "ma cnt MD q\r\nma cnt Mx\r\nma cnt Dx\r\nma cnt Jx N0\r\nma cnt E1\r\nmn\r\n"));
        assertEquals("STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
            d.send("set s 0 0 2\r\nhi\r\nma s\r\n"));
        assertEquals("NF\r\nNF\r\nNF\r\n", d.send("ma nope q\r\nma nope v\r\nma nope C5\r\n"));
        assertEquals("VA 1 t50\r\n0\r\nHD t50\r\nHD t90\r\n", d.send("ma ttl N50 t v\r\nma ttl t T90\r\nma ttl t\r\n"));
    }

    @Test
    void shouldDescribeItemsWithMe()
    {
        assertEquals("STORED\r\nME mea exp=-1 la=0 cas=1 fetch=no cls=1 size=67\r\nVALUE mea 0 5\r\nhello\r\nEND\r\n" +
            "ME mea exp=-1 la=0 cas=1 fetch=yes cls=1 size=67\r\nSTORED\r\n" +
            "ME meb exp=-100 la=0 cas=2 fetch=no cls=1 size=71\r\n",
            d.send("set mea 0 0 5\r\nhello\r\nme mea\r\nget mea\r\nme mea\r\nset meb 7 100 5\r\nhello\r\nme meb\r\n"));
        assertEquals("EN\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\n",
            d.send("me zz\r\nme\r\nme a b\r\n"));
        assertEquals(4, d.stats.cmdMeta);
    }

    @Test
    void shouldAnswerMnEvenWithExtraTokens()
    {
        assertEquals("MN\r\n", d.send("mn extra\r\n"));
    }
}
