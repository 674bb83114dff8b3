package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.taskvs.server.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A text multi-get naming a large value many times must not buffer every hit: the session pauses between keys
 * above the output high-water mark and resumes where it stopped once the transport has drained the output.
 */
@Timeout(60)
class TextMultiGetBackPressureTest
{
    private static final int VALUE_LENGTH = 512 * 1024;
    private static final int KEYS = 400;

    @Test
    void shouldBoundOutputOfALargeMultiGetAndAnswerItExactly() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        try (TextSessionDriver d = new TextSessionDriver(config))
        {
            final byte[] value = storeBigValue(d);
            final byte[] request = multiGet("get", KEYS);

            final Streamed streamed = serveLikeATransport(d, request);

            final long item = ("VALUE big 7 " + VALUE_LENGTH + "\r\n").length() + VALUE_LENGTH + 2;
            assertTrue(streamed.maxPending <= config.outputHighWaterMark + item,
                "pending output grew to " + streamed.maxPending);
            assertTrue(streamed.pauses > 100, "paused only " + streamed.pauses + " times");
            assertEquals(KEYS * item + "END\r\n".length(), streamed.length);
            assertArrayEquals(expectedDigest(value, KEYS), streamed.digest);
            assertEquals(KEYS, d.stats.cmdGet);
            assertEquals(KEYS, d.stats.getHits);
            assertEquals(0, d.stats.getMisses);
        }

        final ServerConfig oneShotConfig = new ServerConfig();
        oneShotConfig.outputHighWaterMark = 1 << 30;
        try (TextSessionDriver d = new TextSessionDriver(oneShotConfig))
        {
            final byte[] value = storeBigValue(d);
            final byte[] request = multiGet("get", KEYS);
            final int consumed = d.session.process(new UnsafeBuffer(request), 0, request.length, d.out);
            assertEquals(request.length, consumed);
            final MessageDigest oneShot = sha256();
            final byte[] chunk = new byte[1 << 16];
            while (!d.out.isEmpty())
            {
                final int n = Math.min(chunk.length, d.out.readableBytes());
                d.out.buffer().getBytes(d.out.readIndex(), chunk, 0, n);
                d.out.consume(n);
                oneShot.update(chunk, 0, n);
            }
            assertArrayEquals(expectedDigest(value, KEYS), oneShot.digest());
        }
    }

    @Test
    void shouldCountEveryKeyOnceAndEndOnceWhenGatResumes() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 4096;
        try (TextSessionDriver d = new TextSessionDriver(config))
        {
            d.send("set a 0 0 3000\r\n" + "a".repeat(3000) + "\r\n");
            final StringBuilder keys = new StringBuilder();
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 50; i++)
            {
                keys.append(i % 5 == 4 ? " miss" : "  a");
                if (i % 5 != 4)
                {
                    expected.append("VALUE a 0 3000 1\r\n").append("a".repeat(3000)).append("\r\n");
                }
            }
            expected.append("END\r\n");
            d.feed(TextSessionDriver.bytes("gats 100" + keys + " \r\nmn\r\n"));
            assertEquals(expected + "MN\r\n", d.drain());
            assertTrue(d.pauses > 10, "paused only " + d.pauses + " times");
            assertTrue(d.maxPendingOutput <= config.outputHighWaterMark + 3100, "pending " + d.maxPendingOutput);
            assertEquals(50, d.stats.cmdTouch);
            assertEquals(40, d.stats.touchHits);
            assertEquals(10, d.stats.touchMisses);
            assertEquals(0, d.stats.cmdGet);
            assertEquals(0, d.pendingLength());
        }
    }

    @Test
    void shouldAnswerOnlyTheErrorForAnOverlongKeyAfterManyHits()
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 4096;
        try (TextSessionDriver d = new TextSessionDriver(config))
        {
            d.send("set a 0 0 3000\r\n" + "a".repeat(3000) + "\r\n");
            assertEquals("CLIENT_ERROR bad command line format\r\n",
                d.send("get" + " a".repeat(20) + " " + "k".repeat(251) + " a\r\n"));
            assertEquals(0, d.pauses);
            // memcached looked up the keys before the long one.
            assertEquals(20, d.stats.cmdGet);
            assertEquals(20, d.stats.getHits);
        }
    }

    private static byte[] storeBigValue(final TextSessionDriver d)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        d.feed(TextSessionDriver.bytes("set big 7 0 " + VALUE_LENGTH + "\r\n"));
        d.feed(value);
        assertEquals("STORED\r\n", d.send("\r\n"));
        return value;
    }

    private static byte[] multiGet(final String command, final int keys)
    {
        return (command + " big".repeat(keys) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static final class Streamed
    {
        int pauses;
        int maxPending;
        long length;
        byte[] digest;
    }

    /**
     * The transport's loop: offer the unconsumed bytes, then send what was answered. The request moves to a
     * different offset of a different buffer on every call, as a compacting receive buffer may move it.
     */
    private static Streamed serveLikeATransport(final TextSessionDriver d, final byte[] request)
    {
        final Streamed streamed = new Streamed();
        final MessageDigest digest = sha256();
        final byte[] chunk = new byte[1 << 16];
        int consumedTotal = 0;
        int shift = 0;
        while (consumedTotal < request.length)
        {
            shift = (shift + 7) % 64;
            final byte[] moved = new byte[shift + request.length - consumedTotal];
            System.arraycopy(request, consumedTotal, moved, shift, request.length - consumedTotal);
            final int consumed = d.session.process(new UnsafeBuffer(moved), shift, moved.length - shift, d.out);
            consumedTotal += consumed;
            streamed.maxPending = Math.max(streamed.maxPending, d.out.readableBytes());
            if (consumed == 0)
            {
                assertTrue(d.out.readableBytes() > d.config.outputHighWaterMark, "stalled below the high-water mark");
                streamed.pauses++;
            }
            while (!d.out.isEmpty())
            {
                final int n = Math.min(chunk.length, d.out.readableBytes());
                d.out.buffer().getBytes(d.out.readIndex(), chunk, 0, n);
                d.out.consume(n);
                digest.update(chunk, 0, n);
                streamed.length += n;
            }
        }
        streamed.digest = digest.digest();
        return streamed;
    }

    private static byte[] expectedDigest(final byte[] value, final int keys)
    {
        final MessageDigest digest = sha256();
        final byte[] header = ("VALUE big 7 " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] crlf = {'\r', '\n'};
        for (int i = 0; i < keys; i++)
        {
            digest.update(header);
            digest.update(value);
            digest.update(crlf);
        }
        digest.update("END\r\n".getBytes(StandardCharsets.US_ASCII));
        return digest.digest();
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
