package dev.taskvs.engine.slowpath;

import java.util.Arrays;

/**
 * A listening port: which app contexts get its connections and how many may be half-open. Several contexts may
 * listen on one port (as SO_REUSEPORT): accepted connections go to them in turn, so a server with one context per
 * application core spreads its clients without handing connections between threads.
 */
final class Listener
{
    final int port;
    final int backlog;
    int halfOpen;
    private int[] contexts;
    private int next;

    Listener(final int port, final int contextId, final int backlog)
    {
        this.port = port;
        this.backlog = backlog;
        this.contexts = new int[] {contextId};
    }

    /** @return the context for the next accepted connection (round robin). */
    int nextContext()
    {
        final int contextId = contexts[next];
        next = (next + 1) % contexts.length;
        return contextId;
    }

    boolean has(final int contextId)
    {
        for (final int c : contexts)
        {
            if (c == contextId)
            {
                return true;
            }
        }
        return false;
    }

    void add(final int contextId)
    {
        if (!has(contextId))
        {
            contexts = Arrays.copyOf(contexts, contexts.length + 1);
            contexts[contexts.length - 1] = contextId;
        }
    }

    /** @return true when no context is left listening. */
    boolean remove(final int contextId)
    {
        int kept = 0;
        for (final int c : contexts)
        {
            if (c != contextId)
            {
                contexts[kept++] = c;
            }
        }
        contexts = Arrays.copyOf(contexts, kept);
        next = 0;
        return kept == 0;
    }
}
