package dev.taskvs.server.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.taskvs.server.compat.Conversation.repeat;
import static dev.taskvs.server.compat.Expect.end;
import static dev.taskvs.server.compat.Expect.eof;
import static dev.taskvs.server.compat.Expect.line;
import static dev.taskvs.server.compat.Expect.lines;
import static dev.taskvs.server.compat.Expect.none;

/** The classic text protocol, command family by command family, including its error lines. */
final class TextScenarios
{
    static final String KEY_250 = repeat('k', 250);
    static final String KEY_251 = repeat('k', 251);
    private static final Duration EXPIRY_WAIT = Duration.ofSeconds(3);

    private TextScenarios()
    {
    }

    static List<Scenario> all()
    {
        final List<Scenario> all = new ArrayList<>();
        all.addAll(storage().scenarios());
        all.addAll(retrieval().scenarios());
        all.addAll(arithmetic().scenarios());
        all.addAll(misc().scenarios());
        all.addAll(admin().scenarios());
        all.addAll(errors().scenarios());
        return all;
    }

    static Catalogue storage()
    {
        return new Catalogue("text-storage")
            .add("set then get", c -> c
                .send("set foo 5 0 3\r\nbar\r\n", line())
                .send("get foo\r\n", end()))
            .add("set overwrites", c -> c
                .send("set foo 1 0 3\r\nbar\r\n", line())
                .send("set foo 2 0 5\r\nbazzz\r\n", line())
                .send("get foo\r\n", end()))
            .add("empty value", c -> c
                .send("set e 0 0 0\r\n\r\n", line())
                .send("get e\r\n", end()))
            .add("value holding CRLF and binary bytes", c -> c
                .send("set bin 0 0 8\r\na\r\nb\0\u00ff\r\n\r\n", line())
                .send("get bin\r\n", end()))
            .add("flags limits", c -> c
                .send("set f1 4294967295 0 1\r\nx\r\n", line())
                .send("set f2 4294967296 0 1\r\nx\r\n", line())
                .send("set f3 -1 0 1\r\nx\r\n", lines(2))
                .send("get f1 f2 f3\r\n", end()))
            .add("add stores only a new key", c -> c
                .send("add a 0 0 1\r\n1\r\n", line())
                .send("add a 0 0 1\r\n2\r\n", line())
                .send("get a\r\n", end()))
            .add("replace stores only an existing key", c -> c
                .send("replace r 0 0 1\r\n1\r\n", line())
                .send("set r 0 0 1\r\n1\r\n", line())
                .send("replace r 3 0 1\r\n2\r\n", line())
                .send("get r\r\n", end()))
            .add("append and prepend keep flags", c -> c
                .send("append ap 0 0 1\r\nx\r\n", line())
                .send("prepend ap 0 0 1\r\nx\r\n", line())
                .send("set ap 7 0 3\r\nmid\r\n", line())
                .send("append ap 99 99 4\r\n-end\r\n", line())
                .send("prepend ap 99 99 6\r\nstart-\r\n", line())
                .send("gets ap\r\n", end()))
            .add("append gives a new cas", c -> c
                .send("set ap 0 0 1\r\na\r\n", line())
                .send("gets ap\r\n", end())
                .send("append ap 0 0 1\r\nb\r\n", line())
                .send("gets ap\r\n", end()))
            .add("cas stored exists not found", c -> c
                .send("cas c 0 0 1 1\r\nx\r\n", line())
                .send("set c 0 0 1\r\na\r\n", line())
                .send("gets c\r\n", end())
                .send("cas c 3 0 1 {cas}\r\nb\r\n", line())
                .send("cas c 0 0 1 {cas}\r\nc\r\n", line())
                .send("gets c\r\n", end())
                .send("cas c 0 0 1 0\r\nd\r\n", line())
                .send("cas c 0 0 1 {cas+1000}\r\ne\r\n", line())
                .send("gets c\r\n", end()))
            .add("cas noreply", c -> c
                .send("set c 0 0 1\r\na\r\n", line())
                .send("gets c\r\n", end())
                .send("cas c 0 0 1 {cas} noreply\r\nb\r\n", none())
                .send("cas c 0 0 1 {cas} noreply\r\nz\r\n", none())
                .send("gets c\r\n", end()))
            .add("cas with bad tokens", c -> c
                .send("set c 0 0 1\r\na\r\n", line())
                .send("cas c 0 0 1\r\nx\r\n", lines(2))
                .send("cas c 0 0 1 abc\r\nx\r\n", lines(2))
                .send("cas c 0 0 1 -1\r\nx\r\n", lines(2))
                .send("get c\r\n", end()))
            .add("every storage command with noreply", c -> c
                .send("set n 0 0 1 noreply\r\n1\r\n", none())
                .send("add n 0 0 1 noreply\r\n2\r\n", none())
                .send("add n2 0 0 1 noreply\r\n2\r\n", none())
                .send("replace n 0 0 1 noreply\r\n3\r\n", none())
                .send("replace missing 0 0 1 noreply\r\n3\r\n", none())
                .send("append n 0 0 1 noreply\r\n4\r\n", none())
                .send("prepend n 0 0 1 noreply\r\n5\r\n", none())
                .send("append missing 0 0 1 noreply\r\n4\r\n", none())
                .send("get n n2 missing\r\n", end()))
            .add("pipelined storage in one write", c -> c
                .send("set p1 0 0 1\r\na\r\nset p2 0 0 1\r\nb\r\nadd p1 0 0 1\r\nc\r\nget p1 p2\r\n", end()))
            .add("commands and data split into 1-byte writes", c -> c
                .dribble("set sp 3 0 10\r\n0123456789\r\nget sp\r\nincr sp 1\r\ngets sp\r\n", 1, lines(6)))
            .add("a large value split into 1000-byte writes", c -> c
                .dribble("set sp 0 0 200000\r\n" + repeat('s', 200000) + "\r\nmg sp s\r\n", 1000, lines(2)))
            .add("bare LF ends a command line", c -> c
                .send("set lf 0 0 2\nhi\r\nget lf\n", lines(3)))
            .add("key with control and tab bytes", c -> c
                .send("set a\u0001b 0 0 1\r\nx\r\n", line())
                .send("set tab\tkey 0 0 1\r\ny\r\n", line())
                .send("get a\u0001b tab\tkey\r\n", end()))
            .add("250-byte key", c -> c
                .send("set " + KEY_250 + " 0 0 1\r\nx\r\n", line())
                .send("get " + KEY_250 + "\r\n", end()))
            .add("negative exptime expires at once", c -> c
                .send("set neg 0 -1 1\r\nx\r\n", line())
                .send("get neg\r\n", end()))
            .add("absolute exptime in the past", c -> c
                .send("set past 0 1000000000 1\r\nx\r\n", line())
                .send("get past\r\n", end()))
            .add("absolute exptime in the future", c -> c
                .send("set fut 0 " + (System.currentTimeMillis() / 1000 + 3600) + " 1\r\nx\r\n", line())
                .send("get fut\r\n", end())
                .send("mg fut t v\r\n", line()))
            .add("exptime beyond 32 bits", c -> c
                .send("set big 0 9999999999 1\r\nx\r\n", line())
                .send("get big\r\n", end()))
            .add("thirty days is still relative", c -> c
                .send("set d30 0 2592000 1\r\nx\r\n", line())
                .send("mg d30 t\r\n", line())
                .send("set d31 0 2592001 1\r\nx\r\n", line())
                .send("get d31\r\n", end()))
            .add("short ttl expires", c -> c
                .send("set t 0 1 1\r\nx\r\n", line())
                .send("set keep 0 0 1\r\ny\r\n", line())
                .poll("get t\r\n", end(), "END\r\n"::equals, EXPIRY_WAIT)
                .send("get keep\r\n", end()))
            .add("value just under the item size limit", c -> c
                .send("set big 0 0 1048000\r\n" + repeat('v', 1048000) + "\r\n", line())
                .send("mg big s\r\n", line()))
            .add("value over the item size limit is swallowed and the old value dropped", c -> c
                .send("set big 0 0 1\r\nx\r\n", line())
                .send("set big 0 0 1048576\r\n" + repeat('v', 1048576) + "\r\n", line())
                .send("get big\r\n", end()))
            .add("value over a 512 KiB -I limit", ServerFlags.DEFAULTS.itemSizeMax(512 * 1024), c -> c
                .send("set ok 0 0 500000\r\n" + repeat('v', 500000) + "\r\n", line())
                .send("set big 0 0 530000\r\n" + repeat('v', 530000) + "\r\n", line())
                .send("append ok 0 0 30000\r\n" + repeat('w', 30000) + "\r\n", line())
                .send("mg ok s\r\nmg big s\r\n", lines(2)))
            .add("too large with noreply still swallows", c -> c
                .send("set big 0 0 2000000 noreply\r\n" + repeat('v', 2000000) + "\r\n", none())
                .send("get big\r\n", end()));
    }

