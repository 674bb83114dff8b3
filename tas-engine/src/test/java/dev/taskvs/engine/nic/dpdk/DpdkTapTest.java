package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.ArpIcmpResponder;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.proto.MacAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPDK's net_tap PMD: it creates the kernel interface itself (in this namespace, for as long as the port
 * lives), and the kernel side gets 10.211.5.1/24. The engine uses a MAC of its own, because the kernel side
 * of the tap has the port's (dpdk.md P12).
 */
class DpdkTapTest
{
    private static final String ENGINE_IP = "10.211.5.2";
    private static final long ENGINE_MAC = 0x02_54_44_50_00_01L;

    @BeforeAll
    static void requireTools()
    {
        NetTestSupport.requireRootAndTools();
    }

    private static DpdkPort openTap(final String name)
    {
        final DpdkPort port = DpdkTestSupport.dpdk().openPort(new DpdkPort.Context()
            .devargs(DpdkTestSupport.uniqueDevice("net_tap") + ",iface=" + name)
            .descriptors(512, 512)
            .mbufsPerQueue(4095)
            .macAddress(ENGINE_MAC));
        LinuxNet.requireQuietInterface(name);
        return port;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerTheKernelsArpAndPing() throws Exception
    {
        final String name = "tkdt" + NetTestSupport.suffix();
        try (DpdkPort port = openTap(name))
        {
            assertEquals("net_tap", port.driver());
            assertTrue(Files.exists(Path.of("/sys/class/net", name)), "the PMD made the kernel interface");
            LinuxNet.addAddress(null, name, "10.211.5.1/24");
            LinuxNet.linkUp(null, name);
            final DpdkPacketIo io = port.queue(0);
            assertEquals(ENGINE_MAC, io.macAddress());
            final ArpIcmpResponder responder = new ArpIcmpResponder(io, Ipv4Address.parse(ENGINE_IP));
            final Thread thread = new Thread(responder, "dpdk-tap-responder");
            thread.start();
            try
            {
                final NetTestSupport.Result ping =
                    NetTestSupport.run(10, "ping", "-c", "3", "-i", "0.2", "-W", "2", ENGINE_IP);
                assertEquals(0, ping.exitCode, ping::toString);
                assertTrue(responder.arpRequests.get() >= 1, "engine saw the kernel's ARP request");
                assertTrue(responder.echoRequests.get() >= 3, "engine saw the echo requests");
                final String neighbour = LinuxNet.ip(null, "neigh", "show", ENGINE_IP, "dev", name);
                assertTrue(neighbour.contains(MacAddress.toString(ENGINE_MAC)), neighbour);
            }
            finally
            {
                responder.stop();
                thread.join(5_000);
            }
            assertEquals(0, io.rxRejected());
        }
        finally
        {
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "closing the port removes the tap");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSendBurstsThatTheKernelCounts()
    {
        final String name = "tkdu" + NetTestSupport.suffix();
        try (DpdkPort port = openTap(name))
        {
            // A tap that is down drops what is written to it, so bring it up first.
            LinuxNet.linkUp(null, name);
            final DpdkPacketIo io = port.queue(0);
            final long before = DpdkBursts.rxPackets(null, name);
            final long expected = DpdkBursts.sendBroadcastBursts(io, 20_000);
            final long delivered = DpdkBursts.awaitCount(
                () -> DpdkBursts.rxPackets(null, name) - before, expected, TimeUnit.SECONDS.toNanos(10));
            System.out.printf("dpdk tap: %d frames of 64 B sent, kernel counted %d; port %s%n",
                expected, delivered, port.stats(new DpdkPort.Stats()));
            assertTrue(expected >= 20_000 * 9 / 10, "device took " + expected + " frames");
            assertEquals(expected, delivered, "every frame written to the tap is counted by the kernel");
        }
        finally
        {
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
    }
}
