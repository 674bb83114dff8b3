package dev.taskvs.loadgen.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.taskvs.loadgen.protocol.ErrorKind;
import org.HdrHistogram.Histogram;

/** Everything one measured phase produced; the reports read it, nothing writes it after the phase. */
public final class RunResult
{
    /** One second of the measured window. */
    public static final class Interval
    {
        public final double atSeconds;
        public final long completed;
        public final double p50Us;
        public final double p99Us;
        public final double maxUs;

        public Interval(final double atSeconds, final long completed, final Histogram h)
        {
            this.atSeconds = atSeconds;
            this.completed = completed;
            this.p50Us = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0;
            this.p99Us = h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0;
            this.maxUs = h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
        }
    }

    public Map<String, Object> configuration;
    public boolean openLoop;
    /** Offered rate asked for (requests/s); 0 in closed loop. */
    public double targetRate;
    public double warmupSeconds;
    public double durationSeconds;
    public int connectionsOpen;
    public int connectionsWanted;

    public final Histogram latency;
    public final Histogram getLatency;
    public final Histogram setLatency;
    public final Histogram service;
    public final Histogram lag;

    public long measuredSent;
    public long measuredCompleted;
    public long gets;
    public long sets;
    public long keysRequested;
    public long hits;
    public long misses;
    public long bytesOut;
    public long bytesIn;
    public long lateSends;
    public long reconnects;
    public final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);

    public double generatorCpuPercent;
    /** On the engine: frames a lane takes per poll at most; 0 on kernel sockets (the lane figures are unset). */
    public int laneBurstSize;
    /** On the engine, over the measured window, summed over the lanes: polls that found frames. */
    public long laneBursts;
    /** ... polls that filled the whole burst (frames were left waiting). */
    public long laneFullBursts;
    /** ... segments received. */
    public long laneSegments;
    public long generatorAllocatedBytes = -1;
    public long gcCount;
    public long gcMillis;
    public final List<Interval> timeSeries = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();

    /** @return the share of the lanes' receive polls that were full, in per cent (0 with no polls). */
    public double fullBurstPercent()
    {
        return laneBursts == 0 ? 0 : 100.0 * laneFullBursts / laneBursts;
    }

    /** @return segments the lanes received per poll that found frames (0 with no polls). */
    public double segmentsPerBurst()
    {
        return laneBursts == 0 ? 0 : (double)laneSegments / laneBursts;
    }

    public RunResult(final Histogram latency, final Histogram getLatency, final Histogram setLatency,
        final Histogram service, final Histogram lag)
    {
        this.latency = latency;
        this.getLatency = getLatency;
        this.setLatency = setLatency;
        this.service = service;
        this.lag = lag;
    }

    /** Completed measured requests per second. */
    public double opsPerSecond()
    {
        return measuredCompleted / durationSeconds;
    }

    /** Measured requests sent per second: the offered rate actually achieved. */
    public double achievedRate()
    {
        return measuredSent / durationSeconds;
    }

    public long errorsTotal()
    {
        long sum = 0;
        for (final long v : errors.values())
        {
            sum += v;
        }
        return sum;
    }

    /** Latency at a percentile, in microseconds. */
    public static double us(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    public static double maxUs(final Histogram h)
    {
        return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
    }

    public static double meanUs(final Histogram h)
    {
        return h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0;
    }
}
