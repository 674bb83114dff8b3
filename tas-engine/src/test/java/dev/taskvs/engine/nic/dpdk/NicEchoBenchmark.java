package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.afpacket.AfPacketIo;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.nic.tap.TapPacketIo;
import dev.taskvs.engine.proto.EthernetFrame;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Raw frame echo between two endpoints over each NIC backend, side by side in one run: DPDK memif, the shm
 * wire, AF_PACKET (TPACKET_V2 rings) on a veth pair, TAP (two taps on a Linux bridge), and DPDK's af_packet PMD
 * on the same veth pair for comparison. An initiator (the main thread) keeps a window of 64-byte frames in
 * flight; a reflector thread echoes each frame back. The figure is echoed frames per second: each crossed
 * the wire twice. Frames lost on the way (the kernel paths may drop under load) are counted and the window
 * reopens after a quiet 100 ms.
 * <p>
 * Run as root, from tas-engine, after {@code mvn -o -q test-compile} (see BENCHMARKS.md for the command):
 * <pre>
 *   NicEchoBenchmark [seconds per backend, default 5] [backends, default memif,shm,afpacket,tap,dpdk-afpacket]
 * </pre>
 * It creates and removes its own veth pair, taps and bridge (names tkb*), and uses no IP addresses.
 */
public final class NicEchoBenchmark
{
    private static final int FRAME_LENGTH = 64;
    private static final int WINDOW = 256;
    private static final int MARKER_ETHER_TYPE = 0x88B5;
    private static final int HELLO_ETHER_TYPE = 0x88B6;
    private static final long WARMUP_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Pair(String name, PacketIo initiator, PacketIo reflector, boolean dpdk, List<Runnable> cleanup)
    {
    }

    private record Result(String name, double framesPerSecond, long echoed, long lost, double seconds)
    {
    }

