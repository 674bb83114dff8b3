package dev.taskvs.server.compat;

import java.net.InetSocketAddress;

/** A running memcached-compatible server that a test talks to over loopback TCP. */
public interface CacheServer extends AutoCloseable
{
    /** "memcached" or "tas-kvs", plus whatever tells two instances apart in a report. */
    String name();

    InetSocketAddress address();

    default String host()
    {
        return address().getHostString();
    }

    default int port()
    {
        return address().getPort();
    }

    /** Whether the server is still running (a {@code shutdown} scenario stops it). */
    boolean isAlive();

    @Override
    void close();
}
