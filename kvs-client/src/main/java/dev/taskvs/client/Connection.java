package dev.taskvs.client;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.transport.Transport;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * One connection's request and reply streams, shared by both clients. Sending (one thread at a time) queues the
 * operation, then encodes and writes it; receiving (one thread at a time) reads, decodes every complete reply
 * unit and hands each to the operation it belongs to.
 * <p>
 * Replies are matched in request order, as memcached sends them. Where the protocol carries an opaque (binary
 * always, meta through the {@code O} flag) it is checked against the oldest operation's; quiet operations that
 * a later reply skips over completed without a reply of their own. Any mismatch, malformed reply or I/O error
 * fails the connection and every operation in flight.
 */
final class Connection implements AutoCloseable
{
    private static final int MIN_READ_LENGTH = 16 * 1024;

    private final Transport transport;
    private final Codecs codecs;
    private final ResponseDecoder decoder;
    private final Response response = new Response();
    private final ExpandableDirectByteBuffer writeBuffer;
    private final ExpandableDirectByteBuffer readBuffer;
    private final Queue<Operation<?>> pending = new ConcurrentLinkedQueue<>();
    private int readStart;
    private int readEnd;
    private int nextOpaque = 1;
    private volatile MemcachedException failure;

    Connection(final Transport transport, final Protocol protocol, final int initialBufferLength)
    {
        this.transport = transport;
        this.codecs = new Codecs(protocol);
        this.decoder = codecs.newDecoder();
        this.writeBuffer = new ExpandableDirectByteBuffer(initialBufferLength);
        this.readBuffer = new ExpandableDirectByteBuffer(initialBufferLength);
    }

    Protocol protocol()
    {
        return codecs.protocol;
    }

    /** Queue, encode and write {@code operation}. Callers serialise sends. */
    void send(final Operation<?> operation)
    {
        final MemcachedException failed = failure;
        if (failed != null)
        {
            operation.future.completeExceptionally(failed);
            return;
        }
        operation.opaque = nextOpaque;
        nextOpaque = nextOpaque == Integer.MAX_VALUE ? 1 : nextOpaque + 1;
        final int length;
        try
        {
            length = operation.encode(codecs, writeBuffer, 0);
        }
        catch (final RuntimeException ex)
        {
            operation.future.completeExceptionally(ex);
            return;
        }
        // Queue before writing: the reply may be decoded on another thread before write() returns.
        pending.add(operation);
        if (failure != null)
        {
            fail(failure);
            return;
        }
        try
        {
            transport.write(writeBuffer, 0, length);
        }
        catch (final IOException ex)
        {
            fail(new MemcachedException("write to " + transport + " failed: " + ex.getMessage(), ex));
        }
    }

    /**
     * Read once (waiting up to {@code timeoutNanos}, or {@link Transport#WAIT_FOREVER}) and dispatch every complete
     * reply. Returns false once the connection has failed or closed.
     */
    boolean receive(final long timeoutNanos)
    {
        if (failure != null)
        {
            return false;
        }
        try
        {
            ensureReadSpace();
            final int read = transport.read(readBuffer, readEnd, readBuffer.capacity() - readEnd, timeoutNanos);
            if (read < 0)
            {
                fail(new MemcachedException("connection closed by the server: " + transport, null));
                return false;
            }
            readEnd += read;
            dispatch();
            if (!transport.isOpen())
            {
                fail(new MemcachedException("connection closed: " + transport, null));
                return false;
            }
            return true;
        }
        catch (final IOException ex)
        {
            fail(new MemcachedException("read from " + transport + " failed: " + ex.getMessage(), ex));
            return false;
        }
    }

    private void dispatch()
    {
        while (readStart < readEnd)
        {
            final int consumed = decoder.decode(readBuffer, readStart, readEnd - readStart, response);
            if (consumed == 0)
            {
                return;
            }
            if (consumed == ResponseDecoder.MALFORMED)
            {
                fail(new MemcachedException("malformed reply: " + response.malformedReason(), null));
                return;
            }
            if (!deliver())
            {
                return;
            }
            readStart += consumed;
        }
    }

    private boolean deliver()
    {
        Operation<?> head = pending.peek();
        final long opaque = response.opaque();
        final boolean matchOpaque = codecs.protocol == Protocol.BINARY ||
            codecs.protocol == Protocol.META && opaque != Response.NO_OPAQUE;
        while (matchOpaque && head != null && head.opaque != opaque)
        {
            if (!head.isQuiet())
            {
                fail(new MemcachedException("reply opaque " + opaque + " does not match the oldest request's " +
                    head.opaque + " (" + response.kind() + ")", null));
                return false;
            }
            pending.poll();
            head.completeQuietly();
            head = pending.peek();
        }
        if (!matchOpaque && codecs.protocol != Protocol.TEXT && !response.kind().isError())
        {
            // A reply without an opaque (MN, or a classic command's reply on a meta connection) also proves that
            // the quiet commands before it succeeded. Errors without one are charged to the oldest command.
            while (head != null && head.isQuiet())
            {
                pending.poll();
                head.completeQuietly();
                head = pending.peek();
            }
        }
        if (head == null)
        {
            fail(new MemcachedException("reply " + response.kind() + " with no request in flight", null));
            return false;
        }
        if (head.onResponse(codecs.protocol, response))
        {
            pending.poll();
        }
        return true;
    }

    private void ensureReadSpace()
    {
        if (readStart == readEnd)
        {
            readStart = 0;
            readEnd = 0;
        }
        final int needed = Math.max(MIN_READ_LENGTH, decoder.pendingUnitLength() - (readEnd - readStart));
        if (readBuffer.capacity() - readEnd >= needed)
        {
            return;
        }
        if (readStart > 0)
        {
            readBuffer.putBytes(0, readBuffer, readStart, readEnd - readStart);
            readEnd -= readStart;
            readStart = 0;
        }
        if (readBuffer.capacity() - readEnd < needed)
        {
            readBuffer.checkLimit(readEnd + needed);
        }
    }

    /** Fail the connection: close it and complete everything in flight (and anything sent later) with cause. */
    void fail(final MemcachedException cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
        transport.close();
        Operation<?> operation;
        while ((operation = pending.poll()) != null)
        {
            operation.future.completeExceptionally(failure);
        }
    }

    MemcachedException failure()
    {
        return failure;
    }

    boolean isOpen()
    {
        return failure == null && transport.isOpen();
    }

    @Override
    public void close()
    {
        fail(new MemcachedException("client closed", null));
    }
}
