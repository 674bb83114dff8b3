package dev.taskvs.server.protocol;

import java.util.List;
import java.util.Random;

import dev.taskvs.server.ServerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;
import static dev.taskvs.server.protocol.BinaryPackets.arithmeticExtras;
import static dev.taskvs.server.protocol.BinaryPackets.concat;
import static dev.taskvs.server.protocol.BinaryPackets.get;
import static dev.taskvs.server.protocol.BinaryPackets.ints;
import static dev.taskvs.server.protocol.BinaryPackets.request;
import static dev.taskvs.server.protocol.BinaryPackets.set;
import static dev.taskvs.server.protocol.BinaryPackets.simple;
import static dev.taskvs.server.protocol.BinaryPackets.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed and hostile input: answered and closed as memcached 1.6.18 does, never crashing, losing no item. */
class BinaryProtocolBadInputTest
{
    private ServerContext ctx;

    @BeforeEach
    void setUp()
    {
        ctx = BinaryTestServer.context();
    }

    @AfterEach
    void tearDown()
    {
        ctx.store().close();
    }

    private BinaryTestConnection connection()
    {
        return new BinaryTestConnection(ctx);
    }

    /** Sends one bad packet followed by a Noop; expects exactly the error, then the close (Noop unanswered). */
    private void assertErrorThenClose(final byte[] packet, final byte opcode, final short status)
    {
        final BinaryTestConnection conn = connection();
        final List<BinaryResponse> responses = conn.receive(concat(packet, simple(NOOP, 99))).takeResponses();
        assertEquals(1, responses.size(), responses::toString);
        assertEquals(opcode, responses.get(0).opcode);
        assertEquals(status, responses.get(0).status);
        assertEquals(errorText(status), responses.get(0).valueText());
        assertTrue(conn.closed());
    }

    @Test
    void shouldAnswerInvalidArgumentsAndCloseOnWrongLengthCombinations()
    {
        assertErrorThenClose(request(SET).extras(ints(0)).key("k").value("v").build(), SET, STATUS_EINVAL);
        assertErrorThenClose(request(SET).extras(ints(0, 0)).value("v").build(), SET, STATUS_EINVAL);
        assertErrorThenClose(request(GET).key("k").value("zz").build(), GET, STATUS_EINVAL);
        assertErrorThenClose(request(GET).build(), GET, STATUS_EINVAL);
        assertErrorThenClose(request(GETQ).extras(ints(1)).key("k").build(), GETQ, STATUS_EINVAL);
        assertErrorThenClose(request(INCREMENT).extras(new byte[8]).key("c").build(), INCREMENT, STATUS_EINVAL);
        assertErrorThenClose(request(INCREMENT).extras(arithmeticExtras(1, 0, 0)).key("c").value("x").build(),
            INCREMENT, STATUS_EINVAL);
        assertErrorThenClose(request(DELETE).extras(ints(0)).key("c").build(), DELETE, STATUS_EINVAL);
        assertErrorThenClose(request(APPEND).extras(ints(0)).key("c").value("z").build(), APPEND, STATUS_EINVAL);
        assertErrorThenClose(request(PREPEND).value("z").build(), PREPEND, STATUS_EINVAL);
        assertErrorThenClose(request(TOUCH).key("tt").build(), TOUCH, STATUS_EINVAL);
        assertErrorThenClose(request(GAT).extras(ints(0, 0)).key("tt").build(), GAT, STATUS_EINVAL);
        assertErrorThenClose(request(NOOP).value("x").build(), NOOP, STATUS_EINVAL);
        assertErrorThenClose(request(VERSION).extras(ints(0)).build(), VERSION, STATUS_EINVAL);
        assertErrorThenClose(request(QUIT).key("k").build(), QUIT, STATUS_EINVAL);
        assertErrorThenClose(request(FLUSH).extras(new byte[2]).build(), FLUSH, STATUS_EINVAL);
        assertErrorThenClose(request(FLUSH).key("k").build(), FLUSH, STATUS_EINVAL);
        assertErrorThenClose(request(STAT).extras(ints(0)).build(), STAT, STATUS_EINVAL);
        assertErrorThenClose(request(SASL_LIST_MECHS).key("x").build(), SASL_LIST_MECHS, STATUS_EINVAL);
        assertErrorThenClose(request(SASL_AUTH).value("x").build(), SASL_AUTH, STATUS_EINVAL);
    }

