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
 * The floor under {@link FastPathBenchmark}: one INVOKER duty cycle of an engine (its lane and its slow path)
 * with one established, idle connection and nothing on the wire, and one poll of an app context with no events.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineIdleBenchmark
{
    private EnginePairFixture pair;

    @Setup(Level.Trial)
    public void setUp()
    {
        pair = new EnginePairFixture(64);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
    }

    @Benchmark
    public int idleDutyCycle()
    {
        pair.clock.advance(1_000);
        return pair.b.invoke();
    }

    @Benchmark
    public int idleAppPoll()
    {
        return pair.appB.poll(pair.receiverHandler, 256);
    }
}