    static Catalogue retrieval()
    {
        final StringBuilder sets = new StringBuilder();
        final StringBuilder keys = new StringBuilder("get");
        for (int i = 0; i < 300; i++)
        {
            sets.append("set mk").append(i).append(" ").append(i).append(" 0 ").append(Integer.toString(i).length())
                .append(" noreply\r\n").append(i).append("\r\n");
            keys.append(" mk").append(i).append(i % 7 == 0 ? " miss" + i : "");
        }
        keys.append("\r\n");
        return new Catalogue("text-retrieval")
            .add("get miss", c -> c.send("get nothing\r\n", end()))
            .add("multi-get hits misses duplicates", c -> c
                .send("set a 1 0 1\r\nA\r\nset b 2 0 2\r\nBB\r\n", lines(2))
                .send("get a nope b a\r\n", end())
                .send("gets a nope b\r\n", end()))
            .add("multi-get of 300 keys", c -> c
                .send(sets.toString(), none())
                .send(keys.toString(), end()))
            .add("extra spaces between keys", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("get   a    a  \r\n", end()))
            .add("gets returns the same cas until a change", c -> c
                .send("set g 0 0 1\r\n1\r\n", line())
                .send("gets g\r\n", end())
                .send("gets g\r\n", end())
                .send("set g 0 0 1\r\n2\r\n", line())
                .send("gets g\r\n", end()))
            .add("get with no key", c -> c.send("get\r\n", line()).send("gets\r\n", line()))
            .add("get with a 251-byte key", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("get a " + KEY_251 + " a\r\n", end()))
            .add("gat and gats update ttl and keep cas", c -> c
                .send("set g 3 0 2\r\nhi\r\n", line())
                .send("gets g\r\n", end())
                .send("gat 100 g nope\r\n", end())
                .send("mg g t\r\n", line())
                .send("gats 200 g g\r\n", end())
                .send("mg g t c\r\n", line()))
            .add("gat with a negative ttl expires the item", c -> c
                .send("set g 0 0 1\r\nx\r\n", line())
                .send("gat -1 g\r\n", end())
                .send("get g\r\n", end()))
            .add("gat errors", c -> c
                .send("gat g\r\n", line())
                .send("gat abc g\r\n", line())
                .send("gat\r\n", line())
                .send("gats 10\r\n", line()))
            .add("touch", c -> c
                .send("touch t 10\r\n", line())
                .send("set t 0 0 1\r\nx\r\n", line())
                .send("gets t\r\n", end())
                .send("touch t 100\r\n", line())
                .send("mg t t\r\n", line())
                .send("gets t\r\n", end())
                .send("touch t 10 noreply\r\n", none())
                .send("touch t abc\r\n", line())
                .send("touch t\r\n", line())
                .send("touch t -1\r\n", line())
                .send("get t\r\n", end()))
            .add("delete", c -> c
                .send("delete d\r\n", line())
                .send("set d 0 0 1\r\nx\r\n", line())
                .send("delete d\r\n", line())
                .send("delete d\r\n", line())
                .send("set d 0 0 1\r\nx\r\n", line())
                .send("delete d 0\r\n", line())
                .send("set d 0 0 1\r\nx\r\n", line())
                .send("delete d 5\r\n", line())
                .send("delete d noreply\r\n", none())
                .send("delete d 0 noreply\r\n", none())
                .send("delete\r\n", line())
                .send("get d\r\n", end()));
    }

