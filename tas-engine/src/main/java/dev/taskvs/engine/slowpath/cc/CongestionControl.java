package dev.taskvs.engine.slowpath.cc;

/**
 * A rate-based congestion-control algorithm run by the slow path once per control interval per flow, over the
 * statistics the fast path keeps in the flow record (TAS section 4.4). Implementations keep their per-flow
 * state in {@link CcState}; one instance serves every flow.
 */
public interface CongestionControl
{
    /** @param state per-flow state to initialise; sets {@link CcState#rateKbps}. */
    void init(CcState state);

    /**
     * One control step.
     *
     * @param state      per-flow state; the new rate goes to {@link CcState#rateKbps} (0 = unlimited).
     * @param ackedBytes bytes ACKed in the interval.
     * @param ecnBytes   of those, bytes ACKed with ECE.
     * @param drops      go-back-N resets (duplicate ACKs or timeouts) in the interval.
     * @param rttUs      the fast path's RTT estimate in microseconds, 0 when unknown.
     * @param intervalNs length of the interval.
     */
    void update(CcState state, long ackedBytes, long ecnBytes, int drops, int rttUs, long intervalNs);

    /**
     * Whether nothing in these counters calls for a change of the flow's rate, so the slow path may skip the step
     * (the interval still ends there). It is asked without the flow's {@link CcState}: skipping saves loading that
     * state, which with thousands of app-limited connections is a cache miss per visit.
     *
     * @param ackedBytes bytes ACKed in the interval.
     * @param ecnBytes   of those, bytes ACKed with ECE.
     * @param drops      go-back-N resets in the interval.
     * @param rateKbps   the flow's current rate in kbit/s (0 = unlimited).
     * @param intervalNs length of the interval.
     * @return true to skip the step; the default never skips.
     */
    default boolean quiet(long ackedBytes, long ecnBytes, int drops, int rateKbps, long intervalNs)
    {
        return false;
    }
}
