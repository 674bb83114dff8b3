package dev.taskvs.engine.fastpath;

import dev.taskvs.engine.mem.Smaps;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowBuffersTest
{
    @Test
    void ringsOfConsecutiveFlowsShareAChunkPageAlignedAndApart()
    {
        final FlowBuffers buffers = new FlowBuffers(1000, 4096, 4096);
        assertEquals(FlowBuffers.CHUNK_BYTES / 8192, buffers.flowsPerChunk());
        for (int flow = 0; flow < 100; flow++)
        {
            buffers.ensure(flow);
        }
        for (int flow = 0; flow < 100; flow++)
        {
            assertEquals(0, buffers.rxAddress(flow) & 4095, "RX ring of flow " + flow + " page-aligned");
            assertEquals(buffers.rxAddress(flow) + 4096, buffers.txAddress(flow));
            if (flow % buffers.flowsPerChunk() != 0)
            {
                assertEquals(buffers.rxAddress(flow - 1) + 8192, buffers.rxAddress(flow), "flow " + flow);
            }
        }
        // 100 flows of 8 KiB in chunks of 32: four chunks, not 1,000 flows' worth.
        assertEquals(4L * FlowBuffers.CHUNK_BYTES, buffers.allocatedBytes());
    }

    @Test
    void smallRingsLieInOneMappingOnHugePages() throws Exception
    {
        final FlowBuffers buffers = new FlowBuffers(4096, 4096, 4096);
        for (int flow = 0; flow < 1024; flow++)
        {
            buffers.ensure(flow);
        }
        assertEquals(buffers.rxAddress(0) + 1023L * 8192, buffers.rxAddress(1023), "consecutive across chunks");
        final String mode = Smaps.thpMode();
        final long hugeKb = Smaps.anonHugePagesKb(buffers.rxAddress(0));
        // 8 MiB of rings, backed by ensure(): at least one 2 MiB page unless THP is off.
        assertTrue(mode.equals("never") ? hugeKb == 0 : hugeKb >= 2048, "THP " + mode + ": " + hugeKb + " kB");
    }

    @Test
    void chunksAreAllocatedForTheFlowIdsUsedOnlyAndKeepTheirRings()
    {
        final FlowBuffers buffers = new FlowBuffers(60_000, 4096, 4096);
        buffers.ensure(59_999);
        assertEquals(FlowBuffers.CHUNK_BYTES, buffers.allocatedBytes());
        final long rx = buffers.rxAddress(59_999);
        buffers.ensure(59_999);
        assertEquals(rx, buffers.rxAddress(59_999), "a later flow with the same id keeps the rings");
        assertEquals(0, buffers.rxAddress(0), "no rings for an id never used");
        assertEquals(FlowBuffers.CHUNK_BYTES, buffers.allocatedBytes());
    }

    @Test
    void ringsAreZeroedAndDoNotOverlap()
    {
        final FlowBuffers buffers = new FlowBuffers(64, 2048, 16_384);
        final int flows = 64;
        for (int flow = 0; flow < flows; flow++)
        {
            buffers.ensure(flow);
            final UnsafeBuffer rx = new UnsafeBuffer(buffers.rxAddress(flow), 2048);
            final UnsafeBuffer tx = new UnsafeBuffer(buffers.txAddress(flow), 16_384);
            for (int i = 0; i < 2048; i += 8)
            {
                assertEquals(0L, rx.getLong(i), "fresh RX ring of flow " + flow);
            }
            for (int i = 0; i < 16_384; i += 8)
            {
                assertEquals(0L, tx.getLong(i), "fresh TX ring of flow " + flow);
            }
            // Mark both rings whole: a later flow whose rings overlapped would not read as fresh.
            rx.setMemory(0, 2048, (byte)1);
            tx.setMemory(0, 16_384, (byte)2);
        }
        assertEquals(0, buffers.rxAddress(0) & 4095, "each chunk starts on a page");
        for (int flow = 0; flow < flows; flow++)
        {
            assertEquals(1, new UnsafeBuffer(buffers.rxAddress(flow), 2048).getByte(2047));
            assertEquals(2, new UnsafeBuffer(buffers.txAddress(flow), 16_384).getByte(0));
        }
    }

    @Test
    void ringsLargerThanAChunkGetAnAllocationEach()
    {
        final FlowBuffers buffers = new FlowBuffers(8, 1 << 20, 1 << 18);
        assertEquals(1, buffers.flowsPerChunk());
        buffers.ensure(3);
        buffers.ensure(3);
        assertEquals((1L << 20) + (1 << 18), buffers.allocatedBytes());
        assertEquals(0, buffers.rxAddress(3) & 4095);
        assertEquals(0, buffers.txAddress(3) & 4095);
        final UnsafeBuffer rx = new UnsafeBuffer(buffers.rxAddress(3), 1 << 20);
        final UnsafeBuffer tx = new UnsafeBuffer(buffers.txAddress(3), 1 << 18);
        rx.setMemory(0, 1 << 20, (byte)1);
        tx.setMemory(0, 1 << 18, (byte)2);
        assertEquals(1, rx.getByte((1 << 20) - 1), "the TX ring does not overlap the RX ring");
        assertEquals(2, tx.getByte(0));
    }

    @Test
    void ringsExactlyFillingAChunkShareNothing()
    {
        final FlowBuffers buffers = new FlowBuffers(4, FlowBuffers.CHUNK_BYTES / 2, FlowBuffers.CHUNK_BYTES / 2);
        assertEquals(1, buffers.flowsPerChunk());
        buffers.ensure(0);
        buffers.ensure(1);
        assertEquals(2L * FlowBuffers.CHUNK_BYTES, buffers.allocatedBytes());
        assertEquals(buffers.rxAddress(0) + FlowBuffers.CHUNK_BYTES / 2, buffers.txAddress(0));
    }
}
