package dev.taskvs.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The receiving engine's fast path alone, per data segment: "a data segment in, an ACK out". Before each
 * invocation (not measured) A takes the previous ACK in, its app commits 64 bytes and A puts them on the
 * loopback wire as one segment. Measured: one duty cycle of B (RX burst of one frame, validation, flow lookup,
 * the payload into the flow's RX ring, the ACK built and sent, the DATA event queued, and the previous
 * segment's RX-consumed bump from the app) plus B's app polling the event and consuming the 64 bytes.
 * Per-invocation setup costs JMH a timestamp pair per operation (some tens of ns, included).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FastPathReceiveBenchmark
{
    private EnginePairFixture pair;

    @Setup(Level.Trial)
    public void setUp()
    {
        pair = new EnginePairFixture(FastPathBenchmark.SMALL);
    }

    @Setup(Level.Iteration)
    public void countBefore()
    {
        pair.countBefore();
    }

    @TearDown(Level.Iteration)
    public void checkCounts()
    {
        pair.checkCounts("segmentInAckOut", 0.99);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
    }

    @Setup(Level.Invocation)
    public void sendOneSegment()
    {
        final EnginePairFixture p = pair;
        p.clock.advance(1_000);
        p.a.invoke();
        p.appA.poll(p.senderHandler, 256);
        p.write(FastPathBenchmark.SMALL);
        p.a.invoke();
    }

    @Benchmark
    public int segmentInAckOut()
    {
        final EnginePairFixture p = pair;
        p.clock.advance(1_000);
        final int work = p.b.invoke();
        return work + p.appB.poll(p.receiverHandler, 256);
    }
}
