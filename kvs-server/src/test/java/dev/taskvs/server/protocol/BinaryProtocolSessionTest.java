package dev.taskvs.server.protocol;

import java.util.List;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.store.ManualStoreClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;
import static dev.taskvs.server.protocol.BinaryPackets.arithmetic;
import static dev.taskvs.server.protocol.BinaryPackets.concat;
import static dev.taskvs.server.protocol.BinaryPackets.get;
import static dev.taskvs.server.protocol.BinaryPackets.ints;
import static dev.taskvs.server.protocol.BinaryPackets.request;
import static dev.taskvs.server.protocol.BinaryPackets.set;
import static dev.taskvs.server.protocol.BinaryPackets.simple;
import static dev.taskvs.server.protocol.BinaryPackets.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every opcode memcached 1.6.18 serves in binary, with the responses it sends (checked against 1.6.18). */
class BinaryProtocolSessionTest
{
    private ServerContext ctx;
    private BinaryTestConnection conn;

    @BeforeEach
    void setUp()
    {
        ctx = BinaryTestServer.context();
        conn = new BinaryTestConnection(ctx);
    }

    @AfterEach
    void tearDown()
    {
        ctx.store().close();
    }

    private List<BinaryResponse> send(final byte[]... packets)
    {
        return conn.receive(concat(packets)).takeResponses();
    }

    private BinaryResponse sendOne(final byte[]... packets)
    {
        final List<BinaryResponse> responses = send(packets);
        assertEquals(1, responses.size(), responses::toString);
        return responses.get(0);
    }

    private static void assertError(final BinaryResponse response, final byte opcode, final short status)
    {
        assertEquals(MAGIC_RESPONSE & 0xFF, response.magic);
        assertEquals(opcode, response.opcode);
        assertEquals(status, response.status);
        assertEquals(0, response.cas);
        assertEquals(0, response.extras.length);
        assertEquals(0, response.key.length);
        assertEquals(errorText(status), response.valueText());
    }

    private static void assertOk(final BinaryResponse response, final byte opcode)
    {
        assertEquals(MAGIC_RESPONSE & 0xFF, response.magic);
        assertEquals(opcode, response.opcode);
        assertEquals(STATUS_OK, response.status, response::toString);
    }

    @Test
    void shouldStoreAndGetWithFlagsCasAndOpaque()
    {
        final BinaryResponse stored =
            sendOne(request(SET).extras(ints(7, 0)).key("a").value("hello").opaque(11).build());
        assertOk(stored, SET);
        assertEquals(11, stored.opaque);
        assertNotEquals(0, stored.cas);
        assertEquals(0, stored.extras.length + stored.key.length + stored.value.length);

        final BinaryResponse hit = sendOne(get(GET, "a", 12));
        assertOk(hit, GET);
        assertEquals(12, hit.opaque);
        assertEquals(stored.cas, hit.cas);
        assertEquals(7, hit.flags());
        assertEquals(0, hit.key.length);
        assertEquals("hello", hit.valueText());

        final BinaryResponse hitWithKey = sendOne(get(GETK, "a", 13));
        assertOk(hitWithKey, GETK);
        assertEquals("a", hitWithKey.keyText());
        assertEquals("hello", hitWithKey.valueText());
        assertEquals(7, hitWithKey.flags());
    }

    @Test
    void shouldAnswerMissesAsMemcached()
    {
        assertError(sendOne(get(GET, "zz", 4)), GET, STATUS_KEY_ENOENT);

        final BinaryResponse keyed = sendOne(get(GETK, "zz", 5));
        assertEquals(STATUS_KEY_ENOENT, keyed.status);
        assertEquals(5, keyed.opaque);
        assertEquals("zz", keyed.keyText());
        assertEquals(0, keyed.value.length);
        assertEquals(0, keyed.extras.length);
        assertEquals(2, conn.stats.getMisses);
        assertEquals(2, conn.stats.cmdGet);
    }

    @Test
    void shouldSendOnlyHitsAndNoopForQuietGets()
    {
        send(set("a", 0, "x"));
        final List<BinaryResponse> responses = send(get(GETQ, "miss", 1), get(GETKQ, "a", 2), simple(NOOP, 3));
        assertEquals(2, responses.size(), responses::toString);
        assertOk(responses.get(0), GETKQ);
        assertEquals("a", responses.get(0).keyText());
        assertEquals("x", responses.get(0).valueText());
        assertEquals(2, responses.get(0).opaque);
        assertOk(responses.get(1), NOOP);
        assertEquals(3, responses.get(1).opaque);
    }

