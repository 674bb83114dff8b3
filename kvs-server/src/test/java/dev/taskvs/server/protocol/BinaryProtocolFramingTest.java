package dev.taskvs.server.protocol;

import java.util.List;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;
import static dev.taskvs.server.protocol.BinaryPackets.arithmetic;
import static dev.taskvs.server.protocol.BinaryPackets.concat;
import static dev.taskvs.server.protocol.BinaryPackets.get;
import static dev.taskvs.server.protocol.BinaryPackets.ints;
import static dev.taskvs.server.protocol.BinaryPackets.request;
import static dev.taskvs.server.protocol.BinaryPackets.set;
import static dev.taskvs.server.protocol.BinaryPackets.simple;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the session frames requests: partial packets, pipelines, and the limits a transport relies on. */
class BinaryProtocolFramingTest
{
    /** A session's worth of requests touching every framing shape: extras, keys, values, quiet, errors. */
    private static byte[] script()
    {
        final byte[] value = new byte[3000];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)i;
        }
        return concat(
            set("a", 1, "alpha"),
            request(SET).extras(ints(2, 0)).key("large").value(value).opaque(1).build(),
            get(GETQ, "miss", 2),
            get(GETKQ, "a", 3),
            get(GET, "large", 4),
            arithmetic(INCREMENT, "n", 1, 10, 0),
            arithmetic(INCREMENT, "n", 1, 10, 0),
            request(APPEND).key("a").value("bet").build(),
            request(TOUCH).extras(ints(100)).key("a").build(),
            request(DELETEQ).key("nokey").opaque(5).build(),
            request((byte)0x40).value("junk").opaque(6).build(),
            get(GETK, "a", 7),
            simple(VERSION, 8),
            simple(NOOP, 9));
    }

    private static byte[] runWhole(final byte[] bytes)
    {
        final ServerContext ctx = BinaryTestServer.context();
        try
        {
            return new BinaryTestConnection(ctx).receive(bytes).takeOutput();
        }
        finally
        {
            ctx.store().close();
        }
    }

    @Test
    void shouldAnswerIdenticallyWhenSplitAtEveryByteBoundary()
    {
        final byte[] bytes = script();
        final byte[] expected = runWhole(bytes);
        assertEquals(13, BinaryResponse.parseAll(expected).size());

        for (int split = 1; split < bytes.length; split++)
        {
            final ServerContext ctx = BinaryTestServer.context();
            final BinaryTestConnection conn = new BinaryTestConnection(ctx);
            final byte[] first = new byte[split];
            final byte[] second = new byte[bytes.length - split];
            System.arraycopy(bytes, 0, first, 0, split);
            System.arraycopy(bytes, split, second, 0, second.length);
            conn.receive(first).receive(second);
            assertArrayEquals(expected, conn.takeOutput(), "split at " + split);
            assertEquals(0, conn.pendingLength());
            ctx.store().close();
        }
    }

    @Test
    void shouldAnswerIdenticallyWhenFedOneByteAtATime()
    {
        final byte[] bytes = script();
        final ServerContext ctx = BinaryTestServer.context();
        final BinaryTestConnection conn = new BinaryTestConnection(ctx);
        conn.receiveInChunks(bytes, 1);
        assertArrayEquals(runWhole(bytes), conn.takeOutput());
        ctx.store().close();
    }

    @Test
    void shouldReportWholePacketLengthAsBytesNeeded()
    {
        final ServerContext ctx = BinaryTestServer.context();
        final BinaryProtocolSession session = new BinaryProtocolSession(ctx, ctx.stats().newWorker());
        final ResponseBuffer out = new ResponseBuffer(256);
        final byte[] value = new byte[100_000];
        final UnsafeBuffer packet = new UnsafeBuffer(request(SET).extras(ints(0, 0)).key("key").value(value).build());

        assertEquals(0, session.process(packet, 0, 10, out));
        assertEquals(HEADER_LENGTH, session.bytesNeeded());
        assertEquals(0, session.process(packet, 0, 30, out));
        assertEquals(HEADER_LENGTH + 8 + 3 + 100_000, session.bytesNeeded());
        assertEquals(0, session.process(packet, 0, packet.capacity() - 1, out));
        assertEquals(packet.capacity(), session.bytesNeeded());
        assertEquals(packet.capacity(), session.process(packet, 0, packet.capacity(), out));
        assertEquals(0, session.bytesNeeded());
        assertEquals(HEADER_LENGTH, out.readableBytes());

        final UnsafeBuffer getPacket = new UnsafeBuffer(get(GET, "key", 0));
        assertEquals(0, session.process(getPacket, 0, HEADER_LENGTH + 1, out));
        assertEquals(HEADER_LENGTH + 3, session.bytesNeeded());
        ctx.store().close();
    }

    @Test
    void shouldYieldAfterRequestsPerEvent()
    {
        final ServerConfig config = new ServerConfig();
        config.requestsPerEvent = 2;
        final ServerContext ctx = BinaryTestServer.context(config);
        final BinaryTestConnection conn = new BinaryTestConnection(ctx);
        final byte[] noops = concat(simple(NOOP, 1), simple(NOOP, 2), simple(NOOP, 3), simple(NOOP, 4),
            simple(NOOP, 5));
        final ResponseBuffer out = new ResponseBuffer(256);

        assertEquals(2 * HEADER_LENGTH, conn.session.process(new UnsafeBuffer(noops), 0, noops.length, out));
        assertEquals(1, conn.stats.connYields);

        conn.receive(noops);
        assertEquals(5, conn.takeResponses().size());
        assertTrue(conn.processCalls() >= 3);
        ctx.store().close();
    }

    @Test
    void shouldStopReadingAboveTheOutputHighWaterMark()
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 4096;
        final ServerContext ctx = BinaryTestServer.context(config);
        final BinaryTestConnection conn = new BinaryTestConnection(ctx);
        conn.receive(request(SET).extras(ints(0, 0)).key("v").value(new byte[3000]).build());
        conn.takeOutput();

        final byte[] gets = concat(get(GET, "v", 1), get(GET, "v", 2), get(GET, "v", 3), get(GET, "v", 4));
        final ResponseBuffer out = new ResponseBuffer(256);
        final int consumed = conn.session.process(new UnsafeBuffer(gets), 0, gets.length, out);
        assertEquals(2 * (HEADER_LENGTH + 1), consumed);
        assertTrue(out.readableBytes() > 4096);

        conn.receive(gets);
        final List<BinaryResponse> responses = conn.takeResponses();
        assertEquals(4, responses.size());
        assertEquals(4, responses.get(3).opaque);
        ctx.store().close();
    }
}
