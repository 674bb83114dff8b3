package dev.taskvs.client;

/** The wire protocol a client speaks on its connection. */
public enum Protocol
{
    /** The classic text protocol: get, set, cas, incr... */
    TEXT,
    /** The meta text protocol: mg, ms, md, ma, mn (classic commands where meta has none: flush_all, stats). */
    META,
    /** The (deprecated, still served) binary protocol. */
    BINARY
}
