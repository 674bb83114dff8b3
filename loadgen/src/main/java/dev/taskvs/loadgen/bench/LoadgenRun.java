package dev.taskvs.loadgen.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One loadgen process. While it runs, every progress line it prints ("[  3.0s] run  123,456 ops/s ...") is
 * matched with a reading of the server's CPU time, so the server's CPU per request covers exactly the whole
 * seconds of the measured window: from the last warm-up line to the last run line, over the requests the run
 * lines counted.
 */
public final class LoadgenRun
{
    private static final Pattern PROGRESS = Pattern.compile("^\\[\\s*([0-9.]+)s\\]\\s+(warmup|run)\\s+([0-9,]+) ops/s");

    /** The loadgen option that was refused, when it exited 2 naming it (e.g. "--nic dpdk"). */
    public static final class Refused extends IllegalStateException
    {
        public Refused(final String message)
        {
            super(message);
        }
    }

    /** Accumulates (progress line, server CPU ticks) pairs. */
    static final class CpuWindow
    {
        long startTicks = -1;
        long lastTicks = -1;
        long requests;
        double seconds;
        double startAt;
        double lastAt;

        /** One progress line and the server's CPU ticks read right when it arrived. */
        void line(final String label, final double at, final long ops, final long ticks)
        {
            if (ticks < 0)
            {
                return;
            }
            if ("warmup".equals(label) || startTicks < 0)
            {
                startTicks = ticks;
                startAt = at;
                requests = 0;
                lastTicks = ticks;
                lastAt = at;
                return;
            }
            requests += ops;
            lastTicks = ticks;
            lastAt = at;
        }

        long ticks()
        {
            return startTicks < 0 ? -1 : lastTicks - startTicks;
        }

        double usPerRequest()
        {
            return ProcCpu.usPerRequest(ticks(), requests);
        }

        double percentOfCore()
        {
            final double s = lastAt - startAt;
            return s <= 0 || ticks() < 0 ? Double.NaN : 100.0 * ticks() / ProcCpu.TICKS_PER_SECOND / s;
        }
    }

    /** Parses a progress line into the window, reading the server's CPU; false when it is not one. */
    static boolean progress(final String line, final CpuWindow window, final long ticks)
    {
        final Matcher m = PROGRESS.matcher(line);
        if (!m.find())
        {
            return false;
        }
        window.line(m.group(2), Double.parseDouble(m.group(1)), Long.parseLong(m.group(3).replace(",", "")), ticks);
        return true;
    }

    /**
     * Runs loadgen with {@code args} (plus --json and --hgrm into {@code dir/name.*}) and returns its result with
     * the server's CPU per request.
     */
    public static Measurement run(final List<String> prefix, final List<String> args, final long serverPid,
        final Path dir, final String name, final long timeoutSeconds) throws IOException, InterruptedException
    {
        return runShards(prefix, List.of(args), new long[] {serverPid}, dir, name, timeoutSeconds);
    }

