package dev.taskvs.loadgen.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskvs.loadgen.protocol.ErrorKind;
import org.HdrHistogram.Histogram;

/** The machine-readable outputs: the JSON result, the .hgrm percentile distribution, the plots. */
public final class Outputs
{
    private Outputs()
    {
    }

    /** The JSON object of one run. */
    public static Map<String, Object> toJson(final RunResult r)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("configuration", r.configuration);
        m.put("mode", r.openLoop ? "open-loop" : "closed-loop");
        m.put("ops_per_sec", r.opsPerSecond());
        m.put("target_rate", r.targetRate);
        m.put("achieved_rate", r.achievedRate());
        m.put("target_reached", !r.openLoop || r.achievedRate() >= 0.95 * r.targetRate);
        m.put("duration_s", r.durationSeconds);
        m.put("requests", r.measuredCompleted);
        m.put("gets", r.gets);
        m.put("sets", r.sets);
        m.put("keys_requested", r.keysRequested);
        m.put("hits", r.hits);
        m.put("misses", r.misses);
        m.put("latency_us", percentiles(r.latency));
        m.put("get_latency_us", percentiles(r.getLatency));
        m.put("set_latency_us", percentiles(r.setLatency));
        m.put("service_time_us", percentiles(r.service));
        if (r.openLoop)
        {
            m.put("scheduler_lag_us", percentiles(r.lag));
            m.put("late_sends", r.lateSends);
        }
        m.put("errors", r.errorsTotal());
        final Map<String, Object> byKind = new LinkedHashMap<>();
        for (final ErrorKind k : ErrorKind.values())
        {
            byKind.put(k.jsonName(), r.errors.getOrDefault(k, 0L));
        }
        m.put("errors_by_kind", byKind);
        m.put("bytes_out", r.bytesOut);
        m.put("bytes_in", r.bytesIn);
        m.put("connections_open", r.connectionsOpen);
        m.put("reconnects", r.reconnects);
        final Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("cpu_percent_per_thread", r.generatorCpuPercent);
        gen.put("allocated_bytes_while_measuring", r.generatorAllocatedBytes);
        gen.put("gc_count", r.gcCount);
        gen.put("gc_ms", r.gcMillis);
        m.put("generator", gen);
        if (r.laneBurstSize > 0)
        {
            final Map<String, Object> lanes = new LinkedHashMap<>();
            lanes.put("burst_size", r.laneBurstSize);
            lanes.put("receive_bursts", r.laneBursts);
            lanes.put("full_bursts", r.laneFullBursts);
            lanes.put("full_burst_percent", r.fullBurstPercent());
            lanes.put("segments_per_burst", r.segmentsPerBurst());
            m.put("engine_lanes", lanes);
        }
        final List<Object> series = new ArrayList<>();
        for (final RunResult.Interval i : r.timeSeries)
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("t", i.atSeconds);
            s.put("ops", i.completed);
            s.put("p50_us", i.p50Us);
            s.put("p99_us", i.p99Us);
            s.put("max_us", i.maxUs);
            series.add(s);
        }
        m.put("time_series", series);
        m.put("warnings", r.warnings);
        m.put("passed", r.errorsTotal() == 0);
        return m;
    }

    static Map<String, Object> percentiles(final Histogram h)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("mean", RunResult.meanUs(h));
        m.put("p50", RunResult.us(h, 50));
        m.put("p90", RunResult.us(h, 90));
        m.put("p99", RunResult.us(h, 99));
        m.put("p999", RunResult.us(h, 99.9));
        m.put("p9999", RunResult.us(h, 99.99));
        m.put("max", RunResult.maxUs(h));
        return m;
    }

    public static void writeJson(final Path path, final Object json) throws IOException
    {
        Files.writeString(path, Json.write(json), StandardCharsets.UTF_8);
    }

    /** HdrHistogram's percentile distribution text, in microseconds. */
    public static void writeHgrm(final Path path, final Histogram h) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(path), false, StandardCharsets.UTF_8))
        {
            h.outputPercentileDistribution(out, 5, 1000.0);
        }
    }

    /** The percentile plot as SVG, or wrapped in an HTML page when the name ends in .html. */
    public static void writePlot(final Path path, final String svg, final String title) throws IOException
    {
        final String name = path.getFileName().toString().toLowerCase();
        final String text = name.endsWith(".html") || name.endsWith(".htm") ?
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + Svg.escape(title) +
            "</title></head>\n<body>\n" + svg + "</body></html>\n" : svg;
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
