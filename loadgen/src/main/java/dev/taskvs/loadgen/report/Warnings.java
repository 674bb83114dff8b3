package dev.taskvs.loadgen.report;

import java.util.Locale;

import dev.taskvs.loadgen.LoadgenConfig;

/** The checks that tell a reader when a number should not be trusted, and why. */
public final class Warnings
{
    /** Fewer samples than this make p99.99 an interpolation between a handful of values. */
    public static final long SAMPLES_FOR_P9999 = 100_000;

    private Warnings()
    {
    }

    public static void check(final LoadgenConfig config, final RunResult r)
    {
        if (r.openLoop)
        {
            final double achieved = r.achievedRate();
            if (achieved < 0.95 * r.targetRate)
            {
                r.warnings.add(String.format(Locale.ROOT,
                    "target rate not reached: %,.0f of %,.0f requests/s offered (%.1f%%); the server or the " +
                    "generator could not keep up", achieved, r.targetRate, 100.0 * achieved / r.targetRate));
            }
            final double lagP99 = RunResult.us(r.lag, 99);
            final double latencyP99 = RunResult.us(r.latency, 99);
            if (lagP99 > Math.max(100, 0.1 * latencyP99))
            {
                r.warnings.add(String.format(Locale.ROOT,
                    "the generator is a bottleneck: its sends went out late (scheduler lag p99 %s, %,d sends " +
                    "more than 100 us late) while latency p99 is %s; add --threads or cores, or lower --rate",
                    Report.formatUs(lagP99), r.lateSends, Report.formatUs(latencyP99)));
            }
        }
        if (r.generatorCpuPercent > 90)
        {
            r.warnings.add(String.format(Locale.ROOT,
                "loadgen threads were busy %.0f%% of the time: the generator may be what limits throughput%s",
                r.generatorCpuPercent, config.idle == LoadgenConfig.Idle.SPIN ? " (expected with --idle spin)" : ""));
        }
        if (r.laneBurstSize > 0 && r.laneBursts >= 1000 && r.fullBurstPercent() > 50)
        {
            // A lane that keeps up with its wire rarely finds more frames than one poll takes.
            r.warnings.add(String.format(Locale.ROOT,
                "the generator's engine lanes filled %.0f%% of their receive polls: they may be what limits " +
                "throughput; give them more cores (--stack-cores)", r.fullBurstPercent()));
        }
        if (r.gcCount > 0)
        {
            r.warnings.add(String.format(Locale.ROOT, "%d GC collection(s) (%d ms) during the measurement", r.gcCount,
                r.gcMillis));
        }
        if (r.generatorAllocatedBytes > 1024 * 1024)
        {
            r.warnings.add(String.format(Locale.ROOT, "loadgen threads allocated %,d bytes while measuring",
                r.generatorAllocatedBytes));
        }
        if (r.latency.getTotalCount() < SAMPLES_FOR_P9999)
        {
            r.warnings.add(String.format(Locale.ROOT,
                "%,d samples: p99.99 needs at least %,d to mean much; run longer", r.latency.getTotalCount(),
                SAMPLES_FOR_P9999));
        }
        if (r.connectionsOpen < r.connectionsWanted)
        {
            r.warnings.add(String.format(Locale.ROOT, "only %,d of %,d connections were open at the end",
                r.connectionsOpen, r.connectionsWanted));
        }
        if (r.errorsTotal() > 0)
        {
            r.warnings.add("errors were counted (see above): the run FAILS");
        }
    }
}
