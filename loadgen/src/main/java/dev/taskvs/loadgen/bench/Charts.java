package dev.taskvs.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.taskvs.loadgen.report.Svg;

/**
 * The bench's plots as SVG: grouped throughput bars, latency percentile curves (loadgen's {@link Svg} from the
 * .hgrm files loadgen wrote), throughput against connections on a log axis for the connection sweep, and
 * throughput against cores for the core-scaling sweep ({@link ScalingPlot}).
 */
public final class Charts
{
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 110;

    private Charts()
    {
    }

    /** A latency percentile series from an HdrHistogram .hgrm file (values in microseconds). */
    public static Svg.Series percentileSeries(final String name, final Path hgrm) throws IOException
    {
        final Svg.Series s = new Svg.Series(name);
        for (final String line : Files.readAllLines(hgrm))
        {
            final String t = line.trim();
            if (t.isEmpty() || t.startsWith("#") || !Character.isDigit(t.charAt(0)))
            {
                continue;
            }
            final String[] f = t.split("\\s+");
            if (f.length < 4)
            {
                continue;
            }
            final double value = Double.parseDouble(f[0]);
            final double p = Double.parseDouble(f[1]);
            if (p >= 1.0)
            {
                break;
            }
            s.add(Math.log10(1.0 / (1.0 - p)), value);
        }
        return s;
    }

    /** Grouped bars: one group per label in {@code groups}, one bar per series (values[series][group]). */
    public static String bars(final String title, final String yName, final List<String> groups,
        final List<String> series, final double[][] values)
    {
        double max = 0;
        for (final double[] row : values)
        {
            for (final double v : row)
            {
                if (!Double.isNaN(v))
                {
                    max = Math.max(max, v);
                }
            }
        }
        final double yMax = niceMax(max);
        final int w = WIDTH - LEFT - RIGHT;
        final int h = HEIGHT - TOP - BOTTOM;
        final StringBuilder b = header(title);
        axes(b, yName, yMax, w, h);
        final double groupWidth = (double)w / groups.size();
        final double barWidth = groupWidth * 0.8 / Math.max(1, series.size());
        for (int g = 0; g < groups.size(); g++)
        {
            final double x0 = LEFT + g * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < series.size(); s++)
            {
                final double v = values[s][g];
                final double x = x0 + s * barWidth;
                if (Double.isNaN(v))
                {
                    b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" " +
                        "font-size=\"10\">n/a</text>%n", x + barWidth / 2, TOP + h - 4));
                    continue;
                }
                final double bh = h * v / yMax;
                b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" " +
                    "fill=\"%s\"/>%n", x + 1, TOP + h - bh, barWidth - 2, bh, COLORS[s % COLORS.length]));
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" " +
                    "font-size=\"10\">%s</text>%n", x + barWidth / 2, TOP + h - bh - 3, compact(v)));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + (g + 0.5) * groupWidth, TOP + h + 18, escape(groups.get(g))));
        }
        legend(b, series, TOP + h + 40);
        b.append("</svg>\n");
        return b.toString();
    }

    /** Lines over a log10 x axis (connections), y linear from 0. */
    public static String logXLines(final String title, final String xName, final String yName,
        final List<String> series, final List<double[][]> points)
    {
        return lines(title, xName, yName, series, points, true, null);
    }

    /**
     * Lines over a linear x axis with ticks at whole numbers (cores; at most about 16 of them), y linear from 0.
     * A series whose {@code markersOnly} entry is true is drawn as points without a line.
     */
    public static String linearLines(final String title, final String xName, final String yName,
        final List<String> series, final List<double[][]> points, final boolean[] markersOnly)
    {
        return lines(title, xName, yName, series, points, false, markersOnly);
    }

    private static String lines(final String title, final String xName, final String yName,
        final List<String> series, final List<double[][]> points, final boolean logX, final boolean[] markersOnly)
    {
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double maxY = 0;
        for (final double[][] ps : points)
        {
            for (final double[] p : ps)
            {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (maxX <= 0)
        {
            minX = 1;
            maxX = 10;
        }
        final double lo = logX ? Math.floor(Math.log10(minX)) : Math.floor(minX);
        final double hi = logX ? Math.max(lo + 1, Math.ceil(Math.log10(maxX))) : Math.max(lo + 1, Math.ceil(maxX));
        final double yMax = niceMax(maxY);
        final int w = WIDTH - LEFT - RIGHT;
        final int h = HEIGHT - TOP - BOTTOM;
        final StringBuilder b = header(title);
        axes(b, yName, yMax, w, h);
        final double step = logX ? 1 : Math.max(1, Math.ceil((hi - lo) / 16));
        for (double d = lo; d <= hi; d += step)
        {
            final double x = LEFT + w * (d - lo) / (hi - lo);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + h));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                TOP + h + 18, String.format(Locale.ROOT, "%,.0f", logX ? Math.pow(10, d) : d)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + w / 2, TOP + h + 36, escape(xName)));
        for (int s = 0; s < series.size(); s++)
        {
            final StringBuilder pts = new StringBuilder();
            for (final double[] p : points.get(s))
            {
                final double x = LEFT + w * ((logX ? Math.log10(p[0]) : p[0]) - lo) / (hi - lo);
                final double y = TOP + h - h * p[1] / yMax;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
                    COLORS[s % COLORS.length]));
            }
            if (markersOnly == null || !markersOnly[s])
            {
                b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" " +
                    "points=\"%s\"/>%n", COLORS[s % COLORS.length], pts.toString().trim()));
            }
        }
        legend(b, series, TOP + h + 56);
        b.append("</svg>\n");
        return b.toString();
    }

    private static StringBuilder header(final String title)
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT,
            escape(title)));
        return b;
    }

    private static void axes(final StringBuilder b, final String yName, final double yMax, final int w, final int h)
    {
        for (int i = 0; i <= 5; i++)
        {
            final double y = TOP + h - h * i / 5.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + w, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, compact(yMax * i / 5)));
        }
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#333\"/>%n", LEFT, TOP, w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 %d)\">%s</text>%n", TOP + h / 2, TOP + h / 2, escape(yName)));
    }

    private static void legend(final StringBuilder b, final List<String> series, final int y0)
    {
        for (int s = 0; s < series.size(); s++)
        {
            final int x = LEFT + (s % 3) * 260;
            final int y = y0 + (s / 3) * 18;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>%n",
                x, y - 9, COLORS[s % COLORS.length]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 20, y,
                escape(series.get(s))));
        }
    }

    /** 1.2M, 340k, 12. */
    static String compact(final double v)
    {
        if (v >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4)
        {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v >= 1e3)
        {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static double niceMax(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 2, 2.5, 5, 10})
        {
            if (m * p >= v)
            {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static List<String> labels(final List<Row> rows)
    {
        final List<String> l = new ArrayList<>();
        rows.forEach(r -> l.add(r.kind.label));
        return l;
    }
}
