package dev.taskvs.loadgen.worker;

import java.net.InetSocketAddress;

import dev.taskvs.client.codec.ResponseDecoder;
import org.agrona.MutableDirectBuffer;

/**
 * One connection's state inside its worker: buffers, the in-flight window (a ring of {@code pipeline} slots in
 * request order, since memcached answers in order), and its open-loop schedule. Owned by one thread.
 */
final class Conn
{
    static final int CLOSED = 0;
    static final int CONNECTING = 1;
    static final int OPEN = 2;

    static final byte GET = 0;
    static final byte SET = 1;

    final int id;
    final InetSocketAddress server;
    int state = CLOSED;
    long connectStartedAt;
    long reconnectAt = Long.MAX_VALUE;

    MutableDirectBuffer out;
    int outEnd;
    /** Bytes encoded in place in the stack's TX ring and not yet committed (zero-copy stacks only). */
    int txPending;
    /** Ring offset where the txPending bytes start and the room there, asked once per commit (an empty ring
     * may start over elsewhere when asked, which would strand bytes written and not yet committed). */
    int txStart;
    int txRoom;
    boolean writeBlocked;
    MutableDirectBuffer in;
    int inStart;
    int inEnd;
    final ResponseDecoder decoder;

    // The window: slot i holds one request; head is the oldest.
    final long[] intended;
    final long[] sent;
    final byte[] op;
    final int[] keyCount;
    final int[] seqs;
    /** Keys of each slot at {@code slot * multiget}. */
    final int[] slotKeys;
    int head;
    int inflight;
    int seq;
    /** For the head get: how far through its key list the hits have come, and how many there were. */
    int cursor;
    int hits;

    /** Intended send time of the next request in open loop. */
    long next;
    /** When the window last went from full to having room: sends before it waited on the server, not on us. */
    long readyAt;
    /** Whether this connection still has sends scheduled before the end of the phase. */
    boolean scheduled;
    int heapIndex = -1;

    int preloadNext;
    int preloadEnd;

    Conn(final int id, final InetSocketAddress server, final int pipeline, final int multiget,
        final ResponseDecoder decoder)
    {
        this.id = id;
        this.server = server;
        this.decoder = decoder;
        intended = new long[pipeline];
        sent = new long[pipeline];
        op = new byte[pipeline];
        keyCount = new int[pipeline];
        seqs = new int[pipeline];
        slotKeys = new int[pipeline * multiget];
    }
}
