package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.nic.afpacket.AfPacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine on an AF_PACKET ring at one end of a veth pair; the Linux kernel in a namespace of its own at the
 * other end (10.211.79.1; the engine is .2), with checksum offload off there so its segments carry full
 * checksums. socat in the namespace is the kernel's client and server.
 */
@Timeout(180)
class AfPacketInteropTest
{
    private static final String KERNEL_IP = "10.211.79.1";
    private static final String ENGINE_IP = "10.211.79.2";
    private static final String NAMESPACE = "ttcp-afp-" + NetTestSupport.suffix();
    private static final String ENGINE_SIDE = "ttca" + NetTestSupport.suffix();
    private static final String PEER_SIDE = "ttcb" + NetTestSupport.suffix();

    @BeforeAll
    static void createVethPair()
    {
        NetTestSupport.requireRootAndTools();
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

    private static TcpEngine engine(final AfPacketIo io)
    {
        return new TcpEngine(new EngineContext().name("afp").address(ENGINE_IP + "/24")
            .threading(ThreadingMode.SHARED).idleStrategy("backoff").timeWaitNs(100_000_000L).rtoMinNs(20_000_000L)
            .rxBufferSize(256 * 1024).txBufferSize(256 * 1024), io);
    }

    private static Path randomFile(final int bytes, final long seed) throws Exception
    {
        final Path file = Files.createTempFile("ttcp", ".bin");
        final byte[] data = new byte[bytes];
        new java.util.SplittableRandom(seed).nextBytes(data);
        Files.write(file, data);
        return file;
    }

    @Test
    void socatInTheNamespaceShouldEchoHundredMegabytesThroughTheEngine() throws Exception
    {
        echoThroughTool(100 << 20, "socat", "-t", "10", "-", "TCP:" + ENGINE_IP + ":7000");
    }

    @Test
    void netcatInTheNamespaceShouldEchoThroughTheEngine() throws Exception
    {
        echoThroughTool(10 << 20, "nc", "-N", ENGINE_IP, "7000");
    }

    private static void echoThroughTool(final int bytes, final String... tool) throws Exception
    {
        final Path in = randomFile(bytes, 1);
        final Path out = Files.createTempFile("ttcp", ".out");
        try (AfPacketIo io = new AfPacketIo(new AfPacketIo.Context().interfaceName(ENGINE_SIDE));
            TcpEngine engine = engine(io))
        {
            final AppContext app = engine.newAppContext();
            final StreamApps.EchoServer echo = new StreamApps.EchoServer();
            final ThreadingModesTest.AppAgent agent = new ThreadingModesTest.AppAgent(app, echo, () -> false);
            agent.onStart = () -> app.listen(7000);
            engine.start(agent);
            final long start = System.nanoTime();
            final java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("ip", "netns", "exec",
                NAMESPACE));
            command.addAll(java.util.List.of(tool));
            final Process socat = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(socat.waitFor(120, TimeUnit.SECONDS), "socat finished");
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, socat.exitValue());
            assertEquals(Files.size(in), Files.size(out));
            assertEquals(-1L, Files.mismatch(in, out), "byte-exact");
            System.out.printf("%s (kernel, veth namespace) <-> engine on AF_PACKET: %d MB each way in %.2f s%n",
                tool[0], bytes >> 20, seconds);
        }
        finally
        {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    @Test
    void engineShouldMoveHundredMegabytesThroughAKernelEchoServer() throws Exception
    {
        final Process server = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, "socat",
            "TCP-LISTEN:9000,reuseaddr", "EXEC:cat").redirectErrorStream(true).start();
        try (AfPacketIo io = new AfPacketIo(new AfPacketIo.Context().interfaceName(ENGINE_SIDE));
            TcpEngine engine = engine(io))
        {
            Thread.sleep(300);
            final long size = 100L << 20;
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(size, size, 9, 9);
            final AppContext app = engine.newAppContext();
            final ThreadingModesTest.AppAgent agent = new ThreadingModesTest.AppAgent(app, client,
                () -> client.closed || client.resetReason != 0 || client.connectFailed != 0);
            agent.onStart = () -> app.connect(Ipv4Address.parse(KERNEL_IP), 9000);
            final long start = System.nanoTime();
            engine.start(agent);
            final long deadline = System.currentTimeMillis() + 120_000;
            while (!agent.done && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(10);
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, client.connectFailed, "connect (ARP, SYN) succeeded");
            assertEquals(0, client.resetReason);
            assertEquals(size, client.received);
            assertEquals(0, client.mismatches);
            System.out.printf("engine on AF_PACKET <-> kernel socat echo (veth namespace): 100 MB each way in %.2f s%n",
                seconds);
        }
        finally
        {
            server.destroyForcibly();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
