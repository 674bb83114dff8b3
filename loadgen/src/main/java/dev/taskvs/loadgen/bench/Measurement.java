package dev.taskvs.loadgen.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One loadgen run as the bench keeps it: from its JSON output, plus the server's CPU over the measured window. */
public final class Measurement
{
    public double opsPerSec;
    public double targetRate;
    public double achievedRate;
    public double p50;
    public double p99;
    public double p999;
    public double p9999;
    public double max;
    public long requests;
    public long errors;
    public double loadgenCpuPercent;
    /** On the engine, the share of loadgen's lanes' receive polls that were full (its lanes the limit near 100). */
    public double loadgenLanesFullPercent = Double.NaN;
    /** Server CPU per request over whole progress seconds of the measured window, microseconds; NaN if unknown. */
    public double serverCpuUsPerRequest = Double.NaN;
    /** Server CPU over the same window as a share of one core (100 = one core busy). */
    public double serverCpuPercent = Double.NaN;
    public Path hgrm;
    /** How many loadgen processes (and servers) the run was split over; 1 but for a sharded sweep point. */
    public int processes = 1;

    /** Fills the fields loadgen wrote: {@code ops_per_sec}, {@code latency_us.*}, {@code errors}, ... */
    public static Measurement fromJson(final String json)
    {
        final Measurement m = new Measurement();
        m.opsPerSec = number(json, "ops_per_sec", 0);
        m.targetRate = number(json, "target_rate", 0);
        m.achievedRate = number(json, "achieved_rate", 0);
        m.requests = (long)number(json, "requests", 0);
        m.errors = (long)number(json, "errors", 0);
        final int latency = json.indexOf("\"latency_us\"");
        if (latency < 0)
        {
            throw new IllegalArgumentException("no latency_us in loadgen's JSON");
        }
        m.p50 = number(json, "p50", latency);
        m.p99 = number(json, "p99", latency);
        m.p999 = number(json, "p999", latency);
        m.p9999 = number(json, "p9999", latency);
        m.max = number(json, "max", latency);
        final int gen = json.indexOf("\"generator\"");
        m.loadgenCpuPercent = gen < 0 ? Double.NaN : number(json, "cpu_percent_per_thread", gen);
        final int lanes = json.indexOf("\"engine_lanes\"");
        m.loadgenLanesFullPercent = lanes < 0 ? Double.NaN : number(json, "full_burst_percent", lanes);
        return m;
    }

    /**
     * Several loadgens' results as one (a sweep point split over processes): rates, requests and errors summed,
     * latency percentiles and the maximum the worst of them, the generator's CPU the mean.
     */
    static Measurement combine(final List<Measurement> parts)
    {
        final Measurement m = new Measurement();
        double cpu = 0;
        for (final Measurement p : parts)
        {
            m.opsPerSec += p.opsPerSec;
            m.targetRate += p.targetRate;
            m.achievedRate += p.achievedRate;
            m.requests += p.requests;
            m.errors += p.errors;
            m.p50 = Math.max(m.p50, p.p50);
            m.p99 = Math.max(m.p99, p.p99);
            m.p999 = Math.max(m.p999, p.p999);
            m.p9999 = Math.max(m.p9999, p.p9999);
            m.max = Math.max(m.max, p.max);
            cpu += p.loadgenCpuPercent;
        }
        m.loadgenCpuPercent = cpu / parts.size();
        m.hgrm = parts.get(0).hgrm;
        m.processes = parts.size();
        return m;
    }

    /** The first {@code "key": number} at or after {@code from}. */
    static double number(final String json, final String key, final int from)
    {
        final Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":\\s*(-?[0-9.eE+]+|null)").matcher(json);
        if (!m.find(from))
        {
            throw new IllegalArgumentException("no \"" + key + "\" in loadgen's JSON");
        }
        return "null".equals(m.group(1)) ? Double.NaN : Double.parseDouble(m.group(1));
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "%,.0f req/s, p50 %s p99 %s p99.99 %s, server CPU %s/req, errors %d%s",
            opsPerSec, Table.us(p50), Table.us(p99), Table.us(p9999), Table.cpu(serverCpuUsPerRequest), errors,
            Double.isNaN(loadgenLanesFullPercent) ? "" :
            String.format(Locale.ROOT, ", loadgen lanes %.0f%% full", loadgenLanesFullPercent)) +
            (processes > 1 ? ", " + processes + " server and " + processes + " loadgen processes" : "");
    }
}
