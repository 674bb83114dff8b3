package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import dev.taskvs.server.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sessions of one worker share its {@link SessionScratch}: whatever one connection leaves unfinished (a
 * multi-get paused above the output high-water mark, half a line) must come out the same when other connections
 * run text, meta and storage commands through the same scratch objects in between.
 */
@Timeout(30)
class SessionScratchSharingTest
{
    private static final String VALUE = "v".repeat(3000);

    @Test
    void shouldAnswerEachConnectionAsIfItHadItsOwnScratch()
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 4096;
        try (TextSessionDriver d = new TextSessionDriver(config))
        {
            final SessionScratch shared = new SessionScratch();
            final TextProtocolSession paused = new TextProtocolSession(d.ctx, d.stats, shared);
            final TextProtocolSession other = new TextProtocolSession(d.ctx, d.stats, shared);
            final ResponseBuffer pausedOut = new ResponseBuffer(4096);
            final ResponseBuffer otherOut = new ResponseBuffer(4096);
            final StringBuilder expected = new StringBuilder();
            final StringBuilder keys = new StringBuilder("gets");
            for (int i = 0; i < 8; i++)
            {
                d.send("set big" + i + " " + i + " 0 " + VALUE.length() + "\r\n" + VALUE + "\r\n");
                keys.append(" big").append(i);
            }
            final String multiGet = keys + "\r\n";
            for (int i = 0; i < 8; i++)
            {
                final String cas = d.send("mg big" + i + " c\r\n").trim().substring("HD c".length());
                expected.append("VALUE big").append(i).append(' ').append(i).append(' ').append(VALUE.length())
                    .append(' ').append(cas).append("\r\n").append(VALUE).append("\r\n");
            }
            expected.append("END\r\n");

            final UnsafeBuffer request = ascii(multiGet);
            final StringBuilder pausedAnswer = new StringBuilder();
            int rounds = 0;
            int consumed = 0;
            while (consumed == 0)
            {
                consumed = paused.process(request, 0, request.capacity(), pausedOut);
                pausedAnswer.append(take(pausedOut));
                // Between the paused connection's turns, another runs everything that touches the scratch objects:
                // tokens, a get hit and its writer, a store result, meta commands, half a line.
                final String otherRequests = "set k" + rounds + " 5 0 2\r\nab\r\nget k" + rounds + " nokey\r\n" +
                    "incr counter 1\r\nmg k" + rounds + " v f t\r\nms m" + rounds + " 1 T0\r\nz\r\n" +
                    "md nokey q\r\nmn\r\n" +
                    "get half";
                final UnsafeBuffer others = ascii(otherRequests);
                final int otherConsumed = other.process(others, 0, others.capacity(), otherOut);
                assertEquals(otherRequests.length() - "get half".length(), otherConsumed);
                assertEquals("STORED\r\nVALUE k" + rounds + " 5 2\r\nab\r\nEND\r\nNOT_FOUND\r\n" +
                    "VA 2 f5 t-1\r\nab\r\nHD\r\nNF\r\nMN\r\n", take(otherOut));
                rounds++;
            }
            assertEquals(request.capacity(), consumed);
            assertTrue(rounds > 2, "the multi-get paused " + (rounds - 1) + " times");
            assertEquals(expected.toString(), pausedAnswer.toString());
        }
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String take(final ResponseBuffer out)
    {
        final byte[] bytes = new byte[out.readableBytes()];
        out.buffer().getBytes(out.readIndex(), bytes);
        out.consume(bytes.length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
