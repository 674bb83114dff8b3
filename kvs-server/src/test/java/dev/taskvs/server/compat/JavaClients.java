package dev.taskvs.server.compat;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.command.TextCommandFactory;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.FailureMode;

/** The two widely used Java memcached clients behind one small interface, each in text or binary mode. */
final class JavaClients
{
    static final long TIMEOUT_MS = 5000;

    enum Protocol
    {
        TEXT, BINARY
    }

    enum Kind
    {
        SPYMEMCACHED
        {
            @Override
            Client open(final CacheServer server, final Protocol protocol)
            {
                return new Spy(server, protocol);
            }
        },
        XMEMCACHED
        {
            @Override
            Client open(final CacheServer server, final Protocol protocol)
            {
                return new XMem(server, protocol);
            }
        };

        abstract Client open(CacheServer server, Protocol protocol);
    }

    /** A value and its CAS unique. */
    static final class Cas
    {
        final Object value;
        final long cas;

        Cas(final Object value, final long cas)
        {
            this.value = value;
            this.cas = cas;
        }
    }

    /** The operations the real-client tests use; failures surface as exceptions. */
    interface Client extends AutoCloseable
    {
        boolean set(String key, int ttl, Object value) throws Exception;

        boolean add(String key, int ttl, Object value) throws Exception;

        Object get(String key) throws Exception;

        Cas gets(String key) throws Exception;

        /** "OK", "EXISTS" or "NOT_FOUND" (xmemcached cannot tell the last two apart: "FAILED"). */
        String cas(String key, long cas, Object value) throws Exception;

        long incr(String key, long delta, long initial) throws Exception;

        long decr(String key, long delta, long initial) throws Exception;

        boolean delete(String key) throws Exception;

        Map<String, Object> getMulti(Collection<String> keys) throws Exception;

        @Override
        void close();
    }

    static final class Spy implements Client
    {
        private final net.spy.memcached.MemcachedClient client;

        Spy(final CacheServer server, final Protocol protocol)
        {
            try
            {
                client = new net.spy.memcached.MemcachedClient(
                    new ConnectionFactoryBuilder()
                        .setProtocol(protocol == Protocol.BINARY
                            ? ConnectionFactoryBuilder.Protocol.BINARY
                            : ConnectionFactoryBuilder.Protocol.TEXT)
                        .setOpTimeout(TIMEOUT_MS)
                        .setFailureMode(FailureMode.Retry)
                        .build(),
                    AddrUtil.getAddresses(server.host() + ":" + server.port()));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("spymemcached cannot connect to " + server + ": " + ex, ex);
            }
        }

        private static <T> T await(final Future<T> future) throws InterruptedException, ExecutionException,
            TimeoutException
        {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean set(final String key, final int ttl, final Object value) throws Exception
        {
            return await(client.set(key, ttl, value));
        }

        @Override
        public boolean add(final String key, final int ttl, final Object value) throws Exception
        {
            return await(client.add(key, ttl, value));
        }

        @Override
        public Object get(final String key)
        {
            return client.get(key);
        }

        @Override
        public Cas gets(final String key)
        {
            final CASValue<Object> value = client.gets(key);
            return value == null ? null : new Cas(value.getValue(), value.getCas());
        }

        @Override
        public String cas(final String key, final long cas, final Object value)
        {
            final CASResponse response = client.cas(key, cas, value);
            return response.name();
        }

        @Override
        public long incr(final String key, final long delta, final long initial)
        {
            return client.incr(key, delta, initial);
        }

        @Override
        public long decr(final String key, final long delta, final long initial)
        {
            return client.decr(key, delta, initial);
        }

        @Override
        public boolean delete(final String key) throws Exception
        {
            return await(client.delete(key));
        }

        @Override
        public Map<String, Object> getMulti(final Collection<String> keys)
        {
            return client.getBulk(keys);
        }

        @Override
        public void close()
        {
            client.shutdown(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    static final class XMem implements Client
    {
        private final MemcachedClient client;

        XMem(final CacheServer server, final Protocol protocol)
        {
            final XMemcachedClientBuilder builder = new XMemcachedClientBuilder(
                net.rubyeye.xmemcached.utils.AddrUtil.getAddresses(server.host() + ":" + server.port()));
            builder.setCommandFactory(protocol == Protocol.BINARY ? new BinaryCommandFactory()
                : new TextCommandFactory());
            builder.setConnectTimeout(TIMEOUT_MS);
            builder.setOpTimeout(TIMEOUT_MS);
            builder.setFailureMode(false);
            try
            {
                client = builder.build();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("xmemcached cannot connect to " + server + ": " + ex, ex);
            }
        }

        @Override
        public boolean set(final String key, final int ttl, final Object value) throws Exception
        {
            return client.set(key, ttl, value);
        }

        @Override
        public boolean add(final String key, final int ttl, final Object value) throws Exception
        {
            return client.add(key, ttl, value);
        }

        @Override
        public Object get(final String key) throws Exception
        {
            return client.get(key);
        }

        @Override
        public Cas gets(final String key) throws Exception
        {
            final GetsResponse<Object> response = client.gets(key);
            return response == null ? null : new Cas(response.getValue(), response.getCas());
        }

        @Override
        public String cas(final String key, final long cas, final Object value) throws Exception
        {
            return client.cas(key, 0, value, cas) ? "OK" : "FAILED";
        }

        @Override
        public long incr(final String key, final long delta, final long initial) throws Exception
        {
            return client.incr(key, delta, initial);
        }

        @Override
        public long decr(final String key, final long delta, final long initial) throws Exception
        {
            return client.decr(key, delta, initial);
        }

        @Override
        public boolean delete(final String key) throws Exception
        {
            return client.delete(key);
        }

        @Override
        public Map<String, Object> getMulti(final Collection<String> keys) throws Exception
        {
            return client.get(keys instanceof List ? keys : List.copyOf(keys));
        }

        @Override
        public void close()
        {
            try
            {
                client.shutdown();
            }
            catch (final IOException ignored)
            {
                // Shutting a test client down is best effort.
            }
        }
    }

    private JavaClients()
    {
    }
}
