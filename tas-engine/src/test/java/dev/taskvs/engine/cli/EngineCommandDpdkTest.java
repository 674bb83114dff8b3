package dev.taskvs.engine.cli;

import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.nic.dpdk.Dpdk;
import dev.taskvs.engine.nic.dpdk.DpdkLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engine ... --nic dpdk}: the EAL argument merge, an echo client on net_af_packet (in this JVM, sharing
 * the fork's EAL) against a kernel socat echo server in a namespace, and an echo server on net_tap in a JVM of
 * its own (its own EAL from {@code --dpdk-args}) that a kernel Java socket reaches at once.
 */
@Timeout(120)
class EngineCommandDpdkTest
{
    @Test
    void dpdkArgsShouldMergeOntoTheDefaults()
    {
        assertEquals(new Dpdk.Context().arguments(), DpdkNic.ealContext(null).arguments());
        assertEquals(new Dpdk.Context().arguments(),
            DpdkNic.ealContext("--no-huge --no-shconf --no-pci --no-telemetry").arguments(), "defaults ignored");
        final List<String> args = DpdkNic.ealContext(
            "--vdev=net_tap0,iface=dt0 -m 512 --log-level lib.eal:debug --file-prefix kvs1").arguments();
        final int vdev = args.indexOf("--vdev");
        assertTrue(vdev > 0 && "net_tap0,iface=dt0".equals(args.get(vdev + 1)), args::toString);
        assertEquals("512", args.get(args.indexOf("-m") + 1), args::toString);
        assertTrue(args.contains("--log-level=lib.eal:debug") && args.contains("--file-prefix") &&
            args.contains("kvs1"), args::toString);
        final List<String> huge = DpdkNic.ealContext("--in-memory -l 2 -a 0000:01:00.0").arguments();
        assertTrue(huge.contains("--in-memory") && !huge.contains("--no-huge") && huge.contains("--lcores=2") &&
            !huge.contains("--no-pci") && huge.get(huge.indexOf("-a") + 1).equals("0000:01:00.0"), huge::toString);
        assertThrows(IllegalArgumentException.class, () -> DpdkNic.ealContext("-m"));
        assertEquals(0x02_54_4B_D3_55_02L, DpdkNic.tapMac("10.211.85.2/24"));
        assertEquals("dt0", DpdkNic.devarg("net_tap0,iface=dt0,mac=fixed", "iface"));
    }

    @Test
    void dpdkWithoutADeviceShouldBeAClearError()
    {
        final java.io.StringWriter err = new java.io.StringWriter();
        final picocli.CommandLine line = EngineCommand.commandLine();
        line.setErr(new java.io.PrintWriter(err, true));
        assertEquals(1, line.execute("echo-client", "--nic", "dpdk"));
        assertTrue(err.toString().startsWith("engine: --nic dpdk needs a device"), err::toString);
    }

    @Test
    void echoClientOverDpdkAfPacketShouldMoveBytesExactlyAndPingPongWithAKernelServer() throws Exception
    {
        NetTestSupport.requireRootAndTools();
        final String namespace = "tcli-dpdk-" + NetTestSupport.suffix();
        final String engineSide = "tcda" + NetTestSupport.suffix();
        final String peerSide = "tcdb" + NetTestSupport.suffix();
        Process server = null;
        try
        {
            LinuxNet.ip(null, "netns", "add", namespace);
            LinuxNet.ip(null, "link", "add", engineSide, "type", "veth", "peer", "name", peerSide, "netns", namespace);
            LinuxNet.requireQuietInterface(engineSide);
            LinuxNet.linkUp(null, engineSide);
            LinuxNet.ip(namespace, "link", "set", "dev", "lo", "up");
            LinuxNet.addAddress(namespace, peerSide, "10.211.84.1/24");
            LinuxNet.linkUp(namespace, peerSide);
            LinuxNet.run("ip", "netns", "exec", namespace, "ethtool", "-K", peerSide, "tx", "off", "tso", "off",
                "gso", "off");
            server = new ProcessBuilder("ip", "netns", "exec", namespace, "socat", "TCP-LISTEN:9000,reuseaddr,fork",
                "EXEC:cat").redirectErrorStream(true).start();
            Thread.sleep(300);
            final String[] common = {"echo-client", "--nic", "dpdk", "--ip", "10.211.84.2/24",
                "--connect", "10.211.84.1", "--port", "9000"};
            assertEquals(0, EngineCommand.commandLine().execute(concat(common, "--dpdk-port",
                "net_af_packet401,iface=" + engineSide, "--bytes", "16777216")));
            assertEquals(0, EngineCommand.commandLine().execute(concat(common, "--dpdk-port",
                "net_af_packet402,iface=" + engineSide, "--count", "2000")));
        }
        finally
        {
            if (server != null)
            {
                server.destroyForcibly();
                server.waitFor(5, TimeUnit.SECONDS);
            }
            NetTestSupport.cleanup("ip", "netns", "del", namespace);
            NetTestSupport.cleanup("ip", "link", "del", engineSide);
        }
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void echoServerOverDpdkTapShouldBeReachableByTheKernelAtOnce() throws Exception
    {
        NetTestSupport.requireRootAndTools();
        final String tap = "tcdt" + NetTestSupport.suffix();
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        final String library = System.getProperty(DpdkLibrary.PATH_PROPERTY);
        if (library != null)
        {
            command.add("-D" + DpdkLibrary.PATH_PROPERTY + "=" + library);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineCommand.class.getName(),
            "echo-server", "--nic", "dpdk", "--dpdk-args", "--vdev=net_tap0,iface=" + tap + " --log-level=warning",
            "--ip", "10.211.85.2/24", "--port", "7000"));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<String> output = new ArrayList<>();
        try
        {
            final BufferedReader reader =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String ready = null;
            while (ready == null && (line = reader.readLine()) != null)
            {
                output.add(line);
                if (line.startsWith("echo server on"))
                {
                    ready = line;
                }
            }
            assertNotNull(ready, () -> "echo server started: " + output);
            assertTrue(ready.contains("kernel side 10.211.85.1/24 on " + tap), ready);
            final Thread drain = new Thread(() -> reader.lines().forEach(output::add), "child-output");
            drain.setDaemon(true);
            drain.start();
            assertTrue(LinuxNet.ip(null, "addr", "show", "dev", tap).contains("10.211.85.1/24"));
            final byte[] bytes = new byte[4 << 20];
            new SplittableRandom(4).nextBytes(bytes);
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("10.211.85.2", 7000), 10_000);
                socket.setSoTimeout(30_000);
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        final OutputStream out = socket.getOutputStream();
                        out.write(bytes);
                        socket.shutdownOutput();
                    }
                    catch (final Exception ex)
                    {
                        throw new RuntimeException(ex);
                    }
                });
                writer.start();
                final byte[] back = socket.getInputStream().readAllBytes();
                writer.join(10_000);
                assertEquals(-1, Arrays.mismatch(bytes, back), "byte-exact echo, then the server's FIN");
            }
            System.out.println("engine echo-server on DPDK net_tap (child JVM): " + ready);
        }
        finally
        {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS))
            {
                child.destroyForcibly();
                child.waitFor(5, TimeUnit.SECONDS);
            }
            NetTestSupport.cleanup("ip", "link", "del", tap);
        }
    }
}
