package dev.taskvs.engine.nic.fault;

/**
 * What a {@link FaultyPacketIo} did to the frames of one direction. Written by the thread driving the
 * wrapper; read it from the same thread (or after joining it).
 */
public final class FaultCounters
{
    long offered;
    long passed;
    long lost;
    long duplicated;
    long reordered;
    long corrupted;
    long delayed;
    long overflowed;

    /** @return frames handed to the wrapper in this direction. */
    public long offered()
    {
        return offered;
    }

    /** @return frames handed on (duplicates included). */
    public long passed()
    {
        return passed;
    }

    /** @return frames dropped on purpose. */
    public long lost()
    {
        return lost;
    }

    /** @return extra copies made. */
    public long duplicated()
    {
        return duplicated;
    }

    /** @return frames held back behind their successor. */
    public long reordered()
    {
        return reordered;
    }

    /** @return frames with one byte changed. */
    public long corrupted()
    {
        return corrupted;
    }

    /** @return frames held for the configured delay. */
    public long delayed()
    {
        return delayed;
    }

    /** @return frames dropped because the wrapper's own buffers were full, not by a fault decision. */
    public long overflowed()
    {
        return overflowed;
    }

    @Override
    public String toString()
    {
        return "offered=" + offered + " passed=" + passed + " lost=" + lost + " duplicated=" + duplicated +
            " reordered=" + reordered + " corrupted=" + corrupted + " delayed=" + delayed + " overflowed=" + overflowed;
    }
}
