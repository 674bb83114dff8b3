package dev.taskvs.engine.slowpath.cc;

/**
 * TIMELY (Mittal et al., SIGCOMM'15) with TAS's constants: below T_low add a step, above T_high cut by
 * beta (1 - T_high / rtt), in between follow the normalised RTT gradient; five consecutive increases
 * switch to hyperactive increase (five steps). Slow start doubles until the RTT passes (T_low + T_high)/2.
 */
public final class Timely implements CongestionControl
{
    public static final int T_LOW_US = 30;
    public static final int T_HIGH_US = 150;
    public static final int STEP_KBPS = 10_000;
    public static final int INITIAL_KBPS = 10_000;
    public static final int MIN_KBPS = 10_000;
    public static final int MIN_RTT_US = 11;
    public static final double ALPHA = 0.02;
    public static final double BETA = 0.8;

    @Override
    public void init(final CcState state)
    {
        state.rateKbps = INITIAL_KBPS;
        state.slowStart = true;
        state.previousRttUs = 0;
        state.rttDiffUs = 0;
        state.increaseStreak = 0;
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
        final int previous = state.previousRttUs == 0 ? rttUs : state.previousRttUs;
        state.previousRttUs = rttUs;
        state.rttDiffUs = (1 - ALPHA) * state.rttDiffUs + ALPHA * (rttUs - previous);
        final double gradient = state.rttDiffUs / MIN_RTT_US;

        if (drops > 0)
        {
            state.slowStart = false;
            rate /= 2;
        }
        else if (state.slowStart && rttUs < (T_LOW_US + T_HIGH_US) / 2)
        {
            rate *= 2;
        }
        else
        {
            state.slowStart = false;
            if (rttUs < T_LOW_US)
            {
                rate += STEP_KBPS;
                state.increaseStreak = 0;
            }
            else if (rttUs > T_HIGH_US)
            {
                rate *= Math.max(0.5, 1 - BETA * (1 - (double)T_HIGH_US / rttUs));
                state.increaseStreak = 0;
            }
            else if (gradient <= 0)
            {
                state.increaseStreak++;
                rate += state.increaseStreak >= 5 ? 5 * STEP_KBPS : STEP_KBPS;
            }
            else
            {
                rate *= Math.max(0.5, 1 - BETA * gradient);
                state.increaseStreak = 0;
            }
        }
        if (rate > state.rateKbps)
        {
            // Grow only while the flow uses at least half its rate (see DctcpRate); cuts apply in full.
            rate = Math.max(state.rateKbps, Math.min(rate, Math.max(2 * actual, MIN_KBPS)));
        }
        state.rateKbps = CcState.clampRate(rate, MIN_KBPS);
    }
}
