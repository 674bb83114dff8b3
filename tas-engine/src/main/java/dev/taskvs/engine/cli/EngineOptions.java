package dev.taskvs.engine.cli;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.afpacket.AfPacketIo;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.nic.tap.TapPacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The engine options every command that runs an engine shares (echo tools, server, load generator). */
public final class EngineOptions
{
    @Option(names = "--nic", defaultValue = "loopback",
        description = "Packet I/O backend: loopback, shm, tap, afpacket, dpdk. Default: ${DEFAULT-VALUE}.")
    String nic;

    @Option(names = "--ip", defaultValue = "10.211.0.2/24",
        description = "The engine's own address and prefix. Default: ${DEFAULT-VALUE}.")
    String ip;

    @Option(names = "--gateway", description = "Default gateway.")
    String gateway;

    @Option(names = "--iface", defaultValue = "tas0",
        description = "TAP device to create, or interface for AF_PACKET. Default: ${DEFAULT-VALUE}.")
    String iface;

    @Option(names = "--kernel-ip",
        description = "With --nic tap (or dpdk on net_tap): the kernel side's address (default: the subnet's " +
            "first address); 'none' to leave it.")
    String kernelIp;

    @Option(names = "--shm", defaultValue = "/dev/shm/tas-kvs.wire",
        description = "Shared-memory wire file: the first side creates it, the second attaches. Default: ${DEFAULT-VALUE}.")
    Path shm;

    @Option(names = "--shm-peer-queues", defaultValue = "0",
        description = "With --nic shm, when this side creates the wire: queues (lanes) the other side may bring. " +
            "Default: as many as this side's.")
    int shmPeerQueues;

    @Option(names = "--dpdk-args",
        description = "EAL arguments for --nic dpdk, on top of the defaults (--no-huge -m 256 --no-shconf --no-pci), " +
            "e.g. \"--vdev=net_tap0,iface=dt0\" or \"--in-memory -a 0000:01:00.0\".")
    String dpdkArgs;

    @Option(names = "--dpdk-port",
        description = "With --nic dpdk: the port, a device probed at init (default: the first one --dpdk-args " +
            "names) or devargs to hot-plug, e.g. net_af_packet0,iface=veth0.")
    String dpdkPort;

    @Option(names = "--stack-cores", split = ",",
        description = "Cores for the fast-path lane(s) then the slow path, in dedicated mode.")
    int[] stackCores = new int[0];

    @Option(names = "--threading", defaultValue = "shared",
        description = "shared (one thread), dedicated (a thread per lane, slow path and app). Default: ${DEFAULT-VALUE}.")
    String threading;

    @Option(names = "--idle", defaultValue = "nap",
        description = "Idle strategy: spin, yield, backoff, nap, park. Default: ${DEFAULT-VALUE}.")
    String idle;

    @Option(names = "--cc", defaultValue = "DCTCP_RATE",
        description = "Congestion control: DCTCP_RATE, TIMELY, CONST_RATE. Default: ${DEFAULT-VALUE}.")
    dev.taskvs.engine.slowpath.cc.CongestionControlKind cc;

    @Option(names = "--buffer-kb", defaultValue = "256",
        description = "Per-flow RX and TX ring size in KiB, a power of two. Default: ${DEFAULT-VALUE}.")
    int bufferKb;

    @Option(names = "--flow-id-seed", defaultValue = "0",
        description = "0: flow ids lowest first; else shuffled with this seed, as a long-running engine's closes " +
            "leave them. Default: ${DEFAULT-VALUE}.")
    long flowIdSeed;

    @Option(names = "--ack-delay-us", defaultValue = "200",
        description = "How long a small segment's ACK may wait for the app's answer; 0 = at once. " +
            "Default: ${DEFAULT-VALUE}.")
    long ackDelayUs;

    /** @return the backend named by {@code --nic}. */
    public String nic()
    {
        return nic;
    }

    /** @return the engine's address and prefix, as {@code --ip} gave it. */
    public String ip()
    {
        return ip;
    }

    /** @return the TAP device or AF_PACKET interface, as {@code --iface} gave it. */
    public String iface()
    {
        return iface;
    }

