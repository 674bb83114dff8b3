package dev.taskvs.server.store;

/** Out-parameters of a mutation, reused by one caller (one per connection or worker) to stay allocation-free. */
public final class MutationResult
{
    /** CAS unique of the item after the operation (0 when nothing was stored). */
    public long cas;

    /** incr/decr: the new value. */
    public long value;

    public MutationResult reset()
    {
        cas = 0;
        value = 0;
        return this;
    }
}
