package dev.taskvs.client;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.taskvs.client.codec.text.TextCommand;
import dev.taskvs.client.transport.Transport;

/**
 * An asynchronous memcached client on one connection: any number of requests in flight, each completing its
 * future when its reply arrives (or exceptionally: an error reply as {@link MemcachedException}, no reply within
 * the operation timeout as {@link MemcachedTimeoutException}, a failed connection). Calls are thread-safe; a
 * reader thread owned by the client receives the replies and completes the futures, so callbacks attached with
 * the non-async {@code then...} methods run on it and must not block.
 */
public final class PipelinedClient implements AutoCloseable
{
    private final ClientConfig config;
    private final Connection connection;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Thread reader;
    private final long timeoutNanos;

    private PipelinedClient(final ClientConfig config, final Transport transport)
    {
        this.config = config;
        this.connection = new Connection(transport, config.protocol(), config.initialBufferLength());
        this.timeoutNanos = config.operationTimeout().toNanos();
        this.reader = new Thread(this::receiveLoop, "kvs-client-reader-" + config.address());
        reader.setDaemon(true);
        reader.start();
    }

    /** Connect as {@code config} says. */
    public static PipelinedClient connect(final ClientConfig config) throws IOException
    {
        config.conclude();
        return new PipelinedClient(config, config.transportFactory().connect(config.address(),
            config.connectTimeout()));
    }

    public Protocol protocol()
    {
        return config.protocol();
    }

    private void receiveLoop()
    {
        while (connection.receive(Transport.WAIT_FOREVER))
        {
            Thread.onSpinWait();
        }
    }

    private <T> CompletableFuture<T> submit(final Operation<T> operation)
    {
        sendLock.lock();
        try
        {
            connection.send(operation);
        }
        finally
        {
            sendLock.unlock();
        }
        final CompletableFuture<T> future = operation.future;
        if (!future.isDone())
        {
            future.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        return future.handle((value, error) ->
        {
            if (error instanceof java.util.concurrent.TimeoutException)
            {
                throw new MemcachedTimeoutException(
                    "no reply within " + config.operationTimeout() + " from " + config.address());
            }
            if (error != null)
            {
                throw error instanceof RuntimeException ? (RuntimeException)error :
                    new MemcachedException(error.getMessage(), error);
            }
            return value;
        });
    }

    /** The item, or null on a miss. */
    public CompletableFuture<Item> get(final String key)
    {
        return submit(new Operations.Get(Operations.key(key), false, false, 0));
    }

    /** The item with its CAS unique, or null on a miss. */
    public CompletableFuture<Item> gets(final String key)
    {
        return submit(new Operations.Get(Operations.key(key), true, false, 0));
    }

    /** Get and touch: the item (with its CAS unique), or null on a miss. */
    public CompletableFuture<Item> gat(final String key, final int exptime)
    {
        return submit(new Operations.Get(Operations.key(key), true, true, exptime));
    }

    /** The hits among {@code keys}, by key. */
    public CompletableFuture<Map<String, Item>> getMulti(final List<String> keys)
    {
        return submit(new Operations.MultiGet(keys, false));
    }

    public CompletableFuture<Map<String, Item>> getMulti(final String... keys)
    {
        return getMulti(Arrays.asList(keys));
    }

    /** The hits among {@code keys} with their CAS uniques. */
    public CompletableFuture<Map<String, Item>> getsMulti(final List<String> keys)
    {
        return submit(new Operations.MultiGet(keys, true));
    }

    public CompletableFuture<StoreResult> set(final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.SET, key, value, flags, exptime, 0);
    }

    public CompletableFuture<StoreResult> add(final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.ADD, key, value, flags, exptime, 0);
    }

    public CompletableFuture<StoreResult> replace(
        final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.REPLACE, key, value, flags, exptime, 0);
    }

    public CompletableFuture<StoreResult> append(final String key, final byte[] value)
    {
        return store(TextCommand.APPEND, key, value, 0, 0, 0);
    }

    public CompletableFuture<StoreResult> prepend(final String key, final byte[] value)
    {
        return store(TextCommand.PREPEND, key, value, 0, 0, 0);
    }

    /** Compare and swap: STORED, EXISTS (someone else stored since {@code cas}) or NOT_FOUND. */
    public CompletableFuture<StoreResult> cas(
        final String key, final byte[] value, final int flags, final int exptime, final long cas)
    {
        return store(TextCommand.CAS, key, value, flags, exptime, cas);
    }

    private CompletableFuture<StoreResult> store(
        final TextCommand command, final String key, final byte[] value, final int flags, final int exptime,
        final long cas)
    {
        return submit(new Operations.Store(command, Operations.key(key), value, flags, exptime, cas));
    }

    /**
     * Set without a success reply where the protocol allows it (binary SetQ/AddQ/ReplaceQ/AppendQ/PrependQ, meta
     * {@code q}); the future completes STORED when a later reply shows the server got past it, or with the failure
     * the server did report. Follow a batch with {@link #noop()} to complete it. On a text connection this is an
     * ordinary store, since a {@code noreply} error could not be told apart from the next command's reply.
     */
    public CompletableFuture<StoreResult> storeQuietly(
        final StoreCommand command, final String key, final byte[] value, final int flags, final int exptime)
    {
        return submit(new Operations.Store(command.textCommand(), Operations.key(key), value, flags, exptime, 0,
            config.protocol() != Protocol.TEXT));
    }

    /** True when deleted, false when the key was missing. */
    public CompletableFuture<Boolean> delete(final String key)
    {
        return submit(new Operations.Delete(Operations.key(key)));
    }

    /** The new value (unsigned 64-bit, wraps), or null when the key is missing. */
    public CompletableFuture<Long> incr(final String key, final long delta)
    {
        return submit(new Operations.Arithmetic(true, Operations.key(key), delta));
    }

    /** The new value (floors at 0), or null when the key is missing. */
    public CompletableFuture<Long> decr(final String key, final long delta)
    {
        return submit(new Operations.Arithmetic(false, Operations.key(key), delta));
    }

    /** True when touched, false when the key was missing. */
    public CompletableFuture<Boolean> touch(final String key, final int exptime)
    {
        return submit(new Operations.Touch(Operations.key(key), exptime));
    }

    public CompletableFuture<Void> flushAll()
    {
        return submit(new Operations.Flush(0, false));
    }

    public CompletableFuture<Void> flushAll(final int delay)
    {
        return submit(new Operations.Flush(delay, true));
    }

    public CompletableFuture<String> version()
    {
        return submit(new Operations.Version());
    }

    public CompletableFuture<Map<String, String>> stats()
    {
        return stats("");
    }

    /** {@code stats <group>}: {@code settings}, {@code items}, {@code slabs}, {@code conns}... */
    public CompletableFuture<Map<String, String>> stats(final String group)
    {
        return submit(new Operations.Stats(group));
    }

    /** Completes once every reply to the requests sent before it has arrived. */
    public CompletableFuture<Void> noop()
    {
        return submit(new Operations.Noop());
    }

    public boolean isOpen()
    {
        return connection.isOpen();
    }

    /** Close the connection; requests in flight fail. Waits for the reader thread to finish. */
    @Override
    public void close()
    {
        connection.close();
        try
        {
            reader.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
