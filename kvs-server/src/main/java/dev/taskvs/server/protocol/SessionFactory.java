package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;

/** Makes the protocol session of a new connection; transports take one so tests can plug in their own. */
@FunctionalInterface
public interface SessionFactory
{
    SessionFactory MEMCACHED = ProtocolSessions::create;

    ProtocolSession create(ServerContext ctx, WorkerStats stats);
}