    /** @return the DPDK port: --dpdk-port, else the first device --dpdk-args names, else null. */
    public String dpdkDevice()
    {
        if (dpdkPort != null)
        {
            return dpdkPort;
        }
        final java.util.List<String> devices = DpdkNic.ealContext(dpdkArgs).devices();
        return devices.isEmpty() ? null : devices.get(0);
    }

    /** @return the shared-memory wire file. */
    public Path shm()
    {
        return shm;
    }

    /** @return {@code --threading} as given. */
    public String threading()
    {
        return threading;
    }

    /** The address given to the kernel side of a TAP device (--nic tap, or dpdk on net_tap) by {@link #openNic}. */
    String kernelSide;

    /** @return a context from these options, not yet concluded. */
    public EngineContext context(final String name)
    {
        final EngineContext ctx = new EngineContext().name(name).address(ip)
            .threading(ThreadingMode.valueOf(threading.toUpperCase()))
            .idleStrategy(idle)
            .congestionControl(cc)
            .flowIdSeed(flowIdSeed)
            .ackDelayNs(ackDelayUs * 1000L)
            .rxBufferSize(bufferKb * 1024)
            .txBufferSize(bufferKb * 1024);
        if (gateway != null)
        {
            ctx.gateway(Ipv4Address.parse(gateway));
        }
        if (stackCores.length > 0)
        {
            final int lanes = lanes();
            ctx.laneCores(java.util.Arrays.copyOf(stackCores, lanes));
            if (stackCores.length > lanes)
            {
                ctx.slowPathCore(stackCores[lanes]);
            }
        }
        return ctx;
    }

    /**
     * @return fast-path lanes: with --nic shm every --stack-cores core but the last (which runs the slow path),
     * at least one; one lane on every other backend here.
     */
    public int lanes()
    {
        return "shm".equals(nic) ? Math.max(1, stackCores.length - 1) : 1;
    }

    /** Open the backend's queues, one per {@link #lanes() lane} ({@code loopback} is handled by the caller). */
    public PacketIo[] openNics()
    {
        if ("shm".equals(nic))
        {
            return ShmWire.open(shmContext().queues(lanes())).queues();
        }
        return new PacketIo[] {openNic()};
    }

    private ShmWire.Context shmContext()
    {
        return new ShmWire.Context().path(shm).peerQueues(shmPeerQueues);
    }

    /** Open the backend this engine runs on ({@code loopback} is handled by the caller). */
    public PacketIo openNic()
    {
        switch (nic)
        {
            case "shm":
                return ShmWire.open(shmContext());
            case "tap":
            {
                final TapPacketIo tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(iface));
                if (!"none".equals(kernelIp))
                {
                    LinuxNet.quietInterfaceOrWarn(iface);
                    LinuxNet.addAddress(null, iface, kernelAddress());
                    LinuxNet.linkUp(null, iface);
                    kernelSide = kernelAddress();
                }
                return tap;
            }
            case "afpacket":
                return new AfPacketIo(new AfPacketIo.Context().interfaceName(iface));
            case "dpdk":
                return DpdkNic.open(this);
            default:
                throw new IllegalArgumentException("--nic must be loopback, shm, tap, afpacket or dpdk: " + nic);
        }
    }

    /** The kernel side's address for a TAP device (also DPDK's net_tap): given, or the subnet's first address. */
    public String kernelAddress()
    {
        return kernelAddress(ip, kernelIp);
    }

    /** @return {@code kernelIp} (with the prefix of {@code ip} when it has none), or the first address of ip's subnet. */
    public static String kernelAddress(final String ip, final String kernelIp)
    {
        final int slash = ip.indexOf('/');
        final int prefix = slash < 0 ? 24 : Integer.parseInt(ip.substring(slash + 1));
        if (kernelIp != null)
        {
            return kernelIp.contains("/") ? kernelIp : kernelIp + "/" + prefix;
        }
        final int address = Ipv4Address.parse(slash < 0 ? ip : ip.substring(0, slash));
        final int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return Ipv4Address.toString((address & mask) + 1) + "/" + prefix;
    }
}