    @Test
    void shouldSendOnlyFailuresForQuietMutations()
    {
        final List<BinaryResponse> responses = send(
            store(SETQ, "q1", 0, 0, "v", 0),
            store(ADDQ, "q1", 0, 0, "v", 0),
            request(DELETEQ).key("nokey").opaque(3).build(),
            request(DELETEQ).key("q1").opaque(4).build(),
            request(APPENDQ).key("nokey").value("x").opaque(5).build(),
            arithmetic(INCREMENTQ, "n", 1, 5, 0),
            store(REPLACEQ, "nokey", 0, 0, "v", 0),
            simple(FLUSHQ, 6),
            simple(NOOP, 7));
        assertEquals(5, responses.size(), responses::toString);
        assertError(responses.get(0), ADDQ, STATUS_KEY_EEXISTS);
        assertError(responses.get(1), DELETEQ, STATUS_KEY_ENOENT);
        assertEquals(3, responses.get(1).opaque);
        assertError(responses.get(2), APPENDQ, STATUS_NOT_STORED);
        assertError(responses.get(3), REPLACEQ, STATUS_KEY_ENOENT);
        assertOk(responses.get(4), NOOP);
    }

    @Test
    void shouldMapAddAndReplaceFailuresToExistsAndNotFound()
    {
        send(set("a", 0, "x"));
        assertError(sendOne(store(ADD, "a", 0, 0, "y", 0)), ADD, STATUS_KEY_EEXISTS);
        assertError(sendOne(store(REPLACE, "nokey", 0, 0, "y", 0)), REPLACE, STATUS_KEY_ENOENT);
        assertOk(sendOne(store(ADD, "b", 0, 0, "y", 0)), ADD);
        assertOk(sendOne(store(REPLACE, "b", 0, 0, "z", 0)), REPLACE);
        assertEquals("z", sendOne(get(GET, "b", 0)).valueText());
    }

    @Test
    void shouldCompareAndSwapWhenRequestCarriesCas()
    {
        final long cas = sendOne(set("a", 0, "x")).cas;
        assertError(sendOne(store(SET, "a", 0, 0, "y", cas + 100)), SET, STATUS_KEY_EEXISTS);
        assertError(sendOne(store(SET, "nokey", 0, 0, "y", 5)), SET, STATUS_KEY_ENOENT);
        // memcached turns Add and Replace with a CAS into compare-and-swap too.
        assertError(sendOne(store(ADD, "a", 0, 0, "y", cas + 100)), ADD, STATUS_KEY_EEXISTS);
        assertError(sendOne(store(REPLACE, "nokey", 0, 0, "y", 5)), REPLACE, STATUS_KEY_ENOENT);

        final BinaryResponse swapped = sendOne(store(SET, "a", 3, 0, "y", cas));
        assertOk(swapped, SET);
        assertNotEquals(cas, swapped.cas);
        final BinaryResponse hit = sendOne(get(GET, "a", 0));
        assertEquals("y", hit.valueText());
        assertEquals(swapped.cas, hit.cas);

        assertEquals(1, conn.stats.casHits);
        assertEquals(2, conn.stats.casBadval);
        assertEquals(2, conn.stats.casMisses);
    }

    @Test
    void shouldDeleteWithOptionalCas()
    {
        final long cas = sendOne(set("d", 0, "1")).cas;
        assertError(sendOne(request(DELETE).key("d").cas(cas + 1).build()), DELETE, STATUS_KEY_EEXISTS);
        final BinaryResponse deleted = sendOne(request(DELETE).key("d").cas(cas).opaque(9).build());
        assertOk(deleted, DELETE);
        assertEquals(0, deleted.cas);
        assertEquals(9, deleted.opaque);
        assertError(sendOne(request(DELETE).key("d").build()), DELETE, STATUS_KEY_ENOENT);
        assertEquals(1, conn.stats.deleteHits);
        assertEquals(1, conn.stats.deleteMisses);
    }