    static Catalogue arithmetic()
    {
        return new Catalogue("text-arith")
            .add("incr and decr", c -> c
                .send("incr n 1\r\n", line())
                .send("decr n 1\r\n", line())
                .send("set n 5 0 1\r\n1\r\n", line())
                .send("incr n 41\r\n", line())
                .send("decr n 2\r\n", line())
                .send("gets n\r\n", end()))
            .add("incr wraps at 2^64", c -> c
                .send("set n 0 0 20\r\n18446744073709551615\r\n", line())
                .send("incr n 1\r\n", line())
                .send("get n\r\n", end())
                .send("set m 0 0 20\r\n18446744073709551610\r\n", line())
                .send("incr m 18446744073709551615\r\n", line()))
            .add("decr floors at 0", c -> c
                .send("set n 0 0 1\r\n5\r\n", line())
                .send("decr n 7\r\n", line())
                .send("decr n 1\r\n", line())
                .send("get n\r\n", end()))
            .add("2^63 boundaries", c -> c
                .send("set n 0 0 19\r\n9223372036854775807\r\n", line())
                .send("incr n 1\r\n", line())
                .send("decr n 1\r\n", line())
                .send("incr n 9223372036854775808\r\n", line()))
            .add("non-numeric values", c -> c
                .send("set a 0 0 2\r\nhi\r\nset b 0 0 4\r\n12ab\r\nset c 0 0 2\r\n-5\r\n", lines(3))
                .send("set d 0 0 20\r\n18446744073709551616\r\nset e 0 0 0\r\n\r\n", lines(2))
                .send("incr a 1\r\nincr b 1\r\ndecr c 1\r\nincr d 1\r\nincr e 1\r\n", lines(5)))
            .add("bad deltas", c -> c
                .send("set n 0 0 1\r\n1\r\n", line())
                .send("incr n abc\r\nincr n -1\r\ndecr n 18446744073709551616\r\nincr n 1x\r\n", lines(4))
                .send("incr n\r\nincr\r\n", lines(2))
                .send("get n\r\n", end()))
            .add("leading spaces and zeros", c -> c
                .send("set a 0 0 3\r\n 12\r\nset b 0 0 3\r\n007\r\n", lines(2))
                .send("incr a 1\r\nincr b 1\r\n", lines(2))
                .send("get a b\r\n", end()))
            .add("a shorter number is space-padded in place", c -> c
                .send("set n 0 0 3\r\n100\r\n", line())
                .send("decr n 1\r\n", line())
                .send("get n\r\n", end())
                .send("decr n 90\r\n", line())
                .send("get n\r\n", end())
                .send("incr n 991\r\n", line())
                .send("get n\r\n", end()))
            .add("a longer number grows the item", c -> c
                .send("set n 3 0 2\r\n99\r\n", line())
                .send("incr n 1\r\n", line())
                .send("get n\r\n", end())
                .send("incr n 18446744073709551000\r\n", line())
                .send("get n\r\n", end()))
            .add("incr and decr give a new cas", c -> c
                .send("set n 0 0 1\r\n1\r\n", line())
                .send("gets n\r\n", end())
                .send("incr n 1\r\n", line())
                .send("gets n\r\n", end())
                .send("decr n 1\r\n", line())
                .send("gets n\r\n", end()))
            .add("incr and decr noreply", c -> c
                .send("set n 0 0 1\r\n1\r\n", line())
                .send("incr n 5 noreply\r\n", none())
                .send("decr n 2 noreply\r\n", none())
                .send("incr missing 1 noreply\r\n", none())
                .send("incr n abc noreply\r\n", none())
                .send("get n\r\n", end()));
    }

