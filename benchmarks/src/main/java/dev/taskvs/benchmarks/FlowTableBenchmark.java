package dev.taskvs.benchmarks;

import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.fastpath.FlowTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fast path's flow lookup: {@link FlowTable#get} with {@code flows} established flows (as a lane with that
 * many connections holds them), looking up the flows in a random order (a hit) and keys of flows that are not
 * there (a miss: the SYN and stray-segment path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlowTableBenchmark
{
    private static final int LOOKUPS = 1 << 16;

    @Param({"10000"})
    public int flows;

    private FlowTable table;
    private final long[] hits = new long[LOOKUPS];
    private final long[] misses = new long[LOOKUPS];
    private int next;

    @Setup
    public void setUp()
    {
        table = new FlowTable(flows);
        final SplittableRandom random = new SplittableRandom(7);
        final long[] keys = new long[flows];
        int n = 0;
        while (n < flows)
        {
            // Clients from a /16, to one server port, from ephemeral ports: the shape a cache server sees.
            final long key = FlowRecord.key(0x0AD30000 | random.nextInt(1 << 16), 11211, 32768 + random.nextInt(28232));
            if (table.get(key) == FlowTable.MISSING)
            {
                table.put(key, n);
                keys[n++] = key;
            }
        }
        for (int i = 0; i < LOOKUPS; i++)
        {
            hits[i] = keys[random.nextInt(flows)];
            long miss;
            do
            {
                miss = FlowRecord.key(0x0AD40000 | random.nextInt(1 << 16), 11211, 32768 + random.nextInt(28232));
            }
            while (table.get(miss) != FlowTable.MISSING);
            misses[i] = miss;
        }
    }

    @Benchmark
    public int getHit()
    {
        final int i = next++ & (LOOKUPS - 1);
        return table.get(hits[i]);
    }

    @Benchmark
    public int getMiss()
    {
        final int i = next++ & (LOOKUPS - 1);
        return table.get(misses[i]);
    }
}
