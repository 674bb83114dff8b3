package dev.taskvs.server.compat;

/** The servers the compatibility tests know how to start. */
public enum ServerKind
{
    /** Real memcached 1.6: the reference. */
    MEMCACHED
    {
        @Override
        public CacheServer start(final ServerFlags flags)
        {
            return MemcachedProcess.start(flags);
        }
    },

    /** Our server, dev.taskvs.server.KvsServer, on kernel sockets in this JVM. */
    TAS_KVS
    {
        @Override
        public CacheServer start(final ServerFlags flags)
        {
            return TasKvsServer.start(flags);
        }
    };

    public abstract CacheServer start(ServerFlags flags);
}
