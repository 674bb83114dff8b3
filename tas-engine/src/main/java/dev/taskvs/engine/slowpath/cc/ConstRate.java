package dev.taskvs.engine.slowpath.cc;

/** A fixed rate from configuration; 0 leaves flows limited only by the peer's window. */
public final class ConstRate implements CongestionControl
{
    private final int rateKbps;

    public ConstRate(final int rateKbps)
    {
        this.rateKbps = rateKbps;
    }

    @Override
    public void init(final CcState state)
    {
        state.rateKbps = rateKbps;
    }

    @Override
    public void update(
        final CcState state, final long ackedBytes, final long ecnBytes, final int drops, final int rttUs,
        final long intervalNs)
    {
        state.rateKbps = rateKbps;
    }
}
