package dev.taskvs.engine.nic.afpacket;

import dev.taskvs.engine.nic.ArpIcmpResponder;
import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.proto.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_PACKET on a veth pair: the engine's end stays in this namespace with no address and IPv6 off; the peer
 * end lives in a namespace of its own with 10.211.1.1/24 and checksum offload off, so the kernel there behaves
 * as a remote host.
 */
class AfPacketIoTest
{
    private static final String ENGINE_IP = "10.211.1.2";
    private static final String NAMESPACE = "tke-afp-" + NetTestSupport.suffix();
    private static final String ENGINE_SIDE = "tkea" + NetTestSupport.suffix();
    private static final String PEER_SIDE = "tkeb" + NetTestSupport.suffix();

    @BeforeAll
    static void createVethPair()
    {
        NetTestSupport.requireRootAndTools();
        removeVethPair();
        LinuxNet.ip(null, "netns", "add", NAMESPACE);
        LinuxNet.ip(null, "link", "add", ENGINE_SIDE, "type", "veth", "peer", "name", PEER_SIDE, "netns", NAMESPACE);
        LinuxNet.requireQuietInterface(ENGINE_SIDE);
        LinuxNet.linkUp(null, ENGINE_SIDE);
        LinuxNet.ip(NAMESPACE, "link", "set", "dev", "lo", "up");
        LinuxNet.addAddress(NAMESPACE, PEER_SIDE, "10.211.1.1/24");
        LinuxNet.linkUp(NAMESPACE, PEER_SIDE);
        LinuxNet.run("ip", "netns", "exec", NAMESPACE, "ethtool", "-K", PEER_SIDE, "tx", "off");
    }

    @AfterAll
    static void removeVethPair()
    {
        // Deleting the namespace deletes its veth end and with it the pair; the link delete covers a half-made setup.
        NetTestSupport.cleanup("ip", "netns", "del", NAMESPACE);
        NetTestSupport.cleanup("ip", "link", "del", ENGINE_SIDE);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReceiveTheKernelsArpAndAnswerItsPingThroughTheRings() throws Exception
    {
        try (AfPacketIo io = new AfPacketIo(new AfPacketIo.Context().interfaceName(ENGINE_SIDE)))
        {
            assertEquals(LinuxNet.macAddress(ENGINE_SIDE), io.macAddress());
            assertEquals(1500, io.mtu());
            final ArpIcmpResponder responder = new ArpIcmpResponder(io, Ipv4Address.parse(ENGINE_IP));
            final Thread thread = new Thread(responder, "afpacket-responder");
            thread.start();
            try
            {
                final NetTestSupport.Result ping = NetTestSupport.run(
                    10, "ip", "netns", "exec", NAMESPACE, "ping", "-c", "3", "-i", "0.2", "-W", "2", ENGINE_IP);
                assertEquals(0, ping.exitCode, ping::toString);
                assertTrue(responder.arpRequests.get() >= 1, "engine saw the kernel's ARP request");
                assertTrue(responder.echoRequests.get() >= 3, "engine saw the echo requests");
                final String neighbour = LinuxNet.ip(NAMESPACE, "neigh", "show", ENGINE_IP, "dev", PEER_SIDE);
                assertTrue(neighbour.contains(MacAddress.toString(io.macAddress())), neighbour);
            }
            finally
            {
                responder.stop();
                thread.join(5_000);
            }
            assertEquals(0, io.txWrongFormat());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSendBurstsThatThePeerKernelCounts()
    {
        final int frames = 20_000;
        try (AfPacketIo io = new AfPacketIo(new AfPacketIo.Context().interfaceName(ENGINE_SIDE)))
        {
            final long before = rxPackets();
            final FrameBatch tx = new FrameBatch(32);
            final long start = System.nanoTime();
            int sent = 0;
            int withdrawn = 0;
            while (sent < frames)
            {
                final int n = io.allocate(tx, Math.min(32, frames - sent));
                for (int i = 0; i < n; i++)
                {
                    // Every 16th frame is withdrawn, to exercise compaction of the ring.
                    if ((sent + i) % 16 == 15)
                    {
                        withdrawn++;
                        continue;
                    }
                    new EthernetFrame().wrap(tx.buffer(i), tx.offset(i))
                        .destination(MacAddress.BROADCAST).source(io.macAddress()).etherType(0x88B5);
                    tx.length(i, 64);
                }
                io.transmit(tx);
                sent += n;
                if (n == 0)
                {
                    Thread.onSpinWait();
                }
            }
            final long elapsed = System.nanoTime() - start;
            final long expected = frames - withdrawn;
            long delivered = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && (delivered = rxPackets() - before) < expected)
            {
                Thread.onSpinWait();
            }
            System.out.printf("afpacket TX ring: %d frames of 64 B in %.1f ms (%.2f Mpps offered), peer counted %d%n",
                expected, elapsed / 1e6, expected * 1e3 / elapsed, delivered);
            // veth hands frames to the peer's backlog queue, which may drop under a burst; most must arrive.
            assertTrue(delivered >= expected * 9 / 10 && delivered <= expected,
                "peer counted " + delivered + " of " + expected);
        }
    }

    private static long rxPackets()
    {
        return Long.parseLong(LinuxNet.run("ip", "netns", "exec", NAMESPACE, "cat",
            "/sys/class/net/" + PEER_SIDE + "/statistics/rx_packets").trim());
    }
}
