package dev.taskvs.benchmarks;

import dev.taskvs.server.store.Item;
import dev.taskvs.server.store.ItemHandler;
import dev.taskvs.server.store.MutationResult;
import dev.taskvs.server.store.OffHeapStore;
import dev.taskvs.server.store.StoreConfig;
import dev.taskvs.server.store.StoreMode;
import dev.taskvs.server.store.StoreResult;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@link OffHeapStore}'s get (the item found, its value copied out under the segment lock, as a response
 * writer does) and set (replacing an existing item of the same size), over 10,000 keys of 16 bytes in a
 * 64 MB store, at 64 and 256-byte values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StoreBenchmark
{
    private static final int KEYS = 10_000;
    private static final int KEY_LENGTH = 16;

    @Param({"64", "256"})
    public int valueSize;

    private OffHeapStore store;
    private final UnsafeBuffer keys = new UnsafeBuffer(BufferUtil.allocateDirectAligned(KEYS * KEY_LENGTH, 64));
    private UnsafeBuffer value;
    private UnsafeBuffer copy;
    private final UnsafeBuffer itemView = new UnsafeBuffer(0, 0);
    private final MutationResult result = new MutationResult();
    private final ItemHandler copier = this::copyValue;
    private int next;
    private int copied;

    @Setup
    public void setUp()
    {
        final StoreConfig config = new StoreConfig();
        config.memoryLimitBytes = 64L * 1024 * 1024;
        store = new OffHeapStore(config);
        value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(valueSize, 64));
        copy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(valueSize, 64));
        for (int i = 0; i < valueSize; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
        for (int i = 0; i < KEYS; i++)
        {
            keys.putBytes(i * KEY_LENGTH, String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII));
            final StoreResult r = store.store(StoreMode.SET, keys, i * KEY_LENGTH, KEY_LENGTH, 0, 0,
                value, 0, valueSize, 0, 0, result);
            if (r != StoreResult.STORED)
            {
                throw new IllegalStateException("set " + i + ": " + r);
            }
        }
        if (!get() || copied != valueSize)
        {
            throw new IllegalStateException("get missed after set");
        }
    }

    @TearDown
    public void tearDown()
    {
        store.close();
    }

    private void copyValue(final long item)
    {
        copied = Item.valueLength(item);
        itemView.wrap(Item.valueAddress(item), copied);
        copy.putBytes(0, itemView, 0, copied);
    }

    @Benchmark
    public boolean get()
    {
        final int i = next++ % KEYS;
        return store.get(keys, i * KEY_LENGTH, KEY_LENGTH, null, copier);
    }

    @Benchmark
    public StoreResult set()
    {
        final int i = next++ % KEYS;
        return store.store(StoreMode.SET, keys, i * KEY_LENGTH, KEY_LENGTH, 0, 0, value, 0, valueSize, 0, 0, result);
    }
}
