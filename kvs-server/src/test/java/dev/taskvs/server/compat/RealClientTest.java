package dev.taskvs.server.compat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spymemcached and xmemcached, each in text and in binary mode, against our server; real memcached runs the same
 * tests as the control, so a failure on our server alone is ours.
 */
class RealClientTest
{
    private static final Duration EXPIRY_DEADLINE = Duration.ofMillis(3500);

    static Stream<Arguments> targets()
    {
        final List<Arguments> all = new ArrayList<>();
        for (final ServerKind server : ServerKind.values())
        {
            for (final JavaClients.Kind client : JavaClients.Kind.values())
            {
                for (final JavaClients.Protocol protocol : JavaClients.Protocol.values())
                {
                    all.add(Arguments.of(server, client, protocol));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSetGetAddAndDelete(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            assertNull(c.get("missing"));
            assertTrue(c.set("str", 0, "hello"));
            assertTrue(c.set("int", 0, 42));
            assertTrue(c.set("bytes", 0, new byte[] {0, 1, 2, (byte)0xff}));
            assertEquals("hello", c.get("str"));
            assertEquals(42, c.get("int"));
            assertArrayEquals(new byte[] {0, 1, 2, (byte)0xff}, (byte[])c.get("bytes"));
            assertFalse(c.add("str", 0, "other"));
            assertTrue(c.add("fresh", 0, "new"));
            assertEquals("hello", c.get("str"));
            assertTrue(c.delete("str"));
            assertFalse(c.delete("str"));
            assertNull(c.get("str"));
            assertEquals("new", c.get("fresh"));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCompareAndSwap(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            assertTrue(c.set("c", 0, "v1"));
            final JavaClients.Cas first = c.gets("c");
            assertNotNull(first);
            assertEquals("v1", first.value);
            assertEquals("OK", c.cas("c", first.cas, "v2"));
            final JavaClients.Cas second = c.gets("c");
            assertEquals("v2", second.value);
            assertNotEquals(first.cas, second.cas);
            final String stale = c.cas("c", first.cas, "v3");
            assertTrue(stale.equals("EXISTS") || stale.equals("FAILED"), stale);
            assertEquals("v2", c.get("c"));
            final String missing = c.cas("nope", first.cas, "v");
            assertTrue(missing.equals("NOT_FOUND") || missing.equals("FAILED"), missing);
            assertNull(c.get("nope"));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldIncrementAndDecrement(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            assertEquals(10, c.incr("n", 5, 10));
            assertEquals(15, c.incr("n", 5, 10));
            assertEquals(12, c.decr("n", 3, 10));
            assertEquals(0, c.decr("n", 100, 10));
            assertEquals(7, c.incr("n", 7, 10));
            assertEquals("7", String.valueOf(c.get("n")).trim());
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldGetHundredsOfKeysAtOnce(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            final List<String> keys = new ArrayList<>();
            for (int i = 0; i < 500; i++)
            {
                assertTrue(c.set("multi:" + i, 0, "value-" + i));
                keys.add("multi:" + i);
            }
            for (int i = 0; i < 50; i++)
            {
                keys.add("absent:" + i);
            }
            final Map<String, Object> values = c.getMulti(keys);
            assertEquals(500, values.size(), () -> "keys returned: " + values.keySet());
            for (int i = 0; i < 500; i++)
            {
                assertEquals("value-" + i, values.get("multi:" + i));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldExpireItemsWithShortTtl(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            assertTrue(c.set("short", 1, "gone soon"));
            assertTrue(c.set("forever", 0, "stays"));
            final long deadline = System.nanoTime() + EXPIRY_DEADLINE.toNanos();
            Object value = c.get("short");
            while (value != null && System.nanoTime() < deadline)
            {
                TimeUnit.MILLISECONDS.sleep(50);
                value = c.get("short");
            }
            assertNull(value, "a 1 s TTL item still readable after " + EXPIRY_DEADLINE);
            assertEquals("stays", c.get("forever"));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldStoreLargeValues(final ServerKind server, final JavaClients.Kind kind,
        final JavaClients.Protocol protocol) throws Exception
    {
        try (CacheServer s = server.start(ServerFlags.DEFAULTS); JavaClients.Client c = kind.open(s, protocol))
        {
            final byte[] large = new byte[500 * 1024];
            new Random(42).nextBytes(large);
            assertTrue(c.set("large", 0, large));
            final Object back = c.get("large");
            assertTrue(back instanceof byte[], () -> "got " + back);
            assertTrue(Arrays.equals(large, (byte[])back), "the 500 KiB value came back different");
            final byte[] second = Arrays.copyOf(large, large.length);
            second[0] ^= 1;
            assertTrue(c.set("large", 0, second));
            assertArrayEquals(second, (byte[])c.get("large"));
        }
    }
}
