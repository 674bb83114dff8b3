package dev.taskvs.engine.slowpath.cc;

/**
 * DCTCP (RFC 8257) as a rate, after TAS's "dctcp-rate": slow start doubles the rate each interval until the
 * first loss or ECN mark; a loss halves it; otherwise alpha follows the fraction of ECN-marked bytes with
 * gain 1/16, a marked interval multiplies the rate by (1 - alpha/2), an unmarked one adds a fixed step.
 * Without congestion signals the rate grows only while the flow uses at least half of it, and never shrinks.
 */
public final class DctcpRate implements CongestionControl
{
    public static final int INITIAL_KBPS = 10_000;
    public static final int STEP_KBPS = 10_000;
    public static final int MIN_KBPS = 10_000;
    public static final double GAIN = 1.0 / 16;

    @Override
    public void init(final CcState state)
    {
        state.rateKbps = INITIAL_KBPS;
        state.slowStart = true;
        state.alpha = 0;
    }

    /**
     * No loss, no ECN mark and a delivery rate over the interval of at most half the rate: the step would cut
     * nothing and grow nothing (the rate grows only for a flow that uses at least half of it), unless the average
     * of earlier intervals was higher. Skipping the step also skips its alpha decay and rate measurement: an
     * app-limited flow keeps the alpha and the average it had, until a step runs again.
     */
    @Override
    public boolean quiet(final long ackedBytes, final long ecnBytes, final int drops, final int rateKbps,
        final long intervalNs)
    {
        return drops == 0 && ecnBytes == 0 && rateKbps > 0 &&
            2 * (ackedBytes * 8_000_000.0 / Math.max(intervalNs, 1)) <= rateKbps;
    }

    @Override
    public void update(
        final CcState state, final long ackedBytes, final long ecnBytes, final int drops, final int rttUs,
        final long intervalNs)
    {
        if (ackedBytes == 0 && drops == 0)
        {
            return;
        }
        final double actual = state.measure(ackedBytes, intervalNs);
        double rate = state.rateKbps;
        if (drops > 0)
        {
            state.slowStart = false;
            rate /= 2;
        }
        else
        {
            final double fraction = ackedBytes == 0 ? 0 : (double)ecnBytes / ackedBytes;
            state.alpha = state.alpha * (1 - GAIN) + GAIN * fraction;
            if (ecnBytes > 0)
            {
                state.slowStart = false;
                rate *= 1 - state.alpha / 2;
            }
            else
            {
                rate = state.slowStart ? rate * 2 : rate + STEP_KBPS;
                // TAS clamps to 1.2 x the measured rate, which drags an app-limited flow (request/response) down
                // to the floor and then paces its bursts. Here a flow without congestion signals never loses
                // rate, and only grows while it uses at least half of it.
                rate = Math.max(state.rateKbps, Math.min(rate, Math.max(2 * actual, MIN_KBPS)));
            }
        }
        state.rateKbps = CcState.clampRate(rate, MIN_KBPS);
    }
}
