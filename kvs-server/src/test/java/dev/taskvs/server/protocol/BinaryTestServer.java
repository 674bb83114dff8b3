package dev.taskvs.server.protocol;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.store.ManualStoreClock;
import dev.taskvs.server.store.OffHeapStore;
import dev.taskvs.server.store.StoreConfig;

/** Test-only: a server context over a fresh off-heap store with a manual clock, for driving binary sessions. */
final class BinaryTestServer
{
    private BinaryTestServer()
    {
    }

    static ServerContext context(final ServerConfig config)
    {
        config.conclude();
        final StoreConfig storeConfig = new StoreConfig();
        storeConfig.memoryLimitBytes = config.memoryLimitMb * 1024 * 1024;
        storeConfig.itemSizeMax = config.itemSizeMax;
        storeConfig.evictionDisabled = config.noEviction;
        storeConfig.casDisabled = config.casDisabled;
        storeConfig.segments = config.storeSegments;
        return new ServerContext(config, new OffHeapStore(storeConfig, new ManualStoreClock()), "test");
    }

    static ServerContext context()
    {
        return context(new ServerConfig());
    }
}
