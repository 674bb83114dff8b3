package dev.taskvs.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmark ran on: CPUs, CPU model, kernel, Java, load. */
public final class Machine
{
    public final int nproc;
    public final String cpuModel;
    public final String kernel;
    public final String java;
    public final long memoryMb;

    private Machine(final int nproc, final String cpuModel, final String kernel, final String java, final long memoryMb)
    {
        this.nproc = nproc;
        this.cpuModel = cpuModel;
        this.kernel = kernel;
        this.java = java;
        this.memoryMb = memoryMb;
    }

    public static Machine current()
    {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(read("/proc/cpuinfo")),
            read("/proc/sys/kernel/osrelease").trim(), System.getProperty("java.vm.name", "Java") + " " +
            System.getProperty("java.runtime.version", System.getProperty("java.version")),
            memTotalMb(read("/proc/meminfo")));
    }

    /** The first {@code model name} of a /proc/cpuinfo text, or "unknown". */
    static String cpuModel(final String cpuinfo)
    {
        for (final String line : cpuinfo.split("\n"))
        {
            if (line.startsWith("model name"))
            {
                final int colon = line.indexOf(':');
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    static long memTotalMb(final String meminfo)
    {
        for (final String line : meminfo.split("\n"))
        {
            if (line.startsWith("MemTotal:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return 0;
    }

    /** The 1-minute load average now. */
    public static String loadAverage()
    {
        final List<String> f = List.of(read("/proc/loadavg").trim().split("\\s+"));
        return f.isEmpty() ? "?" : f.get(0);
    }

    static String read(final String path)
    {
        try
        {
            return Files.readString(Path.of(path));
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    @Override
    public String toString()
    {
        return "nproc " + nproc + ", " + cpuModel + ", " + (memoryMb / 1024) + " GiB RAM, Linux " + kernel + ", " + java;
    }
}
