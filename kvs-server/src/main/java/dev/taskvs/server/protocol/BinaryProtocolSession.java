package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;
import org.agrona.DirectBuffer;

/** memcached's binary protocol for one connection. */
public final class BinaryProtocolSession implements ProtocolSession
{
    private final ServerContext ctx;
    private final WorkerStats stats;

    public BinaryProtocolSession(final ServerContext ctx, final WorkerStats stats)
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
