package dev.taskvs.server.store;

/**
 * Settings and outcome of one {@link Store#get}, reused per connection. Set the inputs, call get, read the outputs.
 * Inputs are not cleared by get; call {@link #reset()} between requests.
 */
public final class GetOptions
{
    // ---- inputs
    /** New exptime to set on a hit (gat, mg T), or {@link Store#NO_TOUCH}. */
    public int touchExptime = Store.NO_TOUCH;

    /** mg N: on a miss, create an empty item with this exptime and hand it to the caller; {@link Store#NO_TOUCH} = off. */
    public int vivifyExptime = Store.NO_TOUCH;

    /** mg R: if the remaining TTL is below this many seconds, this caller wins the right to recache; -1 = off. */
    public int recacheBelowSeconds = -1;

    /** mg u: do not bump the item in the LRU. */
    public boolean noLruBump;

    // ---- outputs, valid after get returns true
    /** This caller won the right to recache (mg W). */
    public boolean won;

    /** Another caller already holds the win token (mg Z). */
    public boolean winTokenAlreadySent;

    /** The item was marked stale by md I (mg X). */
    public boolean stale;

    /** The item had been fetched before this get (mg h). */
    public boolean hitBefore;

    /** Seconds since the item was last accessed, before this access (mg l). */
    public int secondsSinceLastAccess;

    /** Remaining TTL in seconds after this access, -1 for never (mg t). */
    public int ttlRemaining;

    public GetOptions reset()
    {
        touchExptime = Store.NO_TOUCH;
        vivifyExptime = Store.NO_TOUCH;
        recacheBelowSeconds = -1;
        noLruBump = false;
        won = false;
        winTokenAlreadySent = false;
        stale = false;
        hitBefore = false;
        secondsSinceLastAccess = 0;
        ttlRemaining = -1;
        return this;
    }
}
