package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Classic text commands; every expected transcript was taken from memcached 1.6.18. */
class TextClassicCommandsTest
{
    private final TextSessionDriver d = new TextSessionDriver();

    @AfterEach
    void close()
    {
        d.close();
    }

    @Test
    void shouldStoreAndGetWithFlags()
    {
        assertEquals("STORED\r\n", d.send("set a 5 0 5\r\nhello\r\n"));
        assertEquals("VALUE a 5 5\r\nhello\r\nEND\r\n", d.send("get a\r\n"));
        assertEquals("VALUE a 5 5 1\r\nhello\r\nEND\r\n", d.send("gets a\r\n"));
        assertEquals("END\r\n", d.send("get nokey\r\n"));
    }

    @Test
    void shouldAnswerMultiGetInOrderSkippingMisses()
    {
        d.send("set a 0 0 1\r\n1\r\nset b 0 0 1\r\n2\r\n");
        assertEquals("VALUE a 0 1\r\n1\r\nVALUE b 0 1\r\n2\r\nVALUE a 0 1\r\n1\r\nEND\r\n",
            d.send("get  a  nokey   b a  \r\n"));
        assertEquals(4, d.stats.cmdGet);
        assertEquals(3, d.stats.getHits);
        assertEquals(1, d.stats.getMisses);
    }

