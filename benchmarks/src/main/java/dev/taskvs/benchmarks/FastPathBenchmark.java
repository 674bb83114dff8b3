package dev.taskvs.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The engine's cost per data segment, both sides: two engines on the loopback wire in INVOKER mode
 * ({@link EnginePairFixture}), everything on the benchmark thread.
 * <ul>
 *   <li>{@code roundOneSegment}: one 64-byte segment and its ACK, both engines and both apps: A's app
 *   commits 64 bytes, A sends the segment, B takes it in, ACKs it and raises DATA, B's app consumes it, A
 *   takes the ACK in and raises TX-freed to its app;</li>
 *   <li>{@code bulkPerSegment}: 16 full-size (1,448-byte) segments pushed through per operation and
 *   consumed, reported per segment (ACKs are coalesced per burst here).</li>
 * </ul>
 * The receiving side alone is {@link FastPathReceiveBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FastPathBenchmark
{
    static final int SMALL = 64;
    static final int BULK_SEGMENTS = 16;

    private EnginePairFixture pair;
    private String benchmark;

    @Setup(Level.Trial)
    public void setUp(final org.openjdk.jmh.infra.BenchmarkParams params)
    {
        pair = new EnginePairFixture(BULK_SEGMENTS * EnginePairFixture.MSS);
        benchmark = params.getBenchmark();
    }

    @Setup(Level.Iteration)
    public void countBefore()
    {
        pair.countBefore();
    }

    @TearDown(Level.Iteration)
    public void checkCounts()
    {
        // One ACK per 64-byte segment; in bulk, one per burst of up to 16 segments.
        pair.checkCounts(benchmark, benchmark.endsWith("roundOneSegment") ? 0.99 : 1.0 / BULK_SEGMENTS / 2);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
    }

    @Benchmark
    public int roundOneSegment()
    {
        final EnginePairFixture p = pair;
        p.write(SMALL);
        p.clock.advance(1_000);
        p.a.invoke();
        p.b.invoke();
        p.appB.poll(p.receiverHandler, 256);
        p.clock.advance(1_000);
        p.a.invoke();
        return p.appA.poll(p.senderHandler, 256);
    }

    @Benchmark
    @OperationsPerInvocation(BULK_SEGMENTS)
    public long bulkPerSegment()
    {
        final EnginePairFixture p = pair;
        final int bytes = BULK_SEGMENTS * EnginePairFixture.MSS;
        final long target = p.consumed + bytes;
        int written = 0;
        while (p.consumed < target)
        {
            if (written < bytes)
            {
                written += p.sender.write(p.payload, written, bytes - written);
            }
            p.step();
        }
        return p.consumed;
    }
}
