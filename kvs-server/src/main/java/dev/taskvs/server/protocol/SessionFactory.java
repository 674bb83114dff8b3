package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.WorkerStats;

/** Makes the protocol session of a new connection; transports take one so tests can plug in their own. */
@FunctionalInterface
public interface SessionFactory
{
    SessionFactory MEMCACHED = ProtocolSessions::create;

    /**
     * @param ctx     the server.
     * @param stats   the worker's counters.
     * @param scratch the worker's request-scoped objects, which every session of that worker may share.
     * @return the new connection's session.
     */
    ProtocolSession create(ServerContext ctx, WorkerStats stats, SessionScratch scratch);
}
