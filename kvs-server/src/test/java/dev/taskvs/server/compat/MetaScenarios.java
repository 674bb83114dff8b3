package dev.taskvs.server.compat;

import java.util.List;

import static dev.taskvs.server.compat.Conversation.repeat;
import static dev.taskvs.server.compat.Expect.end;
import static dev.taskvs.server.compat.Expect.line;
import static dev.taskvs.server.compat.Expect.lines;
import static dev.taskvs.server.compat.Expect.until;

/** The meta protocol (mg, ms, md, ma, mn, me) with every flag memcached 1.6.18 takes. */
final class MetaScenarios
{
    private MetaScenarios()
    {
    }

    static List<Scenario> all()
    {
        return new Catalogue("meta")
            .add("mn", c -> c.send("mn\r\n", line()))
            .add("ms and mg basics", c -> c
                .send("ms mk 2\r\nhi\r\n", line())
                .send("mg mk\r\n", line())
                .send("mg mk v\r\n", line())
                .send("get mk\r\n", end()))
            .add("mg with every return flag", c -> c
                .send("ms mk 2 T0 F7\r\nhi\r\n", line())
                .send("mg mk v f t c s k O99 h l\r\n", line())
                .send("mg mk v f t c s k O99 h l\r\n", line())
                .send("mg mk k v\r\n", line()))
            .add("mg miss", c -> c
                .send("mg nokey\r\n", line())
                .send("mg nokey v\r\n", line())
                .send("mg nokey v Oabc k\r\n", line())
                .send("md nokey Oabc k\r\n", line())
                .send("ms nokey 1 MR Oabc k\r\nx\r\n", line()))
            .add("quiet mode with mn", c -> c
                .send("ms a 1\r\nA\r\n", line())
                .send("mg a v q\r\nmg b v q k\r\nmg a k q\r\nmn\r\n", until("MN"))
                .send("ms q1 1 q\r\nx\r\nms q1 1 q ME\r\ny\r\nmd nope q\r\nmd q1 q\r\nmn\r\n", until("MN"))
                .send("ma nope q\r\nms n 1\r\n1\r\nma n q\r\nma n q v\r\nmn\r\n", until("MN")))
            .add("base64 keys", c -> c
                .send("ms Zm9v 3 b\r\nbar\r\n", line())
                .send("mg Zm9v b v k\r\n", line())
                .send("get foo\r\n", end())
                .send("mg Zm9v b k c v q\r\nmd Zm9v b q\r\nmg Zm9v b v\r\n", lines(2))
                .send("mg !!!! b v\r\n", line())
                .send("me Zm9v b\r\n", line()))
            .add("opaque", c -> c
                .send("ms o 1 O1\r\nx\r\n", line())
                .send("mg o O12345678901234567890123456789012 v\r\n", line())
                .send("mg o O123456789012345678901234567890123 v\r\n", line())
                .send("mn O5\r\n", line()))
            .add("ms modes", c -> c
                .send("ms m 1 ME\r\na\r\n", line())
                .send("ms m 1 ME\r\nb\r\n", line())
                .send("ms m 1 MA\r\nc\r\n", line())
                .send("ms m 1 MP\r\nd\r\n", line())
                .send("ms m 1 MR\r\ne\r\n", line())
                .send("mg m v\r\n", line())
                .send("ms m 1 MS\r\nf\r\n", line())
                .send("ms nope 1 MA\r\nx\r\n", line())
                .send("ms nope 1 MP\r\nx\r\n", line())
                .send("ms nope 1 MR\r\nx\r\n", line())
                .send("ms m 1 MX\r\nx\r\n", line())
                .send("ms m 1 Ms\r\ng\r\n", line())
                .send("mg m v\r\n", line()))
            .add("ms append vivify", c -> c
                .send("ms viv 1 MA N30\r\nx\r\n", line())
                .send("mg viv v t\r\n", line())
                .send("ms viv 1 MA N30\r\ny\r\n", line())
                .send("mg viv v\r\n", line()))
            .add("ms flags and ttl", c -> c
                .send("ms f 2 F123 T60\r\nhi\r\n", line())
                .send("mg f f t v\r\n", line())
                .send("get f\r\n", end())
                .send("ms f 2 T0\r\nho\r\n", line())
                .send("mg f f t v\r\n", line())
                .send("ms f 2 F4294967296\r\nho\r\n", line())
                .send("ms f 2 T-1\r\nho\r\n", line())
                .send("mg f v\r\n", line()))
            .add("ms compare and swap", c -> c
                .send("ms c 1 c\r\na\r\n", line())
                .send("ms c 1 C{cas} c\r\nb\r\n", line())
                .send("ms c 1 C{cas+100}\r\nz\r\n", line())
                .send("mg c v c\r\n", line())
                .send("ms nope 1 C1\r\nz\r\n", line())
                .send("mg c v c\r\n", line()))
            .add("ms invalidate with a lower cas marks stale", c -> c
                .send("ms s 1 c\r\na\r\n", line())
                .send("ms s 1 I C{cas-1}\r\nb\r\n", line())
                .send("mg s v c\r\n", line())
                .send("mg s v c\r\n", line()))
            .add("ms return flags", c -> c
                .send("ms r 1 c k O7 T30 F3\r\nx\r\n", line())
                .send("ms r 1 q\r\ny\r\nmn\r\n", until("MN"))
                .send("mg r v\r\n", line()))
            .add("ms errors", c -> c
                .send("ms mk\r\n", line())
                .send("ms mk x\r\nab\r\n", lines(2))
                .send("ms mk 2 Z\r\nab\r\n", line())
                .send("ms mk 1\r\nxyz\r\n", lines(2))
                .send("ms " + TextScenarios.KEY_251 + " 1\r\nx\r\n", lines(2))
                .send("ms mk -1\r\nx\r\n", lines(2))
                .send("mg mk v\r\n", line()))
            .add("ms too large is swallowed", c -> c
                .send("ms big 1\r\nx\r\n", line())
                .send("ms big 1048576 T0\r\n" + repeat('v', 1048576) + "\r\n", line())
                .send("mg big v\r\n", line()))
            .add("mg ttl update and no bump", c -> c
                .send("ms t 1 T100\r\nx\r\n", line())
                .send("mg t T200 t v\r\n", line())
                .send("mg t t u\r\n", line())
                .send("mg t T0 t\r\n", line())
                .send("mg t t\r\n", line()))
            .add("mg flags 1.6.18 rejects", c -> c
                .send("ms e 1\r\nx\r\n", line())
                .send("mg e v E55\r\n", line())
                .send("mg e v Z\r\n", line())
                .send("mg e v C1\r\n", line())
                .send("mg e v\r\n", line()))
            .add("mg errors", c -> c
                .send("mg\r\n", line())
                .send("mg " + TextScenarios.KEY_251 + " v\r\n", line())
                .send("mn\r\n", line()))
            .add("mg proxy hints are ignored", c -> c
                .send("ms p 1\r\nx\r\n", line())
                .send("mg p v Pfoo Lbar\r\n", line()))
            .add("vivify on miss", c -> c
                .send("mg viv N30 v c t\r\n", line())
                .send("mg viv N30 v c t\r\n", line())
                .send("ms viv 3 C{cas}\r\nnew\r\n", line())
                .send("mg viv N30 v c\r\n", line()))
            .add("stale while revalidate", c -> c
                .send("ms stale 1 T100\r\nx\r\n", line())
                .send("md stale I T30\r\n", line())
                .send("mg stale v c t\r\n", line())
                .send("mg stale v c t\r\n", line())
                .send("ms stale 1 C{cas}\r\ny\r\n", line())
                .send("mg stale v c t\r\n", line()))
            .add("recache win", c -> c
                .send("ms r 1 T10\r\nx\r\n", line())
                .send("mg r R30 v t\r\n", line())
                .send("mg r R30 v t\r\n", line())
                .send("mg r R5 v t\r\n", line()))
            .add("md", c -> c
                .send("md d\r\n", line())
                .send("ms d 1\r\nx\r\n", line())
                .send("md d k O1\r\n", line())
                .send("ms d 1 c\r\nx\r\n", line())
                .send("md d C{cas+5}\r\n", line())
                .send("md d C{cas}\r\n", line())
                .send("md d q\r\nmn\r\n", until("MN"))
                .send("md\r\n", line()))
            .add("md invalidate", c -> c
                .send("ms d 1 T100\r\nx\r\n", line())
                .send("md d I\r\n", line())
                .send("mg d v c t\r\n", line())
                .send("md nope I\r\n", line()))
            .add("ma", c -> c
                .send("ma cnt\r\n", line())
                .send("ma cnt N0 J10 v\r\n", line())
                .send("ma cnt v\r\n", line())
                .send("ma cnt v D5 MI\r\n", line())
                .send("ma cnt v D3 M+\r\n", line())
                .send("ma cnt v D2 MD\r\n", line())
                .send("ma cnt v D100 M-\r\n", line())
                .send("ma cnt\r\n", line())
                .send("mg cnt v\r\n", line()))
            .add("ma flags", c -> c
                .send("ma cnt N100 J5 v t c k O9\r\n", line())
                .send("ma cnt t c v\r\n", line())
                .send("ma cnt C{cas+7} v\r\n", line())
                .send("ma cnt C{cas} v\r\n", line())
                .send("ma cnt T0 t v\r\n", line())
                .send("ma cnt q\r\nmn\r\n", until("MN")))
            .add("ma wraps and floors", c -> c
                .send("ms w 20\r\n18446744073709551615\r\n", line())
                .send("ma w v\r\n", line())
                .send("ma w v MD D5\r\n", line()))
            .add("ma errors", c -> c
                .send("ms txt 2\r\nhi\r\n", line())
                .send("ma txt\r\n", line())
                .send("ma txt Dabc\r\n", line())
                .send("ma txt MX\r\n", line())
                .send("ma\r\n", line())
                .send("ma nope N0 J-1 v\r\n", line()))
            .add("me", c -> c
                .send("me nope\r\n", line())
                .send("ms dbg 3 T100\r\nabc\r\n", line())
                .send("me dbg\r\n", line())
                .send("mg dbg v\r\n", line())
                .send("me dbg\r\n", line()))
            .add("meta and classic mixed", c -> c
                .send("set cl 5 0 2\r\nab\r\n", line())
                .send("mg cl v f c\r\n", line())
                .send("gets cl\r\n", end())
                .send("ms cl 2 F6\r\ncd\r\n", line())
                .send("gets cl\r\n", end()))
            .add("meta split into 1-byte writes", c -> c
                .dribble("ms d 3 T0 c\r\nabc\r\nmg d v k s\r\nma n N0 J5 v\r\nmn\r\n", 1, until("MN")))
            .add("pipelined meta in one write", c -> c
                .send("ms a 1\r\n1\r\nms b 1\r\n2\r\nmg a v\r\nmg b v\r\nmg c v\r\nmd a\r\nmg a v\r\nmn\r\n",
                    until("MN")))
            .scenarios();
    }
}
