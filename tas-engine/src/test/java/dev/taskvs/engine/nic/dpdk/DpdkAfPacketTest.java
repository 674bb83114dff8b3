package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.ArpIcmpResponder;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.NetTestSupport;
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
 * DPDK's net_af_packet PMD on a veth pair: the engine's end stays in this namespace with no address and IPv6
 * off; the peer end lives in a namespace of its own with 10.211.4.1/24 and checksum offload off (dpdk.md P1),
 * so the kernel there behaves as a remote host.
 */
class DpdkAfPacketTest
{
    private static final String ENGINE_IP = "10.211.4.2";
    private static final String NAMESPACE = "tke-dpa-" + NetTestSupport.suffix();
    private static final String ENGINE_SIDE = "tkda" + NetTestSupport.suffix();
    private static final String PEER_SIDE = "tkdb" + NetTestSupport.suffix();

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
        LinuxNet.addAddress(NAMESPACE, PEER_SIDE, "10.211.4.1/24");
        LinuxNet.linkUp(NAMESPACE, PEER_SIDE);
        LinuxNet.run("ip", "netns", "exec", NAMESPACE, "ethtool", "-K", PEER_SIDE, "tx", "off");
    }

    @AfterAll
    static void removeVethPair()
    {
        NetTestSupport.cleanup("ip", "netns", "del", NAMESPACE);
        NetTestSupport.cleanup("ip", "link", "del", ENGINE_SIDE);
    }

    /** Each ping test must see the kernel ARP for the engine afresh, whatever test ran before. */
    private static void forgetEngineMac()
    {
        LinuxNet.ip(NAMESPACE, "neigh", "flush", "dev", PEER_SIDE);
    }

    private static DpdkPort openPort()
    {
        forgetEngineMac();
        return DpdkTestSupport.dpdk().openPort(new DpdkPort.Context()
            .devargs(DpdkTestSupport.uniqueDevice("net_af_packet") + ",iface=" + ENGINE_SIDE)
            .descriptors(512, 512)
            .mbufsPerQueue(4095));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerTheKernelsArpAndPing() throws Exception
    {
        try (DpdkPort port = openPort())
        {
            assertEquals("net_af_packet", port.driver());
            assertEquals(LinuxNet.macAddress(ENGINE_SIDE), port.macAddress(), "af_packet takes the interface's MAC");
            assertTrue(port.link().up(), "veth is up");
            final DpdkPacketIo io = port.queue(0);
            final ArpIcmpResponder responder = new ArpIcmpResponder(io, Ipv4Address.parse(ENGINE_IP));
            final Thread thread = new Thread(responder, "dpdk-afpacket-responder");
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
            assertEquals(0, io.rxRejected());
            assertEquals(0, io.txDropped());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunOneQueuePairPerThread() throws Exception
    {
        // af_packet's qpairs give a port two queue pairs (the kernel's PACKET_FANOUT spreads the flows), each
        // with its own pool and its own responder thread; the peer's ping must be answered whichever queue it hits.
        try (DpdkPort port = DpdkTestSupport.dpdk().openPort(new DpdkPort.Context()
            .devargs(DpdkTestSupport.uniqueDevice("net_af_packet") + ",iface=" + ENGINE_SIDE + ",qpairs=2")
            .queues(2)
            .descriptors(256, 256)
            .mbufsPerQueue(2047)))
        {
            forgetEngineMac();
            assertEquals(2, port.queueCount());
            final ArpIcmpResponder[] responders = new ArpIcmpResponder[2];
            final Thread[] threads = new Thread[2];
            for (int q = 0; q < 2; q++)
            {
                responders[q] = new ArpIcmpResponder(port.queue(q), Ipv4Address.parse(ENGINE_IP));
                threads[q] = new Thread(responders[q], "dpdk-afpacket-q" + q);
                threads[q].start();
            }
            try
            {
                final NetTestSupport.Result ping = NetTestSupport.run(
                    10, "ip", "netns", "exec", NAMESPACE, "ping", "-c", "3", "-i", "0.2", "-W", "2", ENGINE_IP);
                assertEquals(0, ping.exitCode, ping::toString);
                assertTrue(responders[0].echoRequests.get() + responders[1].echoRequests.get() >= 3,
                    "the queues saw the echo requests");
            }
            finally
            {
                for (int q = 0; q < 2; q++)
                {
                    responders[q].stop();
                    threads[q].join(5_000);
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSendBurstsThatThePeerKernelCounts()
    {
        try (DpdkPort port = openPort())
        {
            final DpdkPacketIo io = port.queue(0);
            final long before = DpdkBursts.rxPackets(NAMESPACE, PEER_SIDE);
            final long expected = DpdkBursts.sendBroadcastBursts(io, 20_000);
            final long delivered = DpdkBursts.awaitCount(
                () -> DpdkBursts.rxPackets(NAMESPACE, PEER_SIDE) - before, expected, TimeUnit.SECONDS.toNanos(10));
            final DpdkPort.Stats stats = port.stats(new DpdkPort.Stats());
            System.out.printf("dpdk af_packet: %d frames of 64 B sent, peer counted %d; port %s%n",
                expected, delivered, stats);
            // veth hands frames to the peer's backlog queue, which may drop under a burst; most must arrive.
            assertTrue(delivered >= expected * 9 / 10 && delivered <= expected,
                "peer counted " + delivered + " of " + expected);
            assertEquals(expected, stats.txPackets + io.txDropped(), "every frame sent or counted as dropped");
        }
    }
}
