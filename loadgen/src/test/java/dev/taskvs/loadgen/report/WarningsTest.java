package dev.taskvs.loadgen.report;

import dev.taskvs.loadgen.LoadgenConfig;
import dev.taskvs.loadgen.worker.WorkerStats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's engine lanes as a possible limit: warned of when most of their receive polls were full. */
class WarningsTest
{
    private static RunResult lanes(final int burstSize, final long bursts, final long full)
    {
        final RunResult r = new RunResult(WorkerStats.newHistogram(), WorkerStats.newHistogram(),
            WorkerStats.newHistogram(), WorkerStats.newHistogram(), WorkerStats.newHistogram());
        r.laneBurstSize = burstSize;
        r.laneBursts = bursts;
        r.laneFullBursts = full;
        return r;
    }

    private static long laneWarnings(final RunResult r)
    {
        Warnings.check(new LoadgenConfig(), r);
        return r.warnings.stream().filter(w -> w.contains("engine lanes")).count();
    }

    @Test
    void shouldWarnWhenMostReceivePollsOfTheGeneratorsLanesWereFull()
    {
        final RunResult r = lanes(32, 10_000, 9_700);
        assertEquals(97.0, r.fullBurstPercent(), 1e-9);
        assertEquals(1, laneWarnings(r), r.warnings.toString());
        assertTrue(r.warnings.stream().anyMatch(w -> w.contains("filled 97% of their receive polls")),
            r.warnings.toString());
    }

    @Test
    void shouldNotWarnWhenTheLanesKeptUpOrThereAreNone()
    {
        assertEquals(0, laneWarnings(lanes(32, 10_000, 300)));
        // Too few polls to say anything, and kernel sockets (no lanes).
        assertEquals(0, laneWarnings(lanes(32, 10, 10)));
        assertEquals(0, laneWarnings(lanes(0, 0, 0)));
        assertEquals(0.0, lanes(32, 0, 0).fullBurstPercent());
    }
}
