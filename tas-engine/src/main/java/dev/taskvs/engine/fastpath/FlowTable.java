package dev.taskvs.engine.fastpath;

import java.util.Arrays;

/**
 * Primitive open-addressing map from a flow key ({@link FlowRecord#key}) to a flow id, with linear probing
 * and backward-shift deletion (no tombstones, so lookups stay short under churn). Single-threaded: each lane
 * owns one. Allocation happens only at construction.
 */
public final class FlowTable
{
    public static final int MISSING = -1;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private int size;

    /**
     * @param maxFlows most entries; the table keeps its load at or below 1/2.
     */
    public FlowTable(final int maxFlows)
    {
        int capacity = 16;
        while (capacity < maxFlows * 2)
        {
            capacity <<= 1;
        }
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, MISSING);
        mask = capacity - 1;
    }

    private static int hash(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * @param key flow key.
     * @return the flow id or {@link #MISSING}.
     */
    public int get(final long key)
    {
        int i = hash(key) & mask;
        while (values[i] != MISSING)
        {
            if (keys[i] == key)
            {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return MISSING;
    }

    /**
     * @param key    flow key.
     * @param flowId value, not negative.
     * @return the previous value or {@link #MISSING}.
     */
    public int put(final long key, final int flowId)
    {
        int i = hash(key) & mask;
        while (values[i] != MISSING)
        {
            if (keys[i] == key)
            {
                final int old = values[i];
                values[i] = flowId;
                return old;
            }
            i = (i + 1) & mask;
        }
        if (size >= (mask + 1) / 2)
        {
            throw new IllegalStateException("flow table full at " + size + " flows");
        }
        keys[i] = key;
        values[i] = flowId;
        size++;
        return MISSING;
    }

    /**
     * @param key flow key.
     * @return the removed value or {@link #MISSING}.
     */
    public int remove(final long key)
    {
        int i = hash(key) & mask;
        while (values[i] != MISSING)
        {
            if (keys[i] == key)
            {
                final int old = values[i];
                shiftBack(i);
                size--;
                return old;
            }
            i = (i + 1) & mask;
        }
        return MISSING;
    }

    private void shiftBack(final int removed)
    {
        int hole = removed;
        int i = (removed + 1) & mask;
        while (values[i] != MISSING)
        {
            final int home = hash(keys[i]) & mask;
            // Move entry i into the hole unless its home lies cyclically in (hole, i].
            final boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!stays)
            {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
            i = (i + 1) & mask;
        }
        values[hole] = MISSING;
    }

    public int size()
    {
        return size;
    }
}
