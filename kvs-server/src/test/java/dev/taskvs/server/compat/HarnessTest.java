package dev.taskvs.server.compat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

import static dev.taskvs.server.compat.Expect.end;
import static dev.taskvs.server.compat.Expect.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison itself: it hides only what may differ, and it does catch a real difference. */
class HarnessTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReportTheDifferingBytesWhenServersAnswerDifferently()
    {
        final Scenario scenario = new Scenario("harness", "flush", ServerFlags.DEFAULTS, Conversation.script()
            .send("set a 0 0 1\r\n1\r\n", line())
            .send("flush_all\r\n", line())
            .send("get a\r\n", end())
            .build());
        final Transcript plain;
        final Transcript noFlush;
        try (CacheServer a = ServerKind.MEMCACHED.start(ServerFlags.DEFAULTS);
            CacheServer b = ServerKind.MEMCACHED.start(ServerFlags.DEFAULTS.flushDisabled()))
        {
            plain = scenario.conversation.run(a);
            noFlush = scenario.conversation.run(b);
        }
        final AssertionFailedError failure = assertThrows(AssertionFailedError.class,
            () -> SideBySide.compare(scenario, plain, noFlush));
        assertTrue(failure.getMessage().contains("at step 2"), failure.getMessage());
        assertTrue(failure.getMessage().contains("CLIENT_ERROR flush_all not allowed\\r\\n"), failure.getMessage());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCompareCasValuesByFirstSeenOrdinal()
    {
        final Scenario scenario = new Scenario("harness", "cas", ServerFlags.DEFAULTS, Conversation.script()
            .send("set c 0 0 1\r\na\r\n", line())
            .send("gets c\r\n", end())
            .send("cas c 0 0 1 {cas}\r\nb\r\n", line())
            .send("gets c\r\n", end())
            .send("mg c c\r\n", line())
            .build());
        final Transcript first;
        final Transcript advanced;
        try (CacheServer a = ServerKind.MEMCACHED.start(ServerFlags.DEFAULTS);
            CacheServer b = ServerKind.MEMCACHED.start(ServerFlags.DEFAULTS))
        {
            first = scenario.conversation.run(a);
            Conversation.script().send("set x 0 0 1\r\n1\r\nset x 0 0 1\r\n1\r\nset x 0 0 1\r\n1\r\n",
                Expect.lines(3)).build().run(b);
            advanced = scenario.conversation.run(b);
        }
        assertNotEquals(first.readable(), advanced.readable(), "the raw CAS values should differ");
        SideBySide.compare(scenario, first, advanced);
        assertTrue(first.comparable().contains("VALUE c 0 1 #cas1"), first.comparable());
        assertTrue(first.comparable().contains("VALUE c 0 1 #cas2"), first.comparable());
        assertTrue(first.comparable().contains("HD c#cas2"), first.comparable());
    }

    @Test
    void shouldTolerateOneSecondOfClockSkewButNoMore()
    {
        final ServerState a = new ServerState();
        final ServerState b = new ServerState();
        assertEquals(Renderer.textCompare(bytes("VA 1 c9 t30 l2\r\nx\r\n"), a),
            Renderer.textCompare(bytes("VA 1 c4 t29 l2\r\nx\r\n"), b));
        assertEquals(List.of(30L, 2L), a.clocks);
        assertEquals(List.of(29L, 2L), b.clocks);
        assertEquals("VA 1 t-1\\r\\nx\\r\\n", Renderer.textCompare(bytes("VA 1 t-1\r\nx\r\n"), new ServerState()));
    }

    @Test
    void shouldFrameAValueHoldingEndAsOneUnit()
    {
        final byte[] stream = bytes("VALUE k 0 5\r\nEND\r\n\r\nEND\r\n");
        assertEquals(20, Framing.textUnit(stream, 0, stream.length));
        assertEquals(5, Framing.textUnit(stream, 20, stream.length - 20));
        assertEquals(-1, Framing.textUnit(stream, 0, 15));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
