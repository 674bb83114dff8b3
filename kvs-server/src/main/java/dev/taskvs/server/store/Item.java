package dev.taskvs.server.store;

/**
 * Static accessors for an item in off-heap memory, given its address (as handed to {@link ItemHandler}).
 * The layout is the store's business; callers use only these methods.
 * <p>
 * API contract (implemented by the store): keyAddress, keyLength, valueAddress, valueLength, clientFlags,
 * cas, exptime (server time from {@link StoreClock#now()}, 0 = never).
 */
public final class Item
{
    private Item()
    {
    }
}
