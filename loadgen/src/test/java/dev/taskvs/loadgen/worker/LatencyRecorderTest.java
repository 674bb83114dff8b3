package dev.taskvs.loadgen.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LatencyRecorderTest
{
    @Test
    void sampleShouldReturnWhatWasRecordedSinceTheLastOne()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        long section = recorder.enter();
        recorder.recordCompletion(true, 1_000, 500);
        recorder.recordCompletion(false, 2_000, 700);
        recorder.recordLag(30);
        recorder.exit(section);
        LatencyRecorder.Interval sample = recorder.sample();
        assertEquals(1, sample.get.getTotalCount());
        assertEquals(1, sample.set.getTotalCount());
        assertEquals(2, sample.service.getTotalCount());
        assertEquals(1, sample.lag.getTotalCount());
        assertEquals(2_000, sample.set.getMaxValue(), 2);

        section = recorder.enter();
        recorder.recordCompletion(true, 5_000, 5_000);
        recorder.exit(section);
        sample = recorder.sample();
        assertEquals(1, sample.get.getTotalCount(), "the earlier interval's values are gone");
        assertEquals(0, sample.set.getTotalCount());
        assertEquals(0, recorder.sample().get.getTotalCount());
    }

    /** A writer recording in passes while the reader samples: every value lands in exactly one sample. */
    @Test
    void concurrentSamplesShouldLoseNothing() throws InterruptedException
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        final int passes = 200_000;
        final AtomicBoolean done = new AtomicBoolean();
        final Thread writer = new Thread(() ->
        {
            for (int p = 0; p < passes; p++)
            {
                final long section = recorder.enter();
                for (int i = 0; i < 5; i++)
                {
                    recorder.recordCompletion((i & 1) == 0, 1 + p % 1000, 1 + i);
                }
                recorder.exit(section);
            }
            done.set(true);
        });
        writer.start();
        long gets = 0;
        long sets = 0;
        long service = 0;
        int samples = 0;
        while (!done.get())
        {
            final LatencyRecorder.Interval sample = recorder.sample();
            gets += sample.get.getTotalCount();
            sets += sample.set.getTotalCount();
            service += sample.service.getTotalCount();
            samples++;
        }
        writer.join();
        final LatencyRecorder.Interval last = recorder.sample();
        gets += last.get.getTotalCount();
        sets += last.set.getTotalCount();
        service += last.service.getTotalCount();
        assertTrue(samples > 1, "the reader sampled while the writer ran");
        assertEquals(3L * passes, gets);
        assertEquals(2L * passes, sets);
        assertEquals(5L * passes, service);
    }
}
