package dev.taskvs.server.store;

/**
 * Receives an item during {@link Store#get}, under the item's segment lock: copy what is needed (into a
 * response buffer) and return; do not call back into the store.
 */
@FunctionalInterface
public interface ItemHandler
{
    /** @param item the item's address, read through {@link Item}'s static accessors. */
    void onItem(long item);
}