    @Test
    void shouldAnswerUnknownCommandAndCloseWhenKeyAndExtrasExceedTheBody()
    {
        assertErrorThenClose(request(GET).key("k").bodyLength(0).build(), GET, STATUS_UNKNOWN_COMMAND);
        assertErrorThenClose(request(SET).extras(ints(0, 0)).key("k").bodyLength(8).build(), SET,
            STATUS_UNKNOWN_COMMAND);
    }

    @Test
    void shouldRejectKeysLongerThan250Bytes()
    {
        assertErrorThenClose(get(GET, "k".repeat(251), 1), GET, STATUS_EINVAL);
        assertErrorThenClose(BinaryPackets.set("k".repeat(251), 0, "v"), SET, STATUS_EINVAL);

        final BinaryTestConnection conn = connection();
        final List<BinaryResponse> responses = conn.receive(concat(
            BinaryPackets.set("k".repeat(250), 0, "v"), get(GET, "k".repeat(250), 1))).takeResponses();
        assertEquals(2, responses.size());
        assertEquals("v", responses.get(1).valueText());
        assertFalse(conn.closed());
    }

    @Test
    void shouldCloseWithoutAnswerOnBadMagicDroppingUnsentResponses()
    {
        final BinaryTestConnection conn = connection();
        conn.receive(concat(set("bm", 0, "v"), request(NOOP).magic(0x81).build(), simple(NOOP, 3)));
        assertEquals(0, conn.takeOutput().length);
        assertTrue(conn.closed());

        final BinaryTestConnection later = connection();
        assertEquals(1, later.receive(set("bm", 0, "w")).takeResponses().size());
        later.receive(concat(request(NOOP).magic(0x00).build()));
        assertEquals(0, later.takeOutput().length);
        assertTrue(later.closed());
        assertEquals("w", connection().receive(get(GET, "bm", 0)).takeResponses().get(0).valueText());
    }

    @Test
    void shouldWaitForAWholeHeaderBeforeJudgingTheMagic()
    {
        final BinaryTestConnection conn = connection();
        conn.receive(new byte[] {'g', 'e', 't'});
        assertFalse(conn.closed());
        assertEquals(HEADER_LENGTH, conn.session.bytesNeeded());
        conn.receive(new byte[HEADER_LENGTH]);
        assertTrue(conn.closed());
    }

    @Test
    void shouldReadBytesPastTheKeyOfTouchAndStatAsTheNextRequest()
    {
        final BinaryTestConnection conn = connection();
        final List<BinaryResponse> responses = conn.receive(concat(
            set("tt", 0, "v"),
            request(TOUCH).extras(ints(0)).key("tt").value(simple(NOOP, 9)).opaque(1).build(),
            request(STAT).key("reset").value(simple(NOOP, 10)).opaque(2).build(),
            simple(NOOP, 3))).takeResponses();
        assertEquals(6, responses.size(), responses::toString);
        assertEquals(TOUCH, responses.get(1).opcode);
        assertEquals(9, responses.get(2).opaque);
        assertEquals(STAT, responses.get(3).opcode);
        assertEquals(10, responses.get(4).opaque);
        assertEquals(3, responses.get(5).opaque);
    }

