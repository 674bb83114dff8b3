package dev.taskvs.loadgen.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * The value-size distribution. A size is a pure function of a 64-bit hash (of key and version), so the verifier
 * recomputes the size a stored value must have instead of remembering it. Specs:
 * <ul>
 * <li>{@code 64}: fixed;</li>
 * <li>{@code 32-512}: uniform over the range;</li>
 * <li>{@code 64:9,256:1}: weighted list of sizes;</li>
 * <li>{@code normal:MEAN,SD}, {@code exp:MEAN}, {@code gpareto:LOC,SCALE,SHAPE}: continuous, rounded and clamped
 * to {@code [0, MAX_VALUE_SIZE]};</li>
 * <li>{@code fb_value}: Facebook ETC value sizes (Atikoglu et al., SIGMETRICS 2012, as mutilate's
 * {@code fb_value}: a table for 0-14 bytes and a generalized Pareto tail).</li>
 * </ul>
 */
public final class ValueSizes
{
    /** Largest value generated: memcached's default 1 MB item less room for the key and header. */
    public static final int MAX_VALUE_SIZE = 1024 * 1024 - 512;

    private static final double UNIT = 0x1.0p-53;
    /** mutilate Generator.cc: P(size) for sizes 0..14 of fb_value, the rest follows the GPareto tail. */
    private static final double[] FB_VALUE_SMALL = {
        0.00536, 0.00047, 0.17820, 0.09239, 0.00018, 0.02740, 0.00065, 0.00606, 0.00023, 0.00837, 0.00837,
        0.08989, 0.00092, 0.00326, 0.01980};

    private enum Kind
    {
        FIXED, RANGE, WEIGHTED, NORMAL, EXPONENTIAL, GPARETO, FB_VALUE
    }

    private final String spec;
    private final Kind kind;
    private final int min;
    private final int max;
    private final int[] sizes;
    private final double[] cumulative;
    private final double a;
    private final double b;
    private final double c;

    private ValueSizes(final String spec, final Kind kind, final int min, final int max, final int[] sizes,
        final double[] cumulative, final double a, final double b, final double c)
    {
        this.spec = spec;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.sizes = sizes;
        this.cumulative = cumulative;
        this.a = a;
        this.b = b;
        this.c = c;
    }

    public static ValueSizes fixed(final int size)
    {
        return parse(Integer.toString(size));
    }

