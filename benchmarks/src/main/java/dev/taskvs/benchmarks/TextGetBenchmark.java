package dev.taskvs.benchmarks;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.protocol.ResponseBuffer;
import dev.taskvs.server.protocol.TextProtocolSession;
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
 * One text-protocol {@code get <key>\r\n}, from the request bytes to the complete response in a
 * {@link ResponseBuffer}: {@link TextProtocolSession#process} parses the line, looks the key up in an
 * {@link OffHeapStore} and writes {@code VALUE <key> 0 <n>\r\n<data>\r\nEND\r\n} (a hit, 64 or 256-byte value)
 * or {@code END\r\n} (a miss). What a worker does per GET between the transport's receive and send.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TextGetBenchmark
{
    private static final String KEY = "user:0000001234";

    @Param({"64", "256"})
    public int valueSize;

    private OffHeapStore store;
    private TextProtocolSession session;
    private final ResponseBuffer out = new ResponseBuffer(4096);
    private UnsafeBuffer hitRequest;
    private UnsafeBuffer missRequest;

    @Setup
    public void setUp()
    {
        final ServerConfig config = new ServerConfig().conclude();
        final StoreConfig storeConfig = new StoreConfig();
        storeConfig.memoryLimitBytes = 64L * 1024 * 1024;
        store = new OffHeapStore(storeConfig);
        final ServerContext ctx = new ServerContext(config, store, "kernel");
        session = new TextProtocolSession(ctx, ctx.stats().newWorker());

        final UnsafeBuffer key = ascii(KEY);
        final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(valueSize, 64));
        for (int i = 0; i < valueSize; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
        final StoreResult stored = store.store(StoreMode.SET, key, 0, key.capacity(), 0, 0, value, 0, valueSize, 0, 0,
            new MutationResult());
        if (stored != StoreResult.STORED)
        {
            throw new IllegalStateException("set: " + stored);
        }
        hitRequest = ascii("get " + KEY + "\r\n");
        missRequest = ascii("get user:0000009999\r\n");

        check(hitRequest, "VALUE " + KEY + " 0 " + valueSize + "\r\n");
        check(missRequest, "END\r\n");
    }

    private void check(final UnsafeBuffer request, final String expectedStart)
    {
        out.clear();
        final int consumed = session.process(request, 0, request.capacity(), out);
        final String response = out.buffer().getStringWithoutLengthAscii(out.readIndex(), out.readableBytes());
        if (consumed != request.capacity() || !response.startsWith(expectedStart) || !response.endsWith("END\r\n"))
        {
            throw new IllegalStateException("unexpected response (" + consumed + " consumed): " + response);
        }
    }

    private static UnsafeBuffer ascii(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes.length, 64), 0, bytes.length);
        buffer.putBytes(0, bytes);
        return buffer;
    }

    @TearDown
    public void tearDown()
    {
        store.close();
    }

    @Benchmark
    public int getHit()
    {
        out.clear();
        session.process(hitRequest, 0, hitRequest.capacity(), out);
        return out.writeIndex();
    }

    @Benchmark
    public int getMiss()
    {
        out.clear();
        session.process(missRequest, 0, missRequest.capacity(), out);
        return out.writeIndex();
    }
}
