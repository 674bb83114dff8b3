package dev.taskvs.engine.stats;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/** Counters of the slow path (single writer: the slow-path agent). */
public final class SlowPathCounters
{
    public final AtomicCounter activeFlows;
    public final AtomicCounter timeWaitFlows;
    public final AtomicCounter synReceived;
    public final AtomicCounter synBacklogDrops;
    public final AtomicCounter synCookiesSent;
    public final AtomicCounter synCookiesAccepted;
    public final AtomicCounter synCookiesRejected;
    public final AtomicCounter noFlowIds;
    public final AtomicCounter connectionsAccepted;
    public final AtomicCounter connectionsOpened;
    public final AtomicCounter connectFailures;
    public final AtomicCounter resetsSent;
    public final AtomicCounter resetsReceived;
    public final AtomicCounter retransmitTimeouts;
    public final AtomicCounter retransmitLimitResets;
    public final AtomicCounter zeroWindowProbes;
    public final AtomicCounter synRetransmits;
    public final AtomicCounter arpRequestsSent;
    public final AtomicCounter arpRepliesSent;
    public final AtomicCounter icmpEchoReplies;
    public final AtomicCounter unexpectedSegments;
    public final AtomicCounter deferredMessages;
    public final AtomicCounter ecnMarkedBytes;
    public final AtomicCounter rateCuts;
    public final AtomicCounter keepaliveProbes;
    public final AtomicCounter keepaliveResets;

    public SlowPathCounters(final CountersManager counters, final String prefix)
    {
        activeFlows = counters.newCounter(prefix + ": active flows");
        timeWaitFlows = counters.newCounter(prefix + ": flows in TIME_WAIT");
        synReceived = counters.newCounter(prefix + ": SYNs received");
        synBacklogDrops = counters.newCounter(prefix + ": drops: SYN backlog full");
        synCookiesSent = counters.newCounter(prefix + ": SYN cookies sent");
        synCookiesAccepted = counters.newCounter(prefix + ": connections opened from SYN cookies");
        synCookiesRejected = counters.newCounter(prefix + ": ACKs with no connection and no valid cookie");
        noFlowIds = counters.newCounter(prefix + ": drops: no free flow id");
        connectionsAccepted = counters.newCounter(prefix + ": connections accepted");
        connectionsOpened = counters.newCounter(prefix + ": connections opened");
        connectFailures = counters.newCounter(prefix + ": connect failures");
        resetsSent = counters.newCounter(prefix + ": RSTs sent");
        resetsReceived = counters.newCounter(prefix + ": RSTs accepted");
        retransmitTimeouts = counters.newCounter(prefix + ": retransmission timeouts");
        retransmitLimitResets = counters.newCounter(prefix + ": resets after the retransmission limit");
        zeroWindowProbes = counters.newCounter(prefix + ": zero-window probes");
        synRetransmits = counters.newCounter(prefix + ": SYN and SYN-ACK retransmissions");
        arpRequestsSent = counters.newCounter(prefix + ": ARP requests sent");
        arpRepliesSent = counters.newCounter(prefix + ": ARP replies sent");
        icmpEchoReplies = counters.newCounter(prefix + ": ICMP echo replies");
        unexpectedSegments = counters.newCounter(prefix + ": drops: unexpected segments");
        deferredMessages = counters.newCounter(prefix + ": messages deferred on a full queue");
        ecnMarkedBytes = counters.newCounter(prefix + ": bytes ACKed with ECN echo (CC input)");
        rateCuts = counters.newCounter(prefix + ": congestion-control rate cuts");
        keepaliveProbes = counters.newCounter(prefix + ": keepalive probes");
        keepaliveResets = counters.newCounter(prefix + ": resets after keepalive probes");
    }
}
