package dev.taskvs.server.compat;

import java.util.List;

import static dev.taskvs.server.compat.Bin.ADD;
import static dev.taskvs.server.compat.Bin.ADDQ;
import static dev.taskvs.server.compat.Bin.APPEND;
import static dev.taskvs.server.compat.Bin.APPENDQ;
import static dev.taskvs.server.compat.Bin.DECREMENT;
import static dev.taskvs.server.compat.Bin.DECREMENTQ;
import static dev.taskvs.server.compat.Bin.DELETE;
import static dev.taskvs.server.compat.Bin.DELETEQ;
import static dev.taskvs.server.compat.Bin.FLUSH;
import static dev.taskvs.server.compat.Bin.FLUSHQ;
import static dev.taskvs.server.compat.Bin.GAT;
import static dev.taskvs.server.compat.Bin.GATK;
import static dev.taskvs.server.compat.Bin.GATKQ;
import static dev.taskvs.server.compat.Bin.GATQ;
import static dev.taskvs.server.compat.Bin.GET;
import static dev.taskvs.server.compat.Bin.GETK;
import static dev.taskvs.server.compat.Bin.GETKQ;
import static dev.taskvs.server.compat.Bin.GETQ;
import static dev.taskvs.server.compat.Bin.INCREMENT;
import static dev.taskvs.server.compat.Bin.INCREMENTQ;
import static dev.taskvs.server.compat.Bin.NOOP;
import static dev.taskvs.server.compat.Bin.PREPEND;
import static dev.taskvs.server.compat.Bin.PREPENDQ;
import static dev.taskvs.server.compat.Bin.QUIT;
import static dev.taskvs.server.compat.Bin.QUITQ;
import static dev.taskvs.server.compat.Bin.REPLACE;
import static dev.taskvs.server.compat.Bin.REPLACEQ;
import static dev.taskvs.server.compat.Bin.SET;
import static dev.taskvs.server.compat.Bin.SETQ;
import static dev.taskvs.server.compat.Bin.TOUCH;
import static dev.taskvs.server.compat.Bin.arith;
import static dev.taskvs.server.compat.Bin.get;
import static dev.taskvs.server.compat.Bin.op;
import static dev.taskvs.server.compat.Bin.store;
import static dev.taskvs.server.compat.Bin.touch;
import static dev.taskvs.server.compat.Conversation.repeat;
import static dev.taskvs.server.compat.Expect.binaryEof;
import static dev.taskvs.server.compat.Expect.packets;
import static dev.taskvs.server.compat.Expect.statsEnd;
import static dev.taskvs.server.compat.Expect.untilOpcode;

/** The binary protocol: every opcode memcached 1.6 serves, the quiet variants and its status codes. */
final class BinaryScenarios
{
    private BinaryScenarios()
    {
    }

