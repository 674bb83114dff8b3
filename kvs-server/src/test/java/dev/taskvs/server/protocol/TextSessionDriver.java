package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;
import dev.taskvs.server.store.ManualStoreClock;
import dev.taskvs.server.store.OffHeapStore;
import dev.taskvs.server.store.StoreConfig;
import org.agrona.ExpandableArrayBuffer;

/**
 * Drives a {@link TextProtocolSession} the way a transport does: bytes are appended to a receive buffer, the
 * session consumes complete requests, the unconsumed tail stays and more is appended behind it.
 */
final class TextSessionDriver implements AutoCloseable
{
    final ManualStoreClock clock = new ManualStoreClock();
    final ServerConfig config;
    final OffHeapStore store;
    final ServerContext ctx;
    final WorkerStats stats;
    final TextProtocolSession session;
    final ResponseBuffer out = new ResponseBuffer(4096);
    private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(4096);
    private final StringBuilder sent = new StringBuilder();
    private int pendingLength;
    /** The most output the session ever left pending after a call to process. */
    int maxPendingOutput;
    /** How often the session stopped above the high-water mark with a request unconsumed. */
    int pauses;

    TextSessionDriver()
    {
        this(new ServerConfig());
    }

    TextSessionDriver(final ServerConfig config)
    {
        this.config = config.conclude();
        final StoreConfig storeConfig = new StoreConfig();
        storeConfig.memoryLimitBytes = config.memoryLimitMb * 1024 * 1024;
        storeConfig.itemSizeMax = config.itemSizeMax;
        storeConfig.evictionDisabled = config.noEviction;
        storeConfig.casDisabled = config.casDisabled;
        storeConfig.segments = config.storeSegments;
        store = new OffHeapStore(storeConfig, clock);
        ctx = new ServerContext(config, store, "kernel");
        stats = ctx.stats().newWorker();
        session = new TextProtocolSession(ctx, stats);
    }

    /** Sends the request in one piece and returns everything answered, as ISO-8859-1 text. */
    String send(final String request)
    {
        feed(bytes(request));
        return drain();
    }

    void feed(final byte[] bytes)
    {
        feed(bytes, 0, bytes.length);
    }

    /**
     * Appends bytes and lets the session answer, as a transport does: when the session stops above the output
     * high-water mark, the pending output is "sent" (moved aside, see {@link #drain()}) and the session is offered
     * the unconsumed bytes again.
     */
    void feed(final byte[] bytes, final int offset, final int length)
    {
        pending.putBytes(pendingLength, bytes, offset, length);
        pendingLength += length;
        while (pendingLength > 0 && !session.closeRequested())
        {
            final int consumed = session.process(pending, 0, pendingLength, out);
            maxPendingOutput = Math.max(maxPendingOutput, out.readableBytes());
            if (consumed > 0)
            {
                pending.putBytes(0, pending, consumed, pendingLength - consumed);
                pendingLength -= consumed;
            }
            else if (out.readableBytes() > config.outputHighWaterMark)
            {
                sent.append(take());
                pauses++;
            }
            else
            {
                break;
            }
        }
    }

    int pendingLength()
    {
        return pendingLength;
    }

    /** Everything answered since the last drain: what was "sent" during {@link #feed} and what is still pending. */
    String drain()
    {
        final String answered = sent.append(take()).toString();
        sent.setLength(0);
        return answered;
    }

    private String take()
    {
        final byte[] bytes = new byte[out.readableBytes()];
        out.buffer().getBytes(out.readIndex(), bytes);
        out.consume(bytes.length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
