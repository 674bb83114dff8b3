package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The environment, the shim's layout and the queue's mbuf handling, on DPDK's null PMD (net_null: RX makes
 * 64-byte frames out of the queue's pool, TX frees what it gets), and the clear failures.
 */
class DpdkEnvironmentTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStartOnceAndRefuseADifferentSecondInit()
    {
        final Dpdk dpdk = DpdkTestSupport.dpdk();
        assertTrue(dpdk.version().contains("22.11"), dpdk.version());
        assertTrue(dpdk.arguments().contains("--no-huge"), dpdk.arguments()::toString);
        assertEquals(false, dpdk.hasHugepages());
        assertEquals(dpdk, DpdkTestSupport.dpdk(), "same arguments: same environment");
        final DpdkException ex = assertThrows(DpdkException.class,
            () -> Dpdk.init(new Dpdk.Context().memoryMb(512)));
        assertTrue(ex.getMessage().contains("only once per process"), ex.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLeaveThreadsFreeToRunOnEveryAllowedCpu() throws Exception
    {
        // rte_eal_init pins its caller to the main lcore's CPU, and every thread started later inherits it;
        // the shim puts the caller's affinity back.
        DpdkTestSupport.dpdk();
        final String process = cpusAllowed(Path.of("/proc/self/status"));
        assertEquals(process, cpusAllowed(Path.of("/proc/thread-self/status")), "this thread");
        final String[] started = new String[1];
        final Thread thread = new Thread(() -> started[0] = cpusAllowed(Path.of("/proc/thread-self/status")));
        thread.start();
        thread.join(10_000);
        assertEquals(process, started[0], "a thread started after EAL init");
    }

    private static String cpusAllowed(final Path status)
    {
        try
        {
            return Files.readAllLines(status).stream().filter(line -> line.startsWith("Cpus_allowed_list:"))
                .findFirst().orElseThrow().substring("Cpus_allowed_list:".length()).trim();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void shouldExportEveryMbufFieldJavaTouches()
    {
        final DpdkLayout layout = DpdkLibrary.layout();
        assertEquals(128, layout.headroom);
        assertTrue(layout.mbufSize >= 64 && layout.mbufSize % 64 == 0, "mbuf size " + layout.mbufSize);
        for (final int offset : new int[] {layout.bufAddrOffset, layout.dataOffOffset, layout.nbSegsOffset,
            layout.pktLenOffset, layout.dataLenOffset, layout.bufLenOffset})
        {
            assertTrue(offset >= 0 && offset < layout.mbufSize, "offset " + offset + " in " + layout.entries());
        }
        assertEquals(Long.valueOf(DpdkLibrary.SHIM_VERSION), layout.entries().get("shim.version"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReadTheSameFrameAddressesAndLengthsAsTheShimsAccessors()
    {
        final Dpdk dpdk = DpdkTestSupport.dpdk();
        final DpdkShim shim = DpdkLibrary.shim();
        final String device = DpdkTestSupport.uniqueDevice("net_null");
        try (DpdkPacketIo io = dpdk.openPort(new DpdkPort.Context().devargs(device + ",size=64")).queue(0))
        {
            final FrameBatch rx = new FrameBatch(32);
            final int received = io.receive(rx);
            assertTrue(received > 0, "net_null always has frames");
            for (int i = 0; i < received; i++)
            {
                final long mbuf = rx.handle(i);
                assertEquals(shim.tkd_mbuf_data(mbuf), rx.buffer(i).addressOffset() + rx.offset(i));
                assertEquals(shim.tkd_mbuf_data_len(mbuf), rx.length(i));
                assertEquals(64, rx.length(i));
                assertEquals(shim.tkd_mbuf_tailroom(mbuf) + rx.length(i), rx.frameCapacity(i));
            }
            io.release(rx);

            final FrameBatch tx = new FrameBatch(8);
            assertEquals(3, io.allocate(tx, 3));
            for (int i = 0; i < 3; i++)
            {
                assertEquals(shim.tkd_mbuf_data(tx.handle(i)), tx.buffer(i).addressOffset() + tx.offset(i));
                assertEquals(io.maxFrameLength(), tx.frameCapacity(i));
                tx.length(i, 100 + i);
            }
            // Write the lengths the way transmit does, but check them before the PMD frees the mbufs.
            final long first = tx.handle(0);
            tx.length(1, 0);
            assertEquals(2, io.transmit(tx));
            assertEquals(0, tx.size());
            assertNotEquals(0, first);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReturnEveryMbufAndAllocateNothingInSteadyState()
    {
        final Dpdk dpdk = DpdkTestSupport.dpdk();
        final String device = DpdkTestSupport.uniqueDevice("net_null");
        final DpdkPort port = dpdk.openPort(new DpdkPort.Context().devargs(device + ",size=64"));
        try
        {
            final DpdkPacketIo io = port.queue(0);
            final FrameBatch rx = new FrameBatch(64);
            final FrameBatch tx = new FrameBatch(64);
            final int availableBefore = port.poolAvailable(0);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            long allocatedBefore = 0;
            for (int round = 0; round < 200_000; round++)
            {
                if (round == 100_000)
                {
                    allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                }
                final int n = io.receive(rx);
                io.allocate(tx, n);
                for (int i = 0; i < tx.size(); i++)
                {
                    tx.buffer(i).putBytes(tx.offset(i), rx.buffer(i), rx.offset(i), rx.length(i));
                    tx.length(i, (i & 7) == 7 ? 0 : rx.length(i));
                }
                io.release(rx);
                io.transmit(tx);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            assertTrue(allocated < 1024, "steady-state bursts allocated " + allocated + " bytes");
            assertEquals(availableBefore, port.poolAvailable(0), "every mbuf went back to the pool");
            assertEquals(0, io.rxRejected());
            assertEquals(0, io.txDropped());
        }
        finally
        {
            port.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailClearlyOnABogusDevice()
    {
        final Dpdk dpdk = DpdkTestSupport.dpdk();
        final DpdkException unknown = assertThrows(DpdkException.class,
            () -> dpdk.openPort(new DpdkPort.Context().devargs("net_bogus0,iface=x")));
        assertTrue(unknown.getMessage().contains("net_bogus0") && unknown.getMessage().contains("did not probe"),
            unknown.getMessage());
        assertTrue(unknown.getMessage().contains("EAL said"), unknown.getMessage());

        final DpdkException noInterface = assertThrows(DpdkException.class, () -> dpdk.openPort(
            new DpdkPort.Context().devargs(DpdkTestSupport.uniqueDevice("net_af_packet") + ",iface=tkdnosuch0")));
        assertTrue(noInterface.getMessage().contains("No such device"), noInterface.getMessage());

        final DpdkException noPort = assertThrows(DpdkException.class,
            () -> dpdk.openPort(new DpdkPort.Context().deviceName("net_tap99")));
        assertTrue(noPort.getMessage().contains("no DPDK port named net_tap99"), noPort.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseToStartWhenADeviceNamedForInitDoesNotProbe() throws Exception
    {
        // EAL itself starts with zero ports when a --vdev fails; the environment must not. Own JVM: one EAL each.
        final File log = dir.resolve("child.log").toFile();
        final Process child = DpdkTestSupport.startJava(log, DpdkInitProbeMain.class, "net_af_packet9,iface=tkdnosuch1");
        assertTrue(child.waitFor(40, TimeUnit.SECONDS), "child exits");
        final String output = Files.readString(log.toPath());
        assertEquals(DpdkInitProbeMain.EXIT_REFUSED, child.exitValue(), output);
        assertTrue(output.contains("did not probe at EAL init") && output.contains("net_af_packet9"), output);
    }
}
