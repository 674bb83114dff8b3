package dev.taskvs.engine.mem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads this process's {@code /proc/self/smaps}: what backs the mappings at some addresses, so an engine can say
 * whether its flow state got the huge pages it asked for (the kernel may refuse quietly) and tests can check it.
 */
public final class Smaps
{
    private Smaps()
    {
    }

    /**
     * @param address any address in a mapping.
     * @return that mapping's {@code AnonHugePages} in KiB, or -1 when no mapping holds the address.
     */
    public static long anonHugePagesKb(final long address) throws IOException
    {
        return sumKb(address, address + 1, "AnonHugePages:")[0];
    }

    /** @return whether a mapping holds {@code address}. */
    public static boolean mapped(final long address) throws IOException
    {
        return sumKb(address, address + 1, "Size:")[0] >= 0;
    }

    /**
     * What backs the mappings that overlap {@code [from, to)}: their resident and huge-page kilobytes, summed whole
     * (a mapping made by {@link HugePageMemory} is one such mapping from its aligned start to its end).
     *
     * @param from first address.
     * @param to   address after the last.
     * @return {resident KiB, AnonHugePages KiB}, zeros where no mapping overlaps.
     */
    public static long[] usageKb(final long from, final long to) throws IOException
    {
        final long[] usage = sumKb(from, to, "Rss:", "AnonHugePages:");
        return new long[] {Math.max(usage[0], 0), Math.max(usage[1], 0)};
    }

    /** @return the system's transparent huge page mode: always, madvise or never. */
    public static String thpMode() throws IOException
    {
        final String line = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        return line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    }

    /** Each named field summed over the mappings that overlap [from, to); all -1 when none does. */
    private static long[] sumKb(final long from, final long to, final String... names) throws IOException
    {
        final long[] sums = new long[names.length];
        Arrays.fill(sums, -1);
        boolean inside = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && isHex(line, 0, dash))
            {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(start, to) < 0 && Long.compareUnsigned(end, from) > 0;
                continue;
            }
            for (int i = 0; inside && i < names.length; i++)
            {
                if (line.startsWith(names[i]))
                {
                    sums[i] = Math.max(sums[i], 0) + kilobytes(line, names[i]);
                }
            }
        }
        return sums;
    }

    private static long kilobytes(final String line, final String name)
    {
        return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
    }

    private static boolean isHex(final String line, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (Character.digit(line.charAt(i), 16) < 0)
            {
                return false;
            }
        }
        return true;
    }
}
