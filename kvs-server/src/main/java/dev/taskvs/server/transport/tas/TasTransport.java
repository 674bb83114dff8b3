package dev.taskvs.server.transport.tas;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.cli.DpdkNic;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.afpacket.AfPacketIo;
import dev.taskvs.engine.nic.dpdk.DpdkPort;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.nic.tap.TapPacketIo;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.engine.stats.LaneCounters;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.SessionFactory;
import dev.taskvs.server.stats.ConnectionRegistry;
import dev.taskvs.server.stats.StatsReport;
import org.agrona.CloseHelper;

/**
 * The cache on the userspace TCP engine ({@code --stack tas}): one {@link TcpEngine} on the chosen NIC backend,
 * and {@code --app-cores} {@link TasWorker}s, each an engine app context listening on the port (the engine hands
 * accepted connections to them in turn). With {@code --threading shared} the lanes, the slow path and every worker
 * run in one duty cycle on one thread, the right shape for a 2-core machine; {@code dedicated} gives each its own
 * thread, lanes and slow path pinned to {@code --stack-cores}.
 */
public final class TasTransport implements AutoCloseable, ConnectionRegistry
{
    private static final int LISTENER_ID = 1;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);

    private final ServerContext ctx;
    private final TasConfig config;
    private final List<AutoCloseable> nics = new ArrayList<>();
    private final TcpEngine engine;
    private final TasWorker[] workers;
    private final AtomicInteger connectionIds = new AtomicInteger(100);
    private final ConcurrentHashMap<Integer, TasConnection> connections = new ConcurrentHashMap<>();
    private final String listenName;
    private String dpdkPortName;
    private int shmQueues;
    private volatile boolean closed;

    public TasTransport(final ServerContext ctx, final TasConfig config)
    {
        this(ctx, config, SessionFactory.MEMCACHED, null);
    }

    /**
     * @param queues NIC queues to run on instead of opening {@code config.nic} (tests: a loopback wire); the
     *               caller keeps ownership.
     */
    public TasTransport(final ServerContext ctx, final TasConfig config, final SessionFactory sessions,
        final PacketIo[] queues)
    {
        this.ctx = ctx;
        this.config = config.conclude();
        if (ctx.config().port == 0)
        {
            throw new IllegalArgumentException("port = 0 is out of range for --stack tas: the engine needs a port");
        }
        final PacketIo[] ios = queues != null ? queues : openNic();
        try
        {
            final EngineContext ec = new EngineContext()
                .name("kvs")
                .address(config.ip)
                .threading(config.invoker ?
                    ThreadingMode.INVOKER : ThreadingMode.valueOf(config.threading.toUpperCase()))
                .idleStrategy(config.idle)
                .congestionControl(config.cc)
                .rxBufferSize(config.bufferKb * 1024)
                .txBufferSize(config.bufferKb * 1024)
                .maxFlows(config.flowSlots(ctx.config().maxConnections))
                .flowIdSeed(config.flowIdSeed)
                .ackDelayNs(TimeUnit.MICROSECONDS.toNanos(config.ackDelayUs))
                .maxContexts(config.appCores + 1)
                .synBacklog(ctx.config().backlog)
                .synCookieMode(config.synCookies)
                .timeWaitNs(TimeUnit.MILLISECONDS.toNanos(config.timeWaitMs))
                .rtoRetries(config.rtoRetries)
                .keepaliveIdleNs(TimeUnit.SECONDS.toNanos(config.keepaliveSeconds))
                .keepaliveIntervalNs(TimeUnit.SECONDS.toNanos(config.keepaliveIntervalSeconds))
                .keepaliveProbes(config.keepaliveProbes)
                .appEventBytes(Math.max(1 << 20, Integer.highestOneBit(
                    Math.min(1 << 26, config.flowSlots(ctx.config().maxConnections) * 64)) << 1));
            if (config.gateway != null)
            {
                ec.gateway(Ipv4Address.parse(config.gateway));
            }
            if (config.stackCores.length > 0)
            {
                ec.laneCores(java.util.Arrays.copyOf(config.stackCores, Math.min(ios.length, config.stackCores.length)));
                if (config.stackCores.length > ios.length)
                {
                    ec.slowPathCore(config.stackCores[ios.length]);
                }
            }
            engine = new TcpEngine(ec, ios);
            workers = new TasWorker[config.appCores];
            for (int i = 0; i < workers.length; i++)
            {
                workers[i] = new TasWorker(this, ctx, sessions, engine.newAppContext(), i, ctx.config().port,
                    config.bufferKb * 1024, warmsBatches(config));
            }
        }
        catch (final RuntimeException ex)
        {
            closeNics();
            throw ex;
        }
        listenName = "tcp:" + config.hostAddress() + ":" + ctx.config().port;
        // memcached counts its listening connection in both figures.
        ctx.stats().totalConnections.incrementAndGet();
        ctx.stats().connectionStructures.incrementAndGet();
        ctx.connections(this);
        ctx.statsGroup("tas", this::engineStats);
    }

    private PacketIo[] openNic()
    {
        switch (config.nic)
        {
            case "tap":
            {
                final TapPacketIo tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(config.iface));
                nics.add(tap);
                try
                {
                    if (!"none".equals(config.kernelIp))
                    {
                        LinuxNet.quietInterfaceOrWarn(config.iface);
                        LinuxNet.addAddress(null, config.iface, config.kernelAddress());
                        LinuxNet.linkUp(null, config.iface);
                    }
                }
                catch (final RuntimeException ex)
                {
                    closeNics();
                    throw ex;
                }
                return new PacketIo[] {tap};
            }
            case "afpacket":
            {
                final AfPacketIo io = new AfPacketIo(new AfPacketIo.Context().interfaceName(config.iface));
                nics.add(io);
                return new PacketIo[] {io};
            }
            case "shm":
            {
                // One queue per lane, as with DPDK: the other side's senders steer each segment to its lane.
                final ShmWire wire = ShmWire.open(new ShmWire.Context().path(Path.of(config.shm))
                    .queues(config.lanes()).peerQueues(config.shmPeerQueues));
                nics.add(wire);
                shmQueues = wire.queueCount();
                return wire.queues();
            }
            case "dpdk":
            {
                // The engine CLI's opening (EAL defaults plus --dpdk-args, the port from --dpdk-port), one queue
                // pair per fast-path lane.
                final int lanes = config.lanes();
                final DpdkPort port = DpdkNic.openPort(config.dpdkArgs, config.dpdkPortOrIface(), config.ip,
                    config.kernelIp, lanes, null);
                nics.add(port);
                dpdkPortName = port.name() + " (" + port.driver() + ", " + port.queueCount() + " queue" +
                    (port.queueCount() == 1 ? ")" : "s)");
                final PacketIo[] ios = new PacketIo[port.queueCount()];
                for (int i = 0; i < ios.length; i++)
                {
                    ios[i] = port.queue(i);
                }
                return ios;
            }
            default:
                throw new IllegalArgumentException("--nic " + config.nic + " needs queues from the caller");
        }
    }

    /**
     * One duty cycle of the engine (lanes, slow path) and of every worker, on the calling thread: only with
     * {@link TasConfig#invoker}.
     *
     * @return work done.
     */
    public int invoke()
    {
        return engine.invoke();
    }

    public TasTransport start()
    {
        engine.start(workers);
        return this;
    }

    public TcpEngine engine()
    {
        return engine;
    }

    public TasConfig config()
    {
        return config;
    }

    /** @return what the engine runs on, e.g. "dpdk net_memif0 (net_memif, 1 queue)" or "tap kvs0". */
    public String nicDescription()
    {
        return config.nic + " " + (dpdkPortName != null ? dpdkPortName : "shm".equals(config.nic) ? config.shm +
            (shmQueues > 1 ? " (" + shmQueues + " queues)" : "") : config.iface);
    }

    public int port()
    {
        return ctx.config().port;
    }

    /** @return what clients connect to, e.g. "10.211.0.2:11211". */
    public String clientAddress()
    {
        return config.hostAddress() + ":" + ctx.config().port;
    }

    // ------------------------------------------------------------------ connection accounting (worker threads)

    /** @return true when one more connection is within -c; counts it. */
    boolean admit()
    {
        if (ctx.stats().currConnections.incrementAndGet() > ctx.config().maxConnections)
        {
            ctx.stats().currConnections.decrementAndGet();
            ctx.stats().rejectedConnections.incrementAndGet();
            return false;
        }
        ctx.stats().totalConnections.incrementAndGet();
        ctx.stats().connectionStructures.incrementAndGet();
        return true;
    }

    int nextConnectionId()
    {
        return connectionIds.incrementAndGet();
    }

    void register(final TasConnection conn)
    {
        connections.put(conn.id, conn);
    }

    void unregister(final TasConnection conn)
    {
        if (connections.remove(conn.id) != null)
        {
            ctx.stats().currConnections.decrementAndGet();
        }
    }

    /** @return connections open now, as the workers count them. */
    public int connectionCount()
    {
        return connections.size();
    }

    @Override
    public void forEach(final ConnectionVisitor visitor)
    {
        visitor.visit(LISTENER_ID, listenName, null, "conn_listening", 0);
        final long now = System.nanoTime();
        connections.values().forEach(c -> visitor.visit(c.id, c.peerAddress(), listenName, c.state,
            (int)TimeUnit.NANOSECONDS.toSeconds(now - c.lastActiveNanos)));
    }

    // ------------------------------------------------------------------ stats tas

    private void engineStats(final StatsReport.Sink sink)
    {
        final Map<String, Long> counters = new TreeMap<>();
        engine.counters().forEach((id, label) -> counters.put(label, engine.counters().getCounterValue(id)));
        sink.stat("nic", config.nic);
        sink.stat("address", config.ip);
        sink.stat("threading", config.threading);
        sink.stat("lanes", Integer.toString(engine.laneCount()));
        sink.stat("app_contexts", Integer.toString(workers.length));
        sink.stat("buffer_bytes", Integer.toString(config.bufferKb * 1024));
        sink.stat("max_flows", Integer.toString(engine.context().maxFlows()));
        for (int i = 0; i < engine.laneCount(); i++)
        {
            final String prefix = "kvs lane " + i + ": ";
            final String name = "lane" + i + "_";
            sink.stat(name + "packets_in", value(counters, prefix + "segments received"));
            sink.stat(name + "packets_out", value(counters, prefix + "segments sent"));
            sink.stat(name + "acks_out", value(counters, prefix + "pure ACKs sent"));
            sink.stat(name + "bytes_in", value(counters, prefix + "payload bytes received in order"));
            sink.stat(name + "bytes_out", value(counters, prefix + "payload bytes sent"));
            sink.stat(name + "drops", Long.toString(sum(counters, prefix + "drops:")));
            sink.stat(name + "retransmits", Long.toString(
                counters.getOrDefault(prefix + "go-back-N on three duplicate ACKs", 0L) +
                counters.getOrDefault(prefix + "go-back-N on timeout", 0L)));
            sink.stat(name + "retransmitted_bytes", value(counters, prefix + "bytes retransmitted"));
            sink.stat(name + "receive_bursts", value(counters, prefix + LaneCounters.RECEIVE_BURSTS));
            sink.stat(name + "full_bursts", value(counters, prefix + LaneCounters.FULL_BURSTS));
            sink.stat(name + "app_bumps",
                value(counters, prefix + "app bumps (TX committed and RX consumed, one message)"));
            sink.stat(name + "to_slow_path", value(counters, prefix + "frames to slow path"));
            sink.stat(name + "steered", value(counters, prefix + "frames steered to another lane"));
            sink.stat(name + "active_flows", Integer.toString(engine.laneFlowCount(i)));
            sink.stat(name + "inbox_bytes", Integer.toString(engine.laneInboxBytes(i)));
        }
        final String slow = "kvs slow path: ";
        sink.stat("slow_path_active_flows", value(counters, slow + "active flows"));
        sink.stat("slow_path_time_wait", value(counters, slow + "flows in TIME_WAIT"));
        sink.stat("slow_path_inbox_bytes", Integer.toString(engine.slowPathInboxBytes()));
        sink.stat("slow_path_drops", Long.toString(sum(counters, slow + "drops:")));
        sink.stat("syns_received", value(counters, slow + "SYNs received"));
        sink.stat("connections_accepted", value(counters, slow + "connections accepted"));
        sink.stat("syn_backlog_drops", value(counters, slow + "drops: SYN backlog full"));
        sink.stat("syn_cookies_sent", value(counters, slow + "SYN cookies sent"));
        sink.stat("syn_cookie_connections", value(counters, slow + "connections opened from SYN cookies"));
        sink.stat("resets_sent", value(counters, slow + "RSTs sent"));
        sink.stat("resets_received", value(counters, slow + "RSTs accepted"));
        sink.stat("retransmit_timeouts", value(counters, slow + "retransmission timeouts"));
        sink.stat("retransmit_limit_resets", value(counters, slow + "resets after the retransmission limit"));
        sink.stat("keepalive_probes", value(counters, slow + "keepalive probes"));
        sink.stat("keepalive_resets", value(counters, slow + "resets after keepalive probes"));
        long frameDrops = 0;
        for (final Map.Entry<String, Long> e : counters.entrySet())
        {
            if (e.getKey().startsWith("rx frames: ") && !e.getKey().endsWith(": OK"))
            {
                frameDrops += e.getValue();
            }
        }
        sink.stat("rx_frame_drops", Long.toString(frameDrops));
        for (int i = 0; i < workers.length; i++)
        {
            sink.stat("app" + i + "_connections", Integer.toString(workers[i].openConnections()));
            sink.stat("app" + i + "_event_queue_bytes", Integer.toString(engine.appEventBytes(i)));
            sink.stat("app" + i + "_wrap_copies", Long.toString(workers[i].wrapCopies()));
            sink.stat("app" + i + "_staged_requests", Long.toString(workers[i].stagedRequests()));
        }
    }

    private static String value(final Map<String, Long> counters, final String label)
    {
        return Long.toString(counters.getOrDefault(label, 0L));
    }

    private static long sum(final Map<String, Long> counters, final String prefix)
    {
        long total = 0;
        for (final Map.Entry<String, Long> e : counters.entrySet())
        {
            if (e.getKey().startsWith(prefix))
            {
                total += e.getValue();
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Graceful stop: the workers stop accepting, answer the requests already received and close every
     * connection with FIN; after they drained (or {@value #DRAIN_TIMEOUT_NS} ns), the engine stops and the NIC
     * closes (a TAP device disappears with it).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final TasWorker worker : workers)
        {
            worker.requestStop();
        }
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (System.nanoTime() < deadline && !allDrained())
        {
            sleepQuietly(5);
        }
        // The last FINs need the engine a moment longer (their ACKs, a retransmission).
        sleepQuietly(50);
        engine.close();
        if (ctx.verbosity() > 0)
        {
            // What each lane did (packets, drops, frames another lane had to take): one line for logs and sweeps.
            System.err.println("engine counters: " + engine.nonZeroCounters());
            System.err.println("engine memory: " + engine.memoryReport());
        }
        closeNics();
    }

    /** Warming reads the store without its locks: only where one worker, then the store's one user, runs. */
    static boolean warmsBatches(final TasConfig config)
    {
        return config.warmBatches && config.appCores == 1;
    }

    private boolean allDrained()
    {
        for (final TasWorker worker : workers)
        {
            if (!worker.isDrained())
            {
                return false;
            }
        }
        return true;
    }

    private void closeNics()
    {
        CloseHelper.quietCloseAll(nics);
        nics.clear();
    }

    private static void sleepQuietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