    /**
     * Runs one loadgen per entry of {@code args} at once, each against its own server (a point with more connections
     * than one process may open: loadgen and the kernel servers need a descriptor each), and returns their results
     * together: requests/s, requests and errors summed, latency percentiles and the maximum the worst of them, the
     * generator's CPU the mean. The servers' CPU is read, summed over {@code serverPids}, at each progress line of
     * the first loadgen (they start together and run the same phases), and over their summed measured rate gives
     * the CPU per request. The first one's files are {@code dir/name.*}, the others' {@code dir/name-shardK.*}.
     */
    public static Measurement runShards(final List<String> prefix, final List<List<String>> args,
        final long[] serverPids, final Path dir, final String name, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final int shards = args.size();
        final List<Process> processes = new ArrayList<>();
        final List<String> files = new ArrayList<>();
        final List<Path> jsons = new ArrayList<>();
        final List<Path> hgrms = new ArrayList<>();
        final List<StringBuilder> stderrs = new ArrayList<>();
        final List<Thread> readers = new ArrayList<>();
        final CpuWindow window = new CpuWindow();
        try
        {
            for (int k = 0; k < shards; k++)
            {
                final String file = k == 0 ? name : name + "-shard" + (k + 1);
                files.add(file);
                final Path json = dir.resolve(file + ".json");
                final Path hgrm = dir.resolve(file + ".hgrm");
                Files.deleteIfExists(json);
                final List<String> command = new ArrayList<>(prefix);
                command.addAll(Setup.javaCommand("loadgen", "dev.taskvs.loadgen.LoadgenMain"));
                command.addAll(args.get(k));
                command.addAll(List.of("--json", json.toString(), "--hgrm", hgrm.toString()));
                Files.writeString(dir.resolve(file + ".cmd"), String.join(" ", command) + "\n");
                final Process p = new ProcessBuilder(command).redirectOutput(dir.resolve(file + ".txt").toFile()).start();
                processes.add(p);
                jsons.add(json);
                hgrms.add(hgrm);
                final StringBuilder stderr = new StringBuilder();
                stderrs.add(stderr);
                // The first loadgen's progress lines time the servers' CPU readings; the others' are only kept.
                final boolean timing = k == 0;
                final Thread reader = new Thread(() ->
                {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8)))
                    {
                        String line;
                        while ((line = r.readLine()) != null)
                        {
                            if (!timing || !progress(line, window, ticks(serverPids)))
                            {
                                synchronized (stderr)
                                {
                                    stderr.append(line).append('\n');
                                }
                            }
                        }
                    }
                    catch (final IOException ignored)
                    {
                        // the process went away
                    }
                }, "loadgen-stderr-" + k);
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            for (final Process p : processes)
            {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    throw new IllegalStateException("loadgen did not finish within " + timeoutSeconds + " s");
                }
            }
        }
        finally
        {
            for (final Process p : processes)
            {
                if (p.isAlive())
                {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        final long ticksAtExit = ticks(serverPids);
        final List<Measurement> parts = new ArrayList<>();
        for (int k = 0; k < shards; k++)
        {
            readers.get(k).join(2000);
            final String err;
            synchronized (stderrs.get(k))
            {
                err = stderrs.get(k).toString().trim();
            }
            Files.writeString(dir.resolve(files.get(k) + ".err"), err + "\n");
            final Process p = processes.get(k);
            if (p.exitValue() == 2 && err.contains("--nic dpdk"))
            {
                throw new Refused(err.lines().reduce((a, b) -> b).orElse(err));
            }
            if (!Files.exists(jsons.get(k)))
            {
                throw new IllegalStateException("loadgen exited " + p.exitValue() + " without a result: " +
                    lastLines(err, 2));
            }
            final Measurement m = Measurement.fromJson(Files.readString(jsons.get(k)));
            m.hgrm = hgrms.get(k);
            parts.add(m);
        }
        final Measurement m = parts.size() == 1 ? parts.get(0) : Measurement.combine(parts);
        if (window.requests > 0)
        {
            m.serverCpuPercent = window.percentOfCore();
            // The window counted the first loadgen's requests; the servers served all of them at the summed rate.
            m.serverCpuUsPerRequest = parts.size() == 1 ? window.usPerRequest() : m.opsPerSec > 0 ?
                m.serverCpuPercent / 100 * 1e6 / m.opsPerSec : Double.NaN;
        }
        else if (window.startTicks >= 0 && ticksAtExit >= 0)
        {
            // A run shorter than one progress second: from the warm-up's end to loadgen's exit (a little drain
            // and close included), over the requests loadgen measured.
            m.serverCpuUsPerRequest = ProcCpu.usPerRequest(ticksAtExit - window.startTicks, m.requests);
        }
        return m;
    }

    /** @return the CPU ticks of the processes summed, or -1 when one cannot be read. */
    static long ticks(final long[] pids)
    {
        long sum = 0;
        for (final long pid : pids)
        {
            final long t = ProcCpu.ticks(pid);
            if (t < 0)
            {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    static String lastLines(final String text, final int n)
    {
        final List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
