package dev.taskvs.engine.fastpath;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static dev.taskvs.engine.fastpath.FlowRecord.OOO_LENGTH_OFFSET;
import static dev.taskvs.engine.fastpath.FlowRecord.OOO_START_OFFSET;

/**
 * The out-of-order intervals of one lane's flows. The lowest interval lives in the flow record, as TAS keeps
 * its single one; a flow that has more (several losses in one window) borrows a slot from a fixed pool here
 * for up to {@link #MAX_INTERVALS}{@code - 1} more. TAS drops every segment that is not adjacent to its one
 * interval, which turns two losses in a window into a retransmission of everything after the second.
 * <p>
 * Intervals are kept sorted and disjoint (adjacent ones merged). The payload itself is already in the RX ring
 * at its final place; this is bookkeeping only. Single-threaded (the lane), allocation-free after construction.
 */
public final class OutOfOrderIntervals
{
    public static final int MAX_INTERVALS = 8;
    private static final int EXTRA = MAX_INTERVALS - 1;

    private final UnsafeBuffer state;
    private final int[] slotOf;
    private final int[] slotStarts;
    private final int[] slotLengths;
    private final int[] slotCounts;
    private final int[] freeSlots;
    private int freeCount;

    private final int[] starts = new int[MAX_INTERVALS + 1];
    private final int[] lengths = new int[MAX_INTERVALS + 1];
    private final int[] newStarts = new int[MAX_INTERVALS + 2];
    private final int[] newEnds = new int[MAX_INTERVALS + 2];
    private int count;

    /**
     * @param state    the flow-state region.
     * @param maxFlows flow ids.
     * @param slots    flows that may hold more than one interval at a time.
     */
    public OutOfOrderIntervals(final UnsafeBuffer state, final int maxFlows, final int slots)
    {
        this.state = state;
        this.slotOf = new int[maxFlows];
        Arrays.fill(slotOf, -1);
        this.slotStarts = new int[slots * EXTRA];
        this.slotLengths = new int[slots * EXTRA];
        this.slotCounts = new int[slots];
        this.freeSlots = new int[slots];
        for (int i = slots - 1; i >= 0; i--)
        {
            freeSlots[freeCount++] = i;
        }
    }

    private void gather(final int flowId, final int r)
    {
        count = 0;
        final int length = state.getInt(r + OOO_LENGTH_OFFSET);
        if (length == 0)
        {
            return;
        }
        starts[0] = state.getInt(r + OOO_START_OFFSET);
        lengths[0] = length;
        count = 1;
        final int slot = slotOf[flowId];
        if (slot >= 0)
        {
            for (int i = 0; i < slotCounts[slot]; i++)
            {
                starts[count] = slotStarts[slot * EXTRA + i];
                lengths[count] = slotLengths[slot * EXTRA + i];
                count++;
            }
        }
    }

    /** Store the scratch list back; false (and nothing changed) when a slot is needed and none is free. */
    private boolean scatter(final int flowId, final int r)
    {
        int slot = slotOf[flowId];
        final int extra = count - 1;
        if (extra > 0 && slot < 0)
        {
            if (freeCount == 0)
            {
                return false;
            }
            slot = freeSlots[--freeCount];
            slotOf[flowId] = slot;
        }
        if (count == 0)
        {
            state.putInt(r + OOO_LENGTH_OFFSET, 0);
        }
        else
        {
            state.putInt(r + OOO_START_OFFSET, starts[0]);
            state.putInt(r + OOO_LENGTH_OFFSET, lengths[0]);
        }
        if (slot >= 0)
        {
            if (extra <= 0)
            {
                release(flowId);
            }
            else
            {
                for (int i = 0; i < extra; i++)
                {
                    slotStarts[slot * EXTRA + i] = starts[i + 1];
                    slotLengths[slot * EXTRA + i] = lengths[i + 1];
                }
                slotCounts[slot] = extra;
            }
        }
        return true;
    }

    /**
     * Record that {@code [seq, seq + length)}, which lies after RCV.NXT inside the window, was received.
     *
     * @return true when it is recorded (the caller then writes the bytes); false when it would need more
     * intervals than a flow may have, or a slot when none is free.
     */
    public boolean insert(final int flowId, final int r, final int rcvNxt, final int seq, final int length)
    {
        gather(flowId, r);
        int s = seq - rcvNxt;
        int e = s + length;
        int n = 0;
        boolean placed = false;
        for (int i = 0; i < count; i++)
        {
            final int is = starts[i] - rcvNxt;
            final int ie = is + lengths[i];
            if (ie < s)
            {
                newStarts[n] = is;
                newEnds[n++] = ie;
            }
            else if (e < is)
            {
                if (!placed)
                {
                    newStarts[n] = s;
                    newEnds[n++] = e;
                    placed = true;
                }
                newStarts[n] = is;
                newEnds[n++] = ie;
            }
            else
            {
                s = Math.min(s, is);
                e = Math.max(e, ie);
            }
        }
        if (!placed)
        {
            newStarts[n] = s;
            newEnds[n++] = e;
        }
        if (n > MAX_INTERVALS)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            starts[i] = rcvNxt + newStarts[i];
            lengths[i] = newEnds[i] - newStarts[i];
        }
        count = n;
        return scatter(flowId, r);
    }

    /**
     * After in-order bytes moved RCV.NXT, absorb the intervals it reached.
     *
     * @return the new RCV.NXT.
     */
    public int advance(final int flowId, final int r, final int rcvNxt)
    {
        if (state.getInt(r + OOO_LENGTH_OFFSET) == 0)
        {
            return rcvNxt;
        }
        gather(flowId, r);
        int next = rcvNxt;
        int absorbed = 0;
        while (absorbed < count && Seq.leq(starts[absorbed], next))
        {
            final int end = starts[absorbed] + lengths[absorbed];
            if (Seq.gt(end, next))
            {
                next = end;
            }
            absorbed++;
        }
        if (absorbed > 0)
        {
            System.arraycopy(starts, absorbed, starts, 0, count - absorbed);
            System.arraycopy(lengths, absorbed, lengths, 0, count - absorbed);
            count -= absorbed;
            scatter(flowId, r);
        }
        return next;
    }

    /**
     * The intervals as SACK blocks (RFC 2018), lowest first.
     *
     * @return blocks written, at most {@code max}.
     */
    public int sackBlocks(final int flowId, final int r, final int[] left, final int[] right, final int max)
    {
        gather(flowId, r);
        final int n = Math.min(count, max);
        for (int i = 0; i < n; i++)
        {
            left[i] = starts[i];
            right[i] = starts[i] + lengths[i];
        }
        return n;
    }

    /** Forget a flow's extra intervals (the record's own is cleared with the record). */
    public void release(final int flowId)
    {
        final int slot = slotOf[flowId];
        if (slot >= 0)
        {
            slotOf[flowId] = -1;
            slotCounts[slot] = 0;
            freeSlots[freeCount++] = slot;
        }
    }

    /** @return slots free for flows with more than one interval. */
    public int freeSlots()
    {
        return freeCount;
    }
}
