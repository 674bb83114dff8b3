package dev.taskvs.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a cache miss costs on this machine when it waits for the one before ({@code dependent}: each load's address
 * is the value the previous load returned, as a connection object leads to its buffer and the buffer to its ring)
 * and when it does not ({@code independent}: addresses known up front, as in the engine's warm passes), over
 * {@code mib} MiB of one line per entry in a shuffled order. The ratio says how much a warm pass can win by
 * loading many connections' lines before using any: on the 2-CPU development VM ten to twenty-five times
 * (BENCHMARKS.md, "The app's warm pass in three loops, and A/B within one run"). The small sizes find how much the
 * caches really hold: on that VM a chain costs 15-17 ns up to 2 MiB and 120-180 ns from 4 MiB, though lscpu reports
 * a 32 MiB L3 (shared with whatever else runs on the host).
 * <p>
 * {@code ./kvs jmh MissLatency}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MissLatencyBenchmark
{
    private static final int LOADS = 1 << 16;
    /** More addresses than fit the caches (64 MiB of lines), taken LOADS at a time, so that no run repeats many. */
    private static final int ADDRESSES = 1 << 20;
    /** Ints per 64-byte line: every entry on a line of its own. */
    private static final int STRIDE = 16;

    @Param({"1", "2", "4", "16", "256"})
    public int mib;

    private int[] next;
    private final int[] addresses = new int[ADDRESSES];
    private int cursor;
    private int from;

    @Setup
    public void setUp()
    {
        final int lines = mib * 1024 * 1024 / 64;
        next = new int[lines * STRIDE];
        final int[] order = new int[lines];
        for (int i = 0; i < lines; i++)
        {
            order[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = lines - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        // One cycle through every line, in the shuffled order.
        for (int i = 0; i < lines; i++)
        {
            next[order[i] * STRIDE] = order[(i + 1) % lines] * STRIDE;
        }
        for (int i = 0; i < ADDRESSES; i++)
        {
            addresses[i] = random.nextInt(lines) * STRIDE;
        }
    }

    @Benchmark
    @OperationsPerInvocation(LOADS)
    public int dependent()
    {
        final int[] next = this.next;
        int at = cursor;
        for (int i = 0; i < LOADS; i++)
        {
            at = next[at];
        }
        cursor = at;
        return at;
    }

    @Benchmark
    @OperationsPerInvocation(LOADS)
    public long independent()
    {
        final int[] next = this.next;
        final int[] addresses = this.addresses;
        final int from = this.from;
        long sum = 0;
        for (int i = from; i < from + LOADS; i++)
        {
            sum += next[addresses[i]];
        }
        this.from = (from + LOADS) & (ADDRESSES - 1);
        return sum;
    }
}