    @Test
    void shouldRefuseTooLargeValuesSwallowingThemAndDroppingTheOldValueOnSet()
    {
        final byte[] big = new byte[ctx.config().itemSizeMax];
        final BinaryTestConnection conn = connection();
        final List<BinaryResponse> responses = conn.receive(concat(
            set("big", 0, "old"),
            request(SET).extras(ints(0, 0)).key("big").value(big).opaque(1).build(),
            get(GET, "big", 2),
            set("keep", 0, "old"),
            store(ADD, "keep", 0, 0, "x", 0),
            request(ADD).extras(ints(0, 0)).key("keep").value(big).opaque(3).build(),
            request(APPENDQ).key("keep").value(big).opaque(4).build(),
            request(SETQ).extras(ints(0, 0)).key("other").value(big).opaque(5).build(),
            get(GET, "keep", 6),
            simple(NOOP, 7))).takeResponses();
        assertEquals(10, responses.size(), responses::toString);
        assertEquals(STATUS_E2BIG, responses.get(1).status);
        assertEquals(errorText(STATUS_E2BIG), responses.get(1).valueText());
        assertEquals(STATUS_KEY_ENOENT, responses.get(2).status);
        assertEquals(STATUS_KEY_EEXISTS, responses.get(4).status);
        assertEquals(STATUS_E2BIG, responses.get(5).status);
        assertEquals(ADD, responses.get(5).opcode);
        assertEquals(STATUS_E2BIG, responses.get(6).status);
        assertEquals(APPENDQ, responses.get(6).opcode);
        assertEquals(SETQ, responses.get(7).opcode);
        assertEquals("old", responses.get(8).valueText());
        assertEquals(7, responses.get(9).opaque);
        assertFalse(conn.closed());
        assertEquals(4, conn.stats.storeTooLarge);
    }

    @Test
    void shouldSwallowTooLargeValuesAcrossReadsWithoutBufferingThem()
    {
        final BinaryTestConnection conn = connection();
        final byte[] packet = request(SET).extras(ints(0, 0)).key("big").value(new byte[4 * 1024 * 1024]).build();
        for (int i = 0; i < packet.length; i += 4096)
        {
            final byte[] part = new byte[Math.min(4096, packet.length - i)];
            System.arraycopy(packet, i, part, 0, part.length);
            conn.receive(part);
            assertTrue(conn.pendingLength() < HEADER_LENGTH + 8 + 3, "buffered " + conn.pendingLength());
            assertTrue(conn.session.bytesNeeded() <= HEADER_LENGTH + 8 + 3);
        }
        conn.receive(simple(NOOP, 1));
        final List<BinaryResponse> responses = conn.takeResponses();
        assertEquals(2, responses.size());
        assertEquals(STATUS_E2BIG, responses.get(0).status);
        assertEquals(NOOP, responses.get(1).opcode);
    }

    @Test
    void shouldRefuseAFourGigabyteBodyLength()
    {
        final BinaryTestConnection conn = connection();
        conn.receive(request(SET).extras(ints(0, 0)).key("k").bodyLength(0xFFFF_FFFFL).build());
        final List<BinaryResponse> responses = conn.takeResponses();
        assertEquals(1, responses.size());
        assertEquals(STATUS_E2BIG, responses.get(0).status);
        assertFalse(conn.closed());
    }

    @Test
    void shouldLetVerbosityExtrasEatTheNextRequestAsMemcachedDoes()
    {
        final BinaryTestConnection conn = connection();
        conn.receive(request((byte)0x1b).extras(ints(1)).opaque(1).build());
        final List<BinaryResponse> responses = conn.takeResponses();
        assertEquals(1, responses.size());
        assertEquals(STATUS_UNKNOWN_COMMAND, responses.get(0).status);
        // memcached swallows bodylen bytes after the extras: the next Noop loses its start, and the rest of it
        // is read as a header with a bad magic.
        conn.receive(concat(simple(NOOP, 2), simple(NOOP, 3)));
        assertEquals(0, conn.takeOutput().length);
        assertTrue(conn.closed());
    }

    @Test
    void shouldSurviveRandomGarbageWithoutLosingItems()
    {
        connection().receive(set("precious", 42, "value"));
        final Random random = new Random(7);
        for (int round = 0; round < 2000; round++)
        {
            final byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            if (random.nextBoolean())
            {
                garbage[0] = MAGIC_REQUEST;
            }
            if (garbage.length > 10 && random.nextBoolean())
            {
                // keep lengths plausible so that dispatch, not only framing, is exercised
                garbage[2] = 0;
                garbage[8] = 0;
                garbage[9] = 0;
            }
            final BinaryTestConnection conn = connection();
            conn.receiveInChunks(garbage, 1 + random.nextInt(garbage.length));
            conn.takeOutput();
        }
        final BinaryResponse hit = connection().receive(get(GET, "precious", 0)).takeResponses().get(0);
        assertEquals(STATUS_OK, hit.status);
        assertEquals("value", hit.valueText());
        assertEquals(42, hit.flags());
    }
}
