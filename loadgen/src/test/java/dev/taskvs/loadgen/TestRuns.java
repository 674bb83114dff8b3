package dev.taskvs.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskvs.loadgen.report.RunResult;

/** Builds small configurations and runs them in-process. */
final class TestRuns
{
    private TestRuns()
    {
    }

    static LoadgenConfig config(final InetSocketAddress server)
    {
        final LoadgenConfig c = new LoadgenConfig();
        c.servers = new ArrayList<>(List.of(server));
        c.connections = 4;
        c.threads = 1;
        c.pipeline = 4;
        c.keys = 2000;
        c.keySize = 12;
        c.warmupNs = TimeUnit.MILLISECONDS.toNanos(300);
        c.durationNs = TimeUnit.MILLISECONDS.toNanos(1000);
        c.drainTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        c.progress = false;
        return c;
    }

    /** Connect, preload when asked, run one phase. */
    static RunResult run(final LoadgenConfig config) throws IOException, InterruptedException
    {
        config.conclude();
        try (Loadgen loadgen = new Loadgen(config, null))
        {
            loadgen.connect();
            if (config.preload)
            {
                loadgen.preload();
            }
            return loadgen.run(config.rate);
        }
    }

    static long errors(final RunResult r, final dev.taskvs.loadgen.protocol.ErrorKind kind)
    {
        return r.errors.getOrDefault(kind, 0L);
    }
}
