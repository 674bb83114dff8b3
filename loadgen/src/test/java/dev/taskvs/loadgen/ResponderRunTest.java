package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.taskvs.loadgen.protocol.ErrorKind;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.loadgen.responder.Responder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs against the in-process minimal responder, with and without injected faults. */
@Timeout(60)
class ResponderRunTest
{
    private static Responder responder(final long stallAfter, final long stallMillis, final long corruptEvery)
        throws Exception
    {
        final Responder.Options o = new Responder.Options();
        o.stallAfterRequests = stallAfter;
        o.stallMillis = stallMillis;
        o.corruptEvery = corruptEvery;
        return Responder.start(o);
    }

    private static InetSocketAddress at(final Responder r)
    {
        return new InetSocketAddress("127.0.0.1", r.port());
    }

    @Test
    void shouldPassWhenEveryValueVerifies() throws Exception
    {
        try (Responder r = responder(-1, 0, 0))
        {
            final LoadgenConfig c = TestRuns.config(at(r));
            c.multiget = 4;
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            assertTrue(result.measuredCompleted > 100, "completed " + result.measuredCompleted);
            assertEquals(result.keysRequested, result.hits, "the responder serves every key");
            assertEquals(result.measuredCompleted, result.latency.getTotalCount());
        }
    }

    @Test
    void shouldCountAWrongValueAsAMismatchAndFailTheRun() throws Exception
    {
        try (Responder r = responder(-1, 0, 50))
        {
            final LoadgenConfig c = TestRuns.config(at(r));
            c.getRatio = 1.0;
            c.preload = false;
            final RunResult result = TestRuns.run(c);
            final long mismatches = TestRuns.errors(result, ErrorKind.VALUE_MISMATCH);
            assertTrue(mismatches > 0, result.errors.toString());
            // One in 50 values was corrupted, over warm-up and measurement; every one of them is caught.
            assertTrue(mismatches >= result.hits / 50 - 1, mismatches + " of " + result.hits);
            assertEquals(mismatches, result.errorsTotal(), result.errors.toString());
        }
        try (Responder r = responder(-1, 0, 50))
        {
            final int status = LoadgenMain.run("--server", "127.0.0.1:" + r.port(), "-c", "2", "--keys", "100",
                "--key-size", "8", "--get-ratio", "1", "--no-preload", "--warmup", "0", "--duration", "300ms",
                "--no-progress");
            assertEquals(1, status, "a run with mismatches exits 1");
        }
    }

    @Test
    void openLoopShouldChargeAServerStallToTheRequestsQueuedBehindIt() throws Exception
    {
        final double rate = 2000;
        // The responder stalls 200 ms once, half a second into the measured window.
        try (Responder r = responder((long)(rate * 0.8), 200, 0))
        {
            final LoadgenConfig c = TestRuns.config(at(r));
            c.preload = false;
            c.pipeline = 1;
            c.connections = 8;
            c.rate = rate;
            c.warmupNs = TimeUnit.MILLISECONDS.toNanos(300);
            c.durationNs = TimeUnit.MILLISECONDS.toNanos(2000);
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            final double p99 = RunResult.us(result.latency, 99);
            final double serviceP99 = RunResult.us(result.service, 99);
            // ~400 requests were due during the stall: 10% of the run waited up to 200 ms.
            assertTrue(p99 >= 100_000, "open-loop p99 must show the 200 ms stall, was " + p99 + " us");
            assertTrue(RunResult.maxUs(result.latency) >= 180_000, "max " + RunResult.maxUs(result.latency));
            // Only the 8 requests on the wire at the time saw it as service time: a closed-loop tool reports this.
            assertTrue(serviceP99 < p99 / 2, "service p99 " + serviceP99 + " vs latency p99 " + p99);
            assertTrue(result.achievedRate() > 0.9 * rate, "achieved " + result.achievedRate());
        }
    }

    @Test
    void workerLoopShouldNotAllocateInSteadyState() throws Exception
    {
        try (Responder r = responder(-1, 0, 0))
        {
            for (final double rate : new double[] {0, 5000})
            {
                final LoadgenConfig c = TestRuns.config(at(r));
                // Enough connections that their fds pass 127, where the JDK's epoll selector starts boxing them.
                c.connections = 200;
                c.pipeline = 8;
                c.multiget = 2;
                c.getRatio = 0.8;
                c.rate = rate;
                c.warmupNs = TimeUnit.MILLISECONDS.toNanos(200);
                c.durationNs = TimeUnit.MILLISECONDS.toNanos(800);
                c.conclude();
                try (Loadgen loadgen = new Loadgen(c, null))
                {
                    loadgen.connect();
                    loadgen.preload();
                    // Two phases warm the JIT up (the first ones still allocate a little: lazy initialisation and
                    // deoptimisation); the third one's measured window must allocate nothing.
                    loadgen.run(rate);
                    loadgen.run(rate);
                    final RunResult third = loadgen.run(rate);
                    assertEquals(0, third.errorsTotal(), third.errors.toString());
                    assertTrue(third.measuredCompleted > 100);
                    assertEquals(0, third.generatorAllocatedBytes, "bytes allocated by the worker thread " +
                        "(ThreadMXBean) while measuring at rate " + rate);
                }
            }
        }
    }
}
