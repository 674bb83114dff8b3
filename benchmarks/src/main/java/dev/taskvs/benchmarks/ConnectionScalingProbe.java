package dev.taskvs.benchmarks;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.transport.tas.TasTransport;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a request costs the engine-based server as the number of connections grows, measured on one thread with
 * no scheduler in the way: kvs-server on the engine (INVOKER threading) and a minimal closed-loop client engine
 * on the two ends of one {@link LoopbackWire}, stepped in turn. Each connection keeps one request in flight
 * (90 % gets, 10 % sets of 64-byte values over 100,000 16-byte keys, all stored first), as
 * {@code ./kvs bench --conn-sweep} runs loadgen. The server's and the client's steps are timed apart, so the
 * figure is the server's own time per request, free of the two-process run's scheduling noise (its working set
 * still shares the caches with the client's, as on one machine).
 * <p>
 * {@code java -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.taskvs.benchmarks.ConnectionScalingProbe
 * [connections,...] [requests per point]}; defaults 100,1000,10000 and 3,000,000. {@code -Dprobe.keys=N} stores
 * and asks for N keys instead of 100,000: with 1,000 the store fits the caches, which separates what the store's
 * misses cost from what the connections' state costs. {@code -Dprobe.warmBatches=false} has the server serve each
 * connection in its event instead of as a batch with its gets' store lines loaded first ({@code TasConfig}).
 * {@code -Dprobe.flowIdSeed=N} shuffles the server engine's flow ids with seed N (default 7, as the sweep runs
 * the server); 0 hands them out lowest first, so a fresh server walks its per-flow state in the client's order.
 * <p>
 * {@code -Dprobe.toggle=some.Class#field} compares two variants of the code in one run: a static boolean field
 * (one an experiment adds, read where the variants part) is set false and true in turn, chunk by chunk, and each
 * variant's chunks are reported apart. On a machine whose speed drifts by 10-30 % over minutes, alternating runs
 * of two builds cannot show a 5 % difference; chunks a fraction of a second apart, on the same connections and
 * the same heap, can.
 */
public final class ConnectionScalingProbe
{
    static final int SERVER_IP = Ipv4Address.parse("10.211.9.2");
    static final int CLIENT_IP = Ipv4Address.parse("10.211.9.3");
    static final int PORT = 11211;
    static final int KEYS = Integer.getInteger("probe.keys", 100_000);
    static final boolean WARM_BATCHES = Boolean.parseBoolean(System.getProperty("probe.warmBatches", "true"));
    static final long FLOW_ID_SEED = Long.getLong("probe.flowIdSeed", 7);
    static final Field TOGGLE = toggle(System.getProperty("probe.toggle"));
    static final int KEY_SIZE = 16;
    static final int VALUE_SIZE = 64;
    static final int CHUNK = 50_000;
    static final int GET = 1;
    static final int SET = 2;
    private static final byte[] END = ascii("END\r\n");
    private static final byte[] STORED = ascii("STORED\r\n");

    private final int connections;
    /** As the shm wire the sweep runs on: 1,024 slots each way, no checksums (memory does not corrupt frames). */
    private final LoopbackWire wire = new LoopbackWire(1024, 1500, LoopbackWire.DEFAULT_MAC_A,
        LoopbackWire.DEFAULT_MAC_B).checksumOffload(true);
    private final KvsServer server;
    private final TasTransport transport;
    private final TcpEngine client;
    private final AppContext app;
    private final Client handler;

    ConnectionScalingProbe(final int connections)
    {
        this.connections = connections;
        final ServerConfig config = new ServerConfig();
        config.memoryLimitMb = 256;
        config.maxConnections = Math.max(connections + 16, 60_000); // as the sweep runs the server (-c 60000)
        config.port = PORT;
        config.tas.ip = Ipv4Address.toString(SERVER_IP) + "/24";
        config.tas.bufferKb = 4;
        config.tas.invoker = true;
        config.tas.warmBatches = WARM_BATCHES;
        config.tas.flowIdSeed = FLOW_ID_SEED;
        config.tas.ackDelayUs = Long.getLong("probe.ackDelayUs", config.tas.ackDelayUs);
        server = KvsServer.startTas(config, new PacketIo[] {wire.endpointB()});
        transport = server.tas();
        client = new TcpEngine(new EngineContext()
            .name("probe-client")
            .localIp(CLIENT_IP)
            .prefixLength(24)
            .threading(ThreadingMode.INVOKER)
            .rxBufferSize(4096)
            .txBufferSize(4096)
            .maxFlows(connections + 16)
            .ephemeralPorts(1024, 65535) // as loadgen on the engine: more than 16,384 connections to one port
            .synBacklog(1024)
            .appEventBytes(Integer.highestOneBit(Math.max(1 << 20, connections * 256)) << 1), wire.endpointA());
        app = client.newAppContext();
        client.start();
        handler = new Client(connections + 16);
    }

    /** Closed-loop memcached text client: one request in flight per connection, the next sent on each answer. */
    static final class Client implements ConnectionHandler
    {
        final byte[] pending;
        final UnsafeBuffer request = new UnsafeBuffer(new byte[256]);
        final UnsafeBuffer response = new UnsafeBuffer(new byte[4096]);
        final byte[] tail = new byte[8];
        int opened;
        long answered;
        long misses;
        long failures;
        /** Connects that timed out while opening: tried again (see {@link ConnectionScalingProbe#open}). */
        int connectsFailed;
        String lastFailure;
        int nextKey;
        boolean populating = true;
        long random = 0x9E3779B97F4A7C15L;

        Client(final int flows)
        {
            pending = new byte[flows];
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            opened++;
            issue(connection);
        }

        @Override
        public void onConnectFailed(final TcpConnection connection, final int reason)
        {
            connectsFailed++;
            lastFailure = "connect failed, reason " + reason;
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            failures++;
            lastFailure = "reset, reason " + reason;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            final int n = connection.readable();
            final int type = pending[connection.flowId()];
            final byte[] expected = type == SET ? STORED : END;
            if (n < expected.length)
            {
                return;
            }
            connection.read(response, 0, n);
            response.getBytes(n - expected.length, tail, 0, expected.length);
            for (int i = 0; i < expected.length; i++)
            {
                if (tail[i] != expected[i])
                {
                    throw new IllegalStateException("unexpected answer: " +
                        response.getStringWithoutLengthAscii(0, n));
                }
            }
            if (type == GET && n == END.length)
            {
                misses++;
            }
            answered++;
            issue(connection);
        }

        private void issue(final TcpConnection connection)
        {
            final int key;
            final boolean get;
            if (populating)
            {
                key = nextKey++ % KEYS;
                get = false;
            }
            else
            {
                random ^= random << 13;
                random ^= random >>> 7;
                random ^= random << 17;
                key = (int)((random >>> 1) % KEYS);
                get = (random >>> 40) % 10 != 0;
            }
            int p = 0;
            p += request.putStringWithoutLengthAscii(p, get ? "get " : "set ");
            p = putKey(p, key);
            if (get)
            {
                p += request.putStringWithoutLengthAscii(p, "\r\n");
            }
            else
            {
                p += request.putStringWithoutLengthAscii(p, " 0 0 64\r\n");
                for (int i = 0; i < VALUE_SIZE; i++)
                {
                    request.putByte(p++, (byte)('a' + (key + i) % 26));
                }
                p += request.putStringWithoutLengthAscii(p, "\r\n");
            }
            pending[connection.flowId()] = (byte)(get ? GET : SET);
            if (connection.write(request, 0, p) != p)
            {
                throw new IllegalStateException("TX ring full with one request in flight");
            }
        }

        private int putKey(final int at, final int key)
        {
            request.putStringWithoutLengthAscii(at, "key:");
            int v = key;
            for (int i = KEY_SIZE - 1; i >= 4; i--)
            {
                request.putByte(at + i, (byte)('0' + v % 10));
                v /= 10;
            }
            return at + KEY_SIZE;
        }
    }

    /** One client step and one server step, their times added to {@code times}: {client ns, server ns}. */
    private void step(final long[] times)
    {
        final long t0 = System.nanoTime();
        client.invoke();
        app.poll(handler, 4096);
        final long t1 = System.nanoTime();
        transport.invoke();
        final long t2 = System.nanoTime();
        times[0] += t1 - t0;
        times[1] += t2 - t1;
    }

    private void open()
    {
        final long[] times = new long[2];
        final long startNs = System.nanoTime();
        final long deadline = startNs + 60_000_000_000L;
        int started = 0;
        while (handler.opened < connections)
        {
            // A few hundred SYNs at a time: the server's backlog is 1,024. Stepped in turn on one thread, the
            // server's slow path can still fall behind the client's and drop SYNs at a full backlog, and a connect
            // whose retransmissions all went that way times out (one in ten thousand, at 50,000): open another.
            while (started - handler.connectsFailed < connections &&
                started - handler.connectsFailed - handler.opened < 256)
            {
                app.connect(SERVER_IP, PORT);
                started++;
            }
            step(times);
            if (handler.failures > 0 || handler.connectsFailed > connections / 100 || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("opened " + handler.opened + " of " + connections + ", " +
                    (handler.failures + handler.connectsFailed) + " failures, the last: " + handler.lastFailure +
                    "; after " + (System.nanoTime() - startNs) / 1_000_000 + " ms; client engine: " +
                    client.nonZeroCounters() + "; server engine: " + transport.engine().nonZeroCounters());
            }
        }
    }

    /** Steps both sides until {@code answered} requests have been answered in all, within the deadline. */
    private void stepUntil(final long answered, final long[] times, final long deadlineNs)
    {
        while (handler.answered < answered)
        {
            step(times);
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("answered " + handler.answered + " of " + answered + " in time");
            }
        }
    }

    /**
     * @return ns per request: the server's median and quickest-tenth chunk, the client's median and quickest-tenth
     * chunk; then the requests measured.
     */
    double[] run(final long requests)
    {
        final long openStart = System.nanoTime();
        open();
        System.out.printf(Locale.ROOT, "%6d connections opened in %.1f ms%s%n", connections,
            (System.nanoTime() - openStart) / 1e6,
            handler.connectsFailed == 0 ? "" : " (" + handler.connectsFailed + " connects timed out, opened again)");
        final long[] times = new long[2];
        final long deadline = System.nanoTime() + 600_000_000_000L;
        stepUntil(KEYS + connections, times, deadline);
        handler.populating = false;
        stepUntil(handler.answered + requests / 2, times, deadline);
        final long start = handler.answered;
        final long missesBefore = handler.misses;
        // Chunks of CHUNK requests, each timed apart: other tenants of a shared machine only ever add time, so
        // the quickest chunks show the cost itself, the median what a run sees.
        final int chunks = (int)Math.max(1, requests / CHUNK);
        final double[] server = new double[chunks];
        final double[] client = new double[chunks];
        for (int c = 0; c < chunks; c++)
        {
            if (TOGGLE != null)
            {
                setToggle(c % 2 == 1);
            }
            times[0] = 0;
            times[1] = 0;
            final long from = handler.answered;
            stepUntil(from + CHUNK, times, deadline);
            final long done = handler.answered - from;
            server[c] = (double)times[1] / done;
            client[c] = (double)times[0] / done;
        }
        if (handler.misses != missesBefore)
        {
            throw new IllegalStateException((handler.misses - missesBefore) + " get misses after every key was set");
        }
        final long total = handler.answered - start;
        if (TOGGLE != null)
        {
            setToggle(false);
            System.out.printf(Locale.ROOT, "%6d connections, %s false: %s%n", connections, TOGGLE.getName(),
                variant(server, client, 0));
            System.out.printf(Locale.ROOT, "%6d connections, %s true:  %s%n", connections, TOGGLE.getName(),
                variant(server, client, 1));
        }
        Arrays.sort(server);
        Arrays.sort(client);
        return new double[] {server[chunks / 2], server[chunks / 10], client[chunks / 2], client[chunks / 10], total};
    }

    /** The chunks of one variant of a toggled run (every other chunk, from {@code first}), as a row. */
    private static String variant(final double[] server, final double[] client, final int first)
    {
        final int n = (server.length - first + 1) / 2;
        final double[] s = new double[n];
        final double[] c = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = server[first + 2 * i];
            c[i] = client[first + 2 * i];
        }
        Arrays.sort(s);
        Arrays.sort(c);
        return String.format(Locale.ROOT, "server %7.1f ns/request (quickest tenth %7.1f), client %7.1f (%7.1f); " +
            "%d chunks", s[n / 2], s[n / 10], c[n / 2], c[n / 10], n);
    }

    private static Field toggle(final String name)
    {
        if (name == null)
        {
            return null;
        }
        final int hash = name.indexOf('#');
        if (hash < 0)
        {
            throw new IllegalArgumentException("-Dprobe.toggle=Class#field: no '#' in " + name);
        }
        try
        {
            final Field field = Class.forName(name.substring(0, hash))
                .getDeclaredField(name.substring(hash + 1));
            if (field.getType() != boolean.class || !Modifier.isStatic(field.getModifiers()) ||
                Modifier.isFinal(field.getModifiers()))
            {
                throw new IllegalArgumentException("-Dprobe.toggle: not a static, non-final boolean: " + name);
            }
            field.setAccessible(true);
            return field;
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("-Dprobe.toggle=Class#field: " + name + ": " + ex, ex);
        }
    }

    private static void setToggle(final boolean value)
    {
        try
        {
            TOGGLE.setBoolean(null, value);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    void close()
    {
        client.close();
        server.close();
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(final String[] args)
    {
        final String[] points = (args.length > 0 ? args[0] : "100,1000,10000").split(",");
        final long requests = args.length > 1 ? Long.parseLong(args[1]) : 3_000_000L;
        if (KEYS < 1)
        {
            throw new IllegalArgumentException("-Dprobe.keys must be >= 1: " + KEYS);
        }
        System.out.println(KEYS + " keys; server flow ids " +
            (FLOW_ID_SEED == 0 ? "in order" : "shuffled, seed " + FLOW_ID_SEED));
        for (final String point : points)
        {
            final int n = Integer.parseInt(point.trim());
            final ConnectionScalingProbe probe = new ConnectionScalingProbe(n);
            try
            {
                final double[] ns = probe.run(requests);
                final String row = String.format(Locale.ROOT, "%6d connections: server %7.1f ns/request (quickest" +
                    " tenth %7.1f), client %7.1f (%7.1f); %d requests in chunks of %d", n, ns[0], ns[1], ns[2], ns[3],
                    (long)ns[4], CHUNK);
                System.out.println(row);
            }
            finally
            {
                probe.close();
            }
        }
    }
}
