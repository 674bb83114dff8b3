package dev.taskvs.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The core-scaling sweep's plot: scripts/scaling/run-scaling.sh calls it on its results.csv and gets requests/s
 * against N (fast-path lanes = app cores), beside the linear line from the first point, with the points where
 * the load generator, not the server, ran out of CPU drawn over in their own colour.
 *
 * <pre>java -cp ... dev.taskvs.loadgen.bench.ScalingPlot results.csv scaling.svg ["64 B values, pipeline 8"]</pre>
 */
public final class ScalingPlot
{
    /** loadgen's load threads at least this busy (its own figure): the point measures the generator. */
    static final double GENERATOR_BOUND_PERCENT = 95.0;

    /** One measured row of results.csv. */
    record Point(int cores, double opsPerSec, boolean generatorBound)
    {
    }

    private ScalingPlot()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 2 || args.length > 3)
        {
            System.err.println("usage: ScalingPlot RESULTS.csv OUT.svg [SETTINGS]");
            System.exit(2);
        }
        Files.writeString(Path.of(args[1]), svg(read(Files.readAllLines(Path.of(args[0]))),
            args.length == 3 ? args[2] : ""));
    }

    /** A results.csv header line's column names and their places; the sweeps' scripts write each name once. */
    static Map<String, Integer> columns(final String header)
    {
        final String[] names = header.split(",", -1);
        final Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < names.length; i++)
        {
            column.put(names[i], i);
        }
        return column;
    }

    /** The rows with status ok, in file order; skipped and failed points have no throughput to draw. */
    static List<Point> read(final List<String> csv)
    {
        final List<Point> points = new ArrayList<>();
        if (csv.isEmpty())
        {
            return points;
        }
        final Map<String, Integer> column = columns(csv.get(0));
        for (final String line : csv.subList(1, csv.size()))
        {
            final String[] f = line.split(",", -1);
            if (f.length != column.size() || !"ok".equals(f[column.get("status")]))
            {
                continue;
            }
            final Integer busyColumn = column.get("loadgen_thread_busy_pct");
            final String busy = busyColumn == null ? "" : f[busyColumn];
            try
            {
                points.add(new Point(Integer.parseInt(f[column.get("stack_cores")]),
                    Double.parseDouble(f[column.get("ops_per_sec")]),
                    !busy.isEmpty() && Double.parseDouble(busy) >= GENERATOR_BOUND_PERCENT));
            }
            catch (final NumberFormatException unreadable)
            {
                // A row the script could not fill in (a "null" from loadgen's JSON): it has nothing to draw.
            }
        }
        return points;
    }

    static String svg(final List<Point> points, final String settings)
    {
        final List<String> names = new ArrayList<>();
        final List<double[][]> series = new ArrayList<>();
        names.add("requests/s");
        series.add(points.stream().map(p -> new double[] {p.cores(), p.opsPerSec()}).toArray(double[][]::new));
        // Marked over the measured line: at these points the generator ran out of CPU first.
        names.add("generator-bound (" + (int)GENERATOR_BOUND_PERCENT + "%+ busy)");
        series.add(points.stream().filter(Point::generatorBound)
            .map(p -> new double[] {p.cores(), p.opsPerSec()}).toArray(double[][]::new));
        if (!points.isEmpty())
        {
            final Point first = points.get(0);
            final double perCore = first.opsPerSec() / first.cores();
            names.add(String.format(Locale.ROOT, "linear from N=%d", first.cores()));
            series.add(points.stream().map(p -> new double[] {p.cores(), perCore * p.cores()})
                .toArray(double[][]::new));
        }
        return Charts.linearLines("kvs-server on the engine: requests/s against cores" +
            (settings.isEmpty() ? "" : " (" + settings + ")"),
            "N = fast-path lanes = app cores (server on 2N CPUs)", "requests/s", names, series,
            new boolean[] {false, true, false});
    }
}
