package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import dev.taskvs.server.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** How requests are cut from the byte stream: pipelining, partial arrival, long lines, limits and garbage. */
class TextFramingTest
{
    private static final String PIPELINE =
        "set a 1 0 5\r\nhello\r\n" +
        "set b 2 0 3 noreply\r\nabc\r\n" +
        "get a b nokey\r\n" +
        "gets a\r\n" +
        "append a 0 0 2\r\n!!\r\n" +
        "incr n 1\r\n" +
        "set n 0 0 1\nx\r\n" +
        "ms m 4 c k T0\r\nmeta\r\n" +
        "mg m v c k q\r\n" +
        "mg none v q\r\n" +
        "mn\r\n" +
        "ma cnt N0 J41 v\r\nma cnt v\r\n" +
        "delete b\r\n" +
        "bogus\r\n" +
        "set big 0 0 5000\r\n" + "v".repeat(5000) + "\r\n" +
        "get big\r\n" +
        "version\r\n";

    @Test
    void shouldAnswerPipelinedRequestsInOrder()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            assertEquals(
                "STORED\r\n" +
                "VALUE a 1 5\r\nhello\r\nVALUE b 2 3\r\nabc\r\nEND\r\n" +
                "VALUE a 1 5 1\r\nhello\r\nEND\r\n" +
                "STORED\r\n" +
                "NOT_FOUND\r\n" +
                "STORED\r\n" +
                "HD c5 km\r\n" +
                "VA 4 c5 km\r\nmeta\r\n" +
                "MN\r\n" +
                "VA 2\r\n41\r\nVA 2\r\n42\r\n" +
                "DELETED\r\n" +
                "ERROR\r\n" +
                "STORED\r\n" +
                "VALUE big 0 5000\r\n" + "v".repeat(5000) + "\r\nEND\r\n" +
                "VERSION " + dev.taskvs.server.ServerContext.VERSION + "\r\n",
                d.send(PIPELINE));
            assertEquals(0, d.pendingLength());
        }
    }

    @Test
    void shouldAnswerTheSameWhenSplitAtEveryByteBoundary()
    {
        final byte[] request = TextSessionDriver.bytes(PIPELINE);
        final String expected;
        try (TextSessionDriver d = new TextSessionDriver())
        {
            expected = d.send(PIPELINE);
        }
        for (int split = 1; split < request.length; split++)
        {
            try (TextSessionDriver d = new TextSessionDriver())
            {
                d.feed(request, 0, split);
                d.feed(request, split, request.length - split);
                assertEquals(expected, d.drain(), "split at " + split);
            }
        }
    }

    @Test
    void shouldAnswerTheSameWhenFedOneByteAtATime()
    {
        final byte[] request = TextSessionDriver.bytes(PIPELINE);
        try (TextSessionDriver whole = new TextSessionDriver(); TextSessionDriver d = new TextSessionDriver())
        {
            final String expected = whole.send(PIPELINE);
            for (int i = 0; i < request.length; i++)
            {
                d.feed(request, i, 1);
            }
            assertEquals(expected, d.drain());
        }
    }

    @Test
    void shouldAskForTheWholeDataBlock()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            final String line = "set a 0 0 100000\r\n";
            d.feed(TextSessionDriver.bytes(line + "x".repeat(10)));
            assertEquals(line.length() + 10, d.pendingLength());
            assertEquals(line.length() + 100_002, d.session.bytesNeeded());
            d.feed(TextSessionDriver.bytes("x".repeat(99_990) + "\r\n"));
            assertEquals("STORED\r\n", d.drain());
            assertEquals(0, d.session.bytesNeeded());
        }
    }

    @Test
    void shouldCloseWhenALongLineIsNotAMultiGet()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            d.feed(TextSessionDriver.bytes("x".repeat(2048)));
            assertFalse(d.session.closeRequested());
            d.feed(TextSessionDriver.bytes("x"));
            assertTrue(d.session.closeRequested());
        }
        try (TextSessionDriver d = new TextSessionDriver())
        {
            d.feed(TextSessionDriver.bytes(" ".repeat(101) + "get " + "k ".repeat(1100)));
            assertTrue(d.session.closeRequested());
        }
    }

    @Test
    void shouldServeMultiGetsOfThousandsOfKeys()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            final StringBuilder sets = new StringBuilder();
            final StringBuilder get = new StringBuilder("get");
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 20_000; i++)
            {
                final String key = "key:" + i;
                if (i % 3 != 0)
                {
                    sets.append("set ").append(key).append(" 0 0 ").append(String.valueOf(i).length())
                        .append(" noreply\r\n").append(i).append("\r\n");
                    expected.append("VALUE ").append(key).append(" 0 ").append(String.valueOf(i).length())
                        .append("\r\n").append(i).append("\r\n");
                }
                get.append(' ').append(key);
            }
            assertEquals("", d.send(sets.toString()));
            final byte[] line = TextSessionDriver.bytes(get + "\r\n");
            // arrives in 1000-byte reads, as from a socket: the long line must not close the connection
            for (int i = 0; i < line.length; i += 1000)
            {
                d.feed(line, i, Math.min(1000, line.length - i));
                assertFalse(d.session.closeRequested());
            }
            assertEquals(expected + "END\r\n", d.drain());
            assertEquals(20_000, d.stats.cmdGet);
        }
    }

    @Test
    void shouldYieldAfterRequestsPerEvent()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            final byte[] requests = TextSessionDriver.bytes("mn\r\n".repeat(50));
            final UnsafeBuffer in = new UnsafeBuffer(requests);
            final int consumed = d.session.process(in, 0, requests.length, d.out);
            assertEquals(4 * d.config.requestsPerEvent, consumed);
            assertEquals(1, d.stats.connYields);
            assertEquals("MN\r\n".repeat(d.config.requestsPerEvent), d.drain());
        }
    }

    @Test
    void shouldStopReadingAboveTheOutputHighWaterMark()
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 4096;
        try (TextSessionDriver d = new TextSessionDriver(config))
        {
            d.send("set big 0 0 10000\r\n" + "v".repeat(10_000) + "\r\n");
            final byte[] requests = TextSessionDriver.bytes("get big\r\nget big\r\nget big\r\n");
            final int consumed = d.session.process(new UnsafeBuffer(requests), 0, requests.length, d.out);
            assertEquals("get big\r\n".length(), consumed);
            d.drain();
            final int rest = d.session.process(new UnsafeBuffer(requests), consumed, requests.length - consumed, d.out);
            assertEquals("get big\r\n".length(), rest);
        }
    }

    @Test
    void shouldAnswerErrorToEveryLineOfBinaryGarbage()
    {
        final Random random = new Random(42);
        final byte[] garbage = new byte[20_000];
        int lines = 0;
        for (int i = 0; i < garbage.length; i++)
        {
            final int r = random.nextInt(100);
            if (r < 3 || i == garbage.length - 1)
            {
                garbage[i] = '\n';
                lines++;
            }
            else if (r < 10)
            {
                garbage[i] = ' ';
            }
            else
            {
                garbage[i] = (byte)(0x80 + random.nextInt(128));
            }
        }
        try (TextSessionDriver d = new TextSessionDriver())
        {
            d.send("set keep 0 0 1\r\nk\r\n");
            d.feed(garbage);
            assertFalse(d.session.closeRequested());
            assertEquals("ERROR\r\n".repeat(lines), d.drain());
            assertEquals("VALUE keep 0 1\r\nk\r\nEND\r\n", d.send("get keep\r\n"));
        }
    }

    @Test
    void shouldTreatNulAsTheEndOfTheLine()
    {
        try (TextSessionDriver d = new TextSessionDriver())
        {
            d.send("set a 0 0 5\r\nhello\r\n");
            assertEquals("VALUE a 0 5\r\nhello\r\nEND\r\n", d.send("get a\u0000b\r\n"));
        }
    }
}
