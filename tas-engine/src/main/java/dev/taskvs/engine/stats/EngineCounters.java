package dev.taskvs.engine.stats;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Creates the counters storage of one engine instance: Agrona counters in off-heap memory, so data-path
 * threads update them without allocation and a stats reader on any thread can scan them by label.
 */
public final class EngineCounters
{
    private EngineCounters()
    {
    }

    /**
     * A counters manager with room for {@code maxCounters} counters. The manager is the concurrent variant:
     * components allocate their counters on setup from different threads.
     *
     * @param maxCounters capacity, at least 1.
     * @return the manager.
     */
    public static CountersManager newManager(final int maxCounters)
    {
        if (maxCounters < 1)
        {
            throw new IllegalArgumentException("maxCounters must be at least 1: " + maxCounters);
        }
        final UnsafeBuffer metaData = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(maxCounters * CountersReader.METADATA_LENGTH, 64));
        final UnsafeBuffer values = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(maxCounters * CountersReader.COUNTER_LENGTH, 64));
        return new ConcurrentCountersManager(metaData, values);
    }
}