    /** @throws IllegalArgumentException naming {@code --value-size}, the spec and the accepted forms. */
    public static ValueSizes parse(final String spec)
    {
        final String s = spec.trim().toLowerCase();
        try
        {
            if (s.equals("fb_value"))
            {
                return new ValueSizes(spec, Kind.FB_VALUE, 0, MAX_VALUE_SIZE, null, null, 15, 214.476, 0.348238);
            }
            if (s.startsWith("normal:"))
            {
                final double[] p = numbers(s.substring(7), 2);
                require(p[0] >= 0 && p[1] >= 0, spec, "mean and sd must be >= 0");
                return new ValueSizes(spec, Kind.NORMAL, 0, MAX_VALUE_SIZE, null, null, p[0], p[1], 0);
            }
            if (s.startsWith("exp:"))
            {
                final double[] p = numbers(s.substring(4), 1);
                require(p[0] > 0, spec, "the mean must be > 0");
                return new ValueSizes(spec, Kind.EXPONENTIAL, 0, MAX_VALUE_SIZE, null, null, p[0], 0, 0);
            }
            if (s.startsWith("gpareto:"))
            {
                final double[] p = numbers(s.substring(8), 3);
                require(p[1] > 0 && p[0] >= 0, spec, "loc must be >= 0 and scale > 0");
                return new ValueSizes(spec, Kind.GPARETO, 0, MAX_VALUE_SIZE, null, null, p[0], p[1], p[2]);
            }
            if (s.contains(":"))
            {
                final List<int[]> entries = new ArrayList<>();
                for (final String part : s.split(","))
                {
                    final String[] sw = part.split(":");
                    require(sw.length == 2, spec, "each entry is SIZE:WEIGHT");
                    entries.add(new int[] {size(sw[0], spec), Integer.parseInt(sw[1].trim())});
                }
                final int[] sizes = new int[entries.size()];
                final double[] cumulative = new double[entries.size()];
                double total = 0;
                for (final int[] e : entries)
                {
                    require(e[1] >= 0, spec, "weights must be >= 0");
                    total += e[1];
                }
                require(total > 0, spec, "the weights must not all be 0");
                double sum = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int i = 0; i < sizes.length; i++)
                {
                    sizes[i] = entries.get(i)[0];
                    sum += entries.get(i)[1];
                    cumulative[i] = sum / total;
                    min = Math.min(min, sizes[i]);
                    max = Math.max(max, sizes[i]);
                }
                cumulative[sizes.length - 1] = 1.0;
                return new ValueSizes(spec, Kind.WEIGHTED, min, max, sizes, cumulative, 0, 0, 0);
            }
            final int dash = s.indexOf('-');
            if (dash > 0)
            {
                final int lo = size(s.substring(0, dash), spec);
                final int hi = size(s.substring(dash + 1), spec);
                require(lo <= hi, spec, "the range MIN-MAX needs MIN <= MAX");
                return new ValueSizes(spec, Kind.RANGE, lo, hi, null, null, 0, 0, 0);
            }
            final int fixed = size(s, spec);
            return new ValueSizes(spec, Kind.FIXED, fixed, fixed, null, null, 0, 0, 0);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(usage(spec, "not a number: " + ex.getMessage()));
        }
    }

    private static String usage(final String spec, final String why)
    {
        return "--value-size " + spec + ": " + why + "; accepted: N, MIN-MAX, N:W,N:W..., normal:MEAN,SD, exp:MEAN, " +
            "gpareto:LOC,SCALE,SHAPE, fb_value, with sizes in 0.." + MAX_VALUE_SIZE;
    }

    private static void require(final boolean ok, final String spec, final String why)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(usage(spec, why));
        }
    }

    private static int size(final String text, final String spec)
    {
        final long v = Long.parseLong(text.trim());
        require(v >= 0 && v <= MAX_VALUE_SIZE, spec, "size " + v + " is out of range");
        return (int)v;
    }

    private static double[] numbers(final String text, final int count)
    {
        final String[] parts = text.split(",");
        if (parts.length != count)
        {
            throw new NumberFormatException("expected " + count + " comma-separated numbers in '" + text + "'");
        }
        final double[] out = new double[count];
        for (int i = 0; i < count; i++)
        {
            out[i] = Double.parseDouble(parts[i].trim());
        }
        return out;
    }

    /** The size for a 64-bit hash; the same hash always gives the same size. */
    public int size(final long hash)
    {
        switch (kind)
        {
            case FIXED:
                return min;
            case RANGE:
                return min + (int)((hash >>> 11) * UNIT * (max - min + 1));
            case WEIGHTED:
            {
                final double u = (hash >>> 11) * UNIT;
                for (int i = 0; i < cumulative.length; i++)
                {
                    if (u < cumulative[i])
                    {
                        return sizes[i];
                    }
                }
                return sizes[sizes.length - 1];
            }
            case NORMAL:
            {
                // Box-Muller from two 26-bit uniforms taken from the one hash.
                final double u1 = ((hash >>> 38) + 1) * 0x1.0p-26;
                final double u2 = ((hash >>> 12) & 0x3FF_FFFF) * 0x1.0p-26;
                final double z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
                return clamp(a + b * z);
            }
            case EXPONENTIAL:
                return clamp(-a * Math.log1p(-(hash >>> 11) * UNIT));
            case GPARETO:
                return clamp(gpareto((hash >>> 11) * UNIT, a, b, c));
            default:
                return fbValue((hash >>> 11) * UNIT);
        }
    }

    private static double gpareto(final double u, final double loc, final double scale, final double shape)
    {
        if (shape == 0)
        {
            return loc - scale * Math.log1p(-u);
        }
        return loc + scale * (Math.pow(1.0 - u, -shape) - 1.0) / shape;
    }

    private int fbValue(final double u)
    {
        double sum = 0;
        for (int i = 0; i < FB_VALUE_SMALL.length; i++)
        {
            sum += FB_VALUE_SMALL[i];
            if (u < sum)
            {
                return i;
            }
        }
        // Rescale the remaining probability mass onto the tail.
        final double tailU = (u - sum) / (1.0 - sum);
        return clamp(gpareto(Math.min(tailU, 0.999999), a, b, c));
    }

    private static int clamp(final double v)
    {
        if (!(v > 0))
        {
            return 0;
        }
        return v >= MAX_VALUE_SIZE ? MAX_VALUE_SIZE : (int)Math.round(v);
    }

    /** The smallest size the distribution can give. */
    public int min()
    {
        return min;
    }

    /** The largest size the distribution can give. */
    public int max()
    {
        return max;
    }

    public String spec()
    {
        return spec;
    }

    @Override
    public String toString()
    {
        return spec;
    }
}
