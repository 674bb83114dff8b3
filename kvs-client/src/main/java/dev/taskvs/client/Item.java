package dev.taskvs.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A retrieved item: its value, client flags (32-bit unsigned) and CAS unique (0 when not asked for). */
public final class Item
{
    private final byte[] value;
    private final int flags;
    private final long cas;

    public Item(final byte[] value, final int flags, final long cas)
    {
        this.value = value;
        this.flags = flags;
        this.cas = cas;
    }

    /** The value; the array is the item's own, not a copy. */
    public byte[] value()
    {
        return value;
    }

    public String valueAsString()
    {
        return new String(value, StandardCharsets.UTF_8);
    }

    public int flags()
    {
        return flags;
    }

    public long cas()
    {
        return cas;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Item))
        {
            return false;
        }
        final Item other = (Item)o;
        return flags == other.flags && cas == other.cas && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * Arrays.hashCode(value) + flags) + Long.hashCode(cas);
    }

    @Override
    public String toString()
    {
        return "Item{length=" + value.length + ", flags=" + Integer.toUnsignedString(flags) + ", cas=" + cas + '}';
    }
}
