package dev.taskvs.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

import dev.taskvs.client.transport.KernelTransport;
import dev.taskvs.client.transport.TransportFactory;

/**
 * Settings of a client connection, each with its default. {@link #conclude()} validates them once before the
 * connection opens.
 */
public final class ClientConfig
{
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 11211);
    private Protocol protocol = Protocol.TEXT;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration operationTimeout = Duration.ofSeconds(5);
    private TransportFactory transportFactory = KernelTransport.FACTORY;
    private int initialBufferLength = 64 * 1024;

    public ClientConfig address(final InetSocketAddress address)
    {
        this.address = address;
        return this;
    }

    public InetSocketAddress address()
    {
        return address;
    }

    public ClientConfig protocol(final Protocol protocol)
    {
        this.protocol = protocol;
        return this;
    }

    public Protocol protocol()
    {
        return protocol;
    }

    public ClientConfig connectTimeout(final Duration connectTimeout)
    {
        this.connectTimeout = connectTimeout;
        return this;
    }

    public Duration connectTimeout()
    {
        return connectTimeout;
    }

    /** How long a command waits for its reply before it fails with {@link MemcachedTimeoutException}. */
    public ClientConfig operationTimeout(final Duration operationTimeout)
    {
        this.operationTimeout = operationTimeout;
        return this;
    }

    public Duration operationTimeout()
    {
        return operationTimeout;
    }

    /** The network stack: {@link KernelTransport#FACTORY} by default. */
    public ClientConfig transportFactory(final TransportFactory transportFactory)
    {
        this.transportFactory = transportFactory;
        return this;
    }

    public TransportFactory transportFactory()
    {
        return transportFactory;
    }

    /** Starting size of the read and write buffers; they grow to fit large values. */
    public ClientConfig initialBufferLength(final int initialBufferLength)
    {
        this.initialBufferLength = initialBufferLength;
        return this;
    }

    public int initialBufferLength()
    {
        return initialBufferLength;
    }

    /** Validate every setting; throws naming the bad value and the accepted range. */
    public ClientConfig conclude()
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(transportFactory, "transportFactory");
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("operationTimeout", operationTimeout);
        if (initialBufferLength < 1024 || initialBufferLength > 64 * 1024 * 1024)
        {
            throw new IllegalArgumentException(
                "initialBufferLength=" + initialBufferLength + " is outside 1024..67108864");
        }
        return this;
    }

    private static void requirePositive(final String name, final Duration value)
    {
        if (value == null || value.isNegative() || value.isZero())
        {
            throw new IllegalArgumentException(name + "=" + value + " must be a positive duration");
        }
    }
}
