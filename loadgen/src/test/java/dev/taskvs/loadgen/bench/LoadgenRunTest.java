package dev.taskvs.loadgen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskvs.loadgen.responder.Responder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loadgens run side by side against servers of their own, as a sharded sweep point runs them, and read as one. */
class LoadgenRunTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunLoadgensTogetherAndSumWhatTheyMeasured(@TempDir final Path dir) throws Exception
    {
        try (Responder a = Responder.start(new Responder.Options());
            Responder b = Responder.start(new Responder.Options()))
        {
            final List<List<String>> args = new ArrayList<>();
            for (final Responder r : List.of(a, b))
            {
                args.add(List.of("--server", "127.0.0.1:" + r.port(), "--connections", "8", "--keys", "200",
                    "--warmup", "1s", "--duration", "2s"));
            }
            // The servers are this process's threads: its CPU stands for theirs.
            final long self = ProcessHandle.current().pid();
            final Measurement m = LoadgenRun.runShards(List.of(), args, new long[] {self, self}, dir, "point",
                50);

            double sum = 0;
            long requests = 0;
            for (final String name : List.of("point", "point-shard2"))
            {
                final Measurement one = Measurement.fromJson(Files.readString(dir.resolve(name + ".json")));
                assertTrue(one.opsPerSec > 100, name + ": " + one);
                sum += one.opsPerSec;
                requests += one.requests;
                assertTrue(Files.exists(dir.resolve(name + ".cmd")) && Files.exists(dir.resolve(name + ".hgrm")));
            }
            assertEquals(sum, m.opsPerSec, 1e-6);
            assertEquals(requests, m.requests);
            assertEquals(0, m.errors);
            assertEquals(2, m.processes);
            // The CPU read at the first loadgen's progress lines, over the summed rate.
            assertTrue(m.serverCpuUsPerRequest > 0 && m.serverCpuPercent > 0, m.toString());
        }
    }
}
