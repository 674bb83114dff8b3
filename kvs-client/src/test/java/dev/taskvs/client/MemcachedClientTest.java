package dev.taskvs.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.taskvs.client.codec.ResponseKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The synchronous client against real memcached, in each protocol. */
@Timeout(60)
class MemcachedClientTest
{
    private static MemcachedProcess memcached;
    private MemcachedClient client;

    @BeforeAll
    static void startMemcached() throws Exception
    {
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    static void stopMemcached() throws Exception
    {
        if (memcached != null)
        {
            memcached.close();
        }
    }

    @AfterEach
    void closeClient()
    {
        if (client != null)
        {
            client.close();
        }
    }

    private MemcachedClient connect(final Protocol protocol) throws Exception
    {
        client = MemcachedClient.connect(new ClientConfig().address(memcached.address()).protocol(protocol)
            .operationTimeout(Duration.ofSeconds(10)));
        return client;
    }

    private static byte[] b(final String text)
    {
        return text.getBytes(UTF_8);
    }

    private static String key(final Protocol protocol, final String name)
    {
        return "sync:" + protocol + ":" + name;
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldSetGetAndDelete(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final String k = key(protocol, "a");
        assertNull(c.get(k));
        assertEquals(StoreResult.STORED, c.set(k, b("hello"), 0xFFFF_FFFF, 0));
        final Item item = c.get(k);
        assertEquals("hello", item.valueAsString());
        assertEquals(0xFFFF_FFFF, item.flags());
        assertEquals(0, item.cas());
        assertTrue(c.delete(k));
        assertFalse(c.delete(k));
        assertNull(c.get(k));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldDetectCasConflicts(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final String k = key(protocol, "cas");
        assertEquals(StoreResult.NOT_FOUND, c.cas(k, b("x"), 0, 0, 1));
        c.set(k, b("v1"), 3, 0);
        final Item first = c.gets(k);
        assertNotEquals(0, first.cas());
        assertEquals(3, first.flags());
        assertEquals(StoreResult.STORED, c.cas(k, b("v2"), 4, 0, first.cas()));
        assertEquals(StoreResult.EXISTS, c.cas(k, b("v3"), 0, 0, first.cas()));
        final Item second = c.gets(k);
        assertEquals("v2", second.valueAsString());
        assertEquals(4, second.flags());
        assertNotEquals(first.cas(), second.cas());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldStoreConditionally(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final String k = key(protocol, "cond");
        assertEquals(StoreResult.NOT_STORED, c.replace(k, b("r"), 0, 0));
        assertEquals(StoreResult.NOT_STORED, c.append(k, b("r")));
        assertEquals(StoreResult.STORED, c.add(k, b("mid"), 0, 0));
        assertEquals(StoreResult.NOT_STORED, c.add(k, b("again"), 0, 0));
        assertEquals(StoreResult.STORED, c.append(k, b(">")));
        assertEquals(StoreResult.STORED, c.prepend(k, b("<")));
        assertEquals("<mid>", c.get(k).valueAsString());
        assertEquals(StoreResult.STORED, c.replace(k, b("new"), 0, 0));
        assertEquals("new", c.get(k).valueAsString());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldIncrementAndDecrement(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final String k = key(protocol, "counter");
        c.delete(k);
        assertNull(c.incr(k, 1));
        assertNull(c.get(k));
        c.set(k, b("10"), 0, 0);
        assertEquals(15L, c.incr(k, 5));
        assertEquals(0L, c.decr(k, 100));
        c.set(k, b("18446744073709551615"), 0, 0);
        assertEquals(0L, c.incr(k, 1));
        c.set(k, b("text"), 0, 0);
        final MemcachedException error = assertThrows(MemcachedException.class, () -> c.incr(k, 1));
        assertEquals(ResponseKind.CLIENT_ERROR, error.kind());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldTouchAndGetAndTouch(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final String k = key(protocol, "touch");
        assertFalse(c.touch(k, 100));
        assertNull(c.gat(k, 100));
        c.set(k, b("t"), 9, 0);
        assertTrue(c.touch(k, 100));
        final Item item = c.gat(k, 200);
        assertEquals("t", item.valueAsString());
        assertEquals(9, item.flags());
        // An absolute exptime before the server started means already expired (binary reads -1 as unsigned).
        c.set(k, b("gone"), 0, 2_592_001);
        assertNull(c.get(k));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldGetManyKeysAtOnce(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final String k = key(protocol, "multi" + i);
            keys.add(k);
            if (i % 3 != 0)
            {
                c.set(k, b("value" + i), i, 0);
            }
            else
            {
                c.delete(k);
            }
        }
        final Map<String, Item> hits = c.getMulti(keys);
        assertEquals(66, hits.size());
        for (int i = 0; i < 100; i++)
        {
            final Item item = hits.get(keys.get(i));
            if (i % 3 == 0)
            {
                assertNull(item);
            }
            else
            {
                assertEquals("value" + i, item.valueAsString());
                assertEquals(i, item.flags());
            }
        }
        final Map<String, Item> withCas = c.getsMulti(keys.subList(1, 3));
        assertEquals(2, withCas.size());
        withCas.values().forEach(item -> assertNotEquals(0, item.cas()));
        assertTrue(c.getMulti(key(protocol, "none1"), key(protocol, "none2")).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldStoreAndFetchLargeValues(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final byte[] value = new byte[512 * 1024];
        new Random(42).nextBytes(value);
        final String k = key(protocol, "large");
        assertEquals(StoreResult.STORED, c.set(k, value, 1, 0));
        assertArrayEquals(value, c.get(k).value());
        assertArrayEquals(value, c.getMulti(k).get(k).value());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldReportServerErrors(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        final MemcachedException tooLarge =
            assertThrows(MemcachedException.class, () -> c.set(key(protocol, "huge"), new byte[2 * 1024 * 1024]));
        assertEquals(ResponseKind.SERVER_ERROR, tooLarge.kind());
        assertEquals(StoreResult.STORED, c.set(key(protocol, "after"), b("ok")));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldAnswerVersionStatsAndFlush(final Protocol protocol) throws Exception
    {
        final MemcachedClient c = connect(protocol);
        assertEquals("1.6.18", c.version());
        final Map<String, String> stats = c.stats();
        assertTrue(stats.containsKey("cmd_get"), stats.toString());
        assertEquals("67108864", c.stats("settings").get("maxbytes"));
        final String k = key(protocol, "flushed");
        c.set(k, b("x"));
        c.flushAll();
        assertNull(c.get(k));
        c.flushAll(0);
    }
}
