package dev.taskvs.server.transport.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.ProtocolSession;
import dev.taskvs.server.protocol.ResponseBuffer;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NIO transport on its own, with a tiny line protocol in place of memcached's: "ECHO x" answers "x",
 * "BIG n" answers n bytes, "BLOB n" reads an n-byte block after the line and answers its length, "QUIT" hangs up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTransportTest
{
    private KernelTransport transport;
    private final AtomicInteger maxPendingOutputSeen = new AtomicInteger();

    @AfterEach
    void tearDown()
    {
        if (transport != null)
        {
            transport.close();
        }
    }

    private ServerContext start(final ServerConfig config) throws IOException
    {
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.conclude();
        final ServerContext ctx = new ServerContext(config, null, "kernel");
        transport = new KernelTransport(ctx, (c, stats, scratch) -> new LineSession(c.config(), maxPendingOutputSeen))
            .start();
        return ctx;
    }

    private Socket connect() throws IOException
    {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", transport.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws IOException
    {
        start(new ServerConfig());
        try (Socket s = connect())
        {
            final StringBuilder requests = new StringBuilder();
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 5000; i++)
            {
                requests.append("ECHO ").append(i).append('\n');
                expected.append(i).append('\n');
            }
            s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            final byte[] reply = readExactly(s.getInputStream(), expected.length());
            assertEquals(expected.toString(), new String(reply, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldReassembleRequestsSplitAcrossManyReads() throws Exception
    {
        start(new ServerConfig());
        try (Socket s = connect())
        {
            s.setTcpNoDelay(true);
            final int blockLength = 300_000;
            final byte[] request = ("BLOB " + blockLength + "\n").getBytes(StandardCharsets.US_ASCII);
            final OutputStream out = s.getOutputStream();
            out.write(request);
            final byte[] block = new byte[blockLength];
            // dribble the block in small pieces so the server sees many partial reads
            for (int off = 0; off < blockLength; off += 7919)
            {
                out.write(block, off, Math.min(7919, blockLength - off));
                out.flush();
            }
            out.write("ECHO done\n".getBytes(StandardCharsets.US_ASCII));
            final String expected = blockLength + "\ndone\n";
            assertEquals(expected, new String(readExactly(s.getInputStream(), expected.length()),
                StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldStopReadingFromAClientThatDoesNotReadItsResponses() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.outputHighWaterMark = 64 * 1024;
        start(config);
        try (Socket slow = connect(); Socket other = connect())
        {
            // Ask for 64 MiB of responses without reading any of them.
            final byte[] request = "BIG 65536\n".getBytes(StandardCharsets.US_ASCII);
            final OutputStream out = slow.getOutputStream();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < 1024; i++)
                    {
                        out.write(request);
                    }
                }
                catch (final IOException ignore)
                {
                    // closed by the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            writer.join(3000);

            // The server buffered at most the high-water mark plus one response per connection ...
            assertTrue(maxPendingOutputSeen.get() <= config.outputHighWaterMark + 65536,
                "pending output grew to " + maxPendingOutputSeen.get());
            // ... and still serves everyone else.
            other.getOutputStream().write("ECHO alive\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("alive\n", new String(readExactly(other.getInputStream(), 6), StandardCharsets.US_ASCII));

            // Once the slow client reads, it gets every byte it asked for, in order.
            final long expected = 1024L * 65536;
            final InputStream in = slow.getInputStream();
            final byte[] chunk = new byte[1 << 16];
            long received = 0;
            while (received < expected)
            {
                final int n = in.read(chunk);
                assertTrue(n > 0, "stream ended after " + received);
                received += n;
            }
            assertEquals(expected, received);
        }
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimitWithMemcachedsMessage() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.maxConnections = 3;
        final ServerContext ctx = start(config);
        final Socket[] held = new Socket[3];
        try
        {
            for (int i = 0; i < held.length; i++)
            {
                held[i] = connect();
                held[i].getOutputStream().write("ECHO x\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("x\n", new String(readExactly(held[i].getInputStream(), 2), StandardCharsets.US_ASCII));
            }
            try (Socket extra = connect())
            {
                final byte[] reply = extra.getInputStream().readAllBytes();
                assertEquals("ERROR Too many open connections\r\n", new String(reply, StandardCharsets.US_ASCII));
            }
            assertEquals(1, ctx.stats().rejectedConnections.get());
            assertEquals(3, ctx.stats().currConnections.get());
        }
        finally
        {
            for (final Socket s : held)
            {
                if (s != null)
                {
                    s.close();
                }
            }
        }
        // Closed connections are counted down, so new clients get in again.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ctx.stats().currConnections.get() != 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(0, ctx.stats().currConnections.get());
    }

    @Test
    void shouldCloseAfterQuitAndKeepServingOthers() throws Exception
    {
        start(new ServerConfig());
        try (Socket a = connect(); Socket b = connect())
        {
            a.getOutputStream().write("ECHO bye\nQUIT\nECHO never\n".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("bye\n".getBytes(StandardCharsets.US_ASCII), a.getInputStream().readAllBytes());
            b.getOutputStream().write("ECHO still\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still\n", new String(readExactly(b.getInputStream(), 6), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldHoldThousandsOfIdleConnections() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.maxConnections = 4000;
        config.threads = 2;
        final ServerContext ctx = start(config);
        final Socket[] idle = new Socket[2000];
        try
        {
            for (int i = 0; i < idle.length; i++)
            {
                idle[i] = connect();
            }
            try (Socket active = connect())
            {
                active.getOutputStream().write("ECHO busy\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("busy\n", new String(readExactly(active.getInputStream(), 5), StandardCharsets.US_ASCII));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ctx.stats().currConnections.get() != idle.length && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(idle.length, ctx.stats().currConnections.get());
        }
        finally
        {
            for (final Socket s : idle)
            {
                if (s != null)
                {
                    s.close();
                }
            }
        }
    }

    private static byte[] readExactly(final InputStream in, final int length) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        final byte[] buf = new byte[8192];
        while (out.size() < length)
        {
            final int n;
            try
            {
                n = in.read(buf, 0, Math.min(buf.length, length - out.size()));
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError("timed out after " + out.size() + " of " + length + " bytes", ex);
            }
            if (n < 0)
            {
                throw new AssertionError("stream ended after " + out.size() + " of " + length + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The stand-in protocol: honours the session contract (complete requests only, high-water mark, close). */
    private static final class LineSession implements ProtocolSession
    {
        private final ServerConfig config;
        private final AtomicInteger maxPendingOutputSeen;
        private int needed;
        private boolean close;

        LineSession(final ServerConfig config, final AtomicInteger maxPendingOutputSeen)
        {
            this.config = config;
            this.maxPendingOutputSeen = maxPendingOutputSeen;
        }

        @Override
        public int process(final DirectBuffer in, final int offset, final int length, final ResponseBuffer out)
        {
            maxPendingOutputSeen.accumulateAndGet(out.readableBytes(), Math::max);
            int pos = offset;
            final int end = offset + length;
            needed = 0;
            while (pos < end && !close && out.readableBytes() <= config.outputHighWaterMark)
            {
                int eol = -1;
                for (int i = pos; i < end; i++)
                {
                    if (in.getByte(i) == '\n')
                    {
                        eol = i;
                        break;
                    }
                }
                if (eol < 0)
                {
                    break;
                }
                final String line = in.getStringWithoutLengthAscii(pos, eol - pos);
                if (line.startsWith("ECHO "))
                {
                    out.put((line.substring(5) + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                else if (line.startsWith("BIG "))
                {
                    out.put(new byte[Integer.parseInt(line.substring(4))]);
                }
                else if (line.startsWith("BLOB "))
                {
                    final int n = Integer.parseInt(line.substring(5));
                    if (end - (eol + 1) < n)
                    {
                        needed = eol + 1 - pos + n;
                        break;
                    }
                    out.put((n + "\n").getBytes(StandardCharsets.US_ASCII));
                    pos = eol + 1 + n;
                    continue;
                }
                else if (line.equals("QUIT"))
                {
                    close = true;
                }
                pos = eol + 1;
            }
            return pos - offset;
        }

        @Override
        public int bytesNeeded()
        {
            return needed;
        }

        @Override
        public boolean closeRequested()
        {
            return close;
        }
    }
}
