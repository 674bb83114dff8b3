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
    },

    /**
     * Our server on the userspace engine ({@code --stack tas}) over a TAP device it creates, reached by this JVM's
     * kernel sockets. Needs root and /dev/net/tun (tests skip it elsewhere).
     */
    TAS_ENGINE
    {
        @Override
        public CacheServer start(final ServerFlags flags)
        {
            TasNet.require();
            return TasEngineServer.start(flags);
        }
    };

    public abstract CacheServer start(ServerFlags flags);

    /** @return true for our server, on any stack. */
    public boolean isOurs()
    {
        return this != MEMCACHED;
    }
}
