package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.dpdk.Dpdk;
import dev.taskvs.engine.nic.dpdk.DpdkPort;
import dev.taskvs.engine.nic.fault.FaultyPacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KernelInteropTest} and {@link AfPacketInteropTest} over DPDK: the engine on DPDK's net_af_packet PMD
 * at one end of a veth pair, the Linux kernel in a namespace of its own at the other (10.211.82.1; the engine is
 * .2; checksum offload off there, dpdk.md P1). The kernel's clients are Java sockets (made inside the namespace,
 * {@link KernelPeers#inNamespace}), socat and nc; its servers socat and a Java {@code ServerSocket}. One test
 * repeats the Java-socket echo over DPDK's net_tap (10.211.83.0/24, kernel side in this namespace).
 * <p>
 * Loss, reordering and duplication: this machine's kernel has no sch_netem, so {@link FaultyPacketIo} injects
 * them on the engine's side in both directions; netem is added on the kernel's side too where it exists, and
 * the test prints which.
 * <p>
 * EAL runs once per JVM with the default (CI) arguments, shared with the other DPDK tests in the fork; each
 * test hot-plugs its own port and removes it.
 */
@Timeout(180)
class DpdkKernelInteropTest
{
    private static final String KERNEL_IP = "10.211.82.1";
    private static final String ENGINE_IP = "10.211.82.2";
    private static final String TAP_KERNEL_IP = "10.211.83.1";
    private static final String TAP_ENGINE_IP = "10.211.83.2";
    private static final int PORT = 7000;
    private static final String NAMESPACE = "ttcp-dpdk-" + NetTestSupport.suffix();
    private static final String ENGINE_SIDE = "ttda" + NetTestSupport.suffix();
    private static final String PEER_SIDE = "ttdb" + NetTestSupport.suffix();
    private static final AtomicInteger DEVICES = new AtomicInteger(300);

    @BeforeAll
    static void createVethPair()
    {
        NetTestSupport.requireRootAndTools();
        Dpdk.init(new Dpdk.Context());
        removeVethPair();
        LinuxNet.ip(null, "netns", "add", NAMESPACE);
        LinuxNet.ip(null, "link", "add", ENGINE_SIDE, "type", "veth", "peer", "name", PEER_SIDE, "netns", NAMESPACE);
        LinuxNet.requireQuietInterface(ENGINE_SIDE);
        LinuxNet.linkUp(null, ENGINE_SIDE);
        LinuxNet.run("ethtool", "-K", ENGINE_SIDE, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
        LinuxNet.ip(NAMESPACE, "link", "set", "dev", "lo", "up");
        LinuxNet.addAddress(NAMESPACE, PEER_SIDE, KERNEL_IP + "/24");
        LinuxNet.linkUp(NAMESPACE, PEER_SIDE);
        LinuxNet.run("ip", "netns", "exec", NAMESPACE, "ethtool", "-K", PEER_SIDE, "tx", "off", "tso", "off",
            "gso", "off");
    }

    @AfterAll
    static void removeVethPair()
    {
        NetTestSupport.cleanup("ip", "netns", "del", NAMESPACE);
        NetTestSupport.cleanup("ip", "link", "del", ENGINE_SIDE);
    }

    /** An engine on a hot-plugged DPDK port, its app agent (an echo server unless told) in shared mode. */
    private static final class DpdkEngine implements AutoCloseable
    {
        final DpdkPort port;
        final TcpEngine engine;
        final AppContext app;
        final StreamApps.EchoServer echo = new StreamApps.EchoServer();
        final ThreadingModesTest.AppAgent agent;

        DpdkEngine(final DpdkPort.Context portContext, final String ip, final UnaryOperator<PacketIo> wrap,
            final boolean listen, final ConnectionHandler handler)
        {
            port = Dpdk.init(new Dpdk.Context()).openPort(portContext.descriptors(512, 512).mbufsPerQueue(4095));
            try
            {
                engine = new TcpEngine(new EngineContext().name("dpdk").address(ip + "/24")
                    .threading(ThreadingMode.SHARED).idleStrategy("backoff").timeWaitNs(100_000_000L)
                    .rtoMinNs(20_000_000L).maxFlows(4096).rxBufferSize(256 * 1024).txBufferSize(256 * 1024),
                    wrap.apply(port.queue(0)));
            }
            catch (final RuntimeException ex)
            {
                port.close();
                throw ex;
            }
            app = engine.newAppContext();
            agent = new ThreadingModesTest.AppAgent(app, handler == null ? echo : handler, () -> false);
            if (listen)
            {
                agent.onStart = () -> app.listen(PORT, 1024);
            }
            engine.start(agent);
        }

        /** On net_af_packet over the veth end, the kernel's peer in the namespace. */
        static DpdkEngine afPacket(final UnaryOperator<PacketIo> wrap, final boolean listen,
            final ConnectionHandler handler)
        {
            // The kernel must ARP for the engine afresh: another test's engine had the same address.
            LinuxNet.ip(NAMESPACE, "neigh", "flush", "dev", PEER_SIDE);
            return new DpdkEngine(new DpdkPort.Context()
                .devargs("net_af_packet" + DEVICES.incrementAndGet() + ",iface=" + ENGINE_SIDE), ENGINE_IP, wrap,
                listen, handler);
        }

        @Override
        public void close()
        {
            try
            {
                engine.close();
            }
            finally
            {
                port.close();
            }
        }
    }

    private static Path randomFile(final int bytes, final long seed) throws Exception
    {
        final Path file = Files.createTempFile("ttcp", ".bin");
        final byte[] data = new byte[bytes];
        new java.util.SplittableRandom(seed).nextBytes(data);
        Files.write(file, data);
        return file;
    }

    private static void echoThroughTool(final int bytes, final String... tool) throws Exception
    {
        final Path in = randomFile(bytes, 1);
        final Path out = Files.createTempFile("ttcp", ".out");
        try (DpdkEngine engine = DpdkEngine.afPacket(io -> io, true, null))
        {
            final long start = System.nanoTime();
            final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NAMESPACE));
            command.addAll(List.of(tool));
            final Process process = new ProcessBuilder(command).redirectInput(in.toFile())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), tool[0] + " finished");
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, process.exitValue());
            assertEquals(Files.size(in), Files.size(out));
            assertEquals(-1L, Files.mismatch(in, out), "byte-exact");
            System.out.printf("%s (kernel, veth namespace) <-> engine on DPDK net_af_packet: %d MB each way in " +
                "%.2f s%n", tool[0], bytes >> 20, seconds);
        }
        finally
        {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    @Test
    void socatShouldEchoHundredMegabytesThroughTheEngine() throws Exception
    {
        echoThroughTool(100 << 20, "socat", "-t", "10", "-", "TCP:" + ENGINE_IP + ":" + PORT);
    }

    @Test
    void netcatShouldEchoThroughTheEngine() throws Exception
    {
        echoThroughTool(10 << 20, "nc", "-N", ENGINE_IP, Integer.toString(PORT));
    }

    @Test
    void javaSocketShouldEchoHundredMegabytesThroughTheEngine() throws Exception
    {
        try (DpdkEngine engine = DpdkEngine.afPacket(io -> io, true, null))
        {
            final NetTestSupport.Result ping = NetTestSupport.run(10, "ip", "netns", "exec", NAMESPACE,
                "ping", "-c", "1", "-W", "2", ENGINE_IP);
            assertEquals(0, ping.exitCode, () -> "the engine answers ARP and ICMP echo: " + ping);
            final byte[] bytes = KernelPeers.pattern(100 << 20, 1);
            final double seconds = KernelPeers.echo(KernelPeers.connect(NAMESPACE, ENGINE_IP, PORT), bytes);
            System.out.printf("kernel Java client <-> engine echo on DPDK net_af_packet: %d MB each way in %.2f s " +
                "(%.1f MB/s)%n", bytes.length >> 20, seconds, bytes.length / seconds / 1e6);
        }
    }

    @Test
    void javaSocketShouldStayByteExactWithLossReorderingDuplicationBothWays() throws Exception
    {
        final UnaryOperator<PacketIo> faults = io -> new FaultyPacketIo(io,
            new FaultyPacketIo.Context().seed(5).lossRate(0.01).reorderRate(0.01).duplicationRate(0.01)
                .corruptionRate(0.001).reorderHoldNs(200_000).faultTransmit(true).faultReceive(true));
        try (DpdkEngine engine = DpdkEngine.afPacket(faults, true, null))
        {
            final NetTestSupport.Result netem = NetTestSupport.run(10, "ip", "netns", "exec", NAMESPACE, "tc",
                "qdisc", "add", "dev", PEER_SIDE, "root", "netem", "loss", "1%", "duplicate", "1%", "reorder", "1%",
                "delay", "100us");
            System.out.println("netem on the kernel side: " + (netem.exitCode == 0 ? "on" :
                "unavailable (faults injected by FaultyPacketIo on the engine's side only), " + netem));
            try
            {
                final byte[] bytes = KernelPeers.pattern(100 << 20, 2);
                final double seconds = KernelPeers.echo(KernelPeers.connect(NAMESPACE, ENGINE_IP, PORT), bytes);
                System.out.printf("kernel Java client <-> engine echo on DPDK net_af_packet with 1%% loss/dup/reorder" +
                    " both ways: %d MB each way in %.2f s%n", bytes.length >> 20, seconds);
                assertTrue(engine.engine.counterSum("bytes retransmitted") > 0, "the engine retransmitted");
            }
            finally
            {
                NetTestSupport.cleanup("ip", "netns", "exec", NAMESPACE, "tc", "qdisc", "del", "dev", PEER_SIDE,
                    "root");
            }
        }
    }

    @Test
    void thousandKernelConnectionsShouldOpenExchangeAndCloseAndLeaveNoFlows() throws Exception
    {
        try (DpdkEngine engine = DpdkEngine.afPacket(io -> io, true, null))
        {
            final long start = System.nanoTime();
            KernelPeers.manyConnections(NAMESPACE, ENGINE_IP, PORT, 1000);
            // The engine closed second each time (LAST_ACK), so no TIME_WAIT is left on its side.
            final long deadline = System.currentTimeMillis() + 20_000;
            while (engine.engine.flowCount() != 0 && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(20);
            }
            System.out.printf("1,000 concurrent kernel connections over DPDK net_af_packet: %.2f s%n",
                (System.nanoTime() - start) / 1e9);
            assertEquals(0, engine.engine.flowCount(), "flow table empty");
            assertEquals(1000, engine.echo.accepted);
        }
    }

    @Test
    void engineShouldMoveHundredMegabytesThroughAKernelSocatEchoServer() throws Exception
    {
        final Process server = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, "socat",
            "TCP-LISTEN:9000,reuseaddr", "EXEC:cat").redirectErrorStream(true).start();
        try
        {
            final long size = 100L << 20;
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(size, size, 9, 9);
            try (DpdkEngine engine = DpdkEngine.afPacket(io -> io, false, client))
            {
                Thread.sleep(300);
                engineClient(engine, client, KERNEL_IP, 9000, "kernel socat echo server (veth namespace)");
            }
        }
        finally
        {
            server.destroyForcibly();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void engineShouldMoveDataThroughAKernelJavaServerWithFaultsBothWays() throws Exception
    {
        final UnaryOperator<PacketIo> faults = io -> new FaultyPacketIo(io,
            new FaultyPacketIo.Context().seed(7).lossRate(0.01).reorderRate(0.01).duplicationRate(0.01)
                .reorderHoldNs(200_000).faultTransmit(true).faultReceive(true));
        final long size = 100L << 20;
        final StreamApps.PatternPeer client = new StreamApps.PatternPeer(size, size, 5, 5);
        try (ServerSocket server = KernelPeers.bind(NAMESPACE, KERNEL_IP);
            DpdkEngine engine = DpdkEngine.afPacket(faults, false, client))
        {
            final Thread echo = KernelPeers.echoServer(server);
            engineClient(engine, client, KERNEL_IP, server.getLocalPort(),
                "kernel Java echo server (veth namespace), 1% loss/dup/reorder both ways");
            echo.join(5_000);
        }
    }

    private static void engineClient(final DpdkEngine engine, final StreamApps.PatternPeer client, final String ip,
        final int port, final String what) throws Exception
    {
        final long start = System.nanoTime();
        engine.agent.task = () -> engine.app.connect(Ipv4Address.parse(ip), port);
        final long deadline = System.currentTimeMillis() + 120_000;
        while (!(client.closed || client.resetReason != 0 || client.connectFailed != 0) &&
            System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, client.connectFailed, "connect (ARP, SYN) succeeded");
        assertEquals(0, client.resetReason);
        assertTrue(client.closed, "closed cleanly");
        assertEquals(client.total, client.received);
        assertEquals(0, client.mismatches);
        System.out.printf("engine on DPDK net_af_packet <-> %s: %d MB each way in %.2f s%n", what,
            client.total >> 20, seconds);
    }

    @Test
    void javaSocketShouldEchoThroughTheEngineOnDpdkTap() throws Exception
    {
        final String name = "ttdt" + NetTestSupport.suffix();
        try (DpdkEngine engine = new DpdkEngine(new DpdkPort.Context()
            .devargs("net_tap" + DEVICES.incrementAndGet() + ",iface=" + name).macAddress(0x02_54_44_50_00_53L),
            TAP_ENGINE_IP, io -> io, true, null))
        {
            LinuxNet.requireQuietInterface(name);
            LinuxNet.addAddress(null, name, TAP_KERNEL_IP + "/24");
            LinuxNet.linkUp(null, name);
            final byte[] bytes = KernelPeers.pattern(100 << 20, 3);
            final double seconds = KernelPeers.echo(KernelPeers.connect(null, TAP_ENGINE_IP, PORT), bytes);
            System.out.printf("kernel Java client <-> engine echo on DPDK net_tap: %d MB each way in %.2f s%n",
                bytes.length >> 20, seconds);
        }
        finally
        {
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
    }
}
