package dev.taskvs.engine.slowpath;

/** A listening port: which app context gets its connections and how many may be half-open. */
final class Listener
{
    final int port;
    final int contextId;
    final int backlog;
    int halfOpen;

    Listener(final int port, final int contextId, final int backlog)
    {
        this.port = port;
        this.contextId = contextId;
        this.backlog = backlog;
    }
}
