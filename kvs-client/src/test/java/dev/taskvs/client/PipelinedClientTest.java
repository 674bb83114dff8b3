package dev.taskvs.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.taskvs.client.codec.ResponseKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The pipelined client against real memcached, in each protocol. */
@Timeout(60)
class PipelinedClientTest
{
    private static MemcachedProcess memcached;
    private PipelinedClient client;

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

    private PipelinedClient connect(final Protocol protocol) throws IOException
    {
        client = PipelinedClient.connect(new ClientConfig().address(memcached.address()).protocol(protocol)
            .operationTimeout(Duration.ofSeconds(20)));
        return client;
    }

    private static byte[] b(final String text)
    {
        return text.getBytes(UTF_8);
    }

    private static String key(final Protocol protocol, final String name)
    {
        return "async:" + protocol + ":" + name;
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldKeepAThousandRequestsInFlight(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final int count = 1000;
        final List<CompletableFuture<StoreResult>> sets = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            sets.add(c.set(key(protocol, "p" + i), b("value-" + i), i, 0));
        }
        final List<CompletableFuture<Item>> gets = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            gets.add(c.get(key(protocol, i % 2 == 0 ? "p" + i : "missing" + i)));
        }
        final List<CompletableFuture<Long>> incrs = new ArrayList<>();
        c.set(key(protocol, "ctr"), b("0"), 0, 0);
        for (int i = 0; i < count; i++)
        {
            incrs.add(c.incr(key(protocol, "ctr"), 1));
        }
        for (int i = 0; i < count; i++)
        {
            assertEquals(StoreResult.STORED, sets.get(i).get(20, TimeUnit.SECONDS));
            final Item item = gets.get(i).get(20, TimeUnit.SECONDS);
            if (i % 2 == 0)
            {
                assertEquals("value-" + i, item.valueAsString());
                assertEquals(i, item.flags());
            }
            else
            {
                assertNull(item);
            }
            // Replies come back in request order, so the counter values do too.
            assertEquals(i + 1L, incrs.get(i).get(20, TimeUnit.SECONDS));
        }
        c.noop().get(20, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldRunEveryCommandAsynchronously(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final String k = key(protocol, "k");
        c.delete(k);
        final CompletableFuture<StoreResult> add = c.add(k, b("1"), 0, 0);
        final CompletableFuture<StoreResult> addAgain = c.add(k, b("2"), 0, 0);
        final CompletableFuture<Item> gets = c.gets(k);
        final CompletableFuture<StoreResult> append = c.append(k, b("0"));
        final CompletableFuture<StoreResult> prepend = c.prepend(k, b("1"));
        final CompletableFuture<Long> incr = c.incr(k, 5);
        final CompletableFuture<Long> decr = c.decr(k, 15);
        final CompletableFuture<Boolean> touch = c.touch(k, 100);
        final CompletableFuture<Item> gat = c.gat(k, 100);
        final CompletableFuture<StoreResult> replace = c.replace(k, b("r"), 2, 0);
        final CompletableFuture<Map<String, Item>> multi = c.getMulti(k, key(protocol, "nope"));
        final CompletableFuture<Boolean> delete = c.delete(k);
        final CompletableFuture<String> version = c.version();
        final CompletableFuture<Map<String, String>> stats = c.stats();

        assertEquals(StoreResult.STORED, add.get());
        assertEquals(StoreResult.NOT_STORED, addAgain.get());
        final Item item = gets.get();
        assertEquals("1", item.valueAsString());
        assertNotEquals(0, item.cas());
        assertEquals(StoreResult.STORED, append.get());
        assertEquals(StoreResult.STORED, prepend.get());
        assertEquals(115L, incr.get());
        assertEquals(100L, decr.get());
        assertTrue(touch.get());
        assertEquals("100", gat.get().valueAsString().trim());
        assertEquals(StoreResult.STORED, replace.get());
        assertEquals(1, multi.get().size());
        assertEquals("r", multi.get().get(k).valueAsString());
        assertEquals(2, multi.get().get(k).flags());
        assertTrue(delete.get());
        assertEquals("1.6.18", version.get());
        assertTrue(stats.get().containsKey("curr_connections"));
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldMatchQuietStoresBySkippedReplies(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final String existing = key(protocol, "quiet-existing");
        c.set(existing, b("x"), 0, 0).get();
        final List<CompletableFuture<StoreResult>> quiet = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            quiet.add(c.storeQuietly(StoreCommand.SET, key(protocol, "q" + i), b("v" + i), 0, 0));
        }
        final CompletableFuture<StoreResult> refused = c.storeQuietly(StoreCommand.ADD, existing, b("y"), 0, 0);
        final CompletableFuture<StoreResult> trailing = c.storeQuietly(StoreCommand.SET, key(protocol, "last"),
            b("z"), 0, 0);
        final CompletableFuture<Void> noop = c.noop();
        noop.get();
        for (final CompletableFuture<StoreResult> future : quiet)
        {
            assertEquals(StoreResult.STORED, future.getNow(null));
        }
        assertEquals(StoreResult.NOT_STORED, refused.getNow(null));
        assertEquals(StoreResult.STORED, trailing.getNow(null));
        assertEquals("v199", c.get(key(protocol, "q199")).get().valueAsString());
        assertEquals("x", c.get(existing).get().valueAsString());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldResolveCasRacesOnOneConnection(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final String k = key(protocol, "race");
        c.set(k, b("0"), 0, 0).get();
        final long cas = c.gets(k).get().cas();
        final CompletableFuture<StoreResult> first = c.cas(k, b("a"), 0, 0, cas);
        final CompletableFuture<StoreResult> second = c.cas(k, b("b"), 0, 0, cas);
        assertEquals(StoreResult.STORED, first.get());
        assertEquals(StoreResult.EXISTS, second.get());
        assertEquals("a", c.get(k).get().valueAsString());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldPipelineLargeValues(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final byte[][] values = new byte[8][];
        final List<CompletableFuture<StoreResult>> sets = new ArrayList<>();
        final Random random = new Random(7);
        for (int i = 0; i < values.length; i++)
        {
            values[i] = new byte[512 * 1024 - i];
            random.nextBytes(values[i]);
            sets.add(c.set(key(protocol, "big" + i), values[i], 0, 0));
        }
        final List<CompletableFuture<Item>> gets = new ArrayList<>();
        for (int i = 0; i < values.length; i++)
        {
            gets.add(c.get(key(protocol, "big" + i)));
        }
        for (int i = 0; i < values.length; i++)
        {
            assertEquals(StoreResult.STORED, sets.get(i).get());
            assertArrayEquals(values[i], gets.get(i).get().value());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldFailOneRequestOnAnErrorReplyAndKeepTheConnection(final Protocol protocol) throws Exception
    {
        final PipelinedClient c = connect(protocol);
        final String k = key(protocol, "nan");
        c.set(k, b("abc"), 0, 0);
        final CompletableFuture<Long> bad = c.incr(k, 1);
        final CompletableFuture<StoreResult> next = c.set(k, b("1"), 0, 0);
        final CompletionException error = assertThrows(CompletionException.class, bad::join);
        assertInstanceOf(MemcachedException.class, error.getCause());
        assertEquals(ResponseKind.CLIENT_ERROR, ((MemcachedException)error.getCause()).kind());
        assertEquals(StoreResult.STORED, next.get());
        assertTrue(c.isOpen());
    }

    @Test
    void shouldTimeOutWhenTheServerDoesNotAnswer() throws Exception
    {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final CountDownLatch accepted = new CountDownLatch(1);
            final Thread acceptor = new Thread(() ->
            {
                try (Socket connection = silent.accept())
                {
                    accepted.countDown();
                    connection.setKeepAlive(false);
                    Thread.sleep(5_000);
                }
                catch (final IOException | InterruptedException ex)
                {
                    accepted.countDown();
                }
            });
            acceptor.start();
            final ClientConfig config = new ClientConfig()
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()))
                .operationTimeout(Duration.ofMillis(200));
            try (PipelinedClient async = PipelinedClient.connect(config))
            {
                final CompletionException error = assertThrows(CompletionException.class, () -> async.get("k").join());
                assertInstanceOf(MemcachedTimeoutException.class, error.getCause());
            }
            try (MemcachedClient sync = MemcachedClient.connect(config))
            {
                assertThrows(MemcachedTimeoutException.class, () -> sync.get("k"));
                assertFalse(sync.isOpen());
            }
            acceptor.interrupt();
            acceptor.join(5_000);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldFailRequestsInFlightWhenTheServerGoesAway(final Protocol protocol) throws Exception
    {
        try (MemcachedProcess own = MemcachedProcess.start())
        {
            final PipelinedClient c = PipelinedClient.connect(
                new ClientConfig().address(own.address()).protocol(protocol));
            client = c;
            assertEquals(StoreResult.STORED, c.set("k", b("v"), 0, 0).get());
            own.stop();
            final CompletionException error = assertThrows(CompletionException.class,
                () -> c.get("k").join());
            assertInstanceOf(MemcachedException.class, error.getCause());
            assertFalse(c.isOpen());
        }
    }
}
