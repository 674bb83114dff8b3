package dev.taskvs.client;

import dev.taskvs.client.codec.ResponseKind;

/**
 * A command failed: the server sent an error reply (its kind and text, and for binary the status), or the
 * connection failed, timed out or lost protocol sync (kind {@code null}).
 */
public class MemcachedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ResponseKind kind;
    private final int status;

    public MemcachedException(final String message, final ResponseKind kind, final int status)
    {
        super(message);
        this.kind = kind;
        this.status = status;
    }

    public MemcachedException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.kind = null;
        this.status = 0;
    }

    /** ERROR, CLIENT_ERROR or SERVER_ERROR for an error reply; null for a connection failure. */
    public ResponseKind kind()
    {
        return kind;
    }

    /** The binary status of an error reply; 0 for the text protocols. */
    public int status()
    {
        return status;
    }
}