    static Catalogue misc()
    {
        return new Catalogue("text-misc")
            .add("version", c -> c.send("version\r\n", line()))
            .add("verbosity", c -> c
                .send("verbosity 1\r\n", line())
                .send("verbosity 0 noreply\r\n", none())
                .send("verbosity\r\n", line())
                .send("verbosity invalid\r\n", line())
                .send("version\r\n", line()))
            .add("flush_all", c -> c
                .send("set a 0 0 1\r\n1\r\nset b 0 0 1\r\n2\r\n", lines(2))
                .send("flush_all\r\n", line())
                .send("get a b\r\n", end())
                .send("set c 0 0 1\r\n3\r\n", line())
                .send("get c\r\n", end()))
            .add("flush_all noreply and errors", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("flush_all noreply\r\n", none())
                .send("get a\r\n", end())
                .send("flush_all invalid\r\n", line())
                .send("flush_all -1\r\n", line())
                .send("flush_all 0 noreply\r\n", none())
                .send("version\r\n", line()))
            .add("flush_all with a delay", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("flush_all 3\r\n", line())
                .send("get a\r\n", end())
                .poll("get a\r\n", end(), "END\r\n"::equals, Duration.ofSeconds(5)))
            .add("flush_all disabled with -F", ServerFlags.DEFAULTS.flushDisabled(), c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("flush_all\r\n", line())
                .send("flush_all 0 noreply\r\n", none())
                .send("get a\r\n", end()))
            .add("stats", c -> c.send("stats\r\n", end()))
            .add("stats settings", c -> c.send("stats settings\r\n", end()))
            .add("stats items and slabs", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("stats items\r\n", end())
                .send("stats slabs\r\n", end()))
            .add("stats conns", c -> c.send("stats conns\r\n", end()))
            .add("stats sizes detail reset bogus", c -> c
                .send("stats sizes\r\n", end())
                .send("stats detail dump\r\n", end())
                .send("stats reset\r\n", line())
                .send("stats bogus\r\n", line()))
            .add("quit", c -> c.send("quit\r\n", eof()))
            .add("quit after pipelined commands", c -> c
                .send("set q 0 0 1\r\n1\r\nget q\r\nquit\r\nget q\r\n", eof()))
            .add("shutdown not enabled", c -> c
                .send("shutdown\r\n", line())
                .send("version\r\n", line()))
            .add("shutdown enabled with -A", ServerFlags.DEFAULTS.shutdownEnabled(), c -> c
                .send("shutdown\r\n", eof()));
    }

