package dev.taskvs.server.transport.tas;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.compat.TasNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache on the engine over DPDK's net_af_packet: the engine's end of a veth pair is hot-plugged by
 * {@code --dpdk-port} into this fork's EAL (the default arguments), the kernel's end sits in a network namespace
 * the test creates, checksum offload off there (dpdk.md: else the kernel's segments arrive with partial
 * checksums), and the libmemcached tools run in that namespace as unchanged kernel clients.
 */
class TasDpdkAfPacketTest
{
    private static final long TOOL_TIMEOUT_S = 20;

    @TempDir
    Path dir;

    @Test
    void theDpdkPortIsChosenAsTheEngineCommandChoosesIt()
    {
        final TasConfig c = new TasConfig();
        c.nic = "dpdk";
        assertNull(c.dpdkPortOrIface(), "no device anywhere: DpdkNic's own message");
        c.dpdkArgs = "--vdev=net_memif0,role=server,socket=/tmp/x.sock";
        assertNull(c.dpdkPortOrIface(), "the first device --dpdk-args names");
        c.iface = "net_af_packet0,iface=veth0";
        assertNull(c.dpdkPortOrIface(), "--dpdk-args names one: --iface is not looked at");
        c.dpdkArgs = "";
        assertEquals("net_af_packet0,iface=veth0", c.dpdkPortOrIface(), "--iface, as before --dpdk-port");
        c.dpdkPort = "net_tap3,iface=dt3";
        assertEquals("net_tap3,iface=dt3", c.dpdkPortOrIface());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void noDeviceIsOneClearError()
    {
        final ServerConfig config = new ServerConfig();
        config.stack = "tas";
        config.port = 11211;
        config.tas.nic = "dpdk";
        config.tas.ip = "10.213.250.2/24";
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> KvsServer.start(config.conclude()).close());
        assertTrue(ex.getMessage().contains("--nic dpdk needs a device"), ex.getMessage());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void kernelClientsInANamespaceStoreAndFetchThroughDpdkAfPacket() throws Exception
    {
        TasNet.require();
        try (TasNet net = TasNet.veth(true))
        {
            final String offload = LinuxNet.run(net.onKernelSide("ethtool", "-k", net.kernelDevice));
            assertTrue(offload.contains("tx-checksumming: off"), offload);
            final ServerConfig config = new ServerConfig();
            config.stack = "tas";
            config.port = 11211;
            config.tas.nic = "dpdk";
            config.tas.ip = net.engineCidr;
            config.tas.dpdkPort = "net_af_packet" + net.subnet + ",iface=" + net.engineDevice;
            config.tas.timeWaitMs = 1000;
            try (KvsServer server = KvsServer.start(config.conclude()))
            {
                assertEquals("dpdk net_af_packet" + net.subnet + " (net_af_packet, 1 queue)",
                    server.tas().nicDescription());
                final String servers = "--servers=" + net.engineIp + ":11211";
                final Path file = dir.resolve("dpdk-value");
                final byte[] content = new byte[100_000];
                for (int i = 0; i < content.length; i++)
                {
                    content[i] = (byte)('a' + (i * 7) % 26);
                }
                Files.write(file, content);
                for (final String mode : new String[] {"text", "binary"})
                {
                    final List<String> extra = "binary".equals(mode) ? List.of("--binary") : List.of();
                    run(net, concat(List.of("memccp", servers), extra, List.of(file.toString())));
                    final String value = run(net, concat(List.of("memccat", servers), extra, List.of("dpdk-value")));
                    final String want = new String(content, StandardCharsets.US_ASCII);
                    // memccat ends the value with a newline of its own.
                    assertTrue(want.equals(value) || (want + "\n").equals(value), "memccat " + mode + " printed " +
                        value.length() + " bytes, starting " + value.substring(0, Math.min(80, value.length())));
                }
                final String stats = run(net, List.of("memcstat", servers));
                assertTrue(stats.contains("curr_items: 1") && stats.contains("version:"), stats);
            }
        }
    }

    private static List<String> concat(final List<String> a, final List<String> b, final List<String> c)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    private static String run(final TasNet net, final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(net.onKernelSide(command.toArray(new String[0])))
            .redirectErrorStream(true).start();
        final byte[] output;
        try
        {
            output = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(TOOL_TIMEOUT_S, TimeUnit.SECONDS), command + " did not finish");
        }
        finally
        {
            process.destroyForcibly();
        }
        final String text = new String(output, StandardCharsets.US_ASCII);
        assertEquals(0, process.exitValue(), command + ": " + text);
        return text;
    }
}
