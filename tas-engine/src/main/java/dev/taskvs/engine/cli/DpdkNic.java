package dev.taskvs.engine.cli;

import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.dpdk.Dpdk;
import dev.taskvs.engine.nic.dpdk.DpdkPacketIo;
import dev.taskvs.engine.nic.dpdk.DpdkPort;
import dev.taskvs.engine.proto.Ipv4Address;

import java.util.List;

/**
 * {@code --nic dpdk}: EAL from {@code --dpdk-args} on top of the defaults, and one port from {@code --dpdk-port}
 * (or the first device {@code --dpdk-args} names), one queue pair, driven by the engine's one lane.
 * <p>
 * {@code --dpdk-args} is merged into {@link Dpdk.Context}, whose defaults suit the virtual devices
 * ({@code --no-huge -m 256 --no-shconf --no-pci --no-telemetry --lcores=0@(allowed CPUs)}): {@code --vdev X} and
 * {@code -a X} name devices to probe at init, {@code --in-memory} switches to hugepages, {@code -m},
 * {@code -l}/{@code --lcores} and {@code --log-level} replace the defaults, the default flags themselves are
 * accepted and ignored, and anything else is passed to EAL as is. The same arguments therefore give the same
 * EAL command line, so a caller in a process whose EAL already runs with the defaults (tests) shares it.
 * <p>
 * On {@code net_tap} the engine takes a MAC of its own (the kernel side of the tap has the port's, dpdk.md P12)
 * and, as with {@code --nic tap}, the kernel side gets the subnet's first address and is brought up unless
 * {@code --kernel-ip none}.
 * <p>
 * {@link #openPort} is the same opening for other commands that run an engine (the cache server, with one queue
 * per fast-path lane).
 */
public final class DpdkNic
{
    private DpdkNic()
    {
    }

    /** @return the EAL settings for {@code dpdkArgs} (null or blank: the defaults). */
    public static Dpdk.Context ealContext(final String dpdkArgs)
    {
        final Dpdk.Context eal = new Dpdk.Context();
        if (dpdkArgs == null || dpdkArgs.isBlank())
        {
            return eal;
        }
        final String[] tokens = dpdkArgs.trim().split("\\s+");
        boolean logLevelSet = false;
        for (int i = 0; i < tokens.length; i++)
        {
            final String token = tokens[i];
            final String key = token.contains("=") && token.startsWith("--") ?
                token.substring(0, token.indexOf('=')) : token;
            final boolean inline = !key.equals(token);
            switch (key)
            {
                case "--vdev":
                case "-a":
                case "--allow":
                    eal.device(inline ? token.substring(key.length() + 1) : value(tokens, ++i, key));
                    break;
                case "--in-memory":
                    eal.hugepages(true);
                    break;
                case "--no-huge":
                    eal.hugepages(false);
                    break;
                case "--no-shconf":
                case "--no-pci":
                case "--no-telemetry":
                    break;
                case "-m":
                    eal.memoryMb(Integer.parseInt(value(tokens, ++i, key)));
                    break;
                case "-l":
                case "--lcores":
                    eal.lcores(inline ? token.substring(key.length() + 1) : value(tokens, ++i, key));
                    break;
                case "--log-level":
                {
                    final String level = inline ? token.substring(key.length() + 1) : value(tokens, ++i, key);
                    if (logLevelSet)
                    {
                        eal.argument("--log-level=" + level);
                    }
                    else
                    {
                        eal.logLevel(level);
                        logLevelSet = true;
                    }
                    break;
                }
                default:
                    eal.argument(token);
            }
        }
        return eal.conclude();
    }

    private static String value(final String[] tokens, final int i, final String key)
    {
        if (i >= tokens.length)
        {
            throw new IllegalArgumentException("--dpdk-args: " + key + " needs a value");
        }
        return tokens[i];
    }

    /** @return the device name in devargs: what comes before the first comma. */
    static String deviceName(final String devargs)
    {
        final int comma = devargs.indexOf(',');
        return (comma < 0 ? devargs : devargs.substring(0, comma)).trim();
    }

