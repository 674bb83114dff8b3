package dev.taskvs.loadgen;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.taskvs.loadgen.protocol.ErrorKind;
import dev.taskvs.loadgen.report.Report;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.loadgen.report.Warnings;
import dev.taskvs.loadgen.stack.EngineStack;
import dev.taskvs.loadgen.stack.LoadStack;
import dev.taskvs.loadgen.worker.LatencyRecorder;
import dev.taskvs.loadgen.worker.Phase;
import dev.taskvs.loadgen.worker.Worker;
import dev.taskvs.loadgen.worker.WorkerStats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The coordinator: starts one {@link Worker} per thread, waits for the paced connection ramp, preloads the key
 * space, then runs measured phases (one for a run, one per step of a sweep) while it samples the workers'
 * recorders once a second for the progress line and the HdrHistogram log, and checks the generator itself (CPU,
 * allocation, GC, scheduler lag). It never touches the data path.
 */
public final class Loadgen implements Closeable
{
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LoadgenConfig config;
    private final PrintStream progress;
    private final List<Worker> workers = new ArrayList<>();
    private LoadStack stack;
    private HistogramLogWriter logWriter;
    private long logBaseMs;

    public Loadgen(final LoadgenConfig config, final PrintStream progress)
    {
        this.config = config;
        this.progress = progress;
    }

    public List<Worker> workers()
    {
        return workers;
    }

    /** Write every measured interval histogram to an HdrHistogram log (latency in nanoseconds). */
    public void logTo(final HistogramLogWriter writer)
    {
        this.logWriter = writer;
        logBaseMs = System.currentTimeMillis();
        writer.outputLogFormatVersion();
        writer.outputStartTime(logBaseMs);
        writer.setBaseTime(logBaseMs);
        writer.outputLegend();
    }

    /**
     * Open every connection (paced at {@code --connect-rate}); returns how many are open.
     *
     * @throws IOException when none could be opened.
     */
    public int connect() throws IOException, InterruptedException
    {
        stack = LoadStack.open(config);
        if (stack instanceof EngineStack)
        {
            // What runs where is part of the result: said even without progress lines.
            (progress != null ? progress : System.err).println("stack tas: " + ((EngineStack)stack).describe());
        }
        for (int i = 0; i < config.threads; i++)
        {
            final Worker w = new Worker(i, config, stack);
            workers.add(w);
            w.start();
        }
        final long started = System.nanoTime();
        for (final Worker w : workers)
        {
            while (!w.connected().await(1, TimeUnit.SECONDS))
            {
                say(String.format(Locale.ROOT, "[%5.1fs] connecting  %d of %d open, %d failed",
                    (System.nanoTime() - started) / 1e9, sum(WorkerStats.CONNECTED), config.connections,
                    errors(ErrorKind.CONNECT_FAILED)));
                checkWorkers();
            }
        }
        checkWorkers();
        final int open = (int)sum(WorkerStats.CONNECTED);
        say(String.format(Locale.ROOT, "connected %d of %d connections in %.2f s (%d failed)", open,
            config.connections, (System.nanoTime() - started) / 1e9, errors(ErrorKind.CONNECT_FAILED)));
        if (open == 0)
        {
            throw new IOException("no connection could be opened to " + config.describe().get("servers"));
        }
        return open;
    }

    /** Store every key once (version 0), over all connections, before anything is measured. */
    public void preload() throws InterruptedException
    {
        final long started = System.nanoTime();
        final Phase phase = Phase.preload(workers.size());
        workers.forEach(w -> w.submit(phase));
        while (!phase.awaitDone(1000))
        {
            checkWorkers();
            say(String.format(Locale.ROOT, "[%5.1fs] preloading  %d of %d keys", (System.nanoTime() - started) / 1e9,
                sum(WorkerStats.PRELOADED), (long)config.keys * config.servers.size()));
        }
        checkWorkers();
        say(String.format(Locale.ROOT, "preloaded %d keys in %.2f s", sum(WorkerStats.PRELOADED),
            (System.nanoTime() - started) / 1e9));
    }

