package dev.taskvs.server.protocol;

import java.io.ByteArrayOutputStream;
import java.util.List;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.ExpandableArrayBuffer;

/**
 * Test-only stand-in for a transport: keeps the bytes a session has not consumed, appends what arrives, offers
 * everything again, and drains the responses after each call, as the NIO loop does.
 */
final class BinaryTestConnection
{
    final BinaryProtocolSession session;
    final WorkerStats stats;
    final ResponseBuffer out = new ResponseBuffer(1024);
    private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(64);
    private int pendingLength;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private int calls;

    BinaryTestConnection(final ServerContext ctx)
    {
        this.stats = ctx.stats().newWorker();
        this.session = new BinaryProtocolSession(ctx, stats);
    }

    /** Delivers bytes as one read and lets the session run until it stops making progress. */
    BinaryTestConnection receive(final byte[] bytes)
    {
        pending.putBytes(pendingLength, bytes);
        pendingLength += bytes.length;
        drive();
        return this;
    }

    /** Delivers the bytes split in reads of {@code chunk} bytes. */
    BinaryTestConnection receiveInChunks(final byte[] bytes, final int chunk)
    {
        for (int i = 0; i < bytes.length; i += chunk)
        {
            final byte[] part = new byte[Math.min(chunk, bytes.length - i)];
            System.arraycopy(bytes, i, part, 0, part.length);
            receive(part);
        }
        return this;
    }

    private void drive()
    {
        while (!session.closeRequested())
        {
            calls++;
            final int consumed = session.process(pending, 0, pendingLength, out);
            if (consumed < 0 || consumed > pendingLength)
            {
                throw new AssertionError("consumed " + consumed + " of " + pendingLength);
            }
            pending.putBytes(0, pending, consumed, pendingLength - consumed);
            pendingLength -= consumed;
            drainOutput();
            if (consumed == 0)
            {
                break;
            }
        }
    }

    int pendingLength()
    {
        return pendingLength;
    }

    int processCalls()
    {
        return calls;
    }

    boolean closed()
    {
        return session.closeRequested();
    }

    private void drainOutput()
    {
        final byte[] bytes = new byte[out.readableBytes()];
        out.buffer().getBytes(out.readIndex(), bytes);
        out.consume(bytes.length);
        written.writeBytes(bytes);
    }

    /** Takes every byte written so far. */
    byte[] takeOutput()
    {
        drainOutput();
        final byte[] bytes = written.toByteArray();
        written.reset();
        return bytes;
    }

    List<BinaryResponse> takeResponses()
    {
        return BinaryResponse.parseAll(takeOutput());
    }
}
