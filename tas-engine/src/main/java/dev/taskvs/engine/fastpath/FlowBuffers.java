package dev.taskvs.engine.fastpath;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

/**
 * The per-flow RX and TX payload rings, off-heap, one pair per flow id. The slow path allocates a pair the
 * first time an id is used (control path) and keeps it for every later flow with that id; lanes and apps
 * address the rings through the record's addresses and these arrays.
 */
public final class FlowBuffers
{
    private final int rxSize;
    private final int txSize;
    private final ByteBuffer[] rx;
    private final ByteBuffer[] tx;
    private final long[] rxAddress;
    private final long[] txAddress;

    public FlowBuffers(final int maxFlows, final int rxSize, final int txSize)
    {
        this.rxSize = rxSize;
        this.txSize = txSize;
        rx = new ByteBuffer[maxFlows];
        tx = new ByteBuffer[maxFlows];
        rxAddress = new long[maxFlows];
        txAddress = new long[maxFlows];
    }

    /** Make sure flow {@code flowId} has its rings; called by the slow path only. */
    public void ensure(final int flowId)
    {
        if (rx[flowId] == null)
        {
            rx[flowId] = BufferUtil.allocateDirectAligned(rxSize, 64);
            tx[flowId] = BufferUtil.allocateDirectAligned(txSize, 64);
            rxAddress[flowId] = BufferUtil.address(rx[flowId]);
            txAddress[flowId] = BufferUtil.address(tx[flowId]);
        }
    }

    public long rxAddress(final int flowId)
    {
        return rxAddress[flowId];
    }

    public long txAddress(final int flowId)
    {
        return txAddress[flowId];
    }

    public int rxSize()
    {
        return rxSize;
    }

    public int txSize()
    {
        return txSize;
    }
}
