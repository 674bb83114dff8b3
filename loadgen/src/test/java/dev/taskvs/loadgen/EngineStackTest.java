package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.nic.shm.ShmWire;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.loadgen.protocol.ErrorKind;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.loadgen.responder.EngineResponder;
import dev.taskvs.loadgen.responder.Responder;
import dev.taskvs.loadgen.stack.EngineStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loadgen on its engine transport, both ends in this process: the generator's engine and an engine-based
 * responder on the loopback wire and on the shm wire. Every value is verified; runs must have 0 errors.
 */
@Timeout(120)
class EngineStackTest
{
    private static final String LOADGEN_IP = "10.211.90.2";
    private static final String RESPONDER_IP = "10.211.90.1";
    private static final int PORT = 11311;

    static EngineContext engineContext(final String name, final String cidr, final ThreadingMode threading)
    {
        return new EngineContext().name(name).address(cidr).threading(threading).idleStrategy("backoff")
            .rxBufferSize(64 * 1024).txBufferSize(64 * 1024).timeWaitNs(100_000_000L).rtoMinNs(20_000_000L);
    }

    /** A config against the responder on the loopback wire, with the generator's engine on endpoint A. */
    private static LoadgenConfig onLoopback(final LoopbackWire wire, final ThreadingMode threading)
    {
        final LoadgenConfig c = TestRuns.config(new InetSocketAddress(RESPONDER_IP, PORT));
        c.stack = "tas";
        c.engine = new EngineStack.Settings()
            .context(engineContext("loadgen", LOADGEN_IP + "/24", threading))
            .nic(wire::endpointA, "loopback");
        return c;
    }

    private static EngineResponder responder(final LoopbackWire wire, final Responder.Options options)
    {
        options.port = PORT;
        return EngineResponder.start(options, engineContext("responder", RESPONDER_IP + "/24",
            ThreadingMode.SHARED), wire.endpointB());
    }

    @Test
    void sharedModeOnTheLoadThreadShouldVerifyEveryValue() throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        try (EngineResponder r = responder(wire, new Responder.Options()))
        {
            final LoadgenConfig c = onLoopback(wire, ThreadingMode.SHARED);
            c.connections = 8;
            c.pipeline = 8;
            c.multiget = 4;
            c.getRatio = 0.8;
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            assertTrue(result.measuredCompleted > 500, "completed " + result.measuredCompleted);
            assertEquals(result.keysRequested, result.hits, "the responder serves every key");
            assertEquals(result.measuredCompleted, result.latency.getTotalCount());
        }
    }

    @Test
    void valuesLargerThanTheRingsAndWrapsShouldVerify() throws Exception
    {
        // 4 KiB rings: values up to 9 KiB cannot fit one ring, and every reply wraps sooner or later.
        final LoopbackWire wire = new LoopbackWire();
        final Responder.Options o = new Responder.Options();
        o.valueSize = "100-9000";
        try (EngineResponder r = responder(wire, o))
        {
            final LoadgenConfig c = onLoopback(wire, ThreadingMode.SHARED);
            c.engine.context.rxBufferSize(4096).txBufferSize(4096);
            c.valueSize = "100-9000";
            c.connections = 3;
            c.pipeline = 4;
            c.multiget = 2;
            c.getRatio = 0.7;
            c.durationNs = TimeUnit.MILLISECONDS.toNanos(700);
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            assertTrue(result.measuredCompleted > 50, "completed " + result.measuredCompleted);
            assertEquals(result.keysRequested, result.hits);
        }
    }

    @Test
    void openLoopWithTwoLoadThreadsShouldVerifyEveryValue() throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        try (EngineResponder r = responder(wire, new Responder.Options()))
        {
            // Two load threads: the engine gets a thread of its own (shared mode with several load threads).
            final LoadgenConfig c = onLoopback(wire, ThreadingMode.SHARED);
            c.threads = 2;
            c.connections = 16;
            c.pipeline = 4;
            c.rate = 4000;
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            assertTrue(result.achievedRate() > 0.8 * c.rate, "achieved " + result.achievedRate());
        }
    }

    @Test
    void dedicatedModeShouldVerifyEveryValue() throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        try (EngineResponder r = responder(wire, new Responder.Options()))
        {
            final LoadgenConfig c = onLoopback(wire, ThreadingMode.DEDICATED);
            c.connections = 4;
            c.pipeline = 4;
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), result.errors.toString());
            assertTrue(result.measuredCompleted > 100, "completed " + result.measuredCompleted);
        }
    }

    @Test
    void aCorruptedValueShouldBeCaught() throws Exception
    {
        final LoopbackWire wire = new LoopbackWire();
        final Responder.Options o = new Responder.Options();
        o.corruptEvery = 50;
        try (EngineResponder r = responder(wire, o))
        {
            final LoadgenConfig c = onLoopback(wire, ThreadingMode.SHARED);
            c.getRatio = 1.0;
            c.preload = false;
            final RunResult result = TestRuns.run(c);
            final long mismatches = TestRuns.errors(result, ErrorKind.VALUE_MISMATCH);
            assertTrue(mismatches > 0, result.errors.toString());
            assertEquals(mismatches, result.errorsTotal(), result.errors.toString());
        }
    }

    @Test
    void overTheShmWireBetweenTwoEngines() throws Exception
    {
        final Path file = Files.createTempFile(Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm") :
            Path.of(System.getProperty("java.io.tmpdir")), "lgtas-", ".wire");
        Files.delete(file);
        try
        {
            final Responder.Options o = new Responder.Options();
            o.port = PORT;
            final ShmWire responderSide = ShmWire.open(new ShmWire.Context().path(file));
            try (EngineResponder r = EngineResponder.start(o, engineContext("responder", RESPONDER_IP + "/24",
                ThreadingMode.SHARED), responderSide))
            {
                final LoadgenConfig c = TestRuns.config(new InetSocketAddress(RESPONDER_IP, PORT));
                c.stack = "tas";
                c.engine = new EngineStack.Settings()
                    .context(engineContext("loadgen", LOADGEN_IP + "/24", ThreadingMode.SHARED))
                    .nic(() -> ShmWire.open(new ShmWire.Context().path(file)), "shm " + file);
                c.connections = 8;
                c.pipeline = 8;
                final RunResult result = TestRuns.run(c);
                assertEquals(0, result.errorsTotal(), result.errors.toString());
                assertTrue(result.measuredCompleted > 500, "completed " + result.measuredCompleted);
                assertEquals(result.keysRequested, result.hits);
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void loadThreadAndEngineShouldNotAllocateInSteadyState() throws Exception
    {
        // Shared mode: the engine's duty cycle runs on the load thread, so its allocations would count too.
        final LoopbackWire wire = new LoopbackWire();
        try (EngineResponder r = responder(wire, new Responder.Options()))
        {
            for (final double rate : new double[] {0, 5000})
            {
                final LoadgenConfig c = onLoopback(wire, ThreadingMode.SHARED);
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
                    loadgen.run(rate);
                    loadgen.run(rate);
                    final RunResult third = loadgen.run(rate);
                    assertEquals(0, third.errorsTotal(), third.errors.toString());
                    assertTrue(third.measuredCompleted > 100);
                    assertEquals(0, third.generatorAllocatedBytes, "bytes allocated by the load thread (loadgen " +
                        "and engine) while measuring at rate " + rate);
                }
            }
        }
    }
}