    @Test
    void shouldIncrementDecrementAndAutoCreate()
    {
        final BinaryResponse created = sendOne(arithmetic(INCREMENT, "c", 5, 100, 0));
        assertOk(created, INCREMENT);
        assertEquals(8, created.value.length);
        assertEquals(100, created.counter());
        assertNotEquals(0, created.cas);

        final BinaryResponse incremented = sendOne(arithmetic(INCREMENT, "c", 5, 100, 0));
        assertEquals(105, incremented.counter());
        assertNotEquals(created.cas, incremented.cas);
        assertEquals(incremented.cas, sendOne(get(GET, "c", 0)).cas);

        assertEquals(0, sendOne(arithmetic(DECREMENT, "c", 1000, 0, 0)).counter());
        assertError(sendOne(arithmetic(INCREMENT, "nc", 5, 100, 0xFFFF_FFFF)), INCREMENT, STATUS_KEY_ENOENT);
        assertError(sendOne(arithmetic(DECREMENT, "nc", 5, 100, 0xFFFF_FFFF)), DECREMENT, STATUS_KEY_ENOENT);

        assertEquals(1, conn.stats.incrHits);
        assertEquals(1, conn.stats.decrHits);
        assertEquals(1, conn.stats.incrMisses);
        assertEquals(1, conn.stats.decrMisses);
    }

    @Test
    void shouldWrapOnIncrementAndFloorOnDecrement()
    {
        send(set("w", 0, "18446744073709551615"));
        assertEquals(1, sendOne(arithmetic(INCREMENT, "w", 2, 0, 0)).counter());
        send(set("f", 0, "3"));
        assertEquals(0, sendOne(arithmetic(DECREMENT, "f", 5, 0, 0)).counter());
        final BinaryResponse max = sendOne(arithmetic(INCREMENT, "big", 1, -1L, 0));
        assertEquals(-1L, max.counter());
        assertEquals(0, sendOne(arithmetic(INCREMENT, "big", 1, 0, 0)).counter());
    }

    @Test
    void shouldRefuseArithmeticOnNonNumericValueAndOnCasMismatch()
    {
        final long cas = sendOne(set("t", 0, "text")).cas;
        assertError(sendOne(arithmetic(INCREMENT, "t", 1, 0, 0)), INCREMENT, STATUS_DELTA_BADVAL);
        send(set("n", 0, "10"));
        assertError(sendOne(request(INCREMENT).extras(BinaryPackets.arithmeticExtras(1, 0, 0)).key("n")
            .cas(cas + 1000).build()), INCREMENT, STATUS_KEY_EEXISTS);
    }

    @Test
    void shouldAppendAndPrependKeepingFlags()
    {
        send(set("ap", 3, "1"));
        final BinaryResponse appended = sendOne(request(APPEND).key("ap").value("2").build());
        assertOk(appended, APPEND);
        assertNotEquals(0, appended.cas);
        assertOk(sendOne(request(PREPEND).key("ap").value("0").build()), PREPEND);
        final BinaryResponse hit = sendOne(get(GET, "ap", 0));
        assertEquals("012", hit.valueText());
        assertEquals(3, hit.flags());

        assertError(sendOne(request(APPEND).key("ap").value("x").cas(hit.cas + 1).build()), APPEND,
            STATUS_KEY_EEXISTS);
        assertError(sendOne(request(APPEND).key("noap").value("x").build()), APPEND, STATUS_NOT_STORED);
        assertError(sendOne(request(PREPEND).key("noap").value("x").build()), PREPEND, STATUS_NOT_STORED);
    }

