package dev.taskvs.loadgen;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskvs.client.Protocol;
import dev.taskvs.loadgen.workload.Arrivals;
import dev.taskvs.loadgen.workload.KeyChooser;
import dev.taskvs.loadgen.workload.KeySpace;
import dev.taskvs.loadgen.workload.ValueContent;
import dev.taskvs.loadgen.workload.ValueSizes;

/**
 * Every setting of a run with its default. {@link #conclude()} checks ranges once, before any thread starts, and
 * builds the shared read-only workload (key space, popularity, value sizes and content). Errors name the option
 * and the accepted range.
 */
public final class LoadgenConfig
{
    /** How a worker waits when nothing is due. */
    public enum Idle
    {
        /** Always poll without waiting: the most accurate send times, one busy core per thread. */
        SPIN,
        /** Block in the selector while the next send is a millisecond or more away, then poll. */
        HYBRID,
        /** Always block (millisecond timer resolution): sends may go out up to 1 ms late, shown as lag. */
        BLOCK
    }

    public static final int MAX_CONNECTIONS = 1_000_000;
    public static final int MAX_THREADS = 1024;
    public static final int MAX_PIPELINE = 4096;
    public static final int MAX_MULTIGET = 1024;

    public List<InetSocketAddress> servers = new ArrayList<>(List.of(new InetSocketAddress("127.0.0.1", 11211)));
    public String stack = "kernel";
    /** With {@code stack = "tas"}: how to build the engine (from the engine's own options on the command line). */
    public dev.taskvs.loadgen.stack.EngineStack.Settings engine;
    public int connections = 16;
    public int threads = 1;
    public int pipeline = 1;
    public Protocol protocol = Protocol.TEXT;
    public int keys = 100_000;
    public int keySize = 16;
    public String keyDist = "uniform";
    public String valueSize = "64";
    public double getRatio = 0.9;
    public int multiget = 1;
    /** Offered requests per second over all connections; 0 runs closed loop. */
    public double rate;
    public Arrivals arrivals = Arrivals.POISSON;
    public long warmupNs = TimeUnit.SECONDS.toNanos(1);
    public long durationNs = TimeUnit.SECONDS.toNanos(10);
    public boolean preload = true;
    public boolean preloadOnly;
    /** New connections per second over all threads (paced, to stay under the server's accept backlog). */
    public double connectRate = 5000;
    public long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    /** After the last scheduled send, how long requests may take to complete before they count as timeouts. */
    public long drainTimeoutNs = TimeUnit.SECONDS.toNanos(2);
    public Idle idle = Idle.HYBRID;
    public long seed = 42;
    public boolean progress = true;
    public Path json;
    public Path hgrm;
    public Path hdrLog;
    public Path plot;
    public boolean sweep;
    public int sweepSteps = 8;
    /** Highest offered rate of a sweep; 0 measures the closed-loop peak first and sweeps to 120% of it. */
    public double sweepMax;

    private KeySpace keySpace;
    private KeyChooser keyChooser;
    private ValueContent valueContent;

    public LoadgenConfig conclude()
    {
        require(!servers.isEmpty(), "--server", "at least one host:port");
        require(connections >= 1 && connections <= MAX_CONNECTIONS, "--connections", connections,
            "1.." + MAX_CONNECTIONS);
        require(threads >= 1 && threads <= MAX_THREADS, "--threads", threads, "1.." + MAX_THREADS);
        require(threads <= connections, "--threads", threads, "<= --connections (" + connections + ")");
        require(pipeline >= 1 && pipeline <= MAX_PIPELINE, "--pipeline", pipeline, "1.." + MAX_PIPELINE);
        require(multiget >= 1 && multiget <= MAX_MULTIGET, "--multiget", multiget, "1.." + MAX_MULTIGET);
        require(multiget <= keys, "--multiget", multiget, "<= --keys (" + keys + ")");
        require(getRatio >= 0 && getRatio <= 1, "--get-ratio", getRatio, "0..1");
        require(rate >= 0 && rate <= 1e9, "--rate", rate, "0 (closed loop) .. 1e9 requests/s");
        require(warmupNs >= 0, "--warmup", warmupNs, ">= 0");
        require(durationNs >= TimeUnit.MILLISECONDS.toNanos(100) && durationNs <= TimeUnit.DAYS.toNanos(7),
            "--duration", durationNs / 1e9 + "s", "100ms..7d");
        require(connectRate >= 1, "--connect-rate", connectRate, ">= 1 connection/s");
        require(connectTimeoutNs > 0, "--connect-timeout", connectTimeoutNs, "> 0");
        require(drainTimeoutNs >= 0, "--drain-timeout", drainTimeoutNs, ">= 0");
        require(sweepSteps >= 2 && sweepSteps <= 100, "--sweep-steps", sweepSteps, "2..100");
        require(sweepMax >= 0, "--sweep-max", sweepMax, ">= 0");
        require(!(sweep && rate > 0), "--sweep", "used without --rate (the sweep chooses the rates)");
        keySpace = new KeySpace(keys, keySize);
        keyChooser = KeyChooser.parse(keyDist, keys);
        final ValueSizes sizes = ValueSizes.parse(valueSize);
        valueContent = new ValueContent(sizes, seed);
        return this;
    }

    static void require(final boolean ok, final String option, final Object value, final String range)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(option + " = " + value + " is out of range: must be " + range);
        }
    }

    static void require(final boolean ok, final String option, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(option + " must be " + rule);
        }
    }

    /** Connections of worker {@code worker}: global connections {@code worker, worker + threads, ...}. */
    public int connectionsOf(final int worker)
    {
        return connections / threads + (worker < connections % threads ? 1 : 0);
    }

    public boolean openLoop()
    {
        return rate > 0;
    }

    public KeySpace keySpace()
    {
        return keySpace;
    }

    public KeyChooser keyChooser()
    {
        return keyChooser;
    }

    public ValueContent valueContent()
    {
        return valueContent;
    }

    /** The settings as printed in the report header and the JSON {@code configuration} block. */
    public Map<String, Object> describe()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        final List<String> s = new ArrayList<>();
        for (final InetSocketAddress a : servers)
        {
            s.add(a.getHostString() + ":" + a.getPort());
        }
        m.put("servers", s);
        m.put("stack", stack);
        if (engine != null)
        {
            m.put("engine", engine.nicDescription);
        }
        m.put("protocol", protocol.name().toLowerCase());
        m.put("mode", rate > 0 ? "open-loop" : "closed-loop");
        m.put("rate", rate);
        m.put("arrivals", arrivals.name().toLowerCase());
        m.put("connections", connections);
        m.put("threads", threads);
        m.put("pipeline", pipeline);
        m.put("keys", keys);
        m.put("key_size", keySize);
        m.put("key_dist", keyDist);
        m.put("value_size", valueSize);
        m.put("get_ratio", getRatio);
        m.put("multiget", multiget);
        m.put("warmup_s", warmupNs / 1e9);
        m.put("duration_s", durationNs / 1e9);
        m.put("preload", preload);
        m.put("idle", idle.name().toLowerCase());
        m.put("seed", seed);
        return m;
    }
}
