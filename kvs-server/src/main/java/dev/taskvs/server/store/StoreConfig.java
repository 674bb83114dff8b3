package dev.taskvs.server.store;

/** Store settings; built from the server's -m, -I, -M, -C flags. */
public final class StoreConfig
{
    /** -m in bytes: the item memory (headers, keys, values) never exceeds this. */
    public long memoryLimitBytes = 64L * 1024 * 1024;
    /** -I: largest item (header + key + value), bytes. */
    public int itemSizeMax = 1024 * 1024;
    /** -M: fail with NO_MEMORY instead of evicting. */
    public boolean evictionDisabled;
    /** -C: CAS disabled, every item's CAS reads 0. */
    public boolean casDisabled;
    /** Lock stripes, a power of two. */
    public int segments = 64;
}
