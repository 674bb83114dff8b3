package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.DirectBuffer;

/** memcached's text protocol for one connection. */
public final class TextProtocolSession implements ProtocolSession
{
    private final ServerContext ctx;
    private final WorkerStats stats;

    public TextProtocolSession(final ServerContext ctx, final WorkerStats stats)
    {
        this.ctx = ctx;
        this.stats = stats;
    }

    @Override
    public int process(final DirectBuffer in, final int offset, final int length, final ResponseBuffer out)
    {
        throw new UnsupportedOperationException("being written");
    }

    @Override
    public int bytesNeeded()
    {
        return 0;
    }

    @Override
    public boolean closeRequested()
    {
        return false;
    }
}
