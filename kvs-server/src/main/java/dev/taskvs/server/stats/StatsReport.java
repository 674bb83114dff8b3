package dev.taskvs.server.stats;

import dev.taskvs.server.ServerContext;

/**
 * Renders memcached's statistics groups as name/value pairs, shared by the text protocol ({@code STAT n v})
 * and the binary protocol (one packet per stat). Not on the data path: it may allocate.
 */
public final class StatsReport
{
    /** Receives one statistic. */
    @FunctionalInterface
    public interface Sink
    {
        void stat(String name, String value);
    }

    private StatsReport()
    {
    }

    /**
     * Emits the statistics of a group: null or "" for the general stats, or "settings", "items", "slabs",
     * "conns", "sizes".
     *
     * @return false when the group is unknown (text: ERROR; binary: KEY_ENOENT).
     */
    public static boolean collect(final ServerContext ctx, final String group, final Sink sink)
    {
        throw new UnsupportedOperationException("implemented with the text protocol");
    }
}