    static List<Scenario> all()
    {
        return new Catalogue("binary")
            .add("get miss", c -> c
                .send(packets(1), get(GET, "nope").opaque(0x11223344))
                .send(packets(1), get(GETK, "nope")))
            .add("set then get getk", c -> c
                .send(packets(1), store(SET, "k", 0xdeadbeef, 0, "value").opaque(7))
                .send(packets(1), get(GET, "k").opaque(8))
                .send(packets(1), get(GETK, "k")))
            .add("add replace", c -> c
                .send(packets(1), store(ADD, "a", 1, 0, "1"))
                .send(packets(1), store(ADD, "a", 2, 0, "2"))
                .send(packets(1), store(REPLACE, "nope", 0, 0, "x"))
                .send(packets(1), store(REPLACE, "a", 3, 0, "3"))
                .send(packets(1), get(GET, "a")))
            .add("set with cas", c -> c
                .send(packets(1), store(SET, "c", 0, 0, "1"))
                .send(packets(1), store(SET, "c", 0, 0, "2").lastCas(0))
                .send(packets(1), store(SET, "c", 0, 0, "3").lastCas(100))
                .send(packets(1), store(SET, "nope", 0, 0, "3").cas(1))
                .send(packets(1), store(ADD, "c", 0, 0, "4").lastCas(0))
                .send(packets(1), store(REPLACE, "c", 0, 0, "5").lastCas(0))
                .send(packets(1), get(GET, "c")))
            .add("delete", c -> c
                .send(packets(1), get(DELETE, "d"))
                .send(packets(1), store(SET, "d", 0, 0, "1"))
                .send(packets(1), get(DELETE, "d").lastCas(1))
                .send(packets(1), get(DELETE, "d").lastCas(0))
                .send(packets(1), get(GET, "d")))
            .add("incr decr with initial", c -> c
                .send(packets(1), arith(INCREMENT, "n", 5, 100, 0))
                .send(packets(1), arith(INCREMENT, "n", 5, 100, 0))
                .send(packets(1), arith(DECREMENT, "n", 200, 0, 0))
                .send(packets(1), arith(DECREMENT, "m", 1, 7, 0))
                .send(packets(1), get(GET, "n")))
            .add("incr without create", c -> c
                .send(packets(1), arith(INCREMENT, "n", 1, 0, 0xffffffff))
                .send(packets(1), arith(DECREMENT, "n", 1, 0, 0xffffffff)))
            .add("incr wraps and non-numeric", c -> c
                .send(packets(1), store(SET, "w", 0, 0, "18446744073709551615"))
                .send(packets(1), arith(INCREMENT, "w", 2, 0, 0))
                .send(packets(1), store(SET, "t", 0, 0, "text"))
                .send(packets(1), arith(INCREMENT, "t", 1, 0, 0))
                .send(packets(1), store(SET, "s", 0, 0, "100"))
                .send(packets(1), arith(DECREMENT, "s", 1, 0, 0))
                .send(packets(1), get(GET, "s")))
            .add("append prepend", c -> c
                .send(packets(1), op(APPEND).key("ap").value("x"))
                .send(packets(1), op(PREPEND).key("ap").value("x"))
                .send(packets(1), store(SET, "ap", 9, 0, "mid"))
                .send(packets(1), op(APPEND).key("ap").value("-end"))
                .send(packets(1), op(PREPEND).key("ap").value("start-"))
                .send(packets(1), get(GET, "ap")))
            .add("touch gat gatk", c -> c
                .send(packets(1), touch(TOUCH, "t", 10))
                .send(packets(1), touch(GAT, "t", 10))
                .send(packets(1), store(SET, "t", 5, 0, "v"))
                .send(packets(1), touch(TOUCH, "t", 100))
                .send(packets(1), touch(GAT, "t", 200))
                .send(packets(1), touch(GATK, "t", 300)))
            .add("quiet gets with noop", c -> c
                .send(packets(1), store(SET, "h", 1, 0, "hit"))
                .send(untilOpcode(NOOP), get(GETQ, "miss"), get(GETKQ, "h"), get(GETQ, "h"), get(GETKQ, "miss2"),
                    op(NOOP)))
            .add("quiet gat with noop", c -> c
                .send(packets(1), store(SET, "h", 1, 0, "hit"))
                .send(untilOpcode(NOOP), touch(GATQ, "miss", 10), touch(GATQ, "h", 10), touch(GATKQ, "h", 10),
                    touch(GATKQ, "miss", 10), op(NOOP)))
            .add("batch getkq of 100 keys", c ->
            {
                final Bin.Packet[] sets = new Bin.Packet[101];
                final Bin.Packet[] gets = new Bin.Packet[201];
                for (int i = 0; i < 100; i++)
                {
                    sets[i] = store(SETQ, "key" + i, i, 0, "value" + i);
                    gets[2 * i] = get(GETKQ, "key" + i).opaque(i);
                    gets[2 * i + 1] = get(GETKQ, "miss" + i).opaque(1000 + i);
                }
                sets[100] = op(NOOP);
                gets[200] = op(NOOP);
                c.send(untilOpcode(NOOP), sets).send(untilOpcode(NOOP), gets);
            })
            .add("quiet mutations report only failures", c -> c
                .send(untilOpcode(NOOP),
                    store(SETQ, "q", 0, 0, "1").opaque(1),
                    store(ADDQ, "q", 0, 0, "2").opaque(2),
                    store(ADDQ, "q2", 0, 0, "2").opaque(3),
                    store(REPLACEQ, "nope", 0, 0, "3").opaque(4),
                    store(REPLACEQ, "q", 0, 0, "3").opaque(5),
                    op(APPENDQ).key("q").value("a").opaque(6),
                    op(PREPENDQ).key("q").value("p").opaque(7),
                    op(APPENDQ).key("nope").value("a").opaque(8),
                    get(DELETEQ, "q2").opaque(9),
                    get(DELETEQ, "q2").opaque(10),
                    arith(INCREMENTQ, "cnt", 1, 10, 0).opaque(11),
                    arith(INCREMENTQ, "cnt", 1, 10, 0).opaque(12),
                    arith(DECREMENTQ, "cnt", 1, 10, 0).opaque(13),
                    arith(INCREMENTQ, "q", 1, 10, 0).opaque(14),
                    store(SETQ, "q", 0, 0, "x").cas(12345).opaque(15),
                    op(NOOP).opaque(16))
                .send(packets(2), get(GET, "q"), get(GET, "cnt")))
            .add("packets split into 1-byte writes", c -> c
                .dribble(1, untilOpcode(NOOP), store(SET, "sp", 1, 0, "split"), get(GETK, "sp"),
                    arith(INCREMENT, "n", 1, 5, 0), get(GETKQ, "sp"), op(NOOP)))
            .add("flush", c -> c
                .send(packets(1), store(SET, "f", 0, 0, "1"))
                .send(packets(1), op(FLUSH))
                .send(packets(1), get(GET, "f"))
                .send(packets(1), store(SET, "f", 0, 0, "1"))
                .send(untilOpcode(NOOP), op(FLUSHQ), op(NOOP))
                .send(packets(1), get(GET, "f")))
            .add("flush with delay", c -> c
                .send(packets(1), store(SET, "f", 0, 0, "1"))
                .send(packets(1), op(FLUSH).extras(new byte[] {0, 0, 0, 3}))
                .send(packets(1), get(GET, "f")))
            .add("noop version", c -> c
                .send(packets(1), op(NOOP).opaque(3))
                .send(packets(1), op(Bin.VERSION).opaque(4)))
            .add("stat", c -> c
                .send(statsEnd(), op(Bin.STAT)))
            .add("stat settings and unknown group", c -> c
                .send(statsEnd(), op(Bin.STAT).key("settings"))
                .send(statsEnd(), op(Bin.STAT).key("bogus")))
            .add("quit", c -> c.send(binaryEof(), op(QUIT).opaque(9)))
            .add("quitq", c -> c.send(binaryEof(), op(QUITQ)))
            .add("unknown opcodes answer 0x81", c -> c
                .send(untilOpcode(NOOP), op(Bin.VERBOSITY), op(NOOP).opaque(9))
                .send(untilOpcode(NOOP), op(0x50).opaque(5), op(NOOP).opaque(9))
                .send(untilOpcode(NOOP), op(Bin.SASL_LIST_MECHS).opaque(6), op(NOOP).opaque(9)))
            .add("unknown opcodes with a body", c -> c
                .send(packets(1), op(Bin.VERBOSITY).extras(new byte[] {0, 0, 0, 1}), op(NOOP).opaque(9)))
            .add("unknown range opcode with a key", c -> c
                .send(packets(1), op(0x30).key("r"), op(NOOP).opaque(9)))
            .add("value too large", c -> c
                .send(packets(1), store(SET, "big", 0, 0, "x"))
                .send(packets(1), store(SET, "big", 0, 0, repeat('v', 1048576)))
                .send(packets(1), get(GET, "big")))
            .add("key too long", c -> c
                .send(packets(1), get(GET, TextScenarios.KEY_251))
                .send(packets(1), op(NOOP)))
            .add("set with wrong extras length", c -> c
                .send(binaryEof(), op(SET).key("k").value("v")))
            .add("get with a body value", c -> c
                .send(binaryEof(), get(GET, "k").value("unexpected")))
            .add("get without key", c -> c
                .send(binaryEof(), op(GET)))
            .add("noop with a key", c -> c
                .send(binaryEof(), op(NOOP).key("k")))
            .add("incr with wrong extras", c -> c
                .send(binaryEof(), op(INCREMENT).key("n").extras(new byte[8])))
            .add("bad magic after a good packet", c -> c
                .send(packets(1), op(NOOP))
                .send(binaryEof(), op(NOOP).magic(0x81)))
            .add("nonzero datatype", c -> c
                .send(packets(1), op(NOOP).dataType(1)))
            .scenarios();
    }
}
