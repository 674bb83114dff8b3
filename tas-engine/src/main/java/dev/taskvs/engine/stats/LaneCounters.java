package dev.taskvs.engine.stats;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The counters one fast-path lane keeps, each an Agrona {@link AtomicCounter} with a single writer (the lane),
 * so updates are plain ordered stores and any thread can read them.
 */
public final class LaneCounters
{
    /** Labels (after "PREFIX: ") that tools outside the lane read back by name. */
    public static final String SEGMENTS_RECEIVED = "segments received";
    public static final String RECEIVE_BURSTS = "receive bursts (polls that found frames)";
    public static final String FULL_BURSTS = "full receive bursts (frames were left waiting)";

    public final AtomicCounter segmentsReceived;
    public final AtomicCounter segmentsSent;
    public final AtomicCounter bytesReceived;
    public final AtomicCounter bytesSent;
    public final AtomicCounter acksSent;
    public final AtomicCounter delayedAcksSent;
    public final AtomicCounter delayedAcksCarried;
    public final AtomicCounter toSlowPath;
    public final AtomicCounter slowPathQueueFull;
    public final AtomicCounter steered;
    public final AtomicCounter outOfOrder;
    public final AtomicCounter outOfOrderDropped;
    public final AtomicCounter unacceptable;
    public final AtomicCounter challengeAcks;
    public final AtomicCounter goBackN;
    public final AtomicCounter timeoutRetransmits;
    public final AtomicCounter retransmittedBytes;
    public final AtomicCounter noAckFlag;
    public final AtomicCounter badCommands;
    public final AtomicCounter appQueueFull;
    public final AtomicCounter txNoRoom;
    public final AtomicCounter ackBeyondSent;
    /**
     * Receive polls that found frames. Segments received over these is about the mean burst a duty cycle handles
     * (frames for the slow path, such as SYNs and ARP, count in bursts but not in segments).
     */
    public final AtomicCounter receiveBursts;
    /**
     * Receive polls that filled the whole burst: frames were waiting beyond it, so the lane is behind its wire.
     * Over {@link #receiveBursts}, how near the lane is to being the limit (a lane that keeps up rarely fills one).
     */
    public final AtomicCounter fullBursts;
    /**
     * Bumps from the apps (a flow's TX bytes committed and RX bytes consumed, one message). Over requests served,
     * 1 when each answer's bump also carried its request's release.
     */
    public final AtomicCounter appBumps;

    /**
     * @param counters where to allocate them.
     * @param prefix   label prefix, such as "engine lane 0".
     */
    public LaneCounters(final CountersManager counters, final String prefix)
    {
        segmentsReceived = counters.newCounter(prefix + ": " + SEGMENTS_RECEIVED);
        segmentsSent = counters.newCounter(prefix + ": segments sent");
        bytesReceived = counters.newCounter(prefix + ": payload bytes received in order");
        bytesSent = counters.newCounter(prefix + ": payload bytes sent");
        acksSent = counters.newCounter(prefix + ": pure ACKs sent");
        delayedAcksSent = counters.newCounter(prefix + ": delayed ACKs sent alone (no answer in time)");
        delayedAcksCarried = counters.newCounter(prefix + ": delayed ACKs left to a queued answer");
        toSlowPath = counters.newCounter(prefix + ": frames to slow path");
        slowPathQueueFull = counters.newCounter(prefix + ": drops: slow-path queue full");
        steered = counters.newCounter(prefix + ": frames steered to another lane");
        outOfOrder = counters.newCounter(prefix + ": out-of-order segments kept");
        outOfOrderDropped = counters.newCounter(prefix + ": drops: out-of-order beyond the interval");
        unacceptable = counters.newCounter(prefix + ": drops: outside the receive window (ACKed)");
        challengeAcks = counters.newCounter(prefix + ": challenge ACKs (RFC 5961)");
        goBackN = counters.newCounter(prefix + ": go-back-N on three duplicate ACKs");
        timeoutRetransmits = counters.newCounter(prefix + ": go-back-N on timeout");
        retransmittedBytes = counters.newCounter(prefix + ": bytes retransmitted");
        noAckFlag = counters.newCounter(prefix + ": drops: segment without ACK flag");
        badCommands = counters.newCounter(prefix + ": drops: invalid app or slow-path command");
        appQueueFull = counters.newCounter(prefix + ": app event queue full (retried)");
        txNoRoom = counters.newCounter(prefix + ": transmit ring full (retried)");
        ackBeyondSent = counters.newCounter(prefix + ": drops: ACK beyond SND.MAX");
        receiveBursts = counters.newCounter(prefix + ": " + RECEIVE_BURSTS);
        fullBursts = counters.newCounter(prefix + ": " + FULL_BURSTS);
        appBumps = counters.newCounter(prefix + ": app bumps (TX committed and RX consumed, one message)");
    }
}
