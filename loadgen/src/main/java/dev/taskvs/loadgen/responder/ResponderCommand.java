package dev.taskvs.loadgen.responder;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./kvs loadgen responder}: the minimal responder, to measure the generator's own ceiling. */
@Command(name = "responder", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"A store-less memcached text responder that serves the values loadgen verifies.",
        "Run loadgen against it (with the same --value-size and --seed) to measure loadgen itself."})
public final class ResponderCommand implements Callable<Integer>
{
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
        try (Responder r = Responder.start(o))
        {
            System.out.println("loadgen responder listening on " + host + ":" + r.port() + " (" + threads +
                " threads, values " + valueSize + ")");
            Runtime.getRuntime().addShutdownHook(new Thread(r::close));
            Thread.currentThread().join();
        }
        return 0;
    }
}
