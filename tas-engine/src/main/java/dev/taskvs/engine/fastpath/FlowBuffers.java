package dev.taskvs.engine.fastpath;

import dev.taskvs.engine.mem.HugePageMemory;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;

/**
 * The per-flow RX and TX payload rings, off-heap, one pair per flow id. The slow path allocates them the first
 * time an id is used (control path) and keeps them for every later flow with that id; lanes and apps address the
 * rings through the record's addresses and these arrays.
 * <p>
 * Rings come in chunks of about {@link #CHUNK_BYTES} holding consecutive flow ids, each flow's RX ring then its TX
 * ring from a page-aligned start: one allocation and no heap objects per chunk instead of a direct buffer (and its
 * cleaner) per ring, and each ring at a fixed place in its pages, as {@link FlowRecord#ringHome} assumes when it
 * spreads the flows' hot lines over the cache sets. Allocated one at a time, rings sat wherever the allocator put
 * them (4,096-byte rings 8,320 bytes apart, each across two pages). The chunks sit in one mapping on huge pages
 * ({@link HugePageMemory}) where the system allows it, so thousands of flows' rings need few TLB entries.
 */
public final class FlowBuffers
{
    /** Chunk size; a flow whose rings together are larger gets an allocation per ring. */
    static final int CHUNK_BYTES = 256 * 1024;
    private static final int PAGE = 4096;

    private final int rxSize;
    private final int txSize;
    private final int flowsPerChunk;
    /** The flow's two rings exceed a chunk: each ring is an allocation of its own (rings go up to 1 GiB each). */
    private final boolean ringPerAllocation;
    /** Direct buffers: each chunk where there is no region, or each ring with a ring per allocation. */
    private final ByteBuffer[] chunks;
    /**
     * Every chunk's place, mapped up front on huge pages and backed as chunks are first used; null with a ring per
     * allocation or where it could not be mapped.
     */
    private final HugePageMemory region;
    private final boolean[] chunkUsed;
    private final long[] rxAddress;
    private final long[] txAddress;
    private long allocatedBytes;

    public FlowBuffers(final int maxFlows, final int rxSize, final int txSize)
    {
        this.rxSize = rxSize;
        this.txSize = txSize;
        final long perFlow = (long)rxSize + txSize;
        ringPerAllocation = perFlow > CHUNK_BYTES;
        flowsPerChunk = ringPerAllocation ? 1 : (int)Math.max(1, Math.min(maxFlows, CHUNK_BYTES / perFlow));
        final int chunkCount = ringPerAllocation ? 2 * maxFlows : (maxFlows + flowsPerChunk - 1) / flowsPerChunk;
        region = ringPerAllocation ? null : HugePageMemory.tryMap(chunkCount * flowsPerChunk * perFlow);
        chunks = new ByteBuffer[region == null ? chunkCount : 0];
        chunkUsed = new boolean[chunkCount];
        rxAddress = new long[maxFlows];
        txAddress = new long[maxFlows];
    }

    /** Make sure flow {@code flowId} has its rings; called by the slow path only. */
    public void ensure(final int flowId)
    {
        if (rxAddress[flowId] != 0)
        {
            return;
        }
        if (ringPerAllocation)
        {
            rxAddress[flowId] = allocate(2 * flowId, rxSize);
            txAddress[flowId] = allocate(2 * flowId + 1, txSize);
            return;
        }
        final int chunk = flowId / flowsPerChunk;
        final int chunkBytes = flowsPerChunk * (rxSize + txSize);
        final long chunkAddress;
        if (region == null)
        {
            chunkAddress = chunkUsed[chunk] ? BufferUtil.address(chunks[chunk]) : allocate(chunk, chunkBytes);
        }
        else
        {
            chunkAddress = region.address() + (long)chunk * chunkBytes;
            if (!chunkUsed[chunk])
            {
                allocatedBytes += chunkBytes;
                // Back the pages now, on the control path, rather than at a lane's first write.
                for (int page = 0; page < chunkBytes; page += PAGE)
                {
                    UnsafeApi.putByte(chunkAddress + page, (byte)0);
                }
            }
        }
        chunkUsed[chunk] = true;
        final long rx = chunkAddress + (long)(flowId % flowsPerChunk) * (rxSize + txSize);
        rxAddress[flowId] = rx;
        txAddress[flowId] = rx + rxSize;
    }

    private long allocate(final int chunk, final int bytes)
    {
        chunks[chunk] = BufferUtil.allocateDirectAligned(bytes, PAGE);
        allocatedBytes += bytes;
        return BufferUtil.address(chunks[chunk]);
    }

    /** @return the one mapping every chunk is carved from, or null where chunks are direct buffers. */
    public HugePageMemory region()
    {
        return region;
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

    /** @return flows per chunk of rings. */
    int flowsPerChunk()
    {
        return flowsPerChunk;
    }

    /** @return ring memory allocated so far, in bytes (slow path's view). */
    long allocatedBytes()
    {
        return allocatedBytes;
    }
}
