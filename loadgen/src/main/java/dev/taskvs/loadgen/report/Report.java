package dev.taskvs.loadgen.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.taskvs.loadgen.protocol.ErrorKind;
import org.HdrHistogram.Histogram;

/** The human-readable table of a run, and of a sweep. */
public final class Report
{
    private Report()
    {
    }

    /** Microseconds with a unit that keeps 3-4 significant digits: 12.3us, 456us, 1.23ms, 2.50s. */
    public static String formatUs(final double us)
    {
        if (us < 100)
        {
            return String.format(Locale.ROOT, "%.1fus", us);
        }
        if (us < 10_000)
        {
            return String.format(Locale.ROOT, "%.0fus", us);
        }
        if (us < 10_000_000)
        {
            return String.format(Locale.ROOT, "%.2fms", us / 1000);
        }
        return String.format(Locale.ROOT, "%.2fs", us / 1_000_000);
    }

    public static String format(final RunResult r)
    {
        final StringBuilder b = new StringBuilder();
        final Map<String, Object> c = r.configuration;
        b.append(String.format(Locale.ROOT,
            "loadgen %s over %s to %s: %s connections x pipeline %s on %s thread(s), %s, %s keys (%s), values %s B, " +
            "get ratio %s, multiget %s%n",
            c.get("protocol"), c.get("stack"), c.get("servers"), c.get("connections"), c.get("pipeline"),
            c.get("threads"), r.openLoop ? String.format(Locale.ROOT, "open loop at %,.0f req/s (%s arrivals)",
            r.targetRate, c.get("arrivals")) : "closed loop", c.get("keys"), c.get("key_dist"), c.get("value_size"),
            c.get("get_ratio"), c.get("multiget")));
        b.append(String.format(Locale.ROOT, "measured %.1f s after %.1f s warm-up%n%n", r.durationSeconds,
            r.warmupSeconds));
        b.append(String.format(Locale.ROOT, "%-22s %12s %9s %9s %9s %9s %9s %9s %9s%n", "latency (" +
            (r.openLoop ? "from intended send" : "send to reply") + ")", "requests", "mean", "p50", "p90", "p99",
            "p99.9", "p99.99", "max"));
        row(b, "gets", r.getLatency);
        row(b, "sets", r.setLatency);
        row(b, "all", r.latency);
        row(b, "service time", r.service);
        if (r.openLoop)
        {
            row(b, "scheduler lag", r.lag);
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "throughput   %,.0f requests/s (%,.0f gets/s, %,.0f sets/s, %,.0f keys/s)%n",
            r.opsPerSecond(), r.gets / r.durationSeconds, r.sets / r.durationSeconds,
            r.keysRequested / r.durationSeconds));
        if (r.openLoop)
        {
            b.append(String.format(Locale.ROOT, "offered      %,.0f of %,.0f requests/s target (%.1f%%), %,d sends " +
                "more than 100us late%n", r.achievedRate(), r.targetRate, 100 * r.achievedRate() / r.targetRate,
                r.lateSends));
        }
        final long keys = r.hits + r.misses;
        b.append(String.format(Locale.ROOT, "hits         %,d of %,d keys (%.2f%%), misses %,d%n", r.hits, keys,
            keys == 0 ? 0 : 100.0 * r.hits / keys, r.misses));
        b.append(String.format(Locale.ROOT, "bytes        %.1f MB/s out, %.1f MB/s in%n",
            r.bytesOut / r.durationSeconds / 1e6, r.bytesIn / r.durationSeconds / 1e6));
        b.append("errors       ").append(errors(r.errors)).append('\n');
        b.append(String.format(Locale.ROOT, "generator    cpu %.0f%% per thread, %s allocated while measuring, " +
            "%d GC (%d ms), %d reconnects%n", r.generatorCpuPercent,
            r.generatorAllocatedBytes < 0 ? "unknown bytes" : String.format(Locale.ROOT, "%,d B",
            r.generatorAllocatedBytes), r.gcCount, r.gcMillis, r.reconnects));
        if (r.laneBurstSize > 0)
        {
            b.append(String.format(Locale.ROOT, "engine lanes %.1f%% of receive polls full (%,d of %,d), %.1f segments " +
                "a poll of %d at most%n", r.fullBurstPercent(), r.laneFullBursts, r.laneBursts,
                r.segmentsPerBurst(), r.laneBurstSize));
        }
        for (final String w : r.warnings)
        {
            b.append("WARNING: ").append(w).append('\n');
        }
        return b.toString();
    }

    static String errors(final Map<ErrorKind, Long> errors)
    {
        if (errors.isEmpty())
        {
            return "none";
        }
        final StringBuilder b = new StringBuilder();
        errors.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k.jsonName()).append('=').append(v));
        return b.toString();
    }

    private static void row(final StringBuilder b, final String name, final Histogram h)
    {
        b.append(String.format(Locale.ROOT, "%-22s %,12d %9s %9s %9s %9s %9s %9s %9s%n", name, h.getTotalCount(),
            formatUs(RunResult.meanUs(h)), formatUs(RunResult.us(h, 50)), formatUs(RunResult.us(h, 90)),
            formatUs(RunResult.us(h, 99)), formatUs(RunResult.us(h, 99.9)), formatUs(RunResult.us(h, 99.99)),
            formatUs(RunResult.maxUs(h))));
    }

    public static String formatSweep(final List<RunResult> steps)
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%-14s %14s %14s %9s %9s %9s %9s %7s%n", "sweep", "target req/s",
            "achieved req/s", "p50", "p99", "p99.9", "max", "errors"));
        for (final RunResult r : steps)
        {
            b.append(String.format(Locale.ROOT, "%-14s %,14.0f %,14.0f %9s %9s %9s %9s %7d%n", "", r.targetRate,
                r.opsPerSecond(), formatUs(RunResult.us(r.latency, 50)), formatUs(RunResult.us(r.latency, 99)),
                formatUs(RunResult.us(r.latency, 99.9)), formatUs(RunResult.maxUs(r.latency)), r.errorsTotal()));
        }
        return b.toString();
    }
}
