package dev.taskvs.client;

import java.util.concurrent.CompletableFuture;

import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseKind;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * One command in flight: it encodes its request for the connection's protocol and consumes the decoded reply
 * units that belong to it, completing its future when the reply is whole.
 */
abstract class Operation<T>
{
    final CompletableFuture<T> future = new CompletableFuture<>();
    int opaque;

    /** Write the request at {@code index}; returns the index after it. */
    abstract int encode(Codecs codecs, ExpandableDirectByteBuffer dst, int index);

    /**
     * Consume one reply unit.
     *
     * @return true when the reply is complete (the future is then done).
     */
    abstract boolean onResponse(Protocol protocol, Response response);

    /** Whether the server may legitimately send nothing back (quiet binary / meta {@code q} commands). */
    boolean isQuiet()
    {
        return false;
    }

    /** A later reply proved that this quiet command succeeded without a reply of its own. */
    void completeQuietly()
    {
        future.complete(null);
    }

    /** Fail with the server's error reply, if {@code response} is one; returns whether it was. */
    final boolean failOnError(final Response response)
    {
        final ResponseKind kind = response.kind();
        if (kind.isError())
        {
            future.completeExceptionally(errorOf(response));
            return true;
        }
        return false;
    }

    static MemcachedException errorOf(final Response response)
    {
        final String text = response.messageAsString();
        return new MemcachedException(
            response.kind() + (text.isEmpty() ? "" : " " + text), response.kind(), response.status());
    }

    final boolean unexpected(final Response response)
    {
        future.completeExceptionally(new MemcachedException(
            "unexpected reply " + response.kind() + " to " + getClass().getSimpleName(), response.kind(),
            response.status()));
        return true;
    }
}
