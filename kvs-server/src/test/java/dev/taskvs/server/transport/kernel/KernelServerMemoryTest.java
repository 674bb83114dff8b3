package dev.taskvs.server.transport.kernel;

import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Receive memory follows the bytes clients actually send, not the sizes they announce. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelServerMemoryTest
{
    @Test
    void shouldNotReserveAnnouncedValueSizesBeforeTheDataArrives() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.threads = 2;
        config.maxConnections = 2000;
        final int clients = 500;
        final Socket[] teasers = new Socket[clients];
        try (KvsServer server = KvsServer.start(config))
        {
            final long directBefore = directMemoryUsed();
            for (int i = 0; i < clients; i++)
            {
                teasers[i] = new Socket("127.0.0.1", server.port());
                // Announce a 1,000,000-byte value, send one byte of it, and stall.
                teasers[i].getOutputStream().write(("set tease" + i + " 0 0 1000000\r\nx")
                    .getBytes(StandardCharsets.US_ASCII));
            }
            awaitBytesRead(server, teaserBytes(clients));
            try (Socket client = new Socket("127.0.0.1", server.port()))
            {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("set k 0 0 2\r\nok\r\nget k\r\n".getBytes(StandardCharsets.US_ASCII));
                final String expected = "STORED\r\nVALUE k 0 2\r\nok\r\nEND\r\n";
                assertEquals(expected, new String(readExactly(client.getInputStream(), expected.length()),
                    StandardCharsets.US_ASCII));
            }
            final long grown = directMemoryUsed() - directBefore;
            // 500 announced megabytes must not have been reserved: a few KiB per connection at most.
            assertTrue(grown < 64L * 1024 * 1024, "direct memory grew by " + grown + " bytes");
        }
        finally
        {
            for (final Socket s : teasers)
            {
                if (s != null)
                {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldStreamAMultiGetLargerThanTheOutputBufferAndKeepServing() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.threads = 1;
        config.outputHighWaterMark = 64 * 1024;
        try (KvsServer server = KvsServer.start(config);
            Socket client = new Socket("127.0.0.1", server.port()))
        {
            client.setSoTimeout(20_000);
            final int valueLength = 512 * 1024;
            final byte[] value = new byte[valueLength];
            java.util.Arrays.fill(value, (byte)'v');
            final java.io.OutputStream out = client.getOutputStream();
            out.write(("set big 0 0 " + valueLength + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(value);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("STORED\r\n", new String(readExactly(client.getInputStream(), 8), StandardCharsets.US_ASCII));

            final int keys = 400;
            final StringBuilder line = new StringBuilder("get");
            for (int i = 0; i < keys; i++)
            {
                line.append(" big");
            }
            out.write(line.append("\r\nversion\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            final byte[] header = ("VALUE big 0 " + valueLength + "\r\n").getBytes(StandardCharsets.US_ASCII);
            final long expected = (long)keys * (header.length + valueLength + 2) + "END\r\n".length();
            // 200 MiB of answers pass through a 64 KiB high-water mark; read them as a slow client would.
            final InputStream in = client.getInputStream();
            final byte[] chunk = new byte[1 << 16];
            long received = 0;
            while (received < expected)
            {
                final int n = in.read(chunk, 0, (int)Math.min(chunk.length, expected - received));
                assertTrue(n > 0, "stream ended after " + received + " of " + expected);
                received += n;
            }
            final String version = new String(readExactly(in, 8), StandardCharsets.US_ASCII);
            assertEquals("VERSION ", version, "the request after the multi-get is answered too");
            final long[] hits = new long[1];
            server.context().stats().forEachWorker(w -> hits[0] += w.getHits);
            assertEquals(keys, hits[0]);
        }
    }

    private static long teaserBytes(final int clients)
    {
        long total = 0;
        for (int i = 0; i < clients; i++)
        {
            total += ("set tease" + i + " 0 0 1000000\r\nx").length();
        }
        return total;
    }

    /** The server has read every teaser byte, so whatever it reserves for them has been reserved. */
    private static void awaitBytesRead(final KvsServer server, final long expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final long[] read = new long[1];
        do
        {
            read[0] = 0;
            server.context().stats().forEachWorker(w -> read[0] += w.bytesRead);
            if (read[0] >= expected)
            {
                return;
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() < deadline);
        throw new AssertionError("server read " + read[0] + " of " + expected + " bytes");
    }

    private static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new AssertionError("no direct buffer pool");
    }

    private static byte[] readExactly(final InputStream in, final int length) throws java.io.IOException
    {
        final byte[] buf = new byte[length];
        int read = 0;
        while (read < length)
        {
            final int n = in.read(buf, read, length - read);
            if (n < 0)
            {
                throw new AssertionError("closed after " + read + " bytes");
            }
            read += n;
        }
        return buf;
    }
}
