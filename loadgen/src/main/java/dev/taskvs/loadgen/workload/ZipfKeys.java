package dev.taskvs.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Zipf popularity: key of rank {@code k} (1-based; key index {@code k - 1}) is drawn with probability proportional
 * to {@code 1 / k^s}. Sampled in O(1) without a table by rejection-inversion (W. Hörmann and G. Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), the
 * method Apache Commons RNG uses, so 100 million keys cost no memory and every draw is allocation-free.
 */
public final class ZipfKeys implements KeyChooser
{
    private final int keys;
    private final double skew;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double s;

    public ZipfKeys(final int keys, final double skew)
    {
        this.keys = keys;
        this.skew = skew;
        hIntegralX1 = hIntegral(1.5) - 1.0;
        hIntegralN = hIntegral(keys + 0.5);
        s = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    @Override
    public int next(final SplittableRandom random)
    {
        while (true)
        {
            final double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            final double x = hIntegralInverse(u);
            int k = (int)(x + 0.5);
            if (k < 1)
            {
                k = 1;
            }
            else if (k > keys)
            {
                k = keys;
            }
            if (k - x <= s || u >= hIntegral(k + 0.5) - h(k))
            {
                return k - 1;
            }
        }
    }

    /** The exact probability of the key of 1-based rank {@code rank}, for tests. */
    public double probability(final int rank)
    {
        double norm = 0;
        for (int k = 1; k <= keys; k++)
        {
            norm += Math.pow(k, -skew);
        }
        return Math.pow(rank, -skew) / norm;
    }

    @Override
    public KeyChooser copy()
    {
        return this;
    }

    @Override
    public String describe()
    {
        return "zipf:" + skew;
    }

    /** H(x) = integral of h from 1 to x, written to stay accurate when the skew is near 1. */
    private double hIntegral(final double x)
    {
        final double logX = Math.log(x);
        return helper2((1.0 - skew) * logX) * logX;
    }

    private double h(final double x)
    {
        return Math.exp(-skew * Math.log(x));
    }

    private double hIntegralInverse(final double x)
    {
        double t = x * (1.0 - skew);
        if (t < -1.0)
        {
            t = -1.0;
        }
        return Math.exp(helper1(t) * x);
    }

    /** log(1 + x) / x, with its series near 0. */
    private static double helper1(final double x)
    {
        return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** (exp(x) - 1) / x, with its series near 0. */
    private static double helper2(final double x)
    {
        return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
    }
}
