package dev.taskvs.engine.slowpath;

/**
 * What the slow path's scan keeps per connection, one 48-byte entry per connection in the same dense order as the
 * slow path's list of live connections: the flow id, whether the scan may act on the flow, and the congestion
 * control and retransmission timer bookkeeping. A visit that finds nothing to do reads its entry and the flow
 * record's transmit line, and not the {@link Connection} object with its congestion state (four to five more
 * lines, which with tens of thousands of connections come from memory and push the fast path's lines out of the
 * caches). The scan walks the entries in order, so the hardware prefetches them.
 * <p>
 * Entry layout, six longs: flow id | flags; last control step (ns); last progress (ns); ACKed bytes | ECN bytes
 * at the last control step; drops at the last control step | ACKed bytes the timer last saw; timer (bit 31
 * running, the rest the back-off count).
 */
final class ScanTable
{
    /** The flow is registered, not being removed and not in TIME_WAIT: the scan works on it. */
    static final int ELIGIBLE = 1;
    /** Keepalive is on: every visit looks at the connection's receive counter. */
    static final int KEEPALIVE = 1 << 1;

    private static final int STRIDE = 6;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final int TIMER_RUNNING = 1 << 31;

    private final long[] words;

    ScanTable(final int capacity)
    {
        words = new long[capacity * STRIDE];
    }

    /** A connection joins the list at {@code index}: nothing seen yet, every clock at {@code nowNs}. */
    void init(final int index, final int flowId, final long nowNs)
    {
        final int at = index * STRIDE;
        words[at] = (long)flowId << 32;
        words[at + 1] = nowNs;
        words[at + 2] = nowNs;
        words[at + 3] = 0;
        words[at + 4] = 0;
        words[at + 5] = 0;
    }

    /** The entry at {@code from} moves to {@code to} (the list fills a hole with its last connection). */
    void move(final int from, final int to)
    {
        System.arraycopy(words, from * STRIDE, words, to * STRIDE, STRIDE);
    }

    int flowId(final int index)
    {
        return (int)(words[index * STRIDE] >>> 32);
    }

    int flags(final int index)
    {
        return (int)words[index * STRIDE];
    }

    void flags(final int index, final int flags)
    {
        final int at = index * STRIDE;
        words[at] = (words[at] & ~LOW) | (flags & LOW);
    }

    long lastCcNs(final int index)
    {
        return words[index * STRIDE + 1];
    }

    long lastProgressNs(final int index)
    {
        return words[index * STRIDE + 2];
    }

    void lastProgressNs(final int index, final long ns)
    {
        words[index * STRIDE + 2] = ns;
    }

    int lastAcked(final int index)
    {
        return (int)(words[index * STRIDE + 3] >>> 32);
    }

    int lastEcn(final int index)
    {
        return (int)words[index * STRIDE + 3];
    }

    int lastDrops(final int index)
    {
        return (int)(words[index * STRIDE + 4] >>> 32);
    }

    /** A control step ran now over these counter values, or was found to have nothing to change. */
    void controlled(final int index, final long nowNs, final int acked, final int ecn, final int drops)
    {
        final int at = index * STRIDE;
        words[at + 1] = nowNs;
        words[at + 3] = ((long)acked << 32) | (ecn & LOW);
        words[at + 4] = ((long)drops << 32) | (words[at + 4] & LOW);
    }

    int rtoAcked(final int index)
    {
        return (int)words[index * STRIDE + 4];
    }

    void rtoAcked(final int index, final int acked)
    {
        final int at = index * STRIDE + 4;
        words[at] = (words[at] & ~LOW) | (acked & LOW);
    }

    boolean timerRunning(final int index)
    {
        return ((int)words[index * STRIDE + 5] & TIMER_RUNNING) != 0;
    }

    int rtoBackoffs(final int index)
    {
        return (int)words[index * STRIDE + 5] & ~TIMER_RUNNING;
    }

    /** @param backoffs timeouts since the last progress, 0..{@code Integer.MAX_VALUE >> 1}. */
    void timer(final int index, final boolean running, final int backoffs)
    {
        final int at = index * STRIDE + 5;
        words[at] = (words[at] & ~LOW) | ((backoffs | (running ? TIMER_RUNNING : 0)) & LOW);
    }
}
