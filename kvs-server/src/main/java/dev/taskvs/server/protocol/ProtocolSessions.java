package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.DirectBuffer;

/**
 * Creates the session for a new connection. As memcached with {@code -B auto}, the first byte decides: 0x80
 * (the binary request magic) selects the binary protocol for the connection's lifetime, anything else the text
 * protocol (which includes the meta commands).
 */
public final class ProtocolSessions
{
    private ProtocolSessions()
    {
    }

    public static ProtocolSession create(final ServerContext ctx, final WorkerStats stats, final SessionScratch scratch)
    {
        return new DetectingSession(ctx, stats, scratch);
    }

    private static final class DetectingSession implements ProtocolSession
    {
        private final ServerContext ctx;
        private final WorkerStats stats;
        private final SessionScratch scratch;
        private ProtocolSession delegate;

        DetectingSession(final ServerContext ctx, final WorkerStats stats, final SessionScratch scratch)
        {
            this.ctx = ctx;
            this.stats = stats;
            this.scratch = scratch;
        }

        @Override
        public int process(final DirectBuffer in, final int offset, final int length, final ResponseBuffer out)
        {
            if (delegate == null)
            {
                if (length == 0)
                {
                    return 0;
                }
                delegate = in.getByte(offset) == (byte)0x80 ?
                    new BinaryProtocolSession(ctx, stats) : new TextProtocolSession(ctx, stats, scratch);
            }
            return delegate.process(in, offset, length, out);
        }

        @Override
        public int bytesNeeded()
        {
            return delegate == null ? 0 : delegate.bytesNeeded();
        }

        @Override
        public boolean closeRequested()
        {
            return delegate != null && delegate.closeRequested();
        }

        @Override
        public void onClose()
        {
            if (delegate != null)
            {
                delegate.onClose();
            }
        }
    }
}
