package dev.taskvs.server.compat;

import java.net.InetSocketAddress;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;

/**
 * Our server on the userspace engine ({@code --stack tas}) in this JVM, reached by this JVM's kernel sockets over
 * a TAP device the engine creates (or, with {@link #startOnVeth}, AF_PACKET on a veth pair the test created). The
 * device and its subnet are this instance's alone and go away on {@link #close()}.
 */
public final class TasEngineServer implements CacheServer
{
    private final KvsServer server;
    private final TasNet net;
    private final InetSocketAddress address;
    private final String name;
    private volatile boolean closed;

    private TasEngineServer(final KvsServer server, final TasNet net, final String name)
    {
        this.server = server;
        this.net = net;
        this.address = new InetSocketAddress(net.engineIp, server.port());
        this.name = name;
    }

    /** Over a new TAP device. */
    public static TasEngineServer start(final ServerFlags flags)
    {
        final TasNet net = TasNet.tap();
        final ServerConfig config = configFor(flags, net);
        config.tas.nic = "tap";
        return new TasEngineServer(KvsServer.start(config), net, "tas-kvs-engine-tap(" + flags + ")");
    }

    /** Over AF_PACKET on a new veth pair, the kernel end in a namespace when asked. */
    public static TasEngineServer startOnVeth(final ServerFlags flags, final boolean namespace)
    {
        final TasNet net = TasNet.veth(namespace);
        try
        {
            final ServerConfig config = configFor(flags, net);
            config.tas.nic = "afpacket";
            return new TasEngineServer(KvsServer.start(config), net, "tas-kvs-engine-veth(" + flags + ")");
        }
        catch (final RuntimeException ex)
        {
            net.close();
            throw ex;
        }
    }

    static ServerConfig configFor(final ServerFlags flags, final TasNet net)
    {
        final ServerConfig config = flags.serverConfig();
        config.stack = "tas";
        config.port = 11211;
        config.tas.ip = net.engineCidr;
        config.tas.iface = net.engineDevice;
        // Test connections close by the hundred: keep TIME_WAIT short so flow slots come back quickly.
        config.tas.timeWaitMs = 1000;
        return config;
    }

    public KvsServer server()
    {
        return server;
    }

    public TasNet net()
    {
        return net;
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
            try
            {
                server.close();
            }
            finally
            {
                net.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return name + "@" + address;
    }
}
