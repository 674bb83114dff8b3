package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.fault.FaultyPacketIo;
import dev.taskvs.engine.nic.tap.TapPacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine against the Linux kernel's TCP over a TAP device the test creates (10.211.77.0/24: the kernel
 * side is .1, the engine .2): kernel clients talk to an engine echo server, the engine connects to a kernel
 * server, with and without loss, reordering and duplication.
 */
@Timeout(180)
class KernelInteropTest
{
    private static final String KERNEL_IP = "10.211.77.1";
    private static final String ENGINE_IP = "10.211.77.2";
    private static final int PORT = 7000;

    @BeforeAll
    static void requireTools()
    {
        NetTestSupport.requireRootAndTools();
    }

    /** An engine on a fresh TAP device, its echo server running in shared mode. */
    private static final class TapEngine implements AutoCloseable
    {
        final String name = "ttcp" + NetTestSupport.suffix();
        final TapPacketIo tap;
        final TcpEngine engine;
        final AppContext app;
        final StreamApps.EchoServer echo = new StreamApps.EchoServer();
        final ThreadingModesTest.AppAgent agent;

        TapEngine(final java.util.function.UnaryOperator<PacketIo> wrap, final boolean listen,
            final dev.taskvs.engine.app.ConnectionHandler handler)
        {
            this(wrap, listen, handler, SynCookieMode.ON_OVERFLOW);
        }

        TapEngine(final java.util.function.UnaryOperator<PacketIo> wrap, final boolean listen,
            final dev.taskvs.engine.app.ConnectionHandler handler, final SynCookieMode cookies)
        {
            tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(name));
            LinuxNet.requireQuietInterface(name);
            LinuxNet.addAddress(null, name, KERNEL_IP + "/24");
            LinuxNet.linkUp(null, name);
            engine = new TcpEngine(new EngineContext().name("tap").address(ENGINE_IP + "/24")
                .threading(ThreadingMode.SHARED).idleStrategy("backoff").timeWaitNs(100_000_000L)
                .rtoMinNs(20_000_000L).maxFlows(4096).rxBufferSize(256 * 1024).txBufferSize(256 * 1024).synCookieMode(cookies),
                wrap.apply(tap));
            app = engine.newAppContext();
            agent = new ThreadingModesTest.AppAgent(app, handler == null ? echo : handler, () -> false);
            if (listen)
            {
                agent.onStart = () -> app.listen(PORT, 1024);
            }
            engine.start(agent);
        }

