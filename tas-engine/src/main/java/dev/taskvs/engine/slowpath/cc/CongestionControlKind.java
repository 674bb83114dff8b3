package dev.taskvs.engine.slowpath.cc;

/** The congestion-control algorithms the slow path can run; each sets a per-flow rate on a control interval. */
public enum CongestionControlKind
{
    /** DCTCP over ECN, enforced as a rate (TAS's default "dctcp-rate"). */
    DCTCP_RATE,
    /** TIMELY: RTT-gradient based (Mittal et al., SIGCOMM'15), as TAS implements it. */
    TIMELY,
    /** A fixed rate from configuration; 0 means unlimited (window-limited only). */
    CONST_RATE;

    /**
     * @param constRateKbps rate for {@link #CONST_RATE}.
     * @return a new instance of the algorithm.
     */
    public CongestionControl create(final int constRateKbps)
    {
        switch (this)
        {
            case DCTCP_RATE: return new DctcpRate();
            case TIMELY: return new Timely();
            default: return new ConstRate(constRateKbps);
        }
    }
}
