package dev.taskvs.engine.slowpath;

import org.agrona.collections.Int2ObjectHashMap;

/** IPv4 to MAC mappings that expire after a time to live (TAS's cache never expires). */
public final class ArpCache
{
    private static final class Entry
    {
        long mac;
        long expiresNs;
    }

    private final Int2ObjectHashMap<Entry> entries = new Int2ObjectHashMap<>();
    private final long ttlNs;

    public ArpCache(final long ttlNs)
    {
        this.ttlNs = ttlNs;
    }

    public void learn(final int ip, final long mac, final long nowNs)
    {
        Entry entry = entries.get(ip);
        if (entry == null)
        {
            entry = new Entry();
            entries.put(ip, entry);
        }
        entry.mac = mac;
        entry.expiresNs = nowNs + ttlNs;
    }

    /** @return true when a live mapping for {@code ip} exists (RFC 826: refresh only known senders). */
    public boolean contains(final int ip, final long nowNs)
    {
        final Entry entry = entries.get(ip);
        return entry != null && entry.expiresNs - nowNs > 0;
    }

    /**
     * @return the MAC, or -1 when unknown or expired (an expired entry is removed).
     */
    public long lookup(final int ip, final long nowNs)
    {
        final Entry entry = entries.get(ip);
        if (entry == null)
        {
            return -1;
        }
        if (entry.expiresNs - nowNs <= 0)
        {
            entries.remove(ip);
            return -1;
        }
        return entry.mac;
    }

    public int size()
    {
        return entries.size();
    }
}
