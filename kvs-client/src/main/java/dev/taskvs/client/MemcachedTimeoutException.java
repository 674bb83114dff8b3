package dev.taskvs.client;

/** No reply within the operation timeout. */
public final class MemcachedTimeoutException extends MemcachedException
{
    private static final long serialVersionUID = 1L;

    public MemcachedTimeoutException(final String message)
    {
        super(message, null);
    }
}
