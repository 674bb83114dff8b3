package dev.taskvs.engine;

import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.engine.slowpath.PortPolicy;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;

/**
 * Every setting of one engine, with its default; {@link #conclude()} validates them once before any thread
 * starts. Times are in nanoseconds, sizes in bytes, rates in kbit/s.
 */
public final class EngineContext
{
    private int localIp;
    private int prefixLength = 24;
    private int gateway = Ipv4Address.ANY;
    private int rxBufferSize = 64 * 1024;
    private int txBufferSize = 64 * 1024;
    private int maxFlows = 4096;
    private long flowIdSeed;
    private int maxContexts = 64;
    private int synBacklog = 128;
    private SynCookieMode synCookieMode = SynCookieMode.ON_OVERFLOW;
    private long timeWaitNs = 60_000_000_000L;
    private long rtoInitialNs = 200_000_000L;
    private long rtoMinNs = 10_000_000L;
    private long ackDelayNs = 200_000L;
    private long rtoMaxNs = 2_000_000_000L;
    private int rtoRetries = 8;
    private long keepaliveIdleNs;
    private long keepaliveIntervalNs = 75_000_000_000L;
    private int keepaliveProbes = 9;
    /**
     * RFC 6298's initial RTO, as Linux's: under a connect storm a handshake can take longer than a datacenter RTT,
     * and a 100 ms timer then resent every SYN several times over (a cold engine server took 50,000 connects at
     * 20,000 a second while the clients sent over 100,000 SYN retransmissions).
     */
    private long synRtoNs = 1_000_000_000L;
    private int synRetries = 6;
    private int synAckRetries = 5;
    private long arpTimeoutNs = 50_000_000L;
    private int arpRetries = 5;
    private long arpCacheTtlNs = 60_000_000_000L;
    private int initialRttUs = 50;
    private CongestionControlKind congestionControl = CongestionControlKind.DCTCP_RATE;
    private long ccIntervalNs = 100_000L;
    private long scanVisitsPerSecond = 500_000L;
    private long scanRoundNs = 50_000_000L;
    private int constRateKbps;
    private boolean ecn = true;
    private boolean timestamps = true;
    private boolean windowScaling = true;
    private boolean sackPermitted = true;
    private ThreadingMode threading = ThreadingMode.SHARED;
    private String idleStrategy = "backoff";
    private int[] laneCores = new int[0];
    private int slowPathCore = -1;
    private int burstSize = 32;
    private int laneInboxBytes = 1 << 20;
    private int slowPathInboxBytes = 4 << 20;
    private int appEventBytes = 1 << 20;
    private String listenPorts = "1-65535";
    private int ephemeralLow = 49152;
    private int ephemeralHigh = 65535;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    private IntSupplier isnSupplier;
    private CountersManager counters;
    private String name = "engine";
    private boolean concluded;
    private PortPolicy portPolicy;

