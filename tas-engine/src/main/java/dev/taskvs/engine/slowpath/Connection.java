package dev.taskvs.engine.slowpath;

import dev.taskvs.engine.slowpath.cc.CcState;

/** The slow path's view of one connection: state machine, negotiated options, timers, congestion control. */
final class Connection
{
    TcpState state;
    int flowId = -1;
    /** Position in the slow path's dense list of connections with a flow id; -1 when not in it. */
    int liveIndex = -1;
    int generation;
    long key;
    int lane;
    int remoteIp;
    int localPort;
    int remotePort;
    long remoteMac;
    int arpTarget;
    int contextId;
    long token;
    Listener listener;

    int iss;
    int irs;
    int peerMss = 536;
    int sndShift;
    int rcvShift;
    boolean windowScaling;
    boolean timestamps;
    boolean sackPermitted;
    boolean ecn;
    int tsRecent;
    int peerWindow;

    long timerId = Long.MIN_VALUE;
    int retries;

    boolean registered;
    boolean appClosed;
    boolean appNotified;
    boolean removing;
    int finalEvent;
    int finalReason;

    /** Congestion control; its step and timer bookkeeping live in the slow path's {@link ScanTable}. */
    final CcState cc = new CcState();

    /** Keepalive (RFC 9293 section 3.8.4): idle time before probing, 0 = off; the interval and the limit. */
    long keepaliveIdleNs;
    long keepaliveIntervalNs;
    int keepaliveProbes;
    int keepaliveProbesSent;
    long keepaliveTimerId = Long.MIN_VALUE;
    /** The lane's receive counter when last looked at, and when it was seen to change. */
    int rxSegmentsSeen;
    long lastReceivedNs;

    @Override
    public String toString()
    {
        return "Connection{flow=" + flowId + ", state=" + state + ", local=" + localPort + ", remote=" +
            dev.taskvs.engine.proto.Ipv4Address.toString(remoteIp) + ":" + remotePort + "}";
    }
}
