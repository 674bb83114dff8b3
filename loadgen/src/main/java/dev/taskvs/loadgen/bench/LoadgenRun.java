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
        final Path json = dir.resolve(name + ".json");
        final Path hgrm = dir.resolve(name + ".hgrm");
        final Path log = dir.resolve(name + ".txt");
        Files.deleteIfExists(json);
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(Setup.javaCommand("loadgen", "dev.taskvs.loadgen.LoadgenMain"));
        command.addAll(args);
        command.addAll(List.of("--json", json.toString(), "--hgrm", hgrm.toString()));
        Files.writeString(dir.resolve(name + ".cmd"), String.join(" ", command) + "\n");
        final Process p = new ProcessBuilder(command).redirectOutput(log.toFile()).start();
        final CpuWindow window = new CpuWindow();
        final StringBuilder stderr = new StringBuilder();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    final long ticks = ProcCpu.ticks(serverPid);
                    if (!progress(line, window, ticks))
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
        }, "loadgen-stderr");
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("loadgen did not finish within " + timeoutSeconds + " s");
        }
        final long ticksAtExit = ProcCpu.ticks(serverPid);
        reader.join(2000);
        final String err;
        synchronized (stderr)
        {
            err = stderr.toString().trim();
        }
        Files.writeString(dir.resolve(name + ".err"), err + "\n");
        if (p.exitValue() == 2 && err.contains("--nic dpdk"))
        {
            throw new Refused(err.lines().reduce((a, b) -> b).orElse(err));
        }
        if (!Files.exists(json))
        {
            throw new IllegalStateException("loadgen exited " + p.exitValue() + " without a result: " +
                lastLines(err, 2));
        }
        final Measurement m = Measurement.fromJson(Files.readString(json));
        m.hgrm = hgrm;
        if (window.requests > 0)
        {
            m.serverCpuUsPerRequest = window.usPerRequest();
            m.serverCpuPercent = window.percentOfCore();
        }
        else if (window.startTicks >= 0 && ticksAtExit >= 0)
        {
            // A run shorter than one progress second: from the warm-up's end to loadgen's exit (a little drain
            // and close included), over the requests loadgen measured.
            m.serverCpuUsPerRequest = ProcCpu.usPerRequest(ticksAtExit - window.startTicks, m.requests);
        }
        return m;
    }

    static String lastLines(final String text, final int n)
    {
        final List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
