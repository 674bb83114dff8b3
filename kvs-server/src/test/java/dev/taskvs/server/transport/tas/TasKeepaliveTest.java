package dev.taskvs.server.transport.tas;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.compat.TasNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.taskvs.server.transport.tas.TasConnectionsTest.awaitTrue;
import static dev.taskvs.server.transport.tas.TasConnectionsTest.readFully;
import static dev.taskvs.server.transport.tas.TasConnectionsTest.stats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --keepalive-s} on the engine over TAP with a kernel client: a live idle client answers the probes and
 * stays; one that vanishes while idle (its address is flushed, so nothing comes back: no ACK, no FIN, no RST) is
 * reset and freed after idle + probes x interval; with keepalive off (the default, as memcached) it stays.
 */
class TasKeepaliveTest
{
    private static final byte[] STORED = "STORED\r\n".getBytes(StandardCharsets.US_ASCII);

    private static ServerConfig config(final TasNet net, final int keepaliveSeconds)
    {
        final ServerConfig config = new ServerConfig();
        config.stack = "tas";
        config.port = 11211;
        config.tas.ip = net.engineCidr;
        config.tas.iface = net.engineDevice;
        config.tas.timeWaitMs = 1000;
        config.tas.keepaliveSeconds = keepaliveSeconds;
        config.tas.keepaliveIntervalSeconds = 1;
        config.tas.keepaliveProbes = 2;
        return config;
    }

    private static void set(final OutputStream out, final InputStream in, final String key) throws Exception
    {
        out.write(("set " + key + " 0 0 1\r\nx\r\n").getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(STORED, readFully(in, STORED.length));
    }

    @Test
    void shouldAcceptKeepaliveOptionsAndRefuseOutOfRangeOnes()
    {
        final TasConfig config = new TasConfig();
        config.keepaliveSeconds = 1;
        config.keepaliveIntervalSeconds = 1;
        config.keepaliveProbes = 2;
        config.conclude();
        final TasConfig negative = new TasConfig();
        negative.keepaliveSeconds = -1;
        assertThrows(IllegalArgumentException.class, negative::conclude);
        final TasConfig noProbes = new TasConfig();
        noProbes.keepaliveProbes = 0;
        assertThrows(IllegalArgumentException.class, noProbes::conclude);
        final TasConfig noInterval = new TasConfig();
        noInterval.keepaliveIntervalSeconds = 0;
        assertThrows(IllegalArgumentException.class, noInterval::conclude);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepALiveIdleClientAndResetOneThatVanishesWithKeepaliveOn() throws Exception
    {
        TasNet.require();
        final TasNet net = TasNet.tap();
        try (KvsServer server = KvsServer.start(config(net, 1));
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(net.engineIp, 11211), 5000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            set(out, in, "a");

            // Idle for longer than idle + probes x interval (3 s): the kernel answers every probe.
            Thread.sleep(4_500);
            Map<String, String> tas = TasServerAllocationTest.tasStats(server);
            assertTrue(Long.parseLong(tas.get("keepalive_probes")) >= 3, "probed about once a second: " + tas);
            assertEquals("0", tas.get("keepalive_resets"));
            assertEquals("1", stats(server, null).get("curr_connections"));
            set(out, in, "b");

            // Vanish while idle: the kernel loses its address and drops the probes without a word.
            LinuxNet.ip(null, "addr", "flush", "dev", net.engineDevice);
            final long vanished = System.nanoTime();
            awaitTrue(() -> server.tas().connectionCount() == 0, 15_000, "the vanished idle client was reset");
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - vanished);
            System.out.println("keepalive 1 s, 2 probes 1 s apart: the vanished client was reset after " + ms + " ms");
            assertTrue(ms >= 2_500, "not before idle + probes x interval: " + ms);
            tas = TasServerAllocationTest.tasStats(server);
            assertEquals("1", tas.get("keepalive_resets"), tas.toString());
            assertEquals("0", tas.get("retransmit_limit_resets"));
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
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepAnIdleVanishedClientWithKeepaliveOffAsMemcachedDoes() throws Exception
    {
        TasNet.require();
        final TasNet net = TasNet.tap();
        try (KvsServer server = KvsServer.start(config(net, 0));
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(net.engineIp, 11211), 5000);
            set(socket.getOutputStream(), socket.getInputStream(), "a");
            LinuxNet.ip(null, "addr", "flush", "dev", net.engineDevice);
            Thread.sleep(4_500);
            final Map<String, String> tas = TasServerAllocationTest.tasStats(server);
            assertEquals("0", tas.get("keepalive_probes"), tas.toString());
            assertEquals("1", stats(server, null).get("curr_connections"));
            assertEquals(1, server.tas().connectionCount());
        }
        finally
        {
            net.close();
        }
    }
}
