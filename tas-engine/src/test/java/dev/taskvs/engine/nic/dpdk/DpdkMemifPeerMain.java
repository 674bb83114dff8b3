package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The far side of {@link DpdkMemifTest}, in a JVM (and so an EAL) of its own: the memif client. It connects to
 * the server's socket, then echoes every frame back with its number (the first 8 bytes) raised by
 * {@link #ECHO_OFFSET}, until it has echoed the expected count.
 * <p>
 * Arguments: socket path, frames to echo, time limit in seconds, and "huge" to run EAL on hugepages or
 * "nohuge". Exits 0 on success, {@link #EXIT_TIMEOUT} on timeout, {@link #EXIT_NO_HUGEPAGES} when asked for
 * hugepages and EAL runs without.
 */
public final class DpdkMemifPeerMain
{
    public static final long ECHO_OFFSET = 1_000_000;
    public static final long HELLO = -1;
    public static final int EXIT_TIMEOUT = 2;
    public static final int EXIT_NO_HUGEPAGES = 4;

    private DpdkMemifPeerMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final String socket = args[0];
        final long expected = Long.parseLong(args[1]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        final boolean hugepages = "huge".equals(args[3]);

        final Dpdk dpdk = Dpdk.init(new Dpdk.Context().hugepages(hugepages).memoryMb(hugepages ? 0 : 128));
        if (hugepages != dpdk.hasHugepages())
        {
            System.out.println("EAL hugepages " + dpdk.hasHugepages() + ", asked for " + hugepages);
            System.exit(EXIT_NO_HUGEPAGES);
        }
        try (DpdkPort port = dpdk.openPort(new DpdkPort.Context()
            .devargs("net_memif0,role=client,id=0,socket=" + socket + ",socket-abstract=no")
            .descriptors(512, 512)
            .mbufsPerQueue(4095)))
        {
            System.out.println("client port " + port + ", EAL " + dpdk.arguments() + ", " + hugepagesInUse());
            dpdk.registerThread();
            port.awaitLinkUp(20, TimeUnit.SECONDS);
            final DpdkPacketIo io = port.queue(0);
            final FrameBatch rx = new FrameBatch(32);
            final FrameBatch tx = new FrameBatch(32);
            sayHello(io, rx, tx);
            long echoed = 0;
            while (echoed < expected)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    System.out.println("timed out after echoing " + echoed + " of " + expected);
                    System.exit(EXIT_TIMEOUT);
                }
                final int n = io.receive(rx);
                if (n == 0)
                {
                    Thread.onSpinWait();
                    continue;
                }
                int allocated = 0;
                while (allocated < n)
                {
                    allocated += io.allocate(tx, n - allocated);
                }
                for (int i = 0; i < n; i++)
                {
                    final int length = rx.length(i);
                    tx.buffer(i).putBytes(tx.offset(i), rx.buffer(i), rx.offset(i), length);
                    final long number = rx.buffer(i).getLong(rx.offset(i), ByteOrder.BIG_ENDIAN);
                    tx.buffer(i).putLong(tx.offset(i), number + ECHO_OFFSET, ByteOrder.BIG_ENDIAN);
                    tx.length(i, length);
                }
                io.release(rx);
                echoed += io.transmit(tx);
            }
            System.out.println("echoed " + echoed + "; port " + port.stats(new DpdkPort.Stats()));
            dpdk.unregisterThread();
        }
        System.exit(0);
    }

    /**
     * The memif client lends the buffers of both rings: its RX path fills the server-to-client ring with empty
     * buffers, and until it has polled once the server has no room to send and drops. So poll once, then tell
     * the server with a frame numbered {@link #HELLO} that it may start.
     */
    private static void sayHello(final DpdkPacketIo io, final FrameBatch rx, final FrameBatch tx)
    {
        io.receive(rx);
        io.release(rx);
        while (io.allocate(tx, 1) == 0)
        {
            Thread.onSpinWait();
        }
        tx.buffer(0).putLong(tx.offset(0), HELLO, ByteOrder.BIG_ENDIAN);
        tx.length(0, 60);
        if (io.transmit(tx) != 1)
        {
            throw new IllegalStateException("the memif server took no hello frame");
        }
    }

    private static String hugepagesInUse() throws IOException
    {
        long total = 0;
        long free = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
        {
            if (line.startsWith("HugePages_Total:"))
            {
                total = Long.parseLong(line.substring(16).trim());
            }
            else if (line.startsWith("HugePages_Free:"))
            {
                free = Long.parseLong(line.substring(15).trim());
            }
        }
        return "hugepages in use " + (total - free) + " of " + total;
    }
}