    /** Tuning commands: cache_memlimit, slabs, lru, lru_crawler, watch. */
    static Catalogue admin()
    {
        final ServerFlags lacking = ServerFlags.DEFAULTS.withoutCrawlerMoverWatch();
        return new Catalogue("text-admin")
            .add("cache_memlimit", c -> c
                .send("cache_memlimit 100\r\n", line())
                .send("cache_memlimit 0\r\n", line())
                .send("cache_memlimit 1\r\n", line())
                .send("cache_memlimit abc\r\n", line())
                .send("cache_memlimit -5\r\n", line())
                .send("cache_memlimit 1000000001\r\n", line())
                .send("cache_memlimit 4294967296\r\n", line())
                .send("cache_memlimit 1 noreply\r\n", none())
                .send("cache_memlimit 100 noreply\r\n", none())
                .send("cache_memlimit\r\n", line())
                .send("cache_memlimit 9\r\n", line())
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("get a\r\n", end()))
            .add("slabs automove", c -> c
                .send("slabs automove 0\r\n", line())
                .send("slabs automove 2\r\n", line())
                .send("slabs automove 3\r\n", line())
                .send("slabs automove abc\r\n", line())
                .send("slabs automove 1 noreply\r\n", none())
                .send("slabs automove ratio 0.8\r\n", line())
                .send("slabs automove ratio x\r\n", line())
                .send("slabs\r\n", line())
                .send("slabs foo bar\r\n", line()))
            .add("lru", c -> c
                .send("lru mode flat\r\n", line())
                .send("lru mode segmented\r\n", line())
                .send("lru mode foo\r\n", line())
                .send("lru tune 10 25 0.1 2\r\n", line())
                .send("lru tune 60 25 0.1 2\r\n", line())
                .send("lru tune 10 25 0 2\r\n", line())
                .send("lru tune a b c d\r\n", line())
                .send("lru temp_ttl 10\r\n", line())
                .send("lru temp_ttl abc\r\n", line())
                .send("lru mode flat noreply\r\n", none())
                .send("lru\r\n", line())
                .send("version\r\n", line()))
            .add("lru_crawler without a crawler", lacking, c -> c
                .send("lru_crawler crawl all\r\n", line())
                .send("lru_crawler metadump all\r\n", line())
                .send("lru_crawler sleep 100\r\n", line())
                .send("lru_crawler sleep 1000001\r\n", line())
                .send("lru_crawler tocrawl 5\r\n", line())
                .send("lru_crawler tocrawl abc\r\n", line())
                .send("lru_crawler disable\r\n", line())
                .send("lru_crawler foo\r\n", line())
                .send("lru_crawler enable noreply\r\n", line()))
            .add("lru_crawler enable while running", c -> c
                .send("lru_crawler enable\r\n", line()))
            .add("slabs reassign and watch without a mover or log stream", lacking, c -> c
                .send("slabs reassign 1 2\r\n", line())
                .send("slabs reassign abc 2\r\n", line())
                .send("slabs reassign 1 2 3\r\n", line())
                .send("watch\r\n", line())
                .send("watch fetchers\r\n", line())
                .send("watch noreply\r\n", none())
                .send("version\r\n", line()));
    }

