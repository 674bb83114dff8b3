package dev.taskvs.engine.fastpath;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class OutOfOrderIntervalsTest
{
    /** Random segments into a window across the sequence wrap; the intervals must match a bitmap exactly. */
    @Test
    void shouldTrackIntervalsLikeABitmapAcrossSequenceWrap()
    {
        final UnsafeBuffer state = new UnsafeBuffer(ByteBuffer.allocateDirect(FlowRecord.LENGTH * 4));
        final OutOfOrderIntervals intervals = new OutOfOrderIntervals(state, 4, 2);
        final SplittableRandom random = new SplittableRandom(7);
        final int flowId = 1;
        final int r = FlowRecord.offset(flowId);
        int rcvNxt = -30_000;
        long delivered = 0;
        final BitSet received = new BitSet();
        long base = 0;
        final int[] left = new int[8];
        final int[] right = new int[8];
        for (int round = 0; round < 20_000; round++)
        {
            final int offset = 1 + random.nextInt(2_000);
            final int length = 1 + random.nextInt(100);
            if (random.nextInt(4) == 0)
            {
                // In-order arrival: deliver and absorb.
                rcvNxt += length;
                received.set((int)(delivered - base), (int)(delivered - base) + length);
                delivered += length;
                final int next = intervals.advance(flowId, r, rcvNxt);
                final int absorbed = next - rcvNxt;
                rcvNxt = next;
                delivered += absorbed;
            }
            else if (intervals.insert(flowId, r, rcvNxt, rcvNxt + offset, length))
            {
                final int from = (int)(delivered - base) + offset;
                received.set(from, from + length);
            }
            // Compare: the bits after RCV.NXT are exactly the SACK blocks.
            final int start = (int)(delivered - base);
            assertTrue(received.nextClearBit(0) >= start, "everything before RCV.NXT received");
            final int blocks = intervals.sackBlocks(flowId, r, left, right, 8);
            int bit = received.nextSetBit(start);
            for (int b = 0; b < blocks; b++)
            {
                assertEquals(rcvNxt + (bit - start), left[b], "block " + b + " left");
                final int end = received.nextClearBit(bit);
                assertEquals(rcvNxt + (end - start), right[b], "block " + b + " right");
                bit = received.nextSetBit(end);
            }
            assertEquals(-1, bit, "no received bytes beyond the blocks");
            assertTrue(blocks <= OutOfOrderIntervals.MAX_INTERVALS);
            if (start > 1 << 20)
            {
                received.clear(0, start);
                final BitSet shifted = received.get(start, received.length());
                received.clear();
                received.or(shifted);
                base += start;
            }
        }
    }
}
