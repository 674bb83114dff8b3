package dev.taskvs.engine.nic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Control-path helpers for Linux interfaces: runs {@code ip} and reads or writes {@code /sys} and
 * {@code /proc/sys}. Used when a backend sets up its interface and by tests that build TAP devices, veth pairs
 * and namespaces. Never used on the data path.
 */
public final class LinuxNet
{
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private LinuxNet()
    {
    }

    /**
     * Run a command and wait for it, bounded.
     *
     * @param command and its arguments.
     * @return the combined output.
     * @throws IllegalStateException naming the command and its output when it fails or times out.
     */
    public static String run(final String... command)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), ex);
        }
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException(
                    String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException(
                    String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim());
            }
            return output;
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read output of " + String.join(" ", command), ex);
        }
    }

    /**
     * Run {@code ip} with the given arguments, inside a network namespace when one is named.
     *
     * @param namespace network namespace, or null for the current one.
     * @param args      arguments after {@code ip}.
     * @return the output.
     */
    public static String ip(final String namespace, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        if (namespace != null)
        {
            command.add("-n");
            command.add(namespace);
        }
        command.addAll(Arrays.asList(args));
        return run(command.toArray(new String[0]));
    }

    /**
     * Bring an interface up.
     *
     * @param namespace network namespace, or null.
     * @param name      of the interface.
     */
    public static void linkUp(final String namespace, final String name)
    {
        ip(namespace, "link", "set", "dev", name, "up");
    }

    /**
     * Give an interface an IPv4 address.
     *
     * @param namespace network namespace, or null.
     * @param name      of the interface.
     * @param cidr      address and prefix, e.g. "10.211.0.1/24".
     */
    public static void addAddress(final String namespace, final String name, final String cidr)
    {
        ip(namespace, "addr", "add", cidr, "dev", name);
    }

    /**
     * Keep the kernel's IP layer out of an interface the engine owns (the root end of a veth, a TAP): IPv6 off, so
     * the kernel sends no router solicitations or MLD reports that the engine would only count and drop; IPv4
     * forwarding off on it, so a host with forwarding on (Docker turns {@code net.ipv4.ip_forward} on) does not
     * route the peer's packets for the engine's address out of its default route. Not fatal where it cannot be
     * done: in a container /proc/sys is read-only unless the runtime sets the sysctls (compose.yml's server-tap
     * does, through {@code net.ipv6.conf.default.disable_ipv6}, so a TAP made there starts with IPv6 off).
     *
     * @param name of the interface.
     * @return true when both are off (or the kernel lacks them), false when one stays on: say so with
     * {@link #notQuiet}.
     */
    public static boolean quietInterface(final String name)
    {
        final boolean ipv6Off = setIfPresent(Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1");
        final boolean forwardingOff = setIfPresent(Path.of("/proc/sys/net/ipv4/conf", name, "forwarding"), "0");
        return ipv6Off && forwardingOff;
    }

    private static boolean setIfPresent(final Path path, final String value)
    {
        if (!Files.exists(path))
        {
            return true;
        }
        try
        {
            if (value.equals(Files.readString(path).trim()))
            {
                return true;
            }
            Files.writeString(path, value);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * {@link #quietInterface}, with a warning on stderr where it cannot be done (a container's read-only /proc/sys):
     * for the command-line tools and the server, which go on without it.
     *
     * @param name of the interface.
     */
    public static void quietInterfaceOrWarn(final String name)
    {
        if (!quietInterface(name))
        {
            System.err.println("warning: " + notQuiet(name));
        }
    }

    /**
     * {@link #quietInterface}, or an {@link IllegalStateException} saying what stays on: for tests and the
     * benchmark, which must not run with the kernel routing the engine's traffic elsewhere.
     *
     * @param name of the interface.
     */
    public static void requireQuietInterface(final String name)
    {
        if (!quietInterface(name))
        {
            throw new IllegalStateException(notQuiet(name));
        }
    }

    /**
     * @param name of the interface {@link #quietInterface} could not quiet.
     * @return what that leaves, for a warning or an exception.
     */
    public static String notQuiet(final String name)
    {
        return "IPv6 or IPv4 forwarding stays on on " + name + " (/proc/sys/net/ipv{4,6}/conf/" + name +
            " is not writable here; in a container set net.ipv6.conf.default.disable_ipv6=1): the kernel may send " +
            "router solicitations to the engine, which counts and drops them, and route packets for it elsewhere";
    }

    /**
     * @param name of an interface in the current namespace.
     * @return its MAC address as the kernel reports it.
     */
    public static long macAddress(final String name)
    {
        return dev.taskvs.engine.proto.MacAddress.parse(readSys(name, "address"));
    }

    /**
     * @param name of an interface in the current namespace.
     * @return its MTU.
     */
    public static int mtu(final String name)
    {
        return Integer.parseInt(readSys(name, "mtu"));
    }

    private static String readSys(final String name, final String attribute)
    {
        try
        {
            return Files.readString(Path.of("/sys/class/net", name, attribute)).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + attribute + " of interface " + name, ex);
        }
    }
}
