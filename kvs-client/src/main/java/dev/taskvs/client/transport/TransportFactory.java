package dev.taskvs.client.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Opens {@link Transport}s; one per network stack. */
@FunctionalInterface
public interface TransportFactory
{
    Transport connect(InetSocketAddress address, Duration connectTimeout) throws IOException;
}
