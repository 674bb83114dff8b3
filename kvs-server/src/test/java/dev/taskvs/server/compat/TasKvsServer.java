package dev.taskvs.server.compat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;

import dev.taskvs.server.ServerConfig;

/**
 * Our server, started in this JVM through {@code dev.taskvs.server.KvsServer.start(ServerConfig)} on kernel sockets.
 * Reached by reflection so that the compatibility suite compiles, and its memcached self-check runs, on a branch
 * where the server is not merged yet; those tests then fail with a message that says so.
 */
public final class TasKvsServer implements CacheServer
{
    public static final String SERVER_CLASS = "dev.taskvs.server.KvsServer";

    private final Object handle;
    private final InetSocketAddress address;
    private final String name;
    private volatile boolean closed;

    private TasKvsServer(final Object handle, final int port, final ServerFlags flags)
    {
        this.handle = handle;
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.name = "tas-kvs(" + flags + ")";
    }

    public static TasKvsServer start(final ServerFlags flags)
    {
        final Class<?> serverClass;
        try
        {
            serverClass = Class.forName(SERVER_CLASS);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalStateException(SERVER_CLASS + " is not on the class path: our server has not been"
                + " merged into this branch yet", ex);
        }
        try
        {
            final Method start = serverClass.getMethod("start", ServerConfig.class);
            final Object handle = start.invoke(null, flags.serverConfig());
            final int port = ((Number)invoke(handle, "port")).intValue();
            return new TasKvsServer(handle, port, flags);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalStateException(SERVER_CLASS + " has no static start(ServerConfig)", ex);
        }
        catch (final InvocationTargetException ex)
        {
            throw new IllegalStateException(SERVER_CLASS + ".start failed: " + ex.getCause(), ex.getCause());
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(SERVER_CLASS + ".start is not accessible", ex);
        }
    }

    private static Object invoke(final Object target, final String method)
    {
        try
        {
            final Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        }
        catch (final InvocationTargetException ex)
        {
            throw new IllegalStateException(method + "() failed on " + target + ": " + ex.getCause(), ex.getCause());
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IllegalStateException("the server handle " + target.getClass().getName() + " has no usable "
                + method + "(): " + ex, ex);
        }
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
            invoke(handle, "close");
        }
    }

    @Override
    public String toString()
    {
        return name + "@" + address;
    }
}
