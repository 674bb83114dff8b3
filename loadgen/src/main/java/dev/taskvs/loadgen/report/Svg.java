package dev.taskvs.loadgen.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Plots drawn by hand as SVG, with no dependency: the latency percentile distribution in HdrHistogram's style (the
 * x axis is 1/(1-percentile) on a log scale, so the tail gets as much room as the median) and a sweep's
 * throughput-versus-latency curve.
 */
public final class Svg
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

    /** A named line of (x, y) points. */
    public static final class Series
    {
        final String name;
        final List<double[]> points = new ArrayList<>();

        public Series(final String name)
        {
            this.name = name;
        }

        public Series add(final double x, final double y)
        {
            points.add(new double[] {x, y});
            return this;
        }
    }

    private Svg()
    {
    }

    /** Percentile distribution points of a histogram: x = log10(1 / (1 - p)), y = latency in microseconds. */
    public static Series percentileSeries(final String name, final Histogram h)
    {
        final Series s = new Series(name);
        if (h.getTotalCount() == 0)
        {
            return s;
        }
        for (final HistogramIterationValue v : h.percentiles(5))
        {
            final double p = v.getPercentileLevelIteratedTo() / 100.0;
            if (p >= 1.0)
            {
                break;
            }
            s.add(Math.log10(1.0 / (1.0 - p)), h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
        }
        final double lastX = s.points.isEmpty() ? 0 : s.points.get(s.points.size() - 1)[0];
        s.add(Math.max(lastX, Math.log10(h.getTotalCount())), h.getMaxValue() / 1000.0);
        return s;
    }

    public static String percentilePlot(final String title, final List<Series> series)
    {
        double maxX = 2;
        double maxY = 0;
        for (final Series s : series)
        {
            for (final double[] p : s.points)
            {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxX = Math.min(Math.ceil(maxX), 7);
        final List<double[]> xTicks = new ArrayList<>();
        final List<String> xLabels = new ArrayList<>();
        final String[] names = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%"};
        for (int i = 0; i <= maxX; i++)
        {
            xTicks.add(new double[] {i});
            xLabels.add(names[i]);
        }
        return plot(title, "percentile", "latency (us)", series, 0, maxX, xTicks, xLabels, niceMax(maxY));
    }

    /** Throughput (x, requests/s) against latency (y, microseconds) for a sweep. */
    public static String sweepPlot(final String title, final List<Series> series)
    {
        double maxX = 0;
        double maxY = 0;
        for (final Series s : series)
        {
            for (final double[] p : s.points)
            {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        final double xMax = niceMax(maxX);
        final List<double[]> xTicks = new ArrayList<>();
        final List<String> xLabels = new ArrayList<>();
        for (int i = 0; i <= 5; i++)
        {
            xTicks.add(new double[] {xMax * i / 5});
            xLabels.add(String.format(Locale.ROOT, "%,.0f", xMax * i / 5));
        }
        return plot(title, "throughput (requests/s)", "latency (us)", series, 0, xMax, xTicks, xLabels,
            niceMax(maxY));
    }

    private static String plot(final String title, final String xName, final String yName, final List<Series> series,
        final double minX, final double maxX, final List<double[]> xTicks, final List<String> xLabels,
        final double maxY)
    {
        final int w = WIDTH - LEFT - RIGHT;
        final int h = HEIGHT - TOP - BOTTOM;
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT,
            escape(title)));
        for (int i = 0; i <= 5; i++)
        {
            final double v = maxY * i / 5;
            final double y = TOP + h - h * i / 5.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + w, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, trim(v)));
        }
        for (int i = 0; i < xTicks.size(); i++)
        {
            final double x = LEFT + w * (xTicks.get(i)[0] - minX) / (maxX - minX);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + h));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                TOP + h + 18, escape(xLabels.get(i))));
        }
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#333\"/>%n", LEFT, TOP, w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + w / 2, HEIGHT - 18, escape(xName)));
        b.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 %d)\">%s</text>%n", TOP + h / 2, TOP + h / 2, escape(yName)));
        int colour = 0;
        for (final Series s : series)
        {
            final String stroke = COLORS[colour % COLORS.length];
            final StringBuilder pts = new StringBuilder();
            for (final double[] p : s.points)
            {
                final double x = LEFT + w * (Math.min(p[0], maxX) - minX) / (maxX - minX);
                final double y = TOP + h - h * Math.min(p[1], maxY) / maxY;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" " +
                "points=\"%s\"/>%n", stroke, pts.toString().trim()));
            final int ly = TOP + 16 + 18 * colour;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" " +
                "stroke-width=\"3\"/>%n", LEFT + 12, ly - 4, LEFT + 36, ly - 4, stroke));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + 42, ly,
                escape(s.name)));
            colour++;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}. */
    static double niceMax(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 2, 5, 10})
        {
            if (m * p >= v)
            {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String trim(final double v)
    {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.1f", v);
    }

    static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
