package dev.taskvs.server.store;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A store on a manual clock with string-level helpers, so each test reads as the memcached commands it checks.
 * Not thread-safe (one fixture per test thread); the concurrent tests drive the store directly.
 */
final class StoreFixture implements AutoCloseable
{
    final ManualStoreClock clock = new ManualStoreClock();
    final OffHeapStore store;
    final MutationResult result = new MutationResult();
    final GetOptions options = new GetOptions();

    /** The last item seen by {@link #get}: flags, CAS and exptime as read through {@link Item}. */
    int lastFlags;
    long lastCas;
    int lastExptime;

    StoreFixture(final StoreConfig config)
    {
        store = new OffHeapStore(config, clock);
    }

    StoreFixture()
    {
        this(new StoreConfig());
    }

    static StoreConfig config(final long memoryLimitBytes, final int segments)
    {
        final StoreConfig config = new StoreConfig();
        config.memoryLimitBytes = memoryLimitBytes;
        config.segments = segments;
        return config;
    }

    static UnsafeBuffer buffer(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    StoreResult set(final String key, final String value)
    {
        return store(StoreMode.SET, key, value, 0, 0, Store.NO_CAS);
    }

    StoreResult set(final String key, final String value, final int flags, final int exptime)
    {
        return store(StoreMode.SET, key, value, flags, exptime, Store.NO_CAS);
    }

    StoreResult store(
        final StoreMode mode, final String key, final String value, final int flags, final int exptime, final long cas)
    {
        return store(mode, key, value, flags, exptime, cas, Store.NO_CAS);
    }

    StoreResult store(
        final StoreMode mode, final String key, final String value, final int flags, final int exptime, final long cas,
        final long newCas)
    {
        final UnsafeBuffer k = buffer(key);
        final UnsafeBuffer v = buffer(value);
        return store.store(mode, k, 0, k.capacity(), flags, exptime, v, 0, v.capacity(), cas, newCas, result.reset());
    }

    StoreResult storeBytes(final String key, final byte[] value)
    {
        final UnsafeBuffer k = buffer(key);
        final UnsafeBuffer v = new UnsafeBuffer(value);
        return store.store(
            StoreMode.SET, k, 0, k.capacity(), 0, 0, v, 0, v.capacity(), Store.NO_CAS, Store.NO_CAS, result.reset());
    }

    /** @return the value, or null on a miss; with {@code withOptions} the get uses (and fills) {@link #options}. */
    String get(final String key, final boolean withOptions)
    {
        final UnsafeBuffer k = buffer(key);
        final String[] value = new String[1];
        final boolean hit = store.get(k, 0, k.capacity(), withOptions ? options : null, (item) ->
        {
            final byte[] bytes = new byte[Item.valueLength(item)];
            new UnsafeBuffer(Item.valueAddress(item), bytes.length).getBytes(0, bytes);
            final byte[] keyBytes = new byte[Item.keyLength(item)];
            new UnsafeBuffer(Item.keyAddress(item), keyBytes.length).getBytes(0, keyBytes);
            if (!key.equals(new String(keyBytes, StandardCharsets.ISO_8859_1)))
            {
                throw new AssertionError("handler got key " + new String(keyBytes, StandardCharsets.ISO_8859_1));
            }
            value[0] = new String(bytes, StandardCharsets.ISO_8859_1);
            lastFlags = Item.clientFlags(item);
            lastCas = Item.cas(item);
            lastExptime = Item.exptime(item);
        });
        if (hit != (value[0] != null))
        {
            throw new AssertionError(
                "get returned " + hit + " but the handler " + (hit ? "was not" : "was") + " called");
        }
        return value[0];
    }

    String get(final String key)
    {
        return get(key, false);
    }

    /** Meta get with fresh options; read the outcome from {@link #options}. */
    String metaGet(final String key, final GetOptions settings)
    {
        options.reset();
        options.touchExptime = settings.touchExptime;
        options.vivifyExptime = settings.vivifyExptime;
        options.recacheBelowSeconds = settings.recacheBelowSeconds;
        options.noLruBump = settings.noLruBump;
        return get(key, true);
    }

    long casOf(final String key)
    {
        return get(key) == null ? -1 : lastCas;
    }

    StoreResult delete(final String key)
    {
        final UnsafeBuffer k = buffer(key);
        return store.delete(k, 0, k.capacity(), Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
    }

    StoreResult delete(final String key, final long cas, final boolean invalidate, final int exptime)
    {
        final UnsafeBuffer k = buffer(key);
        return store.delete(k, 0, k.capacity(), cas, invalidate, exptime, result.reset());
    }

    StoreResult touch(final String key, final int exptime)
    {
        final UnsafeBuffer k = buffer(key);
        return store.touch(k, 0, k.capacity(), exptime);
    }

    StoreResult incr(final String key, final long delta)
    {
        return arithmetic(key, true, delta);
    }

    StoreResult decr(final String key, final long delta)
    {
        return arithmetic(key, false, delta);
    }

    StoreResult arithmetic(final String key, final boolean incr, final long delta)
    {
        final UnsafeBuffer k = buffer(key);
        return store.incrDecr(k, 0, k.capacity(), incr, delta, false, 0, 0, Store.NO_CAS, result.reset());
    }

    StoreResult incrCreate(final String key, final long delta, final long initial, final int exptime)
    {
        final UnsafeBuffer k = buffer(key);
        return store.incrDecr(k, 0, k.capacity(), true, delta, true, initial, exptime, Store.NO_CAS, result.reset());
    }

    @Override
    public void close()
    {
        store.close();
    }
}
