package dev.taskvs.loadgen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The result table (text and Markdown) and the targets of issue 7 item 4, computed from the rows. */
public final class Table
{
    /** Target ratios, engine path against memcached in the same run. */
    public static final double THROUGHPUT_TARGET = 3.0;
    public static final double CPU_TARGET = 0.25;

    private Table()
    {
    }

    static String us(final double us)
    {
        if (Double.isNaN(us))
        {
            return "-";
        }
        if (us >= 10_000)
        {
            return String.format(Locale.ROOT, "%.1f ms", us / 1000);
        }
        if (us >= 1000)
        {
            return String.format(Locale.ROOT, "%.2f ms", us / 1000);
        }
        return String.format(Locale.ROOT, "%.0f us", us);
    }

    static String cpu(final double us)
    {
        return Double.isNaN(us) ? "-" : String.format(Locale.ROOT, "%.2f us", us);
    }

    static String rate(final double r)
    {
        return String.format(Locale.ROOT, "%,.0f", r);
    }

    /** The header and one line per row: saturation, then the open-loop latency at the fixed rate. */
    public static List<String[]> cells(final List<Row> rows)
    {
        final List<String[]> out = new ArrayList<>();
        out.add(new String[] {"configuration", "value", "req/s at saturation", "server CPU/req (sat.)",
            "p99 (sat.)", "open-loop rate", "p50", "p99", "p99.9", "p99.99", "server CPU/req (open)", "errors"});
        for (final Row r : rows)
        {
            if (!r.measured())
            {
                out.add(new String[] {r.kind.label, r.valueSize + " B", r.status == null ? "failed" : r.status,
                    "", "", "", "", "", "", "", "", ""});
                continue;
            }
            final Measurement s = r.saturation();
            final Measurement o = r.open;
            long errors = 0;
            for (final Measurement m : r.closed)
            {
                errors += m.errors;
            }
            errors += o == null ? 0 : o.errors;
            String sat = rate(s.opsPerSec);
            if (r.closed.size() > 1)
            {
                final StringBuilder all = new StringBuilder();
                for (final Measurement m : r.closed)
                {
                    all.append(all.length() == 0 ? "" : " / ").append(Charts.compact(m.opsPerSec));
                }
                sat += " (" + all + ")";
            }
            out.add(new String[] {r.kind.label, r.valueSize + " B", sat, cpu(s.serverCpuUsPerRequest), us(s.p99),
                o == null ? "-" : rate(o.targetRate) + (o.achievedRate < 0.95 * o.targetRate ?
                    " (reached " + rate(o.achievedRate) + ")" : ""),
                o == null ? "-" : us(o.p50), o == null ? "-" : us(o.p99), o == null ? "-" : us(o.p999),
                o == null ? "-" : us(o.p9999), o == null ? "-" : cpu(o.serverCpuUsPerRequest), Long.toString(errors)});
        }
        return out;
    }

    public static String text(final List<String[]> cells)
    {
        final int[] width = new int[cells.get(0).length];
        for (final String[] row : cells)
        {
            for (int i = 0; i < row.length; i++)
            {
                if (i == 2 && (row[i].startsWith("skipped") || row[i].startsWith("failed")))
                {
                    continue;
                }
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        final StringBuilder b = new StringBuilder();
        for (final String[] row : cells)
        {
            for (int i = 0; i < row.length; i++)
            {
                final boolean status = row[i].startsWith("skipped") || row[i].startsWith("failed");
                b.append(String.format(Locale.ROOT, i < 2 || status ? "%-" + width[i] + "s  " : "%" + width[i] + "s  ",
                    row[i]));
            }
            b.setLength(b.length() - 2);
            b.append('\n');
        }
        return b.toString().replaceAll(" +\n", "\n");
    }

    public static String markdown(final List<String[]> cells)
    {
        final StringBuilder b = new StringBuilder();
        for (int r = 0; r < cells.size(); r++)
        {
            b.append("| ").append(String.join(" | ", cells.get(r))).append(" |\n");
            if (r == 0)
            {
                b.append("|---|---|");
                for (int i = 2; i < cells.get(0).length; i++)
                {
                    b.append("---:|");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    static Row find(final List<Row> rows, final Setup.Kind kind, final int size)
    {
        for (final Row r : rows)
        {
            if (r.kind == kind && r.valueSize == size)
            {
                return r;
            }
        }
        return null;
    }

    /**
     * The targets of issue 7 item 4 for each engine configuration that was measured, as Markdown table rows
     * (target | value size | ratio | met).
     */
    public static List<String[]> targets(final List<Row> rows, final List<Integer> sizes)
    {
        final List<String[]> out = new ArrayList<>();
        out.add(new String[] {"engine path", "target", "value", "measured", "met?"});
        for (final Setup.Kind kind : new Setup.Kind[] {Setup.Kind.KVS_SHM, Setup.Kind.KVS_MEMIF, Setup.Kind.KVS_VETH})
        {
            for (final int size : sizes)
            {
                final Row e = find(rows, kind, size);
                final Row m = find(rows, Setup.Kind.MEMCACHED, size);
                if (e == null || m == null || !e.measured() || !m.measured())
                {
                    continue;
                }
                final Measurement es = e.saturation();
                final Measurement ms = m.saturation();
                final double tput = es.opsPerSec / ms.opsPerSec;
                out.add(new String[] {kind.label, "throughput >= 3x memcached", size + " B",
                    String.format(Locale.ROOT, "%.2fx (%s vs %s req/s)", tput, rate(es.opsPerSec), rate(ms.opsPerSec)),
                    tput >= THROUGHPUT_TARGET ? "yes" : "no"});
                final double cpu = es.serverCpuUsPerRequest / ms.serverCpuUsPerRequest;
                out.add(new String[] {kind.label, "server CPU/request <= 1/4 of memcached's", size + " B",
                    Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.2fx (%s vs %s)", cpu,
                        cpu(es.serverCpuUsPerRequest), cpu(ms.serverCpuUsPerRequest)),
                    Double.isNaN(cpu) ? "unknown" : cpu <= CPU_TARGET ? "yes" : "no"});
                if (e.open != null && m.open != null)
                {
                    out.add(new String[] {kind.label, "p99 below memcached's at " + rate(m.open.targetRate) + " req/s",
                        size + " B", us(e.open.p99) + " vs " + us(m.open.p99), e.open.p99 < m.open.p99 &&
                        e.open.achievedRate >= 0.95 * e.open.targetRate ? "yes" : "no"});
                    out.add(new String[] {kind.label, "p99.99 below memcached's at " + rate(m.open.targetRate) +
                        " req/s", size + " B", us(e.open.p9999) + " vs " + us(m.open.p9999),
                        e.open.p9999 < m.open.p9999 && e.open.achievedRate >= 0.95 * e.open.targetRate ? "yes" : "no"});
                }
            }
        }
        return out;
    }

    /** A Markdown table of any cells (first row the header; numeric columns are not right-aligned). */
    public static String plainMarkdown(final List<String[]> cells)
    {
        final StringBuilder b = new StringBuilder();
        for (int r = 0; r < cells.size(); r++)
        {
            b.append("| ").append(String.join(" | ", cells.get(r))).append(" |\n");
            if (r == 0)
            {
                b.append("|").append("---|".repeat(cells.get(0).length)).append('\n');
            }
        }
        return b.toString();
    }
}
