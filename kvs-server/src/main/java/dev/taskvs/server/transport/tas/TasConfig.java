package dev.taskvs.server.transport.tas;

import java.util.Locale;

import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;

/**
 * The engine's settings for {@code --stack tas}, with their defaults; the same option names as the engine's own
 * tools ({@code kvs engine echo-server}). {@link #conclude()} checks them once, before anything is opened.
 */
public final class TasConfig
{
    /** --nic: tap, afpacket, shm, dpdk (loopback is for tests that build their own wire). */
    public String nic = "tap";
    /** --ip: the engine's own address and prefix. */
    public String ip = "10.211.0.2/24";
    /** --gateway: default gateway; null for none. */
    public String gateway;
    /** The default --iface. */
    public static final String DEFAULT_IFACE = "kvs0";
    /**
     * --iface: the TAP device to create, the interface for AF_PACKET; with dpdk, the device (devargs) when neither
     * --dpdk-port nor --dpdk-args names one (kept from before --dpdk-port).
     */
    public String iface = DEFAULT_IFACE;
    /** --kernel-ip: with tap, the kernel side's address; null = the subnet's first address, "none" = leave it. */
    public String kernelIp;
    /** --shm: the shared-memory wire file. */
    public String shm = "/dev/shm/tas-kvs.wire";
    /**
     * --shm-peer-queues: when the server creates the shm wire, how many queues (lanes) the other side may bring;
     * 0 = as many as the server's lanes.
     */
    public int shmPeerQueues;
    /** --dpdk-args: EAL arguments, space separated, merged onto the engine's EAL defaults as {@code kvs engine} does. */
    public String dpdkArgs = "";
    /** --dpdk-port: the DPDK port, a device probed at init or devargs to hot-plug; null = the first --dpdk-args names. */
    public String dpdkPort;
    /** --stack-cores: cores for the fast-path lane(s), then the slow path (dedicated threading). */
    public int[] stackCores = new int[0];
    /** --app-cores: application contexts (cache workers); each is one engine AppContext. */
    public int appCores = 1;
    /** --threading: shared (one thread runs the engine and the workers) or dedicated. */
    public String threading = "shared";
    /**
     * Not a command-line option: run nothing on threads of its own; the caller drives the engine and the workers
     * with {@link TasTransport#invoke()}, one duty cycle at a time (benchmarks and tests on one thread).
     */
    public boolean invoker;
    /**
     * Not a command-line option: with one app context, serve the connections that received data in a poll after
     * it, as a batch whose gets first have their store lines loaded ({@code Store#bucketOf}); false serves each
     * in its event (for measuring the difference).
     */
    public boolean warmBatches = true;
    /**
     * --ack-delay-us: how long the ACK of a small request may wait for the answer to carry it; 0 ACKs at once.
     * Keep it well under the clients' minimum retransmission timeout (10 ms on the engine, 200 ms on Linux).
     */
    public long ackDelayUs = 200;
    /** --cc: the engine's congestion control, as in the engine's own tools. */
    public CongestionControlKind cc = CongestionControlKind.DCTCP_RATE;
    /** --idle: the idle strategy of every engine thread. */
    public String idle = "nap";
    /** --buffer-kb: per-connection RX and TX ring size in KiB, a power of two. */
    public int bufferKb = 64;
    /** --max-flows: engine flow slots; 0 = twice -c plus room for TIME_WAIT. */
    public int maxFlows;
    /** --flow-id-seed: 0 hands out flow ids lowest first; else they are shuffled with this seed. */
    public long flowIdSeed;
    /** --time-wait-ms: how long a flow the server closed first stays in TIME_WAIT. */
    public long timeWaitMs = 60_000;
    /** --rto-retries: retransmission timeouts before a silent peer is reset. */
    public int rtoRetries = 8;
    /** --syn-cookies: when SYNs get SYN cookies instead of half-open state (past -b by default, as Linux). */
    public SynCookieMode synCookies = SynCookieMode.ON_OVERFLOW;
    /**
     * --keepalive-s: TCP keepalive on every client connection, the idle seconds before the first probe; 0 = off
     * (as memcached). After {@link #keepaliveProbes} unanswered probes {@link #keepaliveIntervalSeconds} apart the
     * engine resets the connection and the worker frees it.
     */
    public int keepaliveSeconds;
    /** --keepalive-interval-s and --keepalive-probes: as Linux's tcp_keepalive_intvl and tcp_keepalive_probes. */
    public int keepaliveIntervalSeconds = 75;
    public int keepaliveProbes = 9;

