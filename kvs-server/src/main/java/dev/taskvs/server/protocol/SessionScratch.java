package dev.taskvs.server.protocol;

import dev.taskvs.server.store.GetOptions;
import dev.taskvs.server.store.MutationResult;

/**
 * Working objects of the text protocol that live only while one request is handled: the line's tokens, store
 * options and results, the writer of get hits. A worker runs one session at a time, so all of its sessions share
 * one set instead of each connection carrying its own: with thousands of connections, what a request touches per
 * connection is what has to stay in cache (a session of its own took about 1 KB of objects; a request touched
 * several of their cache lines).
 * <p>
 * Not thread-safe: one per worker thread. Nothing here carries state from one request to the next.
 */
public final class SessionScratch
{
    final TextTokens tokens = new TextTokens();
    final MutationResult result = new MutationResult();
    final GetOptions getOptions = new GetOptions();
    final TextProtocolSession.ValueWriter valueWriter = new TextProtocolSession.ValueWriter();
}