    private NicEchoBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final String[] backends = (args.length > 1 ? args[1] : "memif,shm,afpacket,tap,dpdk-afpacket").split(",");
        final Path dir = Files.createTempDirectory("tkvs-bench");
        final List<Result> results = new ArrayList<>();
        try
        {
            runAll(backends, dir, seconds, results);
        }
        finally
        {
            // The memif socket and the shm wire file; the PMD and ShmWire leave them behind.
            try (var files = Files.list(dir))
            {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        System.out.printf("%nRaw %d-byte frame echo, window %d, %d s per backend, %s, %d CPUs, %s%n",
            FRAME_LENGTH, WINDOW, seconds, LocalDate.now(), Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println("| backend | echoed frames/s | echoed in the measured time | lost (whole run) |");
        System.out.println("|---|---:|---:|---:|");
        for (final Result result : results)
        {
            System.out.printf("| %s | %,.0f | %,d | %,d |%n",
                result.name, result.framesPerSecond, result.echoed, result.lost);
        }
    }

    private static void runAll(final String[] backends, final Path dir, final int seconds, final List<Result> results)
        throws IOException, InterruptedException
    {
        for (final String backend : backends)
        {
            final Pair pair = open(backend.trim(), dir);
            try
            {
                results.add(run(pair, TimeUnit.SECONDS.toNanos(seconds)));
            }
            finally
            {
                for (int i = pair.cleanup.size() - 1; i >= 0; i--)
                {
                    try
                    {
                        pair.cleanup.get(i).run();
                    }
                    catch (final RuntimeException ex)
                    {
                        System.err.println("cleanup of " + pair.name + ": " + ex.getMessage());
                    }
                }
            }
        }
    }

    private static Pair open(final String backend, final Path dir) throws IOException
    {
        final List<Runnable> cleanup = new ArrayList<>();
        switch (backend)
        {
            case "memif":
            {
                final Dpdk dpdk = Dpdk.init(new Dpdk.Context());
                final Path socket = dir.resolve("memif.sock");
                final DpdkPort server = dpdk.openPort(new DpdkPort.Context()
                    .devargs("net_memif0,role=server,id=0,socket=" + socket + ",socket-abstract=no"));
                cleanup.add(server::close);
                final DpdkPort client = dpdk.openPort(new DpdkPort.Context()
                    .devargs("net_memif1,role=client,id=0,socket=" + socket + ",socket-abstract=no"));
                cleanup.add(() -> awaitLinkDown(server));
                cleanup.add(client::close);
                server.awaitLinkUp(10, TimeUnit.SECONDS);
                client.awaitLinkUp(10, TimeUnit.SECONDS);
                // The client is the reflector: its RX lends the server its ring buffers (see DpdkMemifPeerMain).
                return new Pair("DPDK memif (net_memif, server ↔ client)", server.queue(0), client.queue(0), true,
                    cleanup);
            }
            case "shm":
            {
                final Path path = dir.resolve("wire");
                final ShmWire creator = ShmWire.open(new ShmWire.Context().path(path));
                cleanup.add(creator::close);
                final ShmWire attacher = ShmWire.open(new ShmWire.Context().path(path));
                cleanup.add(attacher::close);
                return new Pair("shm wire (ShmWire)", creator, attacher, false, cleanup);
            }
            case "afpacket":
            case "dpdk-afpacket":
            {
                final String a = "tkba" + ProcessHandle.current().pid() % 10_000;
                final String b = "tkbb" + ProcessHandle.current().pid() % 10_000;
                LinuxNet.ip(null, "link", "add", a, "type", "veth", "peer", "name", b);
                cleanup.add(() -> LinuxNet.ip(null, "link", "del", a));
                for (final String name : new String[] {a, b})
                {
                    LinuxNet.requireQuietInterface(name);
                    LinuxNet.linkUp(null, name);
                }
                if (backend.equals("afpacket"))
                {
                    final AfPacketIo initiator = new AfPacketIo(new AfPacketIo.Context().interfaceName(a));
                    cleanup.add(initiator::close);
                    final AfPacketIo reflector = new AfPacketIo(new AfPacketIo.Context().interfaceName(b));
                    cleanup.add(reflector::close);
                    return new Pair("AF_PACKET (TPACKET_V2 rings, veth pair)", initiator, reflector, false, cleanup);
                }
                final Dpdk dpdk = Dpdk.init(new Dpdk.Context());
                final DpdkPort initiator = dpdk.openPort(new DpdkPort.Context().devargs("net_af_packet0,iface=" + a));
                cleanup.add(initiator::close);
                final DpdkPort reflector = dpdk.openPort(new DpdkPort.Context().devargs("net_af_packet1,iface=" + b));
                cleanup.add(reflector::close);
                return new Pair("DPDK net_af_packet (veth pair)", initiator.queue(0), reflector.queue(0), true,
                    cleanup);
            }
            case "tap":
            {
                final String bridge = "tkbr" + ProcessHandle.current().pid() % 10_000;
                final String tap0 = "tkbt" + ProcessHandle.current().pid() % 10_000;
                final String tap1 = "tkbu" + ProcessHandle.current().pid() % 10_000;
                LinuxNet.ip(null, "link", "add", bridge, "type", "bridge");
                cleanup.add(() -> LinuxNet.ip(null, "link", "del", bridge));
                final TapPacketIo initiator = new TapPacketIo(
                    new TapPacketIo.Context().interfaceName(tap0).macAddress(0x02_54_41_50_00_01L));
                cleanup.add(initiator::close);
                final TapPacketIo reflector = new TapPacketIo(
                    new TapPacketIo.Context().interfaceName(tap1).macAddress(0x02_54_41_50_00_02L));
                cleanup.add(reflector::close);
                for (final String name : new String[] {bridge, tap0, tap1})
                {
                    LinuxNet.requireQuietInterface(name);
                }
                LinuxNet.ip(null, "link", "set", tap0, "master", bridge);
                LinuxNet.ip(null, "link", "set", tap1, "master", bridge);
                for (final String name : new String[] {bridge, tap0, tap1})
                {
                    LinuxNet.linkUp(null, name);
                }
                return new Pair("TAP (/dev/net/tun, two taps on a bridge)", initiator, reflector, false, cleanup);
            }
            default:
                throw new IllegalArgumentException("unknown backend " + backend +
                    "; known: memif, shm, afpacket, tap, dpdk-afpacket");
        }
    }

    /**
     * EAL's interrupt thread handles a memif peer's disconnect; closing this side while it does so races with
     * it inside the PMD. So after closing one side, wait until the other has seen the link go down.
     */
    private static void awaitLinkDown(final DpdkPort port)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (port.link().up() && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static Result run(final Pair pair, final long measureNs) throws InterruptedException
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread reflector = new Thread(() -> reflect(pair, running), "reflector");
        reflector.start();
        try
        {
            final PacketIo io = pair.initiator;
            if (pair.dpdk)
            {
                Dpdk.current().registerThread();
            }
            awaitHello(io);
            final FrameBatch tx = new FrameBatch(32);
            final FrameBatch rx = new FrameBatch(32);
            final EthernetFrame ethernet = new EthernetFrame();
            final long peerMac = pair.reflector.macAddress();
            final long start = System.nanoTime();
            final long measureFrom = start + WARMUP_NS;
            final long end = measureFrom + measureNs;
            long sent = 0;
            long received = 0;
            long presumedLost = 0;
            long receivedAtMeasureStart = -1;
            long lastProgress = start;
            long now = start;
            while (now - end < 0)
            {
                final long inFlight = sent - received - presumedLost;
                if (inFlight < WINDOW)
                {
                    final int n = io.allocate(tx, (int)Math.min(32, WINDOW - inFlight));
                    for (int i = 0; i < n; i++)
                    {
                        writeFrame(tx, i, ethernet, peerMac, io.macAddress(), sent + i);
                    }
                    sent += io.transmit(tx);
                }
                final int m = countEchoes(io, rx, ethernet);
                received += m;
                now = System.nanoTime();
                if (m > 0)
                {
                    lastProgress = now;
                    // Frames presumed lost that turn up after all no longer count as lost.
                    presumedLost = Math.min(presumedLost, sent - received);
                }
                else if (now - lastProgress > QUIET_NS && sent - received - presumedLost > 0)
                {
                    // Nothing came back for a while: presume what is in flight dropped, so the window reopens.
                    presumedLost = sent - received;
                    lastProgress = now;
                }
                if (receivedAtMeasureStart < 0 && now - measureFrom >= 0)
                {
                    receivedAtMeasureStart = received;
                }
            }
            final double seconds = (now - measureFrom) / 1e9;
            final long echoed = received - receivedAtMeasureStart;
            // Drain the stragglers, then whatever never came back was lost.
            final long drainEnd = System.nanoTime() + QUIET_NS;
            while (System.nanoTime() - drainEnd < 0 && received < sent)
            {
                received += countEchoes(io, rx, ethernet);
            }
            final Result result = new Result(pair.name, echoed / seconds, echoed, sent - received, seconds);
            System.out.printf("%-45s %,12.0f echoed frames/s (%,d in %.2f s; %,d of %,d sent lost)%n",
                result.name, result.framesPerSecond, result.echoed, result.seconds, result.lost, sent);
            if (pair.dpdk)
            {
                Dpdk.current().unregisterThread();
            }
            return result;
        }
        finally
        {
            running.set(false);
            reflector.join(5_000);
        }
    }

    private static void writeFrame(
        final FrameBatch tx, final int i, final EthernetFrame ethernet, final long to, final long from, final long number)
    {
        ethernet.wrap(tx.buffer(i), tx.offset(i)).destination(to).source(from).etherType(MARKER_ETHER_TYPE);
        tx.buffer(i).putLong(tx.offset(i) + EthernetFrame.HEADER_LENGTH, number, ByteOrder.BIG_ENDIAN);
        tx.length(i, FRAME_LENGTH);
    }

    private static int countEchoes(final PacketIo io, final FrameBatch rx, final EthernetFrame ethernet)
    {
        final int n = io.receive(rx);
        int echoes = 0;
        for (int i = 0; i < n; i++)
        {
            if (ethernet.wrap(rx.buffer(i), rx.offset(i)).etherType() == MARKER_ETHER_TYPE)
            {
                echoes++;
            }
        }
        io.release(rx);
        return echoes;
    }

    private static void awaitHello(final PacketIo io)
    {
        final FrameBatch rx = new FrameBatch(32);
        final EthernetFrame ethernet = new EthernetFrame();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final int n = io.receive(rx);
            boolean hello = false;
            for (int i = 0; i < n; i++)
            {
                hello |= ethernet.wrap(rx.buffer(i), rx.offset(i)).etherType() == HELLO_ETHER_TYPE;
            }
            io.release(rx);
            if (hello)
            {
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("no hello from the reflector of " + io.name() + " within 10 s");
            }
            LockSupport.parkNanos(10_000);
        }
    }

    /** Echo every frame back to its sender until stopped; first say hello, once this side polled. */
    private static void reflect(final Pair pair, final AtomicBoolean running)
    {
        final PacketIo io = pair.reflector;
        if (pair.dpdk)
        {
            Dpdk.current().registerThread();
        }
        final FrameBatch rx = new FrameBatch(32);
        final FrameBatch tx = new FrameBatch(32);
        final EthernetFrame in = new EthernetFrame();
        final EthernetFrame out = new EthernetFrame();
        io.receive(rx);
        io.release(rx);
        long nextHello = 0;
        boolean echoing = false;
        while (running.get())
        {
            final int n = io.receive(rx);
            if (n == 0)
            {
                if (!echoing && System.nanoTime() - nextHello > 0)
                {
                    // Repeated until the initiator's frames arrive: the kernel paths may drop the first ones.
                    sendHello(io, pair.initiator.macAddress(), tx, out);
                    nextHello = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                }
                Thread.onSpinWait();
                continue;
            }
            echoing |= in.wrap(rx.buffer(0), rx.offset(0)).etherType() == MARKER_ETHER_TYPE;
            final int allocated = io.allocate(tx, n);
            for (int i = 0; i < allocated; i++)
            {
                final int length = rx.length(i);
                tx.buffer(i).putBytes(tx.offset(i), rx.buffer(i), rx.offset(i), length);
                final long sender = in.wrap(rx.buffer(i), rx.offset(i)).source();
                out.wrap(tx.buffer(i), tx.offset(i)).destination(sender).source(io.macAddress());
                tx.length(i, length);
            }
            io.release(rx);
            io.transmit(tx);
        }
        if (pair.dpdk)
        {
            Dpdk.current().unregisterThread();
        }
    }

    private static void sendHello(final PacketIo io, final long to, final FrameBatch tx, final EthernetFrame out)
    {
        if (io.allocate(tx, 1) == 1)
        {
            out.wrap(tx.buffer(0), tx.offset(0)).destination(to).source(io.macAddress()).etherType(HELLO_ETHER_TYPE);
            tx.buffer(0).setMemory(tx.offset(0) + EthernetFrame.HEADER_LENGTH, FRAME_LENGTH - EthernetFrame.HEADER_LENGTH,
                (byte)0);
            tx.length(0, FRAME_LENGTH);
            io.transmit(tx);
        }
    }
}
