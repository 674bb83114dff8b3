package dev.taskvs.server.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskvs.engine.nic.LinuxNet;

/**
 * Network devices for tests of the server on the engine: a fresh 10.211.X.0/24 subnet per use (X in 160..239,
 * skipping any subnet or device name already present, so parallel builds on one machine do not collide), TAP
 * devices the engine creates itself, and veth pairs (optionally with the client end in a network namespace) that
 * the test creates and {@link #close() removes}.
 */
public final class TasNet implements AutoCloseable
{
    private static final int FIRST = 160;
    private static final int COUNT = 80;
    private static final AtomicInteger NEXT = new AtomicInteger((int)(ProcessHandle.current().pid() % COUNT));

    public final int subnet;
    /** The engine's address and prefix, e.g. 10.211.163.2/24. */
    public final String engineCidr;
    public final String engineIp;
    /** The kernel side's address and prefix, e.g. 10.211.163.1/24. */
    public final String kernelCidr;
    /** The device the engine opens: a TAP name, or the engine's end of a veth pair. */
    public final String engineDevice;
    /** The kernel's end of a veth pair, null for TAP. */
    public final String kernelDevice;
    /** The namespace holding the kernel end, or null when it stays in this namespace. */
    public final String namespace;

    private TasNet(final int subnet, final String engineDevice, final String kernelDevice, final String namespace)
    {
        this.subnet = subnet;
        this.engineIp = "10.211." + subnet + ".2";
        this.engineCidr = engineIp + "/24";
        this.kernelCidr = "10.211." + subnet + ".1/24";
        this.engineDevice = engineDevice;
        this.kernelDevice = kernelDevice;
        this.namespace = namespace;
    }

    /** @return true where this process may create TAP devices and veth pairs (root and /dev/net/tun). */
    public static boolean available()
    {
        return Files.isWritable(Path.of("/dev/net/tun")) && "root".equals(System.getProperty("user.name"));
    }

    /**
     * Fails (never skips) where the engine tests cannot run: CI runs as root with /dev/net/tun, so a machine
     * without them is broken, not a reason to pass.
     */
    public static void require()
    {
        if (!available())
        {
            throw new IllegalStateException("the engine tests need root and a writable /dev/net/tun (run ./kvs test as root)");
        }
    }

    /** A subnet and a TAP name for an engine that creates the device (and gives the kernel side its address). */
    public static TasNet tap()
    {
        final int subnet = freeSubnet();
        return new TasNet(subnet, "kvsc" + subnet, null, null);
    }

    /**
     * A veth pair for an engine on AF_PACKET: the engine's end has no address; the kernel's end gets .1, in
     * {@code namespace} when given (created here).
     */
    public static TasNet veth(final boolean inNamespace)
    {
        final int subnet = freeSubnet();
        final String engineEnd = "kvse" + subnet;
        final String kernelEnd = "kvsk" + subnet;
        final String ns = inNamespace ? "kvsns" + subnet : null;
        final TasNet net = new TasNet(subnet, engineEnd, kernelEnd, ns);
        try
        {
            if (ns != null)
            {
                LinuxNet.run("ip", "netns", "add", ns);
                LinuxNet.run("ip", "link", "add", engineEnd, "type", "veth", "peer", "name", kernelEnd, "netns", ns);
                LinuxNet.ip(ns, "link", "set", "lo", "up");
            }
            else
            {
                LinuxNet.run("ip", "link", "add", engineEnd, "type", "veth", "peer", "name", kernelEnd);
            }
            // Full checksums on the kernel's segments: AF_PACKET hands the engine what veth carries, and with offload
            // on that is a partial checksum the engine's validator drops (AfPacketIo's Javadoc).
            LinuxNet.run("ethtool", "-K", engineEnd, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            final String[] peerOffload = {"ethtool", "-K", kernelEnd, "tx", "off", "tso", "off", "gso", "off"};
            LinuxNet.run(ns == null ? peerOffload : net.inNamespace(ns, peerOffload));
            disableIpv6(null, engineEnd);
            disableIpv6(ns, kernelEnd);
            LinuxNet.ip(null, "link", "set", engineEnd, "up");
            LinuxNet.ip(ns, "addr", "add", net.kernelCidr, "dev", kernelEnd);
            LinuxNet.ip(ns, "link", "set", kernelEnd, "up");
            return net;
        }
        catch (final RuntimeException ex)
        {
            net.close();
            throw ex;
        }
    }

    private static void disableIpv6(final String ns, final String device)
    {
        final String key = "net.ipv6.conf." + device + ".disable_ipv6=1";
        if (ns == null)
        {
            // The root namespace's end also gets IPv4 forwarding off: see LinuxNet.quietInterface.
            LinuxNet.requireQuietInterface(device);
        }
        else
        {
            LinuxNet.run("ip", "netns", "exec", ns, "sysctl", "-qw", key);
        }
    }

    private static synchronized int freeSubnet()
    {
        final String addresses = LinuxNet.run("ip", "-4", "-o", "addr");
        for (int i = 0; i < COUNT; i++)
        {
            final int subnet = FIRST + Math.floorMod(NEXT.getAndIncrement(), COUNT);
            if (!addresses.contains("10.211." + subnet + ".") && !Files.exists(Path.of("/sys/class/net/kvsc" + subnet)) &&
                !Files.exists(Path.of("/sys/class/net/kvse" + subnet)) &&
                !Files.exists(Path.of("/var/run/netns/kvsns" + subnet)))
            {
                return subnet;
            }
        }
        throw new IllegalStateException("no free 10.211.X.0/24 subnet in " + FIRST + ".." + (FIRST + COUNT - 1));
    }

    private String[] inNamespace(final String ns, final String... command)
    {
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    /** @return a command line that runs {@code command} where the kernel end is (its namespace, if any). */
    public String[] onKernelSide(final String... command)
    {
        if (namespace == null)
        {
            return command;
        }
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = namespace;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    /** Waits (bounded) until the device is gone: the engine closed its TAP. */
    public boolean awaitDeviceGone(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            if (!Files.exists(Path.of("/sys/class/net", engineDevice)))
            {
                return true;
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close()
    {
        if (kernelDevice != null)
        {
            try
            {
                if (Files.exists(Path.of("/sys/class/net", engineDevice)))
                {
                    LinuxNet.run("ip", "link", "del", engineDevice);
                }
            }
            catch (final RuntimeException ignore)
            {
                // already gone with its namespace
            }
        }
        if (namespace != null)
        {
            try
            {
                LinuxNet.run("ip", "netns", "del", namespace);
            }
            catch (final RuntimeException ignore)
            {
                // already gone
            }
        }
    }
}
