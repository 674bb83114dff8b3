package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.FramePatterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPDK's net_memif between two processes, the path with no kernel at all: this JVM is the memif server, a
 * child JVM ({@link DpdkMemifPeerMain}) the client that echoes every frame. Once with both sides on
 * {@code --no-huge}, once with the client's EAL on hugepages (reserved here through /sys and given back).
 */
class DpdkMemifTest
{
    private static final Path NR_HUGEPAGES = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
    private static final int HUGEPAGES_TO_ADD = 64;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldEchoFramesThroughAnotherProcess() throws Exception
    {
        echoThroughPeer(false, 50_000);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldEchoFramesThroughAPeerRunningOnHugepages() throws Exception
    {
        final String previous = Files.readString(NR_HUGEPAGES).trim();
        try
        {
            final int before = Integer.parseInt(previous);
            Files.writeString(NR_HUGEPAGES, Integer.toString(before + HUGEPAGES_TO_ADD));
            final int now = Integer.parseInt(Files.readString(NR_HUGEPAGES).trim());
            assertTrue(now >= before + HUGEPAGES_TO_ADD / 2,
                "the kernel reserved " + (now - before) + " of " + HUGEPAGES_TO_ADD + " 2 MB hugepages asked for");
            echoThroughPeer(true, 20_000);
        }
        finally
        {
            Files.writeString(NR_HUGEPAGES, previous);
        }
    }

    private void echoThroughPeer(final boolean peerOnHugepages, final long total) throws Exception
    {
        // The server makes the socket file; one left by a killed run would fail it with "Address already in use".
        final Path socket = dir.resolve("memif.sock");
        final File log = dir.resolve("peer.log").toFile();
        try (DpdkPort port = DpdkTestSupport.dpdk().openPort(new DpdkPort.Context()
            .devargs(DpdkTestSupport.uniqueDevice("net_memif") + ",role=server,id=0,socket=" + socket +
                ",socket-abstract=no")
            .descriptors(512, 512)
            .mbufsPerQueue(4095)))
        {
            assertEquals("net_memif", port.driver());
            final Process peer = DpdkTestSupport.startJava(log, DpdkMemifPeerMain.class,
                socket.toString(), Long.toString(total), "60", peerOnHugepages ? "huge" : "nohuge");
            try
            {
                port.awaitLinkUp(40, TimeUnit.SECONDS);
                final DpdkPacketIo io = port.queue(0);
                final FrameBatch tx = new FrameBatch(32);
                final FrameBatch rx = new FrameBatch(32);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(70);
                awaitHello(io, rx, deadline, peer, log);
                long sent = 0;
                long received = 0;
                final long start = System.nanoTime();
                while (received < total)
                {
                    assertTrue(System.nanoTime() - deadline < 0, "echoed " + received + " of " + total + " in time");
                    assertTrue(peer.isAlive() || peer.exitValue() == 0, () -> "peer failed: " + read(log));
                    // At most 128 in flight: the rings (1,024 slots) never overflow, so nothing is lost.
                    final int window = (int)Math.min(32, Math.min(total - sent, 128 - (sent - received)));
                    if (window > 0)
                    {
                        final int n = io.allocate(tx, window);
                        for (int i = 0; i < n; i++)
                        {
                            FramePatterns.write(tx, i, sent + i);
                        }
                        sent += io.transmit(tx);
                    }
                    io.receive(rx);
                    for (int i = 0; i < rx.size(); i++)
                    {
                        final long number = rx.buffer(i).getLong(rx.offset(i), ByteOrder.BIG_ENDIAN);
                        assertEquals(received + DpdkMemifPeerMain.ECHO_OFFSET, number, "echo number");
                        assertEquals(FramePatterns.lengthOf(received, io.maxFrameLength()), rx.length(i));
                        final int probe = 8 + (int)(received % (rx.length(i) - 8));
                        assertEquals((byte)(received + probe), rx.buffer(i).getByte(rx.offset(i) + probe),
                            "payload byte " + probe);
                        received++;
                    }
                    io.release(rx);
                }
                final long elapsed = System.nanoTime() - start;
                assertTrue(peer.waitFor(30, TimeUnit.SECONDS), "peer exits");
                assertEquals(0, peer.exitValue(), () -> read(log));
                System.out.printf("dpdk memif two-process echo (peer %s): %d frames round trip in %.1f ms " +
                    "(%.0f k frames/s each way)%n%s", peerOnHugepages ? "on hugepages" : "no-huge", total,
                    elapsed / 1e6, total * 1e6 / elapsed, read(log));
                if (peerOnHugepages)
                {
                    assertTrue(read(log).contains("hugepages in use") && !read(log).contains("hugepages in use 0 "),
                        read(log));
                }
                assertEquals(0, io.rxRejected());
                assertEquals(0, io.txDropped());
            }
            finally
            {
                peer.destroyForcibly();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Wait for the client's first frame: before it, the server-to-client ring has no buffers to send into. */
    private static void awaitHello(
        final DpdkPacketIo io, final FrameBatch rx, final long deadline, final Process peer, final File log)
    {
        while (io.receive(rx) == 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the memif client said hello in time");
            assertTrue(peer.isAlive(), () -> "peer failed: " + read(log));
            Thread.onSpinWait();
        }
        assertEquals(1, rx.size());
        assertEquals(DpdkMemifPeerMain.HELLO, rx.buffer(0).getLong(rx.offset(0), ByteOrder.BIG_ENDIAN));
        io.release(rx);
    }

    private static String read(final File log)
    {
        try
        {
            return Files.readString(log.toPath());
        }
        catch (final Exception ex)
        {
            return "(no peer log: " + ex + ")";
        }
    }
}
