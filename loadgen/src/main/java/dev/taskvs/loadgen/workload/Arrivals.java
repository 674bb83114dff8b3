package dev.taskvs.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Inter-arrival gaps of an open-loop schedule. Poisson arrivals (exponential gaps) are the default: they model
 * independent clients and expose queueing that evenly spaced sends hide. Gaps are drawn one at a time as the
 * schedule advances, in nanoseconds, allocation-free.
 */
public enum Arrivals
{
    /** Exponential gaps with the given mean: a Poisson process. */
    POISSON
    {
        @Override
        public double gapNanos(final SplittableRandom random, final double meanNanos)
        {
            return -meanNanos * Math.log1p(-random.nextDouble());
        }
    },
    /** Evenly spaced sends. */
    FIXED
    {
        @Override
        public double gapNanos(final SplittableRandom random, final double meanNanos)
        {
            return meanNanos;
        }
    };

    public abstract double gapNanos(SplittableRandom random, double meanNanos);
}
