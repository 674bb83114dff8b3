package dev.taskvs.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time from {@code /proc/<pid>/stat}: utime + stime of all its threads, in clock ticks. */
public final class ProcCpu
{
    /** USER_HZ: 100 on every Linux architecture this runs on ({@code getconf CLK_TCK}). */
    public static final long TICKS_PER_SECOND = 100;

    private ProcCpu()
    {
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code /proc/PID/stat} line. The command name (field 2) is in
     * parentheses and may itself hold spaces and parentheses, so fields are counted after the last ')'.
     */
    public static long ticks(final String statLine)
    {
        final int close = statLine.lastIndexOf(')');
        if (close < 0)
        {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
        }
        final String[] f = statLine.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field N is f[N - 3].
        if (f.length < 13)
        {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat: " + statLine);
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** CPU time of a live process in ticks, or -1 when it is gone. */
    public static long ticks(final long pid)
    {
        try
        {
            return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    /** Microseconds of CPU per request over a window of {@code ticks} and {@code requests}; NaN without requests. */
    public static double usPerRequest(final long ticks, final long requests)
    {
        return requests <= 0 || ticks < 0 ? Double.NaN : ticks * (1e6 / TICKS_PER_SECOND) / requests;
    }
}