    @Test
    void shouldTouchAndGetAndTouch()
    {
        final long cas = sendOne(set("t", 5, "tv")).cas;
        final byte[] expiry = ints(100);

        final BinaryResponse touched = sendOne(request(TOUCH).extras(expiry).key("t").opaque(1).build());
        assertOk(touched, TOUCH);
        assertEquals(cas, touched.cas);
        assertEquals(5, touched.flags());
        assertEquals(0, touched.key.length + touched.value.length);

        final BinaryResponse gat = sendOne(request(GAT).extras(expiry).key("t").build());
        assertEquals("tv", gat.valueText());
        assertEquals(0, gat.key.length);
        assertEquals(cas, gat.cas);

        final BinaryResponse gatk = sendOne(request(GATK).extras(expiry).key("t").build());
        assertEquals("t", gatk.keyText());
        assertEquals("tv", gatk.valueText());

        assertError(sendOne(request(TOUCH).extras(expiry).key("nokey").build()), TOUCH, STATUS_KEY_ENOENT);
        final BinaryResponse gatkMiss = sendOne(request(GATK).extras(expiry).key("nokey").build());
        assertEquals(STATUS_KEY_ENOENT, gatkMiss.status);
        assertEquals("nokey", gatkMiss.keyText());

        final List<BinaryResponse> quiet = send(
            request(GATQ).extras(expiry).key("nokey").build(),
            request(GATKQ).extras(expiry).key("t").opaque(7).build(),
            simple(NOOP, 8));
        assertEquals(2, quiet.size());
        assertOk(quiet.get(0), GATKQ);
        assertEquals("tv", quiet.get(0).valueText());

        assertEquals(7, conn.stats.cmdTouch);
        assertEquals(4, conn.stats.touchHits);
        assertEquals(2 + 1, conn.stats.touchMisses);
    }

    @Test
    void shouldExpireItemsAndExtendThemWithTouch()
    {
        final ManualStoreClock clock = (ManualStoreClock)ctx.store().clock();
        send(store(SET, "short", 0, 10, "v", 0), store(SET, "touched", 0, 10, "v", 0));
        send(request(TOUCH).extras(ints(100)).key("touched").build());
        clock.advance(11);
        assertError(sendOne(get(GET, "short", 0)), GET, STATUS_KEY_ENOENT);
        assertEquals("v", sendOne(get(GET, "touched", 0)).valueText());
    }

    @Test
    void shouldReadBinaryExpirationsAsUnsigned()
    {
        final ManualStoreClock clock = (ManualStoreClock)ctx.store().clock();
        // memcached reads the 32-bit expiration unsigned: 0xffffffff is a far-future absolute time, not "expired".
        send(store(SET, "far", 0, 0xFFFF_FFFF, "v", 0), store(SET, "half", 0, 0x8000_0000, "v", 0));
        clock.advance(3600);
        assertEquals("v", sendOne(get(GET, "far", 0)).valueText());
        assertEquals("v", sendOne(get(GET, "half", 0)).valueText());
    }

    @Test
    void shouldAnswerNoopAndVersion()
    {
        final BinaryResponse noop = sendOne(simple(NOOP, 42));
        assertOk(noop, NOOP);
        assertEquals(42, noop.opaque);
        final BinaryResponse version = sendOne(simple(VERSION, 7));
        assertOk(version, VERSION);
        assertEquals(ServerContext.VERSION, version.valueText());
        assertEquals(7, version.opaque);
    }

    @Test
    void shouldCloseAfterQuitAnsweringOnlyNonQuiet()
    {
        final List<BinaryResponse> responses = send(simple(QUIT, 1), simple(NOOP, 2));
        assertEquals(1, responses.size());
        assertOk(responses.get(0), QUIT);
        assertTrue(conn.closed());

        final BinaryTestConnection quiet = new BinaryTestConnection(ctx);
        quiet.receive(concat(simple(QUITQ, 1), simple(NOOP, 2)));
        assertEquals(0, quiet.takeOutput().length);
        assertTrue(quiet.closed());
    }

    @Test
    void shouldFlushWithAndWithoutDelay()
    {
        send(set("f", 0, "v"));
        final List<BinaryResponse> responses = send(
            request(FLUSH).extras(ints(0)).opaque(1).build(), get(GET, "f", 2), simple(FLUSHQ, 3), simple(NOOP, 4));
        assertEquals(3, responses.size());
        assertOk(responses.get(0), FLUSH);
        assertError(responses.get(1), GET, STATUS_KEY_ENOENT);
        assertOk(responses.get(2), NOOP);
        assertEquals(2, conn.stats.cmdFlush);
    }

    @Test
    void shouldRefuseFlushWithAuthErrorWhenDisabled()
    {
        final ServerConfig config = new ServerConfig();
        config.flushDisabled = true;
        final ServerContext disabled = BinaryTestServer.context(config);
        final BinaryTestConnection c = new BinaryTestConnection(disabled);
        c.receive(concat(set("f", 0, "v"), simple(FLUSH, 1), simple(FLUSHQ, 2), get(GET, "f", 3)));
        final List<BinaryResponse> responses = c.takeResponses();
        assertEquals(4, responses.size());
        assertError(responses.get(1), FLUSH, STATUS_AUTH_ERROR);
        assertError(responses.get(2), FLUSHQ, STATUS_AUTH_ERROR);
        assertEquals("v", responses.get(3).valueText());
        assertFalse(c.closed());
        disabled.store().close();
    }

