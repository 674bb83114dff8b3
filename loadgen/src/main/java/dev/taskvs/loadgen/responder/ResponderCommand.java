package dev.taskvs.loadgen.responder;

import java.util.concurrent.Callable;

import dev.taskvs.engine.cli.EngineOptions;
import dev.taskvs.engine.fastpath.FlowRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./kvs loadgen responder}: the minimal responder, to measure the generator's own ceiling. */
@Command(name = "responder", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"A store-less memcached text responder that serves the values loadgen verifies.",
        "Run loadgen against it (with the same --value-size and --seed) to measure loadgen itself.",
        "With --stack tas it answers on its own engine (--nic shm|tap|afpacket|dpdk, --ip, ...) at --port."})
public final class ResponderCommand implements Callable<Integer>
{
    @Option(names = "--stack", defaultValue = "kernel",
        description = "kernel (sockets, --listen and --threads) or tas (its own engine, one thread, the engine " +
        "options). Default: ${DEFAULT-VALUE}.")
    String stack;

    @Mixin
    EngineOptions engine;

    @Option(names = {"-l", "--listen"}, defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "11311", description = "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = {"-t", "--threads"}, defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--value-size", defaultValue = "64", description = "As loadgen's. Default: ${DEFAULT-VALUE}.")
    String valueSize;

    @Option(names = "--seed", defaultValue = "42", description = "As loadgen's. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--corrupt-every", defaultValue = "0", description = "Flip a byte in every Nth value (test).")
    long corruptEvery;

    @Option(names = "--max-flows", defaultValue = "4096",
        description = "With --stack tas: the engine's flow slots, about twice the connections to hold (a closed " +
        "connection keeps its slot through TIME_WAIT). Default: ${DEFAULT-VALUE}.")
    int maxFlows;

    @Override
    public Integer call() throws Exception
    {
        if (threads < 1 || threads > 64)
        {
            System.err.println("responder: --threads = " + threads + " is out of range: must be 1..64");
            return 2;
        }
        final Responder.Options o = new Responder.Options();
        o.host = host;
        o.port = port;
        o.threads = threads;
        o.valueSize = valueSize;
        o.seed = seed;
        o.corruptEvery = corruptEvery;
        if ("tas".equals(stack))
        {
            return onEngine(o);
        }
        if (!"kernel".equals(stack))
        {
            System.err.println("responder: --stack = " + stack + " is not one of kernel, tas");
            return 2;
        }
        try (Responder r = Responder.start(o))
        {
            System.out.println("loadgen responder listening on " + host + ":" + r.port() + " (" + threads +
                " threads, values " + valueSize + ")");
            Runtime.getRuntime().addShutdownHook(new Thread(r::close));
            Thread.currentThread().join();
        }
        return 0;
    }

    private int onEngine(final Responder.Options o) throws InterruptedException
    {
        if (threads != 1)
        {
            System.err.println("responder: --threads = " + threads + " applies to --stack kernel; on the engine " +
                "the responder runs in the engine's threading mode");
            return 2;
        }
        if ("loopback".equals(engine.nic()))
        {
            System.err.println("responder: --nic loopback is in-process only (loadgen --stack tas --nic loopback " +
                "starts its own responder); give --nic shm, tap, afpacket or dpdk");
            return 2;
        }
        if (maxFlows < 1 || maxFlows > FlowRecord.MAX_FLOWS)
        {
            System.err.println("responder: --max-flows = " + maxFlows + " is out of range: must be 1.." +
                FlowRecord.MAX_FLOWS);
            return 2;
        }
        try (EngineResponder r = EngineResponder.start(o, engine.context("responder").maxFlows(maxFlows),
            engine.openNics()))
        {
            System.out.println("loadgen responder on the engine at " + engine.ip() + " port " + port + " over " +
                engine.nic() + " (values " + valueSize + ")");
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                // What its engine saw (retransmissions, drops) is the other half of a ceiling run's story.
                System.out.println("responder engine counters: " + r.engine().nonZeroCounters());
                System.out.println("responder engine memory: " + r.engine().memoryReport());
                r.close();
            }));
            Thread.currentThread().join();
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println("responder: " + ex.getMessage());
            return 2;
        }
        return 0;
    }
}