    /** One measured phase at {@code rate} requests/s (0: closed loop). */
    public RunResult run(final double rate) throws InterruptedException
    {
        final Histogram latency = WorkerStats.newHistogram();
        final Histogram interval = WorkerStats.newHistogram();
        final RunResult result = new RunResult(latency, WorkerStats.newHistogram(), WorkerStats.newHistogram(),
            WorkerStats.newHistogram(), WorkerStats.newHistogram());
        result.configuration = config.describe();
        result.configuration.put("rate", rate);
        result.configuration.put("mode", rate > 0 ? "open-loop" : "closed-loop");
        result.openLoop = rate > 0;
        result.targetRate = rate;
        result.warmupSeconds = config.warmupNs / 1e9;
        result.durationSeconds = config.durationNs / 1e9;
        result.connectionsWanted = config.connections;
        discardSamples();

        final long startNs = System.nanoTime() + START_DELAY_NS;
        final long measureStartNs = startNs + config.warmupNs;
        final long endNs = measureStartNs + config.durationNs;
        final long[] before = counters();
        final Phase phase = new Phase(Phase.Kind.RUN, rate, startNs, measureStartNs, endNs, workers.size());
        workers.forEach(w -> w.submit(phase));

        final SelfCheck check = new SelfCheck(workers);
        long[] lanesAtStart = null;
        boolean measuring = false;
        long lastCompleted = sum(WorkerStats.COMPLETED);
        long lastMeasured = 0;
        long nextTick = startNs + TimeUnit.SECONDS.toNanos(1);
        while (true)
        {
            final long now = System.nanoTime();
            if (!measuring && now >= measureStartNs)
            {
                check.begin();
                lanesAtStart = laneBursts();
                measuring = true;
            }
            final long wake = Math.min(nextTick, measuring ? Long.MAX_VALUE : measureStartNs);
            if (phase.awaitDone(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wake - now))))
            {
                break;
            }
            checkWorkers();
            if (System.nanoTime() >= nextTick)
            {
                final double at = (nextTick - startNs) / 1e9;
                nextTick += TimeUnit.SECONDS.toNanos(1);
                sampleWorkers(result, interval);
                latency.add(interval);
                final long completed = sum(WorkerStats.COMPLETED);
                final long measured = sum(WorkerStats.MEASURED_COMPLETED) - before[WorkerStats.MEASURED_COMPLETED];
                if (measuring)
                {
                    result.timeSeries.add(new RunResult.Interval(at - result.warmupSeconds, measured - lastMeasured,
                        interval));
                    logInterval(interval, at - 1, at);
                }
                progressLine(at, measuring ? "run   " : "warmup", completed - lastCompleted, interval, rate);
                lastCompleted = completed;
                lastMeasured = measured;
            }
        }
        checkWorkers();
        if (!measuring)
        {
            check.begin();
            lanesAtStart = laneBursts();
        }
        check.end(result);
        final long[] lanesAtEnd = laneBursts();
        if (lanesAtStart != null && lanesAtEnd != null)
        {
            result.laneBurstSize = ((EngineStack)stack).burstSize();
            result.laneBursts = lanesAtEnd[0] - lanesAtStart[0];
            result.laneFullBursts = lanesAtEnd[1] - lanesAtStart[1];
            result.laneSegments = lanesAtEnd[2] - lanesAtStart[2];
        }
        sampleWorkers(result, interval);
        latency.add(interval);
        final long[] after = counters();
        fill(result, before, after);
        Warnings.check(config, result);
        return result;
    }

    /** @return the engine lanes' receive polls so far ({@link EngineStack#laneBursts}), or null on kernel sockets. */
    private long[] laneBursts()
    {
        return stack instanceof EngineStack ? ((EngineStack)stack).laneBursts() : null;
    }

    private void logInterval(final Histogram interval, final double fromSeconds, final double toSeconds)
    {
        if (logWriter != null)
        {
            interval.setStartTimeStamp(logBaseMs + (long)(fromSeconds * 1000));
            interval.setEndTimeStamp(logBaseMs + (long)(toSeconds * 1000));
            logWriter.outputIntervalHistogram(interval);
        }
    }

    private void progressLine(final double at, final String label, final long ops, final Histogram h,
        final double rate)
    {
        final String latency = h.getTotalCount() == 0 ? "latency not recorded yet" : String.format(Locale.ROOT,
            "p50 %s  p99 %s  max %s", Report.formatUs(RunResult.us(h, 50)), Report.formatUs(RunResult.us(h, 99)),
            Report.formatUs(RunResult.maxUs(h)));
        say(String.format(Locale.ROOT, "[%5.1fs] %s  %,10d ops/s%s  %s  errors %d  open %d", at, label, ops,
            rate > 0 ? String.format(Locale.ROOT, " (target %,.0f)", rate) : "", latency, errorsTotal(),
            openConnections()));
    }

    /**
     * What every worker recorded since the last sample: added to the run's per-kind histograms, and the interval's
     * latencies (gets and sets) left in {@code interval}. Values are recorded only for measured requests.
     */
    private void sampleWorkers(final RunResult result, final Histogram interval)
    {
        interval.reset();
        for (final Worker w : workers)
        {
            final LatencyRecorder.Interval sample = w.stats().latencies.sample();
            interval.add(sample.get);
            interval.add(sample.set);
            result.getLatency.add(sample.get);
            result.setLatency.add(sample.set);
            result.service.add(sample.service);
            result.lag.add(sample.lag);
        }
    }

    private void discardSamples()
    {
        for (final Worker w : workers)
        {
            w.stats().latencies.sample();
        }
    }

    private static void fill(final RunResult r, final long[] before, final long[] after)
    {
        r.measuredSent = after[WorkerStats.MEASURED_SENT] - before[WorkerStats.MEASURED_SENT];
        r.measuredCompleted = after[WorkerStats.MEASURED_COMPLETED] - before[WorkerStats.MEASURED_COMPLETED];
        r.gets = after[WorkerStats.GETS] - before[WorkerStats.GETS];
        r.sets = after[WorkerStats.SETS] - before[WorkerStats.SETS];
        r.keysRequested = after[WorkerStats.KEYS_REQUESTED] - before[WorkerStats.KEYS_REQUESTED];
        r.hits = after[WorkerStats.HITS] - before[WorkerStats.HITS];
        r.misses = after[WorkerStats.MISSES] - before[WorkerStats.MISSES];
        r.bytesOut = after[WorkerStats.BYTES_OUT] - before[WorkerStats.BYTES_OUT];
        r.bytesIn = after[WorkerStats.BYTES_IN] - before[WorkerStats.BYTES_IN];
        r.lateSends = after[WorkerStats.LATE_SENDS] - before[WorkerStats.LATE_SENDS];
        r.reconnects = after[WorkerStats.RECONNECTS] - before[WorkerStats.RECONNECTS];
        // Errors are the whole run's so far (connect and preload failures included): any of them fails the run.
        for (int k = 0; k < ErrorKind.count(); k++)
        {
            final long v = after[WorkerStats.ERRORS_BASE + k];
            if (v > 0)
            {
                r.errors.put(ErrorKind.get(k), v);
            }
        }
        r.connectionsOpen = (int)after[WorkerStats.OPEN];
    }

    /** A sweep: offered rates stepping up to {@code max}, stopping once the server no longer keeps up. */
    public List<RunResult> sweep(final double max) throws InterruptedException
    {
        final List<RunResult> steps = new ArrayList<>();
        for (int i = 1; i <= config.sweepSteps; i++)
        {
            final double rate = max * i / config.sweepSteps;
            say(String.format(Locale.ROOT, "sweep step %d of %d: %,.0f requests/s", i, config.sweepSteps, rate));
            final RunResult r = run(rate);
            steps.add(r);
            if (r.achievedRate() < 0.9 * rate || r.opsPerSecond() < 0.9 * rate)
            {
                say("sweep: saturated at step " + i + " (achieved " + Math.round(r.opsPerSecond()) + " of " +
                    Math.round(rate) + " requests/s)");
                break;
            }
        }
        return steps;
    }

    private long[] counters()
    {
        final long[] out = new long[WorkerStats.COUNTERS];
        for (final Worker w : workers)
        {
            for (int i = 0; i < out.length; i++)
            {
                out[i] += w.stats().get(i);
            }
        }
        return out;
    }

    private long sum(final int counter)
    {
        long s = 0;
        for (final Worker w : workers)
        {
            s += w.stats().get(counter);
        }
        return s;
    }

    private long errors(final ErrorKind kind)
    {
        long s = 0;
        for (final Worker w : workers)
        {
            s += w.stats().errors(kind);
        }
        return s;
    }

    public long errorsTotal()
    {
        long s = 0;
        for (final Worker w : workers)
        {
            s += w.stats().errorsTotal();
        }
        return s;
    }

    private long openConnections()
    {
        return sum(WorkerStats.OPEN);
    }

    private void checkWorkers()
    {
        for (final Worker w : workers)
        {
            if (w.failure() != null)
            {
                throw new IllegalStateException("loadgen worker failed: " + w.failure(), w.failure());
            }
        }
    }

    private void say(final String line)
    {
        if (progress != null)
        {
            progress.println(line);
        }
    }

    @Override
    public void close()
    {
        if (!workers.isEmpty())
        {
            final Phase phase = Phase.shutdown(workers.size());
            workers.forEach(w -> w.submit(phase));
            try
            {
                phase.awaitDone(5000);
                for (final Worker w : workers)
                {
                    w.thread().join(5000);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (stack != null)
        {
            stack.close();
        }
    }

    /** The generator watching itself: worker CPU time and allocation, and GC, over the measured window. */
    static final class SelfCheck
    {
        private final List<Worker> workers;
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private long cpuStart;
        private long allocStart;
        private long gcCountStart;
        private long gcMillisStart;
        private long wallStart;

        SelfCheck(final List<Worker> workers)
        {
            this.workers = workers;
        }

        void begin()
        {
            wallStart = System.nanoTime();
            cpuStart = cpu();
            allocStart = allocated();
            gcCountStart = gcCount();
            gcMillisStart = gcMillis();
        }

        /** After the phase: the workers published their counters as they finished, before going idle. */
        void end(final RunResult r)
        {
            final long wall = System.nanoTime() - wallStart;
            long cpuEnd = 0;
            long allocEnd = 0;
            for (final Worker w : workers)
            {
                cpuEnd += Math.max(0, w.cpuAtPhaseEnd());
                allocEnd = allocEnd < 0 || w.allocatedAtPhaseEnd() < 0 ? -1 : allocEnd + w.allocatedAtPhaseEnd();
            }
            r.generatorCpuPercent = wall <= 0 ? 0 : 100.0 * (cpuEnd - cpuStart) / wall / workers.size();
            r.generatorAllocatedBytes = allocEnd < 0 || allocStart < 0 ? -1 : allocEnd - allocStart;
            r.gcCount = gcCount() - gcCountStart;
            r.gcMillis = gcMillis() - gcMillisStart;
        }

        private long cpu()
        {
            long sum = 0;
            for (final Worker w : workers)
            {
                sum += Math.max(0, threads.getThreadCpuTime(w.thread().getId()));
            }
            return sum;
        }

        private long allocated()
        {
            if (!(threads instanceof com.sun.management.ThreadMXBean))
            {
                return -1;
            }
            final com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean)threads;
            long sum = 0;
            for (final Worker w : workers)
            {
                final long a = t.getThreadAllocatedBytes(w.thread().getId());
                if (a < 0)
                {
                    return -1;
                }
                sum += a;
            }
            return sum;
        }

        private static long gcCount()
        {
            long sum = 0;
            for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            {
                sum += Math.max(0, gc.getCollectionCount());
            }
            return sum;
        }

        private static long gcMillis()
        {
            long sum = 0;
            for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            {
                sum += Math.max(0, gc.getCollectionTime());
            }
            return sum;
        }
    }
}