    /**
     * Validate every setting and fill in derived ones. Call once, before the engine starts.
     *
     * @return this.
     */
    public EngineContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (localIp == Ipv4Address.ANY)
        {
            throw new IllegalArgumentException("localIp must be set");
        }
        requireRange("prefixLength", prefixLength, 1, 32);
        requirePowerOfTwo("rxBufferSize", rxBufferSize, 2048, 1 << 30);
        requirePowerOfTwo("txBufferSize", txBufferSize, 2048, 1 << 30);
        requireRange("maxFlows", maxFlows, 1, dev.taskvs.engine.fastpath.FlowRecord.MAX_FLOWS);
        requireRange("maxContexts", maxContexts, 1, 65535);
        requireRange("synBacklog", synBacklog, 1, 1 << 20);
        requireRange("rtoRetries", rtoRetries, 1, 100);
        requireRange("synRetries", synRetries, 0, 100);
        requireRange("synAckRetries", synAckRetries, 0, 100);
        requireRange("arpRetries", arpRetries, 0, 100);
        requireRange("burstSize", burstSize, 1, 1024);
        requireRange("ephemeralLow", ephemeralLow, 1024, 65535);
        requireRange("ephemeralHigh", ephemeralHigh, ephemeralLow, 65535);
        requireRange("initialRttUs", initialRttUs, 1, 10_000_000);
        if (rtoMinNs <= 0 || rtoMaxNs < rtoMinNs || rtoInitialNs < rtoMinNs || rtoInitialNs > rtoMaxNs)
        {
            throw new IllegalArgumentException("need 0 < rtoMin <= rtoInitial <= rtoMax: " + rtoMinNs + " " +
                rtoInitialNs + " " + rtoMaxNs);
        }
        if (timeWaitNs < 0 || synRtoNs <= 0 || arpTimeoutNs <= 0 || arpCacheTtlNs <= 0 || ccIntervalNs <= 0)
        {
            throw new IllegalArgumentException("times must be positive: timeWait=" + timeWaitNs + " synRto=" +
                synRtoNs + " arpTimeout=" + arpTimeoutNs + " arpTtl=" + arpCacheTtlNs + " cc=" + ccIntervalNs);
        }
        if (scanVisitsPerSecond < 1_000 || scanRoundNs < 1_000_000L)
        {
            throw new IllegalArgumentException("scanVisitsPerSecond must be >= 1000 and scanRoundNs >= 1 ms: " +
                scanVisitsPerSecond + " " + scanRoundNs);
        }
        if (ackDelayNs < 0 || ackDelayNs > 100_000_000L)
        {
            throw new IllegalArgumentException("ackDelay must be 0 (off) to 100 ms: " + ackDelayNs + " ns");
        }
        if (keepaliveIdleNs < 0 || keepaliveIntervalNs <= 0)
        {
            throw new IllegalArgumentException("keepalive idle must be >= 0 (0 = off) and interval > 0: " +
                keepaliveIdleNs + " " + keepaliveIntervalNs);
        }
        requireRange("keepaliveProbes", keepaliveProbes, 1, 1000);
        requireRange("keepaliveIdleMs", keepaliveIdleNs / 1_000_000L, 0, Integer.MAX_VALUE);
        requireRange("keepaliveIntervalMs", keepaliveIntervalNs / 1_000_000L, 0, Integer.MAX_VALUE);
        if (constRateKbps < 0)
        {
            throw new IllegalArgumentException("constRateKbps must be >= 0: " + constRateKbps);
        }
        portPolicy = PortPolicy.parse(listenPorts);
        if (isnSupplier == null)
        {
            final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
            isnSupplier = random::nextInt;
        }
        concluded = true;
        return this;
    }

    private static void requireRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + value);
        }
    }

    private static void requirePowerOfTwo(final String name, final int value, final int min, final int max)
    {
        requireRange(name, value, min, max);
        if (Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of two: " + value);
        }
    }

    /** @param cidr address and prefix, such as "10.211.0.2/24". */
    public EngineContext address(final String cidr)
    {
        final int slash = cidr.indexOf('/');
        if (slash < 0)
        {
            localIp = Ipv4Address.parse(cidr);
        }
        else
        {
            localIp = Ipv4Address.parse(cidr.substring(0, slash));
            prefixLength = Integer.parseInt(cidr.substring(slash + 1));
        }
        return this;
    }

    public EngineContext localIp(final int localIp)
    {
        this.localIp = localIp;
        return this;
    }

    public int localIp()
    {
        return localIp;
    }

    public EngineContext prefixLength(final int prefixLength)
    {
        this.prefixLength = prefixLength;
        return this;
    }

    public int prefixLength()
    {
        return prefixLength;
    }

    public EngineContext gateway(final int gateway)
    {
        this.gateway = gateway;
        return this;
    }

    public int gateway()
    {
        return gateway;
    }

    public EngineContext rxBufferSize(final int bytes)
    {
        this.rxBufferSize = bytes;
        return this;
    }

    public int rxBufferSize()
    {
        return rxBufferSize;
    }

    public EngineContext txBufferSize(final int bytes)
    {
        this.txBufferSize = bytes;
        return this;
    }

    public int txBufferSize()
    {
        return txBufferSize;
    }

    public EngineContext maxFlows(final int maxFlows)
    {
        this.maxFlows = maxFlows;
        return this;
    }

    public int maxFlows()
    {
        return maxFlows;
    }

    /**
     * The order in which the slow path hands out flow ids. 0 (the default): lowest first, so a fresh engine's
     * flows sit side by side in its per-flow tables and rings. Any other value shuffles the free ids once at
     * start with this seed: the scattered order a long-running engine reaches after many opens and closes, which
     * benchmarks use so that a fresh engine does not walk its per-flow state in address order. Scattered ids
     * also spread the flows over the payload chunks ({@code FlowBuffers}), so more of them are allocated early.
     *
     * @param flowIdSeed 0 for ascending ids, else the shuffle's seed.
     * @return this.
     */
    public EngineContext flowIdSeed(final long flowIdSeed)
    {
        this.flowIdSeed = flowIdSeed;
        return this;
    }

    public long flowIdSeed()
    {
        return flowIdSeed;
    }

    public EngineContext maxContexts(final int maxContexts)
    {
        this.maxContexts = maxContexts;
        return this;
    }

    public int maxContexts()
    {
        return maxContexts;
    }

    /** @param synBacklog default bound of half-open connections per listener. */
    public EngineContext synBacklog(final int synBacklog)
    {
        this.synBacklog = synBacklog;
        return this;
    }

    public int synBacklog()
    {
        return synBacklog;
    }

    /**
     * @param mode when listeners answer SYNs with SYN cookies (RFC 4987) instead of keeping half-open state.
     *             Default {@link SynCookieMode#ON_OVERFLOW}, as Linux's {@code tcp_syncookies=1}.
     * @return this.
     */
    public EngineContext synCookieMode(final SynCookieMode mode)
    {
        this.synCookieMode = java.util.Objects.requireNonNull(mode, "mode");
        return this;
    }

    public SynCookieMode synCookieMode()
    {
        return synCookieMode;
    }

    /** @param ns how long a connection stays in TIME_WAIT (2 MSL). */
    public EngineContext timeWaitNs(final long ns)
    {
        this.timeWaitNs = ns;
        return this;
    }

    public long timeWaitNs()
    {
        return timeWaitNs;
    }

    public EngineContext rtoInitialNs(final long ns)
    {
        this.rtoInitialNs = ns;
        return this;
    }

    public long rtoInitialNs()
    {
        return rtoInitialNs;
    }

    public EngineContext rtoMinNs(final long ns)
    {
        this.rtoMinNs = ns;
        return this;
    }

    public long rtoMinNs()
    {
        return rtoMinNs;
    }

    /**
     * Delayed ACK (RFC 9293 section 3.8.6.3, RFC 1122 section 4.2.3.2): a segment of less than the MSS that
     * arrives in order is acknowledged by the app's answer when one follows within this time, and by a pure
     * ACK after it otherwise. Full-sized segments, out-of-order data, FIN and window updates are acknowledged
     * at once (at the end of the lane's cycle) as before.
     *
     * @param ns at most this long; 0 turns delayed ACK off. Default 200 us.
     */
    public EngineContext ackDelayNs(final long ns)
    {
        this.ackDelayNs = ns;
        return this;
    }

    public long ackDelayNs()
    {
        return ackDelayNs;
    }

    public EngineContext rtoMaxNs(final long ns)
    {
        this.rtoMaxNs = ns;
        return this;
    }

    public long rtoMaxNs()
    {
        return rtoMaxNs;
    }

    /** @param retries consecutive retransmission timeouts after which the connection is reset. */
    public EngineContext rtoRetries(final int retries)
    {
        this.rtoRetries = retries;
        return this;
    }

    public int rtoRetries()
    {
        return rtoRetries;
    }

    /**
     * TCP keepalive for every connection (RFC 9293 section 3.8.4, RFC 1122 section 4.2.3.6): after this long
     * without a segment from the peer, and with nothing outstanding, probe it; 0 (the default) turns
     * keepalive off, as in Linux and memcached. An app can override it per connection with
     * {@code TcpConnection.keepalive}.
     *
     * @param ns idle time before the first probe, 0 = off.
     * @return this.
     */
    public EngineContext keepaliveIdleNs(final long ns)
    {
        this.keepaliveIdleNs = ns;
        return this;
    }

    public long keepaliveIdleNs()
    {
        return keepaliveIdleNs;
    }

    /** @param ns time between unanswered keepalive probes (default 75 s, as Linux). */
    public EngineContext keepaliveIntervalNs(final long ns)
    {
        this.keepaliveIntervalNs = ns;
        return this;
    }

    public long keepaliveIntervalNs()
    {
        return keepaliveIntervalNs;
    }

    /** @param probes unanswered keepalive probes after which the connection is reset (default 9, as Linux). */
    public EngineContext keepaliveProbes(final int probes)
    {
        this.keepaliveProbes = probes;
        return this;
    }

    public int keepaliveProbes()
    {
        return keepaliveProbes;
    }

    /** @param ns the first SYN and SYN-ACK retransmission timeout, doubled at each retry. Default 1 s. @return this. */
    public EngineContext synRtoNs(final long ns)
    {
        this.synRtoNs = ns;
        return this;
    }

    public long synRtoNs()
    {
        return synRtoNs;
    }

    /**
     * @param retries SYN retransmissions before a connect fails.
     *                Default 6: with the default timeout a connect gives up after 1 + 2 + ... + 64 = 127 s, as
     *                Linux's {@code tcp_syn_retries}.
     * @return this.
     */
    public EngineContext synRetries(final int retries)
    {
        this.synRetries = retries;
        return this;
    }

    public int synRetries()
    {
        return synRetries;
    }

    /**
     * @param retries SYN-ACK retransmissions before a half-open connection is dropped and its backlog place freed.
     *                Default 5: with the default timeout after 1 + 2 + ... + 32 = 63 s, as Linux's
     *                {@code tcp_synack_retries}.
     * @return this.
     */
    public EngineContext synAckRetries(final int retries)
    {
        this.synAckRetries = retries;
        return this;
    }

    public int synAckRetries()
    {
        return synAckRetries;
    }

    public EngineContext arpTimeoutNs(final long ns)
    {
        this.arpTimeoutNs = ns;
        return this;
    }

    public long arpTimeoutNs()
    {
        return arpTimeoutNs;
    }

    public EngineContext arpRetries(final int retries)
    {
        this.arpRetries = retries;
        return this;
    }

    public int arpRetries()
    {
        return arpRetries;
    }

    public EngineContext arpCacheTtlNs(final long ns)
    {
        this.arpCacheTtlNs = ns;
        return this;
    }

    public long arpCacheTtlNs()
    {
        return arpCacheTtlNs;
    }

    public EngineContext initialRttUs(final int us)
    {
        this.initialRttUs = us;
        return this;
    }

    public int initialRttUs()
    {
        return initialRttUs;
    }

    public EngineContext congestionControl(final CongestionControlKind kind)
    {
        this.congestionControl = kind;
        return this;
    }

    public CongestionControlKind congestionControl()
    {
        return congestionControl;
    }

    public EngineContext ccIntervalNs(final long ns)
    {
        this.ccIntervalNs = ns;
        return this;
    }

    public long ccIntervalNs()
    {
        return ccIntervalNs;
    }

    /**
     * The slow path's budget of visits a second for congestion control and timeouts (each connection about once a
     * control interval while the budget lasts). A visit reads the flow's record and the connection's object: at
     * thousands of connections each misses the caches, so the budget is what the visits may cost.
     *
     * @param visits visits a second, at least 1,000.
     * @return this.
     */
    public EngineContext scanVisitsPerSecond(final long visits)
    {
        this.scanVisitsPerSecond = visits;
        return this;
    }

    public long scanVisitsPerSecond()
    {
        return scanVisitsPerSecond;
    }

    /**
     * The longest a connection waits between two visits whatever the budget: a retransmission timeout fires at
     * most this late.
     *
     * @param ns at least 1 ms.
     * @return this.
     */
    public EngineContext scanRoundNs(final long ns)
    {
        this.scanRoundNs = ns;
        return this;
    }

    public long scanRoundNs()
    {
        return scanRoundNs;
    }

    /** @param kbps rate for {@link CongestionControlKind#CONST_RATE}; 0 means unlimited. */
    public EngineContext constRateKbps(final int kbps)
    {
        this.constRateKbps = kbps;
        return this;
    }

    public int constRateKbps()
    {
        return constRateKbps;
    }

    public EngineContext ecn(final boolean ecn)
    {
        this.ecn = ecn;
        return this;
    }

    public boolean ecn()
    {
        return ecn;
    }

    public EngineContext timestamps(final boolean timestamps)
    {
        this.timestamps = timestamps;
        return this;
    }

    public boolean timestamps()
    {
        return timestamps;
    }

    public EngineContext windowScaling(final boolean windowScaling)
    {
        this.windowScaling = windowScaling;
        return this;
    }

    public boolean windowScaling()
    {
        return windowScaling;
    }

    public EngineContext sackPermitted(final boolean sackPermitted)
    {
        this.sackPermitted = sackPermitted;
        return this;
    }

    public boolean sackPermitted()
    {
        return sackPermitted;
    }

    public EngineContext threading(final ThreadingMode threading)
    {
        this.threading = threading;
        return this;
    }

    public ThreadingMode threading()
    {
        return threading;
    }

    /** @param idleStrategy "spin", "yield", "backoff", "nap" or "park" (see IdleStrategies). */
    public EngineContext idleStrategy(final String idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public String idleStrategy()
    {
        return idleStrategy;
    }

    /** @param cores one core per lane to pin to in dedicated mode; empty for no pinning. */
    public EngineContext laneCores(final int... cores)
    {
        this.laneCores = cores.clone();
        return this;
    }

    public int[] laneCores()
    {
        return laneCores.clone();
    }

    public EngineContext slowPathCore(final int core)
    {
        this.slowPathCore = core;
        return this;
    }

    public int slowPathCore()
    {
        return slowPathCore;
    }

    public EngineContext burstSize(final int burstSize)
    {
        this.burstSize = burstSize;
        return this;
    }

    public int burstSize()
    {
        return burstSize;
    }

    public EngineContext laneInboxBytes(final int bytes)
    {
        this.laneInboxBytes = bytes;
        return this;
    }

    public int laneInboxBytes()
    {
        return laneInboxBytes;
    }

    public EngineContext slowPathInboxBytes(final int bytes)
    {
        this.slowPathInboxBytes = bytes;
        return this;
    }

    public int slowPathInboxBytes()
    {
        return slowPathInboxBytes;
    }

    public EngineContext appEventBytes(final int bytes)
    {
        this.appEventBytes = bytes;
        return this;
    }

    public int appEventBytes()
    {
        return appEventBytes;
    }

    /** @param ports which local ports accept listeners, such as "7000-7100,11211". */
    public EngineContext listenPorts(final String ports)
    {
        this.listenPorts = ports;
        return this;
    }

    public PortPolicy portPolicy()
    {
        return portPolicy;
    }

    public EngineContext ephemeralPorts(final int low, final int high)
    {
        this.ephemeralLow = low;
        this.ephemeralHigh = high;
        return this;
    }

    public int ephemeralLow()
    {
        return ephemeralLow;
    }

    public int ephemeralHigh()
    {
        return ephemeralHigh;
    }

    /** @param clock the one clock every duty cycle reads; tests pass a {@code CachedNanoClock}. */
    public EngineContext clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    public NanoClock clock()
    {
        return clock;
    }

    /** @param isnSupplier source of initial sequence numbers (tests pin them near 2^32). */
    public EngineContext isnSupplier(final IntSupplier isnSupplier)
    {
        this.isnSupplier = isnSupplier;
        return this;
    }

    public IntSupplier isnSupplier()
    {
        return isnSupplier;
    }

    public EngineContext counters(final CountersManager counters)
    {
        this.counters = counters;
        return this;
    }

    public CountersManager counters()
    {
        return counters;
    }

    public EngineContext name(final String name)
    {
        this.name = name;
        return this;
    }

    public String name()
    {
        return name;
    }
}