    @Test
    void shouldAnswerUnknownCommandForVerbosityAndSasl()
    {
        final List<BinaryResponse> responses = send(
            simple((byte)0x1b, 1),
            simple(SASL_LIST_MECHS, 2),
            request(SASL_AUTH).key("PLAIN").value("\0user\0pass").opaque(3).build(),
            request(SASL_STEP).key("PLAIN").value("xyz").opaque(4).build(),
            simple(NOOP, 5));
        assertEquals(5, responses.size(), responses::toString);
        assertError(responses.get(0), (byte)0x1b, STATUS_UNKNOWN_COMMAND);
        assertError(responses.get(1), SASL_LIST_MECHS, STATUS_UNKNOWN_COMMAND);
        assertError(responses.get(2), SASL_AUTH, STATUS_UNKNOWN_COMMAND);
        assertError(responses.get(3), SASL_STEP, STATUS_UNKNOWN_COMMAND);
        assertOk(responses.get(4), NOOP);
        assertFalse(conn.closed());
    }

    @Test
    void shouldSwallowBodyOfUnknownOpcode()
    {
        final List<BinaryResponse> responses = send(
            request((byte)0x40).value("abc").opaque(1).build(), simple(NOOP, 2));
        assertEquals(2, responses.size());
        assertError(responses.get(0), (byte)0x40, STATUS_UNKNOWN_COMMAND);
        assertOk(responses.get(1), NOOP);
    }

    @Test
    void shouldAnswerStatGroupsMemcachedDoesNotServeWithNotFound()
    {
        assertError(sendOne(request(STAT).key("bogus").build()), STAT, STATUS_KEY_ENOENT);
        assertError(sendOne(request(STAT).key("conns").build()), STAT, STATUS_KEY_ENOENT);
        assertError(sendOne(request(STAT).key("detail x").build()), STAT, STATUS_KEY_ENOENT);
    }

    @Test
    void shouldResetStatsWithTerminatorOnly()
    {
        send(get(GET, "x", 0));
        final BinaryResponse terminator = sendOne(request(STAT).key("reset").opaque(3).build());
        assertOk(terminator, STAT);
        assertEquals(3, terminator.opaque);
        assertEquals(0, terminator.key.length + terminator.value.length);
        assertEquals(0, conn.stats.cmdGet);
    }

    @Test
    void shouldAnswerDetailSubcommandsAsMemcached()
    {
        final List<BinaryResponse> responses = send(
            request(STAT).key("detail on").build(), request(STAT).key("detail dump").build());
        assertEquals(3, responses.size());
        assertEquals(0, responses.get(0).key.length);
        assertEquals("detailed", responses.get(1).keyText());
        assertEquals("END\r\n", responses.get(1).valueText());
        assertEquals(0, responses.get(2).key.length);
    }

    @Test
    void shouldStoreLargeValuesUpToTheItemLimit()
    {
        final byte[] value = new byte[ctx.store().maxValueLength(3)];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        assertOk(sendOne(request(SET).extras(ints(0, 0)).key("big").value(value).build()), SET);
        final BinaryResponse hit = sendOne(get(GET, "big", 0));
        assertArrayEquals(value, hit.value);
    }

    @Test
    void shouldAnswerResponsesInRequestOrderWhenPipelined()
    {
        final byte[][] packets = new byte[200][];
        for (int i = 0; i < 100; i++)
        {
            packets[2 * i] = request(SETQ).extras(ints(i, 0)).key("k" + i).value("v" + i).build();
            packets[2 * i + 1] = get(GETK, "k" + i, i);
        }
        final List<BinaryResponse> responses = send(packets);
        assertEquals(100, responses.size());
        for (int i = 0; i < 100; i++)
        {
            assertEquals(i, responses.get(i).opaque);
            assertEquals("k" + i, responses.get(i).keyText());
            assertEquals("v" + i, responses.get(i).valueText());
            assertEquals(i, responses.get(i).flags());
        }
    }
}