    static Catalogue errors()
    {
        return new Catalogue("text-errors")
            .add("unknown command", c -> c.send("bogus\r\n", line()).send("version\r\n", line()))
            .add("upper-case command", c -> c.send("GET a\r\n", line()).send("SET a 0 0 1\r\n", line()))
            .add("empty line", c -> c.send("\r\n", line()).send("\n", line()).send("version\r\n", line()))
            .add("too few tokens", c -> c
                .send("set a 0\r\n", line())
                .send("set a 0 0\r\n", line())
                .send("cas a 0 0 1\r\n", line())
                .send("get a\r\n", end()))
            .add("non-numeric storage fields", c -> c
                .send("set a x 0 1\r\n1\r\n", lines(2))
                .send("set a 0 x 1\r\n1\r\n", lines(2))
                .send("set a 0 0 x\r\n1\r\n", lines(2))
                .send("set a 0 0 -1\r\n1\r\n", lines(2))
                .send("get a\r\n", end()))
            .add("data block longer than declared", c -> c
                .send("set a 0 0 1\r\nxyz\r\n", lines(2))
                .send("get a\r\n", end()))
            .add("data block shorter than declared", c -> c
                .send("set b 0 0 3\r\nab\r\nget b\r\n", lines(2))
                .send("get b\r\n", end()))
            .add("data block without CRLF", c -> c
                .send("set c 0 0 3\r\nabcde\r\n", lines(2))
                .send("set d 0 0 3\nabc\nget d\n", lines(2))
                .send("get c d\r\n", end()))
            .add("bad data chunk with noreply", c -> c
                .send("set e 0 0 1 noreply\r\nxyz\r\n", line())
                .send("get e\r\n", end()))
            .add("251-byte key on set then its data line", c -> c
                .send("set " + KEY_251 + " 0 0 1\r\nx\r\n", lines(2))
                .send("get x\r\n", end()))
            .add("251-byte key on delete incr touch", c -> c
                .send("delete " + KEY_251 + "\r\n", line())
                .send("incr " + KEY_251 + " 1\r\n", line())
                .send("touch " + KEY_251 + " 1\r\n", line()))
            .add("HTTP request lines close the connection", c -> c
                .send("GET / HTTP/1.0\r\n\r\n", eof()))
            .add("HTTP PUT closes the connection", c -> c
                .send("PUT /foo HTTP/1.1\r\n\r\n", eof()))
            .add("2 KiB without a newline closes the connection", c -> c
                .send(repeat('x', 9000), eof()))
            .add("a long get line is allowed", c -> c
                .send("set a 0 0 1\r\n1\r\n", line())
                .send("get " + (repeat('b', 200) + " ").repeat(20) + "a\r\n", end()))
            .add("a long key line arriving whole", c -> c
                .send("set " + repeat('k', 3000) + " 0 0 1\r\nx\r\n", lines(2))
                .send("version\r\n", line()));
    }
}
