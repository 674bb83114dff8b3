package dev.taskvs.server.compat;

import java.net.InetSocketAddress;

import dev.taskvs.server.KvsServer;

/** Our server, started in this JVM through {@link KvsServer#start} on kernel sockets. */
public final class TasKvsServer implements CacheServer
{
    private final KvsServer server;
    private final InetSocketAddress address;
    private final String name;
    private volatile boolean closed;

    private TasKvsServer(final KvsServer server, final ServerFlags flags)
    {
        this.server = server;
        this.address = new InetSocketAddress("127.0.0.1", server.port());
        this.name = "tas-kvs(" + flags + ")";
    }

    public static TasKvsServer start(final ServerFlags flags)
    {
        return new TasKvsServer(KvsServer.start(flags.serverConfig()), flags);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public InetSocketAddress address()
    {
        return address;
    }

    @Override
    public boolean isAlive()
    {
        if (closed)
        {
            return false;
        }
        try (java.net.Socket probe = new java.net.Socket())
        {
            probe.connect(address, 500);
            return true;
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            server.close();
        }
    }

    @Override
    public String toString()
    {
        return name + "@" + address;
    }
}
