package dev.taskvs.loadgen.report;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** A minimal JSON writer for the result file: maps, lists, strings, numbers, booleans, null. */
public final class Json
{
    private Json()
    {
    }

    public static String write(final Object value)
    {
        final StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.append('\n').toString();
    }

    private static void write(final StringBuilder b, final Object v, final int indent)
    {
        if (v == null)
        {
            b.append("null");
        }
        else if (v instanceof Map)
        {
            final Map<?, ?> m = (Map<?, ?>)v;
            if (m.isEmpty())
            {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (final Map.Entry<?, ?> e : m.entrySet())
            {
                pad(b, indent + 2);
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), indent + 2);
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            pad(b, indent);
            b.append('}');
        }
        else if (v instanceof Collection)
        {
            final Collection<?> c = (Collection<?>)v;
            if (c.isEmpty())
            {
                b.append("[]");
                return;
            }
            b.append("[\n");
            int i = 0;
            for (final Object o : c)
            {
                pad(b, indent + 2);
                write(b, o, indent + 2);
                b.append(++i < c.size() ? ",\n" : "\n");
            }
            pad(b, indent);
            b.append(']');
        }
        else if (v instanceof Double || v instanceof Float)
        {
            final double d = ((Number)v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d))
            {
                b.append("null");
            }
            else if (d == Math.rint(d) && Math.abs(d) < 1e15)
            {
                b.append((long)d);
            }
            else
            {
                b.append(String.format(Locale.ROOT, "%.3f", d));
            }
        }
        else if (v instanceof Number || v instanceof Boolean)
        {
            b.append(v);
        }
        else
        {
            string(b, v.toString());
        }
    }

    private static void pad(final StringBuilder b, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            b.append(' ');
        }
    }

    private static void string(final StringBuilder b, final String s)
    {
        b.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char ch = s.charAt(i);
            switch (ch)
            {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20)
                    {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int)ch));
                    }
                    else
                    {
                        b.append(ch);
                    }
            }
        }
        b.append('"');
    }
}
