package dev.taskvs.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plots of scripts/scaling/run-conn-sweep.sh: from its results.csv (one row per run), the median over the
 * rounds of requests/s and of the server's CPU per request against connections, one line per configuration, as
 * conn-sweep.svg and conn-sweep-cpu.svg in the same form as {@code ./kvs bench --conn-sweep}'s.
 *
 * <pre>java -cp ... dev.taskvs.loadgen.bench.ConnSweepPlot results.csv OUTDIR</pre>
 */
public final class ConnSweepPlot
{
    private static final Map<String, String> LABELS = Map.of("engine", "kvs-server engine, shm",
        "memcached", "memcached 1.6 (kernel)", "kernel", "kvs-server kernel", "responder",
        "loadgen's responder, shm (generator ceiling)");

    private ConnSweepPlot()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            System.err.println("usage: ConnSweepPlot RESULTS.csv OUTDIR");
            System.exit(2);
        }
        final List<String> csv = Files.readAllLines(Path.of(args[0]));
        final Path out = Path.of(args[1]);
        Files.writeString(out.resolve("conn-sweep.svg"), plot(csv, "ops_per_sec", "Requests/s against connections " +
            "(closed loop, pipeline 1, 64 B, 90% gets)", "requests/s"));
        Files.writeString(out.resolve("conn-sweep-cpu.svg"), plot(csv, "server_cpu_us_per_req", "Server CPU time " +
            "per request against connections (from /proc)", "us per request"));
    }

    static String plot(final List<String> csv, final String column, final String title, final String yName)
    {
        final Map<String, double[][]> series = medians(csv, column);
        final List<String> names = new ArrayList<>();
        series.keySet().forEach(config -> names.add(LABELS.getOrDefault(config, config)));
        return Charts.logXLines(title, "connections (log scale)", yName, names, new ArrayList<>(series.values()));
    }

    /**
     * Per configuration, in the order first seen (so each keeps its colour in both plots, also with nothing to
     * draw in one): {connections, median of column} over the ok rows that have a value, by count.
     */
    static Map<String, double[][]> medians(final List<String> csv, final String column)
    {
        final Map<String, double[][]> series = new LinkedHashMap<>();
        if (csv.isEmpty())
        {
            return series;
        }
        final Map<String, Integer> at = ScalingPlot.columns(csv.get(0));
        final Map<String, TreeMap<Integer, List<Double>>> values = new LinkedHashMap<>();
        for (final String line : csv.subList(1, csv.size()))
        {
            final String[] f = line.split(",", -1);
            if (f.length != at.size())
            {
                continue;
            }
            final TreeMap<Integer, List<Double>> byCount = values.computeIfAbsent(f[at.get("config")],
                c -> new TreeMap<>());
            if (!"ok".equals(f[at.get("status")]))
            {
                continue;
            }
            try
            {
                final double value = Double.parseDouble(f[at.get(column)]);
                byCount.computeIfAbsent(Integer.parseInt(f[at.get("connections")]), n -> new ArrayList<>()).add(value);
            }
            catch (final NumberFormatException noValue)
            {
                // empty (no CPU figure for that run) or unreadable: nothing to draw
            }
        }
        values.forEach((config, byCount) -> series.put(config, byCount.entrySet().stream()
            .map(e -> new double[] {e.getKey(), ConnSweep.median(e.getValue().stream().mapToDouble(Double::doubleValue)
                .toArray())}).toArray(double[][]::new)));
        return series;
    }
}
