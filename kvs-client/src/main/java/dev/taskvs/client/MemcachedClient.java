package dev.taskvs.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import dev.taskvs.client.codec.text.TextCommand;

/**
 * A synchronous memcached client on one connection, speaking the protocol chosen at construction. Each call
 * sends one request and reads its reply on the calling thread (no background thread); calls are serialised.
 * Error replies throw {@link MemcachedException}; no reply within the operation timeout throws
 * {@link MemcachedTimeoutException} and closes the connection, whose stream position is then unknown.
 */
public final class MemcachedClient implements AutoCloseable
{
    private final ClientConfig config;
    private final Connection connection;
    private final long timeoutNanos;

    private MemcachedClient(final ClientConfig config, final Connection connection)
    {
        this.config = config;
        this.connection = connection;
        this.timeoutNanos = config.operationTimeout().toNanos();
    }

    /** Connect as {@code config} says. */
    public static MemcachedClient connect(final ClientConfig config) throws IOException
    {
        config.conclude();
        return new MemcachedClient(config, new Connection(
            config.transportFactory().connect(config.address(), config.connectTimeout()), config.protocol(),
            config.initialBufferLength()));
    }

    /** Connect to {@code address} over kernel sockets with default timeouts. */
    public static MemcachedClient connect(final InetSocketAddress address, final Protocol protocol)
        throws IOException
    {
        return connect(new ClientConfig().address(address).protocol(protocol));
    }

    public Protocol protocol()
    {
        return config.protocol();
    }

    private synchronized <T> T execute(final Operation<T> operation)
    {
        connection.send(operation);
        final long deadline = System.nanoTime() + timeoutNanos;
        while (!operation.future.isDone())
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                final MemcachedTimeoutException timeout = new MemcachedTimeoutException(
                    "no reply within " + config.operationTimeout() + " from " + config.address());
                connection.fail(timeout);
                throw timeout;
            }
            connection.receive(remaining);
        }
        try
        {
            return operation.future.join();
        }
        catch (final CompletionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException)cause :
                new MemcachedException(String.valueOf(cause), cause);
        }
    }

    /** The item, or null on a miss. */
    public Item get(final String key)
    {
        return execute(new Operations.Get(Operations.key(key), false, false, 0));
    }

    /** The item with its CAS unique, or null on a miss. */
    public Item gets(final String key)
    {
        return execute(new Operations.Get(Operations.key(key), true, false, 0));
    }

    /** Get and touch: the item (with its CAS unique), or null on a miss. */
    public Item gat(final String key, final int exptime)
    {
        return execute(new Operations.Get(Operations.key(key), true, true, exptime));
    }

    /** The hits among {@code keys}, by key. */
    public Map<String, Item> getMulti(final List<String> keys)
    {
        return execute(new Operations.MultiGet(keys, false));
    }

    public Map<String, Item> getMulti(final String... keys)
    {
        return getMulti(Arrays.asList(keys));
    }

    /** The hits among {@code keys} with their CAS uniques. */
    public Map<String, Item> getsMulti(final List<String> keys)
    {
        return execute(new Operations.MultiGet(keys, true));
    }

    public StoreResult set(final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.SET, key, value, flags, exptime, 0);
    }

    public StoreResult set(final String key, final byte[] value)
    {
        return set(key, value, 0, 0);
    }

    public StoreResult add(final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.ADD, key, value, flags, exptime, 0);
    }

    public StoreResult replace(final String key, final byte[] value, final int flags, final int exptime)
    {
        return store(TextCommand.REPLACE, key, value, flags, exptime, 0);
    }

    public StoreResult append(final String key, final byte[] value)
    {
        return store(TextCommand.APPEND, key, value, 0, 0, 0);
    }

    public StoreResult prepend(final String key, final byte[] value)
    {
        return store(TextCommand.PREPEND, key, value, 0, 0, 0);
    }

    /** Compare and swap: STORED, EXISTS (someone else stored since {@code cas}) or NOT_FOUND. */
    public StoreResult cas(final String key, final byte[] value, final int flags, final int exptime, final long cas)
    {
        return store(TextCommand.CAS, key, value, flags, exptime, cas);
    }

    private StoreResult store(
        final TextCommand command, final String key, final byte[] value, final int flags, final int exptime,
        final long cas)
    {
        return execute(new Operations.Store(command, Operations.key(key), value, flags, exptime, cas));
    }

    /** True when deleted, false when the key was missing. */
    public boolean delete(final String key)
    {
        return execute(new Operations.Delete(Operations.key(key)));
    }

    /** The new value (unsigned 64-bit, wraps), or null when the key is missing. */
    public Long incr(final String key, final long delta)
    {
        return execute(new Operations.Arithmetic(true, Operations.key(key), delta));
    }

    /** The new value (floors at 0), or null when the key is missing. */
    public Long decr(final String key, final long delta)
    {
        return execute(new Operations.Arithmetic(false, Operations.key(key), delta));
    }

    /** True when touched, false when the key was missing. */
    public boolean touch(final String key, final int exptime)
    {
        return execute(new Operations.Touch(Operations.key(key), exptime));
    }

    public void flushAll()
    {
        execute(new Operations.Flush(0, false));
    }

    public void flushAll(final int delay)
    {
        execute(new Operations.Flush(delay, true));
    }

    public String version()
    {
        return execute(new Operations.Version());
    }

    public Map<String, String> stats()
    {
        return stats("");
    }

    /** {@code stats <group>}: {@code settings}, {@code items}, {@code slabs}, {@code conns}... */
    public Map<String, String> stats(final String group)
    {
        return execute(new Operations.Stats(group));
    }

    public boolean isOpen()
    {
        return connection.isOpen();
    }

    @Override
    public void close()
    {
        connection.close();
    }
}
