package dev.taskvs.engine.nic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class LinuxNetTest
{
    private final String name = "tkv6" + NetTestSupport.suffix();
    private final Path flag = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
    private final Path forwarding = Path.of("/proc/sys/net/ipv4/conf", name, "forwarding");

    @BeforeEach
    void createTap()
    {
        NetTestSupport.requireRootAndTools();
        NetTestSupport.cleanup("ip", "link", "del", name);
        assertEquals(0, NetTestSupport.run(10, "ip", "tuntap", "add", "dev", name, "mode", "tap").exitCode);
    }

    @AfterEach
    void deleteTap()
    {
        NetTestSupport.cleanup("ip", "link", "del", name);
    }

    @Test
    void shouldTurnIpv6AndForwardingOffAndTakeAnInterfaceThatHasThemOffAlready() throws Exception
    {
        Files.writeString(flag, "0");
        Files.writeString(forwarding, "1");

        assertTrue(LinuxNet.quietInterface(name));
        assertEquals("1", Files.readString(flag).trim());
        assertEquals("0", Files.readString(forwarding).trim(), "a host with forwarding on must not route for it");
        assertTrue(LinuxNet.quietInterface(name), "already off (as a container's default sysctl leaves it): no write");
        assertTrue(LinuxNet.quietInterface(name + "x"), "no such interface, no IPv6 to turn off");
        assertTrue(LinuxNet.notQuiet(name).contains("net.ipv6.conf.default.disable_ipv6=1"));
    }
}
