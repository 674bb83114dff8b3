package dev.taskvs.server.transport.tas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.compat.TasNet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Connection life on the engine over TAP, kernel clients: ten thousand held at once, connect-and-close churn that
 * leaves nothing behind, a client that vanishes with data outstanding, and a graceful stop.
 */
class TasConnectionsTest
{
    @BeforeEach
    void needsTap()
    {
        TasNet.require();
    }

    private static ServerConfig config(final TasNet net)
    {
        final ServerConfig config = new ServerConfig();
        config.stack = "tas";
        config.port = 11211;
        config.tas.ip = net.engineCidr;
        config.tas.iface = net.engineDevice;
        config.tas.timeWaitMs = 1000;
        return config;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldHoldAndAnswerTenThousandConnections() throws Exception
    {
        final int count = 10_000;
        final TasNet net = TasNet.tap();
        final ServerConfig config = config(net);
        config.maxConnections = count + 100;
        config.tas.bufferKb = 8;
        final List<SocketChannel> held = new ArrayList<>(count);
        try (KvsServer server = KvsServer.start(config))
        {
            final InetSocketAddress address = new InetSocketAddress(net.engineIp, 11211);
            final long rssBefore = rssKb();
            for (int i = 0; i < count; i++)
            {
                final SocketChannel channel = SocketChannel.open();
                channel.socket().connect(address, 10_000);
                held.add(channel);
            }
            awaitTrue(() -> server.tas().connectionCount() == count, 30_000, "all connections accepted");
            final ByteBuffer request = ByteBuffer.wrap("mn\r\n".getBytes(StandardCharsets.US_ASCII));
            for (final SocketChannel channel : held)
            {
                channel.write(request.rewind());
            }
            final ByteBuffer reply = ByteBuffer.allocate(4);
            for (int i = 0; i < count; i++)
            {
                reply.clear();
                while (reply.hasRemaining())
                {
                    if (held.get(i).read(reply) < 0)
                    {
                        fail("connection " + i + " closed");
                    }
                }
                assertEquals("MN\r\n", new String(reply.array(), StandardCharsets.US_ASCII), "connection " + i);
            }
            final Map<String, String> general = stats(server, null);
            assertEquals(Integer.toString(count), general.get("curr_connections"));
            final Map<String, String> tas = TasServerAllocationTest.tasStats(server);
            assertEquals(Integer.toString(count), tas.get("lane0_active_flows"));
            // Requests and handshakes came in bursts. Over TAP a poll often finds one frame, and SYNs and the
            // kernel's own frames are not in packets_in, so bursts may outnumber it: only counted is checked.
            assertTrue(Long.parseLong(tas.get("lane0_receive_bursts")) > 0, tas.toString());
            // A burst is full only when it is one of them.
            assertTrue(Long.parseLong(tas.get("lane0_full_bursts")) <= Long.parseLong(tas.get("lane0_receive_bursts")),
                tas.toString());
            // Each request was released and answered from the event handler: one bump to the lane carries both.
            assertEquals(Integer.toString(count), tas.get("lane0_app_bumps"), tas.toString());
            System.out.println("[tas] " + count + " connections held: JVM resident " + (rssKb() - rssBefore) +
                " KiB more (server and the client sockets' Java objects); slow path active flows " +
                tas.get("slow_path_active_flows"));
            for (final SocketChannel channel : held)
            {
                channel.close();
            }
            held.clear();
            awaitTrue(() -> server.tas().connectionCount() == 0, 30_000, "every connection released");
            awaitTrue(() -> "0".equals(TasServerAllocationTest.tasStats(server).get("slow_path_active_flows")),
                30_000, "every flow freed");
        }
        finally
        {
            for (final SocketChannel channel : held)
            {
                channel.close();
            }
            net.close();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLeaveNoFlowOrConnectionBehindAfterTenSecondsOfChurn() throws Exception
    {
        final TasNet net = TasNet.tap();
        final ServerConfig config = config(net);
        try (KvsServer server = KvsServer.start(config))
        {
            final InetSocketAddress address = new InetSocketAddress(net.engineIp, 11211);
            // Each client close leaves a kernel TIME_WAIT for 60 s: four source addresses on the TAP's kernel side
            // give the full minute enough ephemeral ports (one address has about 28,000).
            final String prefix = net.engineIp.substring(0, net.engineIp.lastIndexOf('.') + 1);
            final InetSocketAddress[] sources = new InetSocketAddress[4];
            for (int i = 0; i < sources.length; i++)
            {
                final String ip = prefix + (101 + i);
                dev.taskvs.engine.nic.LinuxNet.addAddress(null, net.engineDevice, ip + "/24");
                sources[i] = new InetSocketAddress(ip, 0);
            }
            final long start = System.nanoTime();
            // 10 s in the suite; -Dkvs.churnSeconds=60 runs the full minute.
            final long end = start + TimeUnit.SECONDS.toNanos(Long.getLong("kvs.churnSeconds", 10));
            final byte[] request = "set churn 0 0 2\r\nok\r\nget churn\r\n".getBytes(StandardCharsets.US_ASCII);
            final byte[] expected = "STORED\r\nVALUE churn 0 2\r\nok\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);
            int done = 0;
            while (System.nanoTime() < end)
            {
                // 1,000 a second: each millisecond's connection.
                final long due = start + done * 1_000_000L;
                while (System.nanoTime() < due)
                {
                    Thread.onSpinWait();
                }
                try (Socket socket = new Socket())
                {
                    socket.bind(sources[done % sources.length]);
                    socket.connect(address, 5000);
                    socket.getOutputStream().write(request);
                    assertArrayEquals(expected, readFully(socket.getInputStream(), expected.length));
                }
                done++;
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("[tas] churn: %d connections in %.1f s (%.0f/s)%n", done, seconds, done / seconds);
            assertTrue(done >= seconds * 500, "only " + done + " connections in " + seconds + " s");
            awaitTrue(() -> server.tas().connectionCount() == 0, 10_000, "every connection released");
            awaitTrue(() -> "0".equals(TasServerAllocationTest.tasStats(server).get("slow_path_active_flows")) &&
                "0".equals(TasServerAllocationTest.tasStats(server).get("lane0_active_flows")), 10_000,
                "every flow freed");
            final Map<String, String> general = stats(server, null);
            assertEquals("0", general.get("curr_connections"));
            assertEquals(Long.toString(done + 1), general.get("total_connections"));
        }
        finally
        {
            net.close();
        }
    }

    /** A burst of kernel connects against a backlog of one: those past it open through SYN cookies, none is lost. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldOpenAConnectBurstFarPastTheBacklogThroughSynCookies() throws Exception
    {
        final int count = 300;
        final TasNet net = TasNet.tap();
        final ServerConfig config = config(net);
        config.backlog = 1;
        config.maxConnections = count + 100;
        final List<SocketChannel> held = new ArrayList<>(count);
        try (KvsServer server = KvsServer.start(config))
        {
            final InetSocketAddress address = new InetSocketAddress(net.engineIp, 11211);
            for (int i = 0; i < count; i++)
            {
                final SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.connect(address);
                held.add(channel);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (final SocketChannel channel : held)
            {
                while (!channel.finishConnect())
                {
                    assertTrue(System.nanoTime() < deadline, "connects finished in time");
                    Thread.sleep(1);
                }
                channel.configureBlocking(true);
            }
            final ByteBuffer request = ByteBuffer.wrap("mn\r\n".getBytes(StandardCharsets.US_ASCII));
            for (final SocketChannel channel : held)
            {
                channel.write(request.rewind());
            }
            for (final SocketChannel channel : held)
            {
                channel.socket().setSoTimeout(10_000);
                assertArrayEquals("MN\r\n".getBytes(StandardCharsets.US_ASCII),
                    readFully(channel.socket().getInputStream(), 4));
            }
            final Map<String, String> tas = TasServerAllocationTest.tasStats(server);
            assertEquals("0", tas.get("syn_backlog_drops"), tas.toString());
            System.out.println("connect burst: " + tas.get("syn_cookie_connections") + " of " + count + " through cookies");
            final long fromCookies = Long.parseLong(tas.get("syn_cookie_connections"));
            assertTrue(fromCookies > 0 && fromCookies < count, "some past the backlog of one: " + tas);
            assertEquals(Integer.toString(count), tas.get("connections_accepted"));
        }
        finally
        {
            for (final SocketChannel channel : held)
            {
                channel.close();
            }
            net.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldResetAClientThatVanishesWithDataOutstanding() throws Exception
    {
        final TasNet net = TasNet.tap();
        final ServerConfig config = config(net);
        config.memoryLimitMb = 256;
        config.itemSizeMax = 64 * 1024 * 1024;
        config.tas.rtoRetries = 4;
        try (KvsServer server = KvsServer.start(config);
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(net.engineIp, 11211), 5000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final int size = 32 * 1024 * 1024;
            out.write(("set big 0 0 " + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
            final byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < size / chunk.length; i++)
            {
                out.write(chunk);
            }
            out.write("\r\nget big\r\n".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("STORED\r\n".getBytes(StandardCharsets.US_ASCII), readFully(in, 8));
            // Read a little of the value, then vanish: the kernel loses its address, so the engine's segments
            // are dropped without an answer (no ACK, no FIN, no RST) while most of the value is unacknowledged.
            readFully(in, 256 * 1024);
            LinuxNet.ip(null, "addr", "flush", "dev", net.engineDevice);
            awaitTrue(() -> server.tas().connectionCount() == 0, 40_000, "the vanished client was reset");
            final Map<String, String> tas = TasServerAllocationTest.tasStats(server);
            assertTrue(Long.parseLong(tas.get("retransmit_limit_resets")) >= 1, "reset after the retry limit: " + tas);
            awaitTrue(() -> "0".equals(TasServerAllocationTest.tasStats(server).get("slow_path_active_flows")), 10_000,
                "its flow freed");
            assertEquals("0", stats(server, null).get("curr_connections"));
        }
        finally
        {
            net.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldAnswerReceivedRequestsThenCloseWithFinAndRemoveTheTapOnStop() throws Exception
    {
        final TasNet net = TasNet.tap();
        final KvsServer server = KvsServer.start(config(net));
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(net.engineIp, 11211), 5000);
            final StringBuilder batch = new StringBuilder();
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 200; i++)
            {
                batch.append("set k").append(i).append(" 0 0 1\r\nv\r\n");
                expected.append("STORED\r\n");
            }
            socket.getOutputStream().write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            // Everything was sent before the stop; the server answers it all, then closes (EOF, not a reset).
            awaitTrue(() -> "200".equals(TasServerAllocationTest.tasStats(server).get("lane0_bytes_in")) ||
                Long.parseLong(TasServerAllocationTest.tasStats(server).get("lane0_bytes_in")) >= batch.length(),
                5_000, "the batch reached the engine");
            server.close();
            final byte[] want = expected.toString().getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(want, readFully(socket.getInputStream(), want.length));
            assertEquals(-1, socket.getInputStream().read(), "FIN after the answers");
            assertTrue(net.awaitDeviceGone(5_000), "the TAP device " + net.engineDevice + " is gone");
        }
        finally
        {
            server.close();
            net.close();
        }
    }

    static Map<String, String> stats(final KvsServer server, final String group)
    {
        final Map<String, String> stats = new java.util.HashMap<>();
        dev.taskvs.server.stats.StatsReport.collect(server.context(), group, stats::put);
        return stats;
    }

    static byte[] readFully(final InputStream in, final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        int read = 0;
        while (read < length)
        {
            final int n = in.read(bytes, read, length - read);
            if (n < 0)
            {
                throw new IOException("closed after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return bytes;
    }

    static void awaitTrue(final BooleanSupplier condition, final long timeoutMs, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail(what + ": not within " + timeoutMs + " ms");
            }
            Thread.sleep(10);
        }
    }

    static long rssKb() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