    /** @return the value of {@code key=} in devargs, or null. */
    static String devarg(final String devargs, final String key)
    {
        for (final String part : devargs.split(","))
        {
            if (part.startsWith(key + "="))
            {
                return part.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** @return the engine's MAC on a net_tap port: locally administered, 02:54:4b and the address's low 24 bits. */
    static long tapMac(final String ip)
    {
        final int slash = ip.indexOf('/');
        final int address = Ipv4Address.parse(slash < 0 ? ip : ip.substring(0, slash));
        return 0x02_54_4B_00_00_00L | (address & 0xFF_FFFFL);
    }

    /** Start EAL (or join the one running with the same arguments), open the port, return its one queue. */
    static DpdkPacketIo open(final EngineOptions options)
    {
        final String[] kernelSide = new String[1];
        final DpdkPort port = openPort(options.dpdkArgs, options.dpdkPort, options.ip, options.kernelIp, 1,
            kernelSide);
        options.kernelSide = kernelSide[0];
        return port.queue(0);
    }

    /**
     * Start EAL from {@code dpdkArgs} (or join the one running with the same arguments) and open the port
     * {@code dpdkPort} names (a device probed at init, or devargs to hot-plug), or else the first device
     * {@code dpdkArgs} names, with {@code queues} RX/TX queue pairs. On net_tap the engine at {@code ip} gets a
     * MAC of its own and the kernel side the subnet's first address (or {@code kernelIp}; "none" leaves it).
     *
     * @param kernelSide null, or one slot that receives what the kernel side of a net_tap was given.
     */
    public static DpdkPort openPort(final String dpdkArgs, final String dpdkPort, final String ip,
        final String kernelIp, final int queues, final String[] kernelSide)
    {
        final Dpdk.Context eal = ealContext(dpdkArgs);
        final List<String> devices = eal.devices();
        final String portArg = dpdkPort != null ? dpdkPort : devices.isEmpty() ? null : devices.get(0);
        if (portArg == null)
        {
            throw new IllegalArgumentException("--nic dpdk needs a device: --dpdk-args \"--vdev=net_tap0,iface=dt0\"" +
                " (probed at init) or --dpdk-port net_af_packet0,iface=veth0 (hot-plugged)");
        }
        final Dpdk dpdk = Dpdk.init(eal);
        final String name = deviceName(portArg);
        // The full devargs: as given to --dpdk-port, or as named in --dpdk-args for a device probed at init.
        String devargs = portArg;
        for (final String device : devices)
        {
            if (deviceName(device).equals(name))
            {
                devargs = device;
            }
        }
        final boolean tap = name.startsWith("net_tap");
        final DpdkPort.Context port = new DpdkPort.Context().descriptors(512, 512).mbufsPerQueue(4095)
            .queues(queues);
        if (dpdk.portNames().contains(name))
        {
            port.deviceName(name);
        }
        else
        {
            port.devargs(portArg);
        }
        if (tap)
        {
            port.macAddress(tapMac(ip));
        }
        final DpdkPort opened = dpdk.openPort(port);
        try
        {
            if (tap && !"none".equals(kernelIp))
            {
                final String iface = devarg(devargs, "iface");
                if (iface == null)
                {
                    throw new IllegalArgumentException("net_tap without iface=NAME: cannot give the kernel side " +
                        "an address (name it, or give --kernel-ip none)");
                }
                final String kernelAddress = EngineOptions.kernelAddress(ip, kernelIp);
                LinuxNet.quietInterfaceOrWarn(iface);
                LinuxNet.addAddress(null, iface, kernelAddress);
                LinuxNet.linkUp(null, iface);
                if (kernelSide != null)
                {
                    kernelSide[0] = kernelAddress + " on " + iface;
                }
            }
            return opened;
        }
        catch (final RuntimeException ex)
        {
            opened.close();
            throw ex;
        }
    }
}
