package dev.taskvs.engine.fastpath;

/**
 * Primitive open-addressing map from a flow key ({@link FlowRecord#key}) to a flow id, with linear probing
 * and backward-shift deletion (no tombstones, so lookups stay short under churn). Single-threaded: each lane
 * owns one. Allocation happens only at construction.
 * <p>
 * Each entry's key and flow id sit side by side in one array (16 bytes, never split across cache lines), so a
 * lookup in a table far larger than the caches costs one miss, not one in a key array and one in a value array:
 * with 10,000 connections the two misses were a tenth of the server's time per request.
 */
public final class FlowTable
{
    public static final int MISSING = -1;

    /** Entry i: key at [2i], flow id at [2i + 1] ({@link #MISSING} when the slot is free). */
    private final long[] entries;
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
        entries = new long[capacity * 2];
        for (int i = 1; i < entries.length; i += 2)
        {
            entries[i] = MISSING;
        }
        mask = capacity - 1;
    }

    private static int hash(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * @param key from {@link FlowRecord#key}.
     * @return the flow id, or {@link #MISSING}.
     */
    public int get(final long key)
    {
        final long[] entries = this.entries;
        int i = hash(key) & mask;
        long value;
        while ((value = entries[2 * i + 1]) != MISSING)
        {
            if (entries[2 * i] == key)
            {
                return (int)value;
            }
            i = (i + 1) & mask;
        }
        return MISSING;
    }

    /**
     * @param key    from {@link FlowRecord#key}.
     * @param flowId the flow id, >= 0.
     * @return the flow id this replaced, or {@link #MISSING}.
     * @throws IllegalStateException when the table is at its load limit.
     */
    public int put(final long key, final int flowId)
    {
        int i = hash(key) & mask;
        while (entries[2 * i + 1] != MISSING)
        {
            if (entries[2 * i] == key)
            {
                final int old = (int)entries[2 * i + 1];
                entries[2 * i + 1] = flowId;
                return old;
            }
            i = (i + 1) & mask;
        }
        if (size >= (mask + 1) / 2)
        {
            throw new IllegalStateException("flow table full at " + size + " flows");
        }
        entries[2 * i] = key;
        entries[2 * i + 1] = flowId;
        size++;
        return MISSING;
    }

    /**
     * @param key from {@link FlowRecord#key}.
     * @return the flow id removed, or {@link #MISSING}.
     */
    public int remove(final long key)
    {
        int i = hash(key) & mask;
        while (entries[2 * i + 1] != MISSING)
        {
            if (entries[2 * i] == key)
            {
                final int old = (int)entries[2 * i + 1];
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
        while (entries[2 * i + 1] != MISSING)
        {
            final int home = hash(entries[2 * i]) & mask;
            // Move entry i into the hole unless its home lies cyclically in (hole, i].
            final boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!stays)
            {
                entries[2 * hole] = entries[2 * i];
                entries[2 * hole + 1] = entries[2 * i + 1];
                hole = i;
            }
            i = (i + 1) & mask;
        }
        entries[2 * hole + 1] = MISSING;
    }

    /** @return entries in the table. */
    public int size()
    {
        return size;
    }
}