    /**
     * @return fast-path lanes, one per NIC queue, for the backends that have several (dpdk, shm): every
     * --stack-cores core but the last, which runs the slow path; one when fewer than three are given.
     */
    public int lanes()
    {
        return Math.max(1, stackCores.length - 1);
    }

    public TasConfig conclude()
    {
        nic = nic.toLowerCase(Locale.ROOT);
        switch (nic)
        {
            case "tap":
            case "afpacket":
            case "shm":
            case "dpdk":
            case "loopback":
                break;
            default:
                throw new IllegalArgumentException("--nic " + nic + " is not a backend: use tap, afpacket, shm or dpdk");
        }
        if (shmPeerQueues < 0 || shmPeerQueues > dev.taskvs.engine.nic.shm.ShmWire.MAX_QUEUES)
        {
            throw new IllegalArgumentException("--shm-peer-queues = " + shmPeerQueues + " is out of range: must be 0.." +
                dev.taskvs.engine.nic.shm.ShmWire.MAX_QUEUES);
        }
        final int slash = ip.indexOf('/');
        if (slash < 0)
        {
            ip = ip + "/24";
        }
        try
        {
            Ipv4Address.parse(ip.substring(0, ip.indexOf('/')));
            final int prefix = Integer.parseInt(ip.substring(ip.indexOf('/') + 1));
            require(prefix >= 1 && prefix <= 32, "--ip prefix", prefix, "1..32");
            if (gateway != null)
            {
                Ipv4Address.parse(gateway);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--ip " + ip + " is not an IPv4 address with a prefix (A.B.C.D/NN)");
        }
        if (cc == null)
        {
            throw new IllegalArgumentException("--cc must be one of DCTCP_RATE, TIMELY, CONST_RATE");
        }
        threading = threading.toLowerCase(Locale.ROOT);
        require("shared".equals(threading) || "dedicated".equals(threading), "--threading " + threading, 0,
            "shared or dedicated");
        require(appCores >= 1 && appCores <= 256, "--app-cores", appCores, "1..256");
        require(bufferKb >= 2 && bufferKb <= 1 << 20 && Integer.bitCount(bufferKb) == 1, "--buffer-kb", bufferKb,
            "a power of two, 2..1048576");
        require(maxFlows >= 0 && maxFlows <= 1 << 20, "--max-flows", maxFlows, "0..1048576 (0 = from -c)");
        require(ackDelayUs >= 0 && ackDelayUs <= 100_000, "--ack-delay-us", ackDelayUs, "0..100000 (0 = off)");
        require(timeWaitMs >= 0, "--time-wait-ms", timeWaitMs, ">= 0");
        require(rtoRetries >= 1 && rtoRetries <= 100, "--rto-retries", rtoRetries, "1..100");
        require(keepaliveSeconds >= 0 && keepaliveSeconds <= 2_000_000, "--keepalive-s", keepaliveSeconds,
            "0..2000000 (0 = off)");
        require(keepaliveIntervalSeconds >= 1 && keepaliveIntervalSeconds <= 2_000_000, "--keepalive-interval-s",
            keepaliveIntervalSeconds, "1..2000000");
        require(keepaliveProbes >= 1 && keepaliveProbes <= 100, "--keepalive-probes", keepaliveProbes, "1..100");
        return this;
    }

    /** @return engine flow slots for {@code maxConnections} clients (closed flows linger in TIME_WAIT). */
    public int flowSlots(final int maxConnections)
    {
        return maxFlows > 0 ? maxFlows : (int)Math.min(1 << 20, 2L * maxConnections + 1024);
    }

    /**
     * @return the DPDK port as {@code kvs engine} takes it: --dpdk-port, else null (the first device --dpdk-args
     * names), else a non-default --iface.
     */
    public String dpdkPortOrIface()
    {
        if (dpdkPort != null || !dev.taskvs.engine.cli.DpdkNic.ealContext(dpdkArgs).devices().isEmpty())
        {
            return dpdkPort;
        }
        return DEFAULT_IFACE.equals(iface) ? null : iface;
    }

    /** @return the engine's address without the prefix. */
    public String hostAddress()
    {
        return ip.substring(0, ip.indexOf('/'));
    }

    /** @return the kernel side's address for a TAP device: given, or the first address of the engine's subnet. */
    public String kernelAddress()
    {
        return dev.taskvs.engine.cli.EngineOptions.kernelAddress(ip, kernelIp);
    }

    private static void require(final boolean ok, final String what, final long value, final String limit)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(what + " = " + value + " is out of range: must be " + limit);
        }
    }

    @Override
    public String toString()
    {
        return "nic=" + nic + " ip=" + ip + " iface=" + iface + " threading=" + threading + " app-cores=" + appCores;
    }
}