    @Test
    void shouldRoundTripUnsignedFlagsAndTruncateWideOnes()
    {
        d.send("set a 4294967295 0 1\r\nx\r\n");
        assertEquals("VALUE a 4294967295 1\r\nx\r\nEND\r\n", d.send("get a\r\n"));
        d.send("set a 4294967296 0 1\r\nx\r\n");
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", d.send("get a\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("set a -1 0 1\r\nx\r\n"));
    }

    @Test
    void shouldApplyStorageModes()
    {
        assertEquals("NOT_STORED\r\nNOT_STORED\r\nNOT_STORED\r\nSTORED\r\nNOT_STORED\r\nSTORED\r\nSTORED\r\n" +
            "VALUE r 0 3 3\r\nzxy\r\nEND\r\n",
            d.send("replace r 0 0 1\r\nx\r\nprepend r 0 0 1\r\nx\r\nappend r 0 0 1\r\nx\r\nadd r 0 0 1\r\nx\r\n" +
                "add r 0 0 1\r\nx\r\nappend r 9 9 1\r\ny\r\nprepend r 9 9 1\r\nz\r\ngets r\r\n"));
    }

    @Test
    void shouldCompareAndSwap()
    {
        d.send("set c 0 0 1\r\nx\r\n");
        assertEquals("VALUE c 0 1 1\r\nx\r\nEND\r\n", d.send("gets c\r\n"));
        assertEquals("EXISTS\r\nEXISTS\r\n", d.send("cas c 0 0 1 0\r\ny\r\ncas c 0 0 1 999\r\ny\r\n"));
        assertEquals("STORED\r\n", d.send("cas c 0 0 1 1\r\ny\r\n"));
        assertEquals("NOT_FOUND\r\n", d.send("cas zz 0 0 1 5\r\nx\r\n"));
        assertEquals("ERROR\r\nERROR\r\n", d.send("cas a 0 0 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("cas c 0 0 1 abc\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("cas c 0 0 1 -1\r\nx\r\n"));
        assertEquals(1, d.stats.casHits);
        assertEquals(2, d.stats.casBadval);
        assertEquals(1, d.stats.casMisses);
    }

    @Test
    void shouldSuppressRepliesAndErrorsWithNoreply()
    {
        assertEquals("", d.send("set a 0 0 1 noreply\r\nx\r\n"));
        assertEquals("", d.send("set a 0 x 1 noreply\r\n"));
        assertEquals("ERROR\r\n", d.send("set a 0 0 1 noreply\r\nabc\r\n"));
        assertEquals("STORED\r\n", d.send("set a 0 0 1 noreplyx\r\nx\r\n"));
        assertEquals("ERROR\r\nERROR\r\n", d.send("set a 0 0 1 noreply extra\r\nx\r\n"));
        assertEquals("", d.send("delete a noreply\r\ndelete a 0 noreply\r\nincr n 1 noreply\r\ntouch a 1 noreply\r\n"));
        assertEquals("", d.send("flush_all noreply\r\nflush_all 0 noreply\r\nverbosity 1 noreply\r\n"));
    }

    @Test
    void shouldRejectBadDataChunkAndParseTheRestAsCommands()
    {
        assertEquals("CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n", d.send("set a 0 0 1\r\nabc\r\nget a\r\n"));
    }

    @Test
    void shouldAnswerMalformedStorageLines()
    {
        assertEquals("ERROR\r\n", d.send("set a 0 0\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("set a 0 0 -1\r\n"));
        assertEquals("ERROR\r\nERROR\r\n", d.send("set a\u0000b 0 0 1\r\nx\r\n"));
    }

    @Test
    void shouldRejectTooLongKeysThenParseTheDataLineAsACommand()
    {
        final String key = "k".repeat(251);
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", d.send("set " + key + " 0 0 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("get " + key + "\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("delete " + key + "\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("incr " + key + " 1\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("touch " + key + " 1\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("gat 0 " + key + "\r\n"));
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("CLIENT_ERROR bad command line format\r\n", d.send("get a " + key + " b\r\n"));
        final String max = "k".repeat(250);
        assertEquals("STORED\r\nVALUE " + max + " 0 1\r\nx\r\nEND\r\n",
            d.send("set " + max + " 0 0 1\r\nx\r\nget " + max + "\r\n"));
    }

    @Test
    void shouldRefuseObjectsTooLargeSwallowTheDataAndDropTheOldValue()
    {
        d.send("set big 0 0 1\r\nx\r\n");
        final int size = 2_000_000;
        final String value = "v".repeat(size);
        assertEquals("SERVER_ERROR object too large for cache\r\nEND\r\n",
            d.send("set big 0 0 " + size + "\r\n" + value + "\r\nget big\r\n"));
        assertEquals(1, d.stats.storeTooLarge);
        assertEquals("STORED\r\n", d.send("set big 0 0 1048000\r\n" + "v".repeat(1_048_000) + "\r\n"));
        assertEquals("SERVER_ERROR object too large for cache\r\n",
            d.send("set big 0 0 1048576\r\n" + "v".repeat(1_048_576) + "\r\n"));
    }

    @Test
    void shouldSwallowTooLargeDataArrivingInPieces()
    {
        assertEquals("SERVER_ERROR object too large for cache\r\n", d.send("set big 0 0 2000000\r\n"));
        for (int i = 0; i < 20; i++)
        {
            assertEquals("", d.send("x".repeat(100_000)));
        }
        assertEquals("VERSION " + dev.taskvs.server.ServerContext.VERSION + "\r\n", d.send("\r\nversion\r\n"));
    }

    @Test
    void shouldDeleteWithLegacyZeroAndExactUsageError()
    {
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("DELETED\r\nNOT_FOUND\r\n", d.send("delete a 0\r\ndelete a\r\n"));
        final String usage = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
        assertEquals(usage, d.send("delete a 5\r\n"));
        assertEquals(usage, d.send("delete a 0 0\r\n"));
        assertEquals("ERROR\r\n", d.send("delete\r\n"));
        assertEquals(1, d.stats.deleteHits);
        assertEquals(1, d.stats.deleteMisses);
    }

    @Test
    void shouldIncrementAndDecrementWithMemcachedErrors()
    {
        assertEquals("STORED\r\nCLIENT_ERROR invalid numeric delta argument\r\n" +
            "CLIENT_ERROR invalid numeric delta argument\r\nCLIENT_ERROR invalid numeric delta argument\r\n9\r\n" +
            "VALUE n 0 2\r\n10\r\nEND\r\n0\r\n",
            d.send("set n 0 0 2\r\n10\r\nincr n abc\r\nincr n -1\r\nincr n 18446744073709551616\r\n" +
                "incr n 18446744073709551615\r\nincr n 1 noreply\r\nget n\r\ndecr n 100\r\n"));
        assertEquals("STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n" +
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
            d.send("set s 0 0 2\r\nhi\r\nincr s 1\r\ndecr s 1\r\n"));
        assertEquals("ERROR\r\nERROR\r\nNOT_FOUND\r\nNOT_FOUND\r\n",
            d.send("incr\r\nincr a\r\nincr a 1\r\nincr a 1 extra\r\n"));
        assertEquals("18446744073709551615\r\n0\r\n", d.send(
            "set m 0 0 20\r\n18446744073709551614\r\nincr m 1\r\nincr m 1\r\n").substring("STORED\r\n".length()));
    }

    @Test
    void shouldTouchAndGetAndTouch()
    {
        assertEquals("ERROR\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\n",
            d.send("touch a\r\ntouch a 10\r\ntouch a abc\r\n"));
        assertEquals("STORED\r\nTOUCHED\r\nCLIENT_ERROR invalid exptime argument\r\n",
            d.send("set t 0 0 1\r\nx\r\ntouch t 10\r\ntouch t 10 noreply\r\ntouch t x\r\n"));
        assertEquals("CLIENT_ERROR invalid exptime argument\r\nEND\r\nCLIENT_ERROR invalid exptime argument\r\n",
            d.send("gat a\r\ngat 10\r\ngat x a\r\n"));
        assertEquals("STORED\r\nVALUE g 5 1\r\nx\r\nVALUE g 5 1\r\nx\r\nEND\r\nVALUE g 5 1 2\r\nx\r\nEND\r\n",
            d.send("set g 5 0 1\r\nx\r\ngat 100 g nokey g\r\ngats 0 g\r\n"));
        d.clock.advance(11);
        assertEquals("END\r\n", d.send("get t\r\n"));
    }

    @Test
    void shouldExpireNegativeExptimeAtOnce()
    {
        assertEquals("STORED\r\nEND\r\n", d.send("set e 0 -1 1\r\nx\r\nget e\r\n"));
    }

    @Test
    void shouldFlushAll()
    {
        d.send("set a 0 0 1\r\nx\r\n");
        assertEquals("OK\r\nOK\r\nOK\r\nCLIENT_ERROR invalid exptime argument\r\nERROR\r\n",
            d.send("flush_all\r\nflush_all 0\r\nflush_all -1\r\nflush_all x\r\nflush_all 0 noreply\r\n" +
                "flush_all noreply\r\nflush_all 1 2 3\r\n"));
        assertEquals("END\r\n", d.send("get a\r\n"));
        assertEquals(6, d.stats.cmdFlush);
    }

    @Test
    void shouldRefuseFlushAllWhenDisabled()
    {
        final dev.taskvs.server.ServerConfig config = new dev.taskvs.server.ServerConfig();
        config.flushDisabled = true;
        try (TextSessionDriver disabled = new TextSessionDriver(config))
        {
            assertEquals("CLIENT_ERROR flush_all not allowed\r\n", disabled.send("flush_all\r\n"));
        }
    }

    @Test
    void shouldAnswerVersionVerbosityAndUnknownCommands()
    {
        final String version = "VERSION " + dev.taskvs.server.ServerContext.VERSION + "\r\n";
        assertEquals(version + version, d.send("version\r\nversion extra\r\n"));
        assertEquals("ERROR\r\nOK\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n",
            d.send("verbosity\r\nverbosity 1\r\nverbosity x\r\nverbosity 1 noreply\r\nverbosity 1 2 3\r\n"));
        assertEquals(1, d.ctx.verbosity());
        assertEquals("ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\n",
            d.send("\r\n\n\r\r\nx\r\nGET a\r\nget\r\ngets\r\nmz\r\ngg\r\n"));
        assertEquals("END\r\n", d.send("get / HTTP/1.0\r\n"));
        assertEquals("ERROR\r\n", d.send("set HTTP/1.1\r\n"));
    }

    @Test
    void shouldAnswerShutdownAsDisabled()
    {
        assertEquals("ERROR: shutdown not enabled\r\n", d.send("shutdown\r\n"));
        assertFalse(d.session.closeRequested());
    }

    @Test
    void shouldAdjustTheMemoryLimitAndAnswerCacheMemlimitAsMemcachedDoes()
    {
        // Every line as memcached 1.6.18 answers it.
        assertEquals("OK\r\n", d.send("cache_memlimit 100\r\n"));
        assertEquals(100L << 20, d.store.memoryLimit());
        assertTrue(d.send("stats\r\n").contains("STAT limit_maxbytes 104857600\r\n"));
        final String tooSmall = "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n";
        assertEquals(tooSmall, d.send("cache_memlimit 0\r\n"));
        assertEquals(tooSmall, d.send("cache_memlimit 1\r\n"));
        assertEquals(tooSmall, d.send("cache_memlimit 7\r\n"));
        assertEquals("ERROR\r\n", d.send("cache_memlimit abc\r\n"));
        assertEquals("ERROR\r\n", d.send("cache_memlimit -5\r\n"));
        assertEquals("ERROR\r\n", d.send("cache_memlimit 10abc\r\n"));
        assertEquals("ERROR\r\n", d.send("cache_memlimit\r\n"));
        assertEquals("ERROR\r\n", d.send("cache_memlimit 1 2 3\r\n"));
        assertEquals("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n",
            d.send("cache_memlimit 1000000001\r\n"));
        assertEquals(100L << 20, d.store.memoryLimit());
        // A uint32 read wraps, as memcached's safe_strtoul into a uint32_t does: 2^32 reads 0, 2^32 + 100 reads 100.
        assertEquals(tooSmall, d.send("cache_memlimit 4294967296\r\n"));
        assertEquals("OK\r\n", d.send("cache_memlimit 4294967304\r\n"));
        assertEquals(8L << 20, d.store.memoryLimit());
        assertEquals("OK\r\n", d.send("cache_memlimit +9 junk\r\n"));
        assertEquals(9L << 20, d.store.memoryLimit());
        assertEquals("OK\r\n", d.send("cache_memlimit 1000000000\r\n"));
        assertTrue(d.send("stats\r\n").contains("STAT limit_maxbytes 1048576000000000\r\n"));
        assertEquals("", d.send("cache_memlimit 1 noreply\r\ncache_memlimit abc noreply\r\n"));
        assertEquals("", d.send("cache_memlimit 12 noreply\r\n"));
        assertEquals(12L << 20, d.store.memoryLimit());
    }

    @Test
    void shouldEvictDownToALoweredMemoryLimitOnTheNextStores()
    {
        final String value = "v".repeat(10_000);
        for (int i = 0; i < 3000; i++)
        {
            d.send("set k" + i + " 0 0 10000 noreply\r\n" + value + "\r\n");
        }
        assertTrue(d.store.stats().bytes > 20L << 20);
        assertEquals("OK\r\n", d.send("cache_memlimit 8\r\n"));
        assertTrue(d.store.stats().bytes > 20L << 20, "nothing is freed before the next store");
        assertEquals("STORED\r\n", d.send("set fresh 0 0 10000\r\n" + value + "\r\n"));
        assertTrue(d.store.stats().bytes <= 8L << 20, "bytes " + d.store.stats().bytes);
        assertTrue(d.send("get fresh\r\n").startsWith("VALUE fresh 0 10000\r\n"));
    }

    @Test
    void shouldAnswerSlabsLruAndCrawlerTuningAsMemcachedDoes()
    {
        // memcached 1.6.18 transcripts (default flags for slabs automove and lru; -o no_slab_reassign,no_lru_crawler
        // for reassign and the crawler, the subsystems we do not have; -W for watch).
        final String[][] transcript = {
            {"slabs automove 0", "OK"}, {"slabs automove 1", "OK"}, {"slabs automove 2", "OK"},
            {"slabs automove 3", "ERROR"}, {"slabs automove", "ERROR"},
            {"slabs automove abc", "CLIENT_ERROR bad command line format"}, {"slabs automove 1 noreply", null},
            {"slabs automove ratio 0.8", "OK"}, {"slabs automove ratio x", "ERROR"},
            {"slabs reassign 1 2", "CLIENT_ERROR slab reassignment disabled"},
            {"slabs reassign abc 2", "CLIENT_ERROR slab reassignment disabled"},
            {"slabs reassign 1", "ERROR"}, {"slabs reassign 1 2 noreply", "ERROR"}, {"slabs", "ERROR"},
            {"slabs foo", "ERROR"}, {"slabs foo bar", "ERROR"},
            {"lru mode flat", "OK"}, {"lru mode segmented", "OK"}, {"lru mode foo", "ERROR"}, {"lru mode", "ERROR"},
            {"lru tune 10 25 0.1 2", "OK"}, {"lru tune 10 25 0.1", "ERROR"}, {"lru tune a b c d", "ERROR"},
            {"lru tune 60 25 0.1 2", "ERROR hot and warm pcts must not exceed 80"},
            {"lru tune 10 25 0 2", "ERROR hot/warm age factors must be greater than 0"},
            {"lru tune 10 25 1e-400 2", "ERROR"}, {"lru tune 10 25 .5 2e1", "OK"},
            {"lru temp_ttl 10", "OK"}, {"lru temp_ttl -1", "OK"}, {"lru temp_ttl abc", "ERROR"},
            {"lru temp_ttl", "ERROR"}, {"lru foo", "ERROR"}, {"lru", "ERROR"}, {"lru mode flat noreply", null},
            {"lru mode foo noreply", null},
            {"lru_crawler enable", "ERROR failed to start lru crawler thread"}, {"lru_crawler disable", "OK"},
            {"lru_crawler sleep 100", "OK"},
            {"lru_crawler sleep 1000001", "CLIENT_ERROR sleep must be one second or less"},
            {"lru_crawler sleep abc", "CLIENT_ERROR bad command line format"}, {"lru_crawler tocrawl 0", "OK"},
            {"lru_crawler tocrawl abc", "CLIENT_ERROR bad command line format"},
            {"lru_crawler crawl all", "CLIENT_ERROR lru crawler disabled"},
            {"lru_crawler metadump all", "CLIENT_ERROR lru crawler disabled"},
            {"lru_crawler mgdump all", "ERROR"}, {"lru_crawler foo", "ERROR"}, {"lru_crawler", "ERROR"},
            {"lru_crawler enable noreply", "ERROR"}, {"lru_crawler sleep 100 noreply", "ERROR"},
            {"watch", "CLIENT_ERROR watch commands not allowed"},
            {"watch fetchers mutations", "CLIENT_ERROR watch commands not allowed"}, {"watch noreply", null},
        };
        for (final String[] exchange : transcript)
        {
            assertEquals(exchange[1] == null ? "" : exchange[1] + "\r\n", d.send(exchange[0] + "\r\n"), exchange[0]);
        }
        assertFalse(d.session.closeRequested());
    }

    @Test
    void shouldShutdownWhenEnabled()
    {
        final dev.taskvs.server.ServerConfig config = new dev.taskvs.server.ServerConfig();
        config.shutdownEnabled = true;
        try (TextSessionDriver enabled = new TextSessionDriver(config))
        {
            final boolean[] ran = new boolean[1];
            enabled.ctx.shutdownAction(() -> ran[0] = true);
            assertEquals("CLIENT_ERROR invalid shutdown mode\r\n", enabled.send("shutdown x\r\n"));
            assertEquals("", enabled.send("shutdown\r\n"));
            assertTrue(ran[0]);
            assertTrue(enabled.session.closeRequested());
        }
    }

    @Test
    void shouldCloseOnQuitWithoutAnsweringWhatFollows()
    {
        assertEquals("", d.send("quit\r\nget a\r\n"));
        assertTrue(d.session.closeRequested());
    }

    @Test
    void shouldCloseOnHttpRequestLines()
    {
        for (final String line : new String[]{"GET / HTTP/1.0\r\n", "DELETE HTTP/1.1\r\n", "foo HTTP/1.1\r\n"})
        {
            try (TextSessionDriver http = new TextSessionDriver())
            {
                assertEquals("", http.send(line));
                assertTrue(http.session.closeRequested(), line);
            }
        }
    }

    @Test
    void shouldAcceptBareNewlineAsLineEnd()
    {
        assertEquals("STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n", d.send("set a 0 0 1\nx\r\nget a\n"));
    }

    @Test
    void shouldAnswerOutOfMemoryWhenEvictionIsDisabled()
    {
        final dev.taskvs.server.ServerConfig config = new dev.taskvs.server.ServerConfig();
        config.memoryLimitMb = 1;
        config.noEviction = true;
        try (TextSessionDriver full = new TextSessionDriver(config))
        {
            final String value = "v".repeat(100_000);
            String answer = "";
            int stored = 0;
            while (stored < 20 && (answer = full.send("set k" + stored + " 0 0 100000\r\n" + value + "\r\n"))
                .equals("STORED\r\n"))
            {
                stored++;
            }
            assertEquals("SERVER_ERROR out of memory storing object\r\n", answer);
            assertEquals(1, full.stats.storeNoMemory);
            // a failed set must not leave the old value behind
            assertEquals("SERVER_ERROR out of memory storing object\r\nEND\r\n",
                full.send("set k0 0 0 200000\r\n" + value + value + "\r\nget k0\r\n"));
        }
    }
}
