package dev.taskvs.engine.slowpath.cc;

/** Per-flow congestion-control state, kept by the slow path next to the connection. */
public final class CcState
{
    /** Current rate in kbit/s; 0 means unlimited. */
    public int rateKbps;
    public boolean slowStart = true;
    public double alpha;
    public double actualRateKbps;
    public int previousRttUs;
    public double rttDiffUs;
    public int increaseStreak;

    static int clampRate(final double rate, final int floor)
    {
        if (rate < floor)
        {
            return floor;
        }
        return rate > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)rate;
    }

    /** Measured delivery rate with TAS's EWMA (7/8), and the max of sample and average. */
    double measure(final long ackedBytes, final long intervalNs)
    {
        final double sample = ackedBytes * 8_000_000.0 / Math.max(intervalNs, 1);
        actualRateKbps = actualRateKbps == 0 ? sample : (7 * actualRateKbps + sample) / 8;
        return Math.max(sample, actualRateKbps);
    }
}