        @Override
        public void close()
        {
            engine.close();
            tap.close();
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = Pattern.at(i, seed);
        }
        return bytes;
    }

    /** Send {@code bytes} and read them back on one kernel socket; returns the seconds it took. */
    private static double echoThroughKernelSocket(final byte[] bytes) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(ENGINE_IP, PORT), 5_000);
            socket.setSoTimeout(60_000);
            final long start = System.nanoTime();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < bytes.length; i += 65536)
                    {
                        out.write(bytes, i, Math.min(65536, bytes.length - i));
                    }
                    socket.shutdownOutput();
                }
                catch (final Exception ex)
                {
                    throw new RuntimeException(ex);
                }
            });
            writer.start();
            final InputStream in = socket.getInputStream();
            final byte[] back = new byte[bytes.length];
            int n = 0;
            while (n < back.length)
            {
                final int r = in.read(back, n, back.length - n);
                if (r < 0)
                {
                    break;
                }
                n += r;
            }
            writer.join(10_000);
            assertEquals(bytes.length, n, "bytes echoed");
            for (int i = 0; i < n; i++)
            {
                if (back[i] != bytes[i])
                {
                    throw new AssertionError("mismatch at " + i);
                }
            }
            assertEquals(-1, in.read(), "engine closed after echoing everything");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    @Test
    void kernelClientShouldEchoHundredMegabytesThroughTheEngine() throws Exception
    {
        try (TapEngine engine = new TapEngine(io -> io, true, null))
        {
            final NetTestSupport.Result ping = NetTestSupport.run(10, "ping", "-c", "1", "-W", "2", ENGINE_IP);
            assertEquals(0, ping.exitCode, () -> "the engine answers ARP and ICMP echo: " + ping);
            final byte[] bytes = pattern(100 << 20, 1);
            final double seconds = echoThroughKernelSocket(bytes);
            System.out.printf("kernel client <-> engine echo over TAP: %d MB each way in %.2f s (%.1f MB/s)%n",
                bytes.length >> 20, seconds, bytes.length / seconds / 1e6);
        }
    }

    /**
     * Every connection through a cookie: the kernel's SYNs offer MSS, window scale, SACK and timestamps, and the
     * cookie must carry them, or the bulk echo (a 256 KiB window, so scaled) stalls or corrupts.
     */
    @Test
    void kernelClientsShouldOpenThroughSynCookiesAndMoveDataByteExact() throws Exception
    {
        try (TapEngine engine = new TapEngine(io -> io, true, null, SynCookieMode.ALWAYS))
        {
            KernelPeers.manyConnections(null, ENGINE_IP, PORT, 200);
            final byte[] bytes = pattern(20 << 20, 4);
            final double seconds = echoThroughKernelSocket(bytes);
            System.out.printf("kernel client <-> engine echo over a SYN cookie: %d MB each way in %.2f s%n",
                bytes.length >> 20, seconds);
            assertEquals(201, engine.engine.counter("tap slow path: connections opened from SYN cookies"));
            assertEquals(201, engine.engine.counter("tap slow path: SYN cookies sent"),
                "one SYN each: the kernel resent none");
        }
    }

    @Test
    void kernelClientShouldStayByteExactWithLossReorderingDuplicationBothWays() throws Exception
    {
        final java.util.function.UnaryOperator<PacketIo> faults = io -> new FaultyPacketIo(io,
            new FaultyPacketIo.Context().seed(3).lossRate(0.01).reorderRate(0.01).duplicationRate(0.01)
                .corruptionRate(0.001).reorderHoldNs(200_000).faultTransmit(true).faultReceive(true));
        try (TapEngine engine = new TapEngine(faults, true, null))
        {
            // Faults are injected on the engine's side in both directions; netem on the kernel's side is added
            // as well where the kernel has sch_netem (this machine's kernel lacks it).
            final NetTestSupport.Result netem = NetTestSupport.run(10, "tc", "qdisc", "add", "dev", engine.name,
                "root", "netem", "loss", "1%", "duplicate", "1%", "reorder", "1%", "delay", "100us");
            System.out.println("netem on the kernel side: " + (netem.exitCode == 0 ? "on" : "unavailable, " + netem));
            final byte[] bytes = pattern(100 << 20, 2);
            final double seconds = echoThroughKernelSocket(bytes);
            System.out.printf("kernel client <-> engine echo over TAP with 1%% loss/dup/reorder both ways: " +
                "%d MB each way in %.2f s%n", bytes.length >> 20, seconds);
            assertTrue(engine.engine.counterSum("bytes retransmitted") > 0, "the engine retransmitted");
        }
    }

    @Test
    void thousandKernelConnectionsShouldOpenExchangeAndCloseAndLeaveNoFlows() throws Exception
    {
        try (TapEngine engine = new TapEngine(io -> io, true, null))
        {
            final ExecutorService pool = Executors.newFixedThreadPool(16);
            try
            {
                final List<Future<Boolean>> results = new ArrayList<>();
                final List<Socket> sockets = new ArrayList<>();
                for (int i = 0; i < 1000; i++)
                {
                    final Socket socket = new Socket();
                    socket.connect(new InetSocketAddress(ENGINE_IP, PORT), 10_000);
                    socket.setSoTimeout(30_000);
                    sockets.add(socket);
                }
                for (int i = 0; i < sockets.size(); i++)
                {
                    final Socket socket = sockets.get(i);
                    final byte[] message = pattern(1000, i);
                    results.add(pool.submit(() ->
                    {
                        socket.getOutputStream().write(message);
                        socket.shutdownOutput();
                        final byte[] back = socket.getInputStream().readAllBytes();
                        socket.close();
                        return java.util.Arrays.equals(message, back);
                    }));
                }
                for (final Future<Boolean> result : results)
                {
                    assertTrue(result.get(60, TimeUnit.SECONDS));
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            // The engine closed second each time (LAST_ACK), so no TIME_WAIT is left on its side.
            final long deadline = System.currentTimeMillis() + 20_000;
            while (engine.engine.flowCount() != 0 && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(20);
            }
            assertEquals(0, engine.engine.flowCount(), "flow table empty");
            assertEquals(1000, engine.echo.accepted);
        }
    }

    @Test
    void engineShouldConnectToKernelServerAndMoveDataBothWays() throws Exception
    {
        final int size = 16 << 20;
        final StreamApps.PatternPeer client = new StreamApps.PatternPeer(size, size, 5, 5);
        try (TapEngine engine = new TapEngine(io -> io, false, client); ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress(KERNEL_IP, 0));
            final Thread echo = new Thread(() ->
            {
                try (Socket socket = server.accept())
                {
                    socket.getInputStream().transferTo(socket.getOutputStream());
                    socket.shutdownOutput();
                }
                catch (final Exception ignored)
                {
                }
            });
            echo.start();
            {
                final long start = System.nanoTime();
                final long deadline = System.currentTimeMillis() + 60_000;
                engine.agent.task = () -> engine.app.connect(Ipv4Address.parse(KERNEL_IP), server.getLocalPort());
                while (!(client.closed || client.resetReason != 0 || client.connectFailed != 0) &&
                    System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(10);
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("engine client <-> kernel echo server over TAP: %d MB each way in %.2f s%n",
                    size >> 20, seconds);
                assertEquals(0, client.connectFailed);
                assertEquals(0, client.resetReason);
                assertTrue(client.closed, "closed cleanly");
                assertEquals(size, client.received);
                assertEquals(0, client.mismatches);
            }
            echo.join(5_000);
        }
    }
}
