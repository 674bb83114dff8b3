package dev.taskvs.engine.nic.tap;

import dev.taskvs.engine.nic.ArpIcmpResponder;
import dev.taskvs.engine.nic.FrameBatch;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TapPacketIoTest
{
    private static final String ENGINE_IP = "10.211.0.2";

    @BeforeAll
    static void requireTools()
    {
        NetTestSupport.requireRootAndTools();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReceiveTheKernelsArpAndAnswerItsPing() throws Exception
    {
        final String name = "tket" + NetTestSupport.suffix();
        final TapPacketIo tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(name));
        final ArpIcmpResponder responder = new ArpIcmpResponder(tap, Ipv4Address.parse(ENGINE_IP));
        final Thread thread = new Thread(responder, "tap-responder");
        try
        {
            assertTrue(Files.exists(Path.of("/sys/class/net", name)), "TAP interface exists while open");
            LinuxNet.requireQuietInterface(name);
            LinuxNet.addAddress(null, name, "10.211.0.1/24");
            LinuxNet.linkUp(null, name);
            thread.start();

            final NetTestSupport.Result ping = NetTestSupport.run(10, "ping", "-c", "1", "-W", "2", ENGINE_IP);
            assertEquals(0, ping.exitCode, ping::toString);
            assertTrue(responder.arpRequests.get() >= 1, "engine saw the kernel's ARP request");
            assertTrue(responder.echoRequests.get() >= 1, "engine saw the echo request");

            final String neighbour = LinuxNet.ip(null, "neigh", "show", ENGINE_IP, "dev", name);
            assertTrue(neighbour.contains(MacAddress.toString(tap.macAddress())),
                "kernel learned the engine's MAC from our ARP reply: " + neighbour);
            assertEquals(0, tap.writeErrors());
        }
        finally
        {
            responder.stop();
            thread.join(5_000);
            tap.close();
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "closing the TAP removes the interface");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReturnNothingWithoutBlockingWhenIdle()
    {
        final String name = "tkei" + NetTestSupport.suffix();
        try (TapPacketIo tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(name)))
        {
            final FrameBatch rx = new FrameBatch(8);
            final long start = System.nanoTime();
            for (int i = 0; i < 1000; i++)
            {
                assertEquals(0, tap.receive(rx));
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertEquals(0, tap.readErrors());
        }
        finally
        {
            NetTestSupport.cleanup("ip", "link", "del", name);
        }
    }

    @Test
    void shouldRejectBadSettings()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new TapPacketIo.Context().interfaceName("a-name-that-is-too-long").conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new TapPacketIo.Context().interfaceName("t0").macAddress(MacAddress.BROADCAST).conclude());
    }
}
