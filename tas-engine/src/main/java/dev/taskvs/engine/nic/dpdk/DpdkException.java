package dev.taskvs.engine.nic.dpdk;

/**
 * A DPDK setup step failed: EAL init, a device that did not probe, a port that would not configure or start.
 * The message names the step and its arguments, the error DPDK returned, and the lines EAL logged meanwhile
 * (EAL explains most failures only in its log, e.g. "Could not open AF_PACKET socket").
 */
public final class DpdkException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int error;

    /**
     * @param message what failed, with its arguments and EAL's log.
     * @param error   the positive errno DPDK returned, or 0 when none applies.
     */
    public DpdkException(final String message, final int error)
    {
        super(message);
        this.error = error;
    }

    /** @return the positive errno DPDK returned, or 0. */
    public int error()
    {
        return error;
    }
}
