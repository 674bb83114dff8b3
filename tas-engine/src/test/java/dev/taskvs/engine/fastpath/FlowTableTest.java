package dev.taskvs.engine.fastpath;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class FlowTableTest
{
    @Test
    void shouldMatchAReferenceMapUnderRandomChurn()
    {
        final FlowTable table = new FlowTable(1000);
        final Map<Long, Integer> reference = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++)
        {
            final long key = FlowRecord.key(0x0AD30100 + random.nextInt(4), 7000, 40000 + random.nextInt(400));
            if (random.nextBoolean() && reference.size() < 1000)
            {
                final int value = random.nextInt(1 << 20);
                assertEquals(reference.getOrDefault(key, FlowTable.MISSING), table.put(key, value));
                reference.put(key, value);
            }
            else
            {
                final Integer old = reference.remove(key);
                assertEquals(old == null ? FlowTable.MISSING : old, table.remove(key));
            }
            assertEquals(reference.size(), table.size());
        }
        reference.forEach((key, value) -> assertEquals(value, table.get(key)));
    }

    @Test
    void shouldSpreadFlowsOverLanes()
    {
        final int[] perLane = new int[4];
        for (int port = 40000; port < 44000; port++)
        {
            perLane[FlowRecord.laneOf(FlowRecord.key(0x0AD30101, 7000, port), 4)]++;
        }
        for (final int count : perLane)
        {
            assertEquals(1000, count, 150);
        }
    }
}
