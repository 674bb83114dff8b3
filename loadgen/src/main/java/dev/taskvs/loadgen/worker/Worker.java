package dev.taskvs.loadgen.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.loadgen.LoadgenConfig;
import dev.taskvs.loadgen.protocol.ErrorKind;
import dev.taskvs.loadgen.protocol.Reply;
import dev.taskvs.loadgen.protocol.WireProtocol;
import dev.taskvs.loadgen.stack.LoadStack;
import dev.taskvs.loadgen.stack.StackHandler;
import dev.taskvs.loadgen.stack.StackLoop;
import dev.taskvs.loadgen.stack.ZeroCopyLoop;
import dev.taskvs.loadgen.workload.KeyChooser;
import dev.taskvs.loadgen.workload.KeySpace;
import dev.taskvs.loadgen.workload.ValueContent;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One load-generating thread: an event loop over its share of the connections on one {@link StackLoop}.
 * <p>
 * Open loop: each connection follows its own arrival schedule (Poisson by default) at
 * {@code rate / connections}; the next intended send time of every connection with room in its window sits in a
 * min-heap. A request whose window is full keeps its intended time and goes out as soon as a reply frees a slot,
 * so its latency, measured from the intended time, includes the wait: stalls cannot hide (no coordinated
 * omission). Service time (actual send to reply) and the generator's own lateness (scheduler lag: send time minus
 * the later of intended time and the moment the window had room) are recorded separately.
 * <p>
 * Closed loop: every connection keeps {@code pipeline} requests in flight; latency equals service time.
 * <p>
 * Every reply is decoded and checked: values against the self-verifying content of the key they claim, keys
 * against the request, reply kinds against the command. After warm-up the loop allocates nothing.
 */
public final class Worker implements Runnable, StackHandler
{
    private static final long RECONNECT_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BLOCK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MILLI = 1_000_000;
    /** Counters become visible to the main thread at most this long after they change (see {@link WorkerStats}). */
    private static final long PUBLISH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A measured send more than this behind its due time (with room in the window) counts as late. */
    public static final long LATE_THRESHOLD_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final int index;
    private final LoadgenConfig config;
    private final LoadStack stack;
    private final List<InetSocketAddress> servers;
    private final WorkerStats stats = new WorkerStats();
    private final BlockingQueue<Phase> commands = new LinkedBlockingQueue<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile long allocatedAtPhaseEnd = -1;
    private volatile long cpuAtPhaseEnd;
    /** Looked up once: ManagementFactory.getThreadMXBean() allocates on every call. */
    private final java.lang.management.ThreadMXBean threadMx =
        java.lang.management.ManagementFactory.getThreadMXBean();
    private volatile Thread thread;

    private final KeySpace keys;
    private final KeyChooser chooser;
    private final ValueContent content;
    private final SplittableRandom random;
    private final Response response = new Response();
    private final UnsafeBuffer valueScratch;
    private final int pipeline;
    private final int multiget;
    private final double getRatio;
    private final LoadgenConfig.Idle idle;

    private StackLoop loop;
    /** The same loop when it exposes its rings (the engine): requests and replies are handled in place. */
    private ZeroCopyLoop rings;
    private int maxRequest;
    /** Where the request being encoded goes: the TX ring in place, or the connection's staging buffer. */
    private MutableDirectBuffer encodeBuffer;
    private int encodeAt;
    private WireProtocol wire;
    private Conn[] conns;
    private Conn[] heap;
    private int heapSize;
    private int inflightTotal;
    private int activeSchedules;
    private long nextReconnectAt = Long.MAX_VALUE;

    private Phase.Kind mode;
    private boolean open;
    private double meanGapNs;
    private long measureStartNs;
    private long endNs = Long.MAX_VALUE;
    private long now;
    private long nextPublishNs;
    /** The latency recorder's writer section held while a run phase measures (see {@link #runMeasured}). */
    private long section;

    /** @param index this worker's number: it owns global connections {@code index, index + threads, ...}. */
    public Worker(final int index, final LoadgenConfig config, final LoadStack stack)
    {
        this.index = index;
        this.config = config;
        this.stack = stack;
        this.servers = config.servers;
        this.keys = config.keySpace();
        this.chooser = config.keyChooser().copy();
        this.content = config.valueContent();
        this.random = new SplittableRandom(config.seed * 0x9E37_79B9_7F4A_7C15L + index);
        this.valueScratch = new UnsafeBuffer(new byte[Math.max(1, content.sizes().max())]);
        this.pipeline = config.pipeline;
        this.multiget = config.multiget;
        this.getRatio = config.getRatio;
        this.idle = config.idle;
    }

    public WorkerStats stats()
    {
        return stats;
    }

    public Throwable failure()
    {
        return failure;
    }

    public Thread thread()
    {
        return thread;
    }

    /** Bytes this thread had allocated when it finished its last run phase (before it went idle), or -1. */
    public long allocatedAtPhaseEnd()
    {
        return allocatedAtPhaseEnd;
    }

    /** CPU time this thread had used when it finished its last run phase. */
    public long cpuAtPhaseEnd()
    {
        return cpuAtPhaseEnd;
    }

    /**
     * Read this thread's own allocation and CPU counters at the end of a phase, before it parks for the next
     * command (parking allocates a queue node, which is not the data path's doing).
     */
    private void publishSelfCheck()
    {
        // getCurrentThreadAllocatedBytes reads the counter directly; getThreadAllocatedBytes(id) would allocate an
        // id array on this thread first and count it.
        final java.lang.management.ThreadMXBean mx = threadMx;
        allocatedAtPhaseEnd = mx instanceof com.sun.management.ThreadMXBean ?
            ((com.sun.management.ThreadMXBean)mx).getCurrentThreadAllocatedBytes() : -1;
        cpuAtPhaseEnd = mx.getCurrentThreadCpuTime();
    }

    /** Counted down once every connection of this worker is open or has failed. */
    public CountDownLatch connected()
    {
        return connected;
    }

    public void submit(final Phase phase)
    {
        commands.add(phase);
    }

    public Thread start()
    {
        final Thread t = new Thread(this, "loadgen-" + index); // short: Linux keeps 15 characters of a name
        t.setDaemon(true);
        thread = t;
        t.start();
        return t;
    }

    @Override
    public void run()
    {
        try
        {
            setUp();
            connectAll();
            stats.publish();
            connected.countDown();
            while (true)
            {
                final Phase phase = commands.take();
                if (phase.kind == Phase.Kind.SHUTDOWN)
                {
                    phase.done.countDown();
                    return;
                }
                if (phase.kind == Phase.Kind.PRELOAD)
                {
                    runPreload();
                }
                else
                {
                    runMeasured(phase);
                    publishSelfCheck();
                }
                stats.publish();
                phase.done.countDown();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            stats.publish();
            connected.countDown();
            if (loop != null)
            {
                loop.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- set-up

    private void setUp() throws IOException
    {
        final int count = config.connectionsOf(index);
        loop = stack.newLoop(count);
        rings = loop instanceof ZeroCopyLoop ? (ZeroCopyLoop)loop : null;
        wire = WireProtocol.of(config.protocol, keys);
        conns = new Conn[count];
        heap = new Conn[count];
        final int maxValue = content.sizes().max();
        maxRequest = Math.max(wire.maxGetLength(multiget), wire.maxSetLength(maxValue)) + 64;
        final int maxReplyUnit = wire.maxValueUnitLength(maxValue) + 64;
        final int outCapacity = pipeline * maxRequest;
        final int inCapacity = (int)Math.max(4096, Math.min((long)pipeline * multiget * maxReplyUnit, 256 * 1024));
        final int servers = this.servers.size();
        final int threads = config.threads;
        for (int i = 0; i < count; i++)
        {
            final int global = index + i * threads;
            final InetSocketAddress server = this.servers.get(global % servers);
            final ResponseDecoder decoder = wire.newDecoder();
            final Conn c = new Conn(i, server, pipeline, multiget, decoder);
            c.out = loop.allocate(outCapacity);
            c.in = loop.allocate(Math.max(inCapacity, maxReplyUnit));
            // Preload: the connections to one server split the whole key space between them.
            final int perServer = config.connections / servers + (global % servers < config.connections % servers ? 1 : 0);
            final int rank = global / servers;
            c.preloadNext = (int)((long)keys.count() * rank / perServer);
            c.preloadEnd = (int)((long)keys.count() * (rank + 1) / perServer);
            conns[i] = c;
        }
    }

    private void connectAll() throws IOException
    {
        final long intervalNs = (long)(1e9 * config.threads / config.connectRate);
        long nextAt = System.nanoTime() + intervalNs * index / config.threads;
        int started = 0;
        int connecting = 0;
        long nextExpiryCheck = 0;
        while (true)
        {
            now = System.nanoTime();
            while (started < conns.length && nextAt <= now)
            {
                startConnect(conns[started++]);
                nextAt += intervalNs;
            }
            if (now >= nextExpiryCheck)
            {
                connecting = expireConnects();
                nextExpiryCheck = now + MAX_BLOCK_NS;
                if (started == conns.length && connecting == 0)
                {
                    return;
                }
            }
            final long wait = started < conns.length ? Math.min(nextAt - now, MAX_BLOCK_NS) : MAX_BLOCK_NS;
            stats.publish();
            loop.poll(wait < MILLI ? 0 : wait, this);
        }
    }

    /** Fail connects older than the connect timeout; returns how many are still connecting. */
    private int expireConnects()
    {
        int connecting = 0;
        for (final Conn c : conns)
        {
            if (c.state == Conn.CONNECTING)
            {
                if (now - c.connectStartedAt > config.connectTimeoutNs)
                {
                    loop.close(c.id);
                    connectFailed(c);
                }
                else
                {
                    connecting++;
                }
            }
        }
        return connecting;
    }

    private void startConnect(final Conn c)
    {
        c.state = Conn.CONNECTING;
        c.connectStartedAt = now;
        c.reconnectAt = Long.MAX_VALUE;
        try
        {
            loop.connect(c.id, c.server);
        }
        catch (final IOException ex)
        {
            connectFailed(c);
        }
    }

    private void connectFailed(final Conn c)
    {
        c.state = Conn.CLOSED;
        stats.error(ErrorKind.CONNECT_FAILED, 1);
        if (mode == Phase.Kind.RUN)
        {
            scheduleReconnect(c);
        }
    }

    @Override
    public void onConnected(final int id)
    {
        final Conn c = conns[id];
        c.state = Conn.OPEN;
        c.inStart = 0;
        c.inEnd = 0;
        c.outEnd = 0;
        c.txPending = 0;
        stats.increment(WorkerStats.CONNECTED);
        stats.increment(WorkerStats.OPEN);
        if (mode == Phase.Kind.RUN)
        {
            stats.increment(WorkerStats.RECONNECTS);
            resume(c);
        }
        else if (mode == Phase.Kind.PRELOAD)
        {
            fill(c);
        }
    }

    @Override
    public void onConnectFailed(final int id, final Exception cause)
    {
        connectFailed(conns[id]);
    }

    // ---------------------------------------------------------------------------------------------------- phases

    private void runPreload() throws IOException
    {
        mode = Phase.Kind.PRELOAD;
        measureStartNs = Long.MAX_VALUE;
        endNs = Long.MAX_VALUE;
        now = System.nanoTime();
        for (final Conn c : conns)
        {
            if (c.state == Conn.OPEN)
            {
                fill(c);
            }
        }
        while (inflightTotal > 0)
        {
            stats.publish();
            loop.poll(idle == LoadgenConfig.Idle.SPIN ? 0 : MAX_BLOCK_NS, this);
        }
        mode = null;
    }

    private void runMeasured(final Phase phase) throws IOException
    {
        while ((now = System.nanoTime()) < phase.startNs)
        {
            LockSupport.parkNanos(Math.min(phase.startNs - now, MILLI));
        }
        // Latencies are recorded only inside a writer section; each pass of the loop below closes and reopens it
        // so the main thread's once-a-second sample waits for one pass at most.
        section = stats.latencies.enter();
        try
        {
            measure(phase);
        }
        finally
        {
            stats.latencies.exit(section);
        }
    }

    private void measure(final Phase phase) throws IOException
    {
        mode = Phase.Kind.RUN;
        open = phase.rate > 0;
        measureStartNs = phase.measureStartNs;
        endNs = phase.endNs;
        meanGapNs = open ? 1e9 * config.connections / phase.rate : 0;
        heapSize = 0;
        activeSchedules = 0;
        for (final Conn c : conns)
        {
            c.readyAt = phase.startNs;
            if (open)
            {
                c.next = phase.startNs + (long)config.arrivals.gapNanos(random, meanGapNs);
                c.scheduled = c.next < endNs;
                if (c.scheduled)
                {
                    activeSchedules++;
                }
            }
            if (c.state == Conn.CLOSED)
            {
                scheduleReconnect(c);
                c.reconnectAt = now;
                nextReconnectAt = now;
            }
            else if (c.state == Conn.OPEN)
            {
                resume(c);
            }
        }
        final long drainDeadline = endNs + config.drainTimeoutNs;
        while (true)
        {
            stats.latencies.exit(section);
            section = stats.latencies.enter();
            now = System.nanoTime();
            if (now >= nextPublishNs)
            {
                stats.publish();
                nextPublishNs = now + PUBLISH_INTERVAL_NS;
            }
            if (open)
            {
                sendDue();
            }
            if (now >= nextReconnectAt)
            {
                reconnectDue();
            }
            if (now >= endNs)
            {
                if (inflightTotal == 0 && (!open || activeSchedules == 0))
                {
                    break;
                }
                if (now >= drainDeadline)
                {
                    timeOutRemaining();
                    break;
                }
            }
            poll(waitNanos());
        }
        for (final Conn c : conns)
        {
            c.reconnectAt = Long.MAX_VALUE;
        }
        nextReconnectAt = Long.MAX_VALUE;
        mode = null;
    }

    private long waitNanos()
    {
        long wait = MAX_BLOCK_NS;
        if (open && heapSize > 0)
        {
            wait = Math.min(wait, heap[0].next - now);
        }
        if (nextReconnectAt != Long.MAX_VALUE)
        {
            wait = Math.min(wait, nextReconnectAt - now);
        }
        if (now < endNs)
        {
            wait = Math.min(wait, Math.max(0, endNs - now));
        }
        return wait;
    }

    private void poll(final long wait) throws IOException
    {
        // Not a switch: javac makes a switch on an enum a class of its own, loaded at the first poll, when
        // thousands of open connections may have used up the open-files limit (NoClassDefFoundError at 18,000).
        if (idle == LoadgenConfig.Idle.SPIN)
        {
            loop.poll(0, this);
        }
        else if (idle == LoadgenConfig.Idle.BLOCK)
        {
            loop.poll(Math.max(wait, 1), this);
        }
        else
        {
            // Block only in whole milliseconds that end at least 1 ms before the next due send, then poll:
            // epoll's millisecond timeout would otherwise make sends late by up to a millisecond.
            loop.poll(wait >= 2 * MILLI ? (wait / MILLI - 1) * MILLI : 0, this);
        }
    }

    /** A connection became usable during a run: give it work according to the mode. */
    private void resume(final Conn c)
    {
        if (open)
        {
            if (c.scheduled && c.inflight < pipeline && c.heapIndex < 0)
            {
                heapAdd(c);
            }
        }
        else
        {
            fill(c);
        }
    }

    /** Open loop: send every request whose time has come, connection by connection, earliest first. */
    private void sendDue()
    {
        while (heapSize > 0)
        {
            final Conn c = heap[0];
            if (c.next > now)
            {
                return;
            }
            while (c.inflight < pipeline && c.next <= now && c.scheduled)
            {
                final long intended = c.next;
                send(c, intended);
                c.next += (long)config.arrivals.gapNanos(random, meanGapNs);
                if (c.next >= endNs)
                {
                    c.scheduled = false;
                    activeSchedules--;
                }
            }
            flush(c);
            // A write is a syscall: with many connections due at once, later ones must see the time move on, or
            // their send times and lag would be understated.
            now = System.nanoTime();
            if (c.heapIndex >= 0)
            {
                if (c.inflight >= pipeline || !c.scheduled || c.state != Conn.OPEN)
                {
                    heapRemove(c);
                }
                else
                {
                    siftDown(c.heapIndex);
                }
            }
        }
    }

    /** Closed loop and preload: fill the window, then write. */
    private void fill(final Conn c)
    {
        if (c.state != Conn.OPEN)
        {
            return;
        }
        if (mode == Phase.Kind.PRELOAD)
        {
            while (c.inflight < pipeline && c.preloadNext < c.preloadEnd)
            {
                sendSet(c, c.preloadNext++, 0, now);
            }
        }
        else if (mode == Phase.Kind.RUN && !open)
        {
            while (c.inflight < pipeline && now < endNs)
            {
                send(c, now);
            }
        }
        flush(c);
    }

    /** Encode one workload request with its intended send time. */
    private void send(final Conn c, final long intended)
    {
        final boolean measured = intended >= measureStartNs;
        if (open && measured)
        {
            final long lag = now - Math.max(intended, c.readyAt);
            stats.latencies.recordLag(WorkerStats.clamp(lag));
            if (lag > LATE_THRESHOLD_NS)
            {
                stats.increment(WorkerStats.LATE_SENDS);
            }
        }
        if (measured)
        {
            stats.increment(WorkerStats.MEASURED_SENT);
        }
        if (getRatio >= 1.0 || (getRatio > 0 && random.nextDouble() < getRatio))
        {
            sendGet(c, intended);
        }
        else
        {
            sendSet(c, chooser.next(random), random.nextInt() | 1, intended);
        }
    }

    private void sendGet(final Conn c, final long intended)
    {
        final int slot = slot(c);
        final int base = slot * multiget;
        for (int k = 0; k < multiget; k++)
        {
            c.slotKeys[base + k] = chooser.next(random);
        }
        final int seq = ++c.seq;
        target(c);
        encoded(c, wire.encodeGet(encodeBuffer, encodeAt, c.slotKeys, base, multiget, seq));
        enqueue(c, slot, Conn.GET, multiget, seq, intended);
    }

    private void sendSet(final Conn c, final int key, final int version, final long intended)
    {
        final int slot = slot(c);
        c.slotKeys[slot * multiget] = key;
        final int length = content.write(valueScratch, 0, key, version);
        final int seq = ++c.seq;
        target(c);
        encoded(c, wire.encodeSet(encodeBuffer, encodeAt, key, valueScratch, 0, length, seq));
        enqueue(c, slot, Conn.SET, 1, seq, intended);
    }

    /**
     * Choose where the next request is encoded: in place in the TX ring when the stack exposes it and the largest
     * request fits before the ring's end, otherwise (kernel sockets, a wrap, a blocked write, bytes already
     * staged) at the end of the staging buffer, so bytes always reach the wire in request order.
     */
    private void target(final Conn c)
    {
        if (rings != null && c.outEnd == 0 && !c.writeBlocked)
        {
            if (c.txPending == 0)
            {
                c.txStart = rings.txOffset(c.id);
                c.txRoom = rings.txContiguous(c.id);
            }
            final int room = c.txRoom - c.txPending;
            if (room >= maxRequest)
            {
                encodeBuffer = rings.txBuffer(c.id);
                encodeAt = c.txStart + c.txPending;
                return;
            }
        }
        encodeBuffer = c.out;
        encodeAt = c.outEnd;
    }

    private void encoded(final Conn c, final int end)
    {
        if (encodeBuffer == c.out)
        {
            c.outEnd = end;
        }
        else
        {
            c.txPending += end - encodeAt;
        }
    }

    private int slot(final Conn c)
    {
        final int slot = c.head + c.inflight;
        return slot >= pipeline ? slot - pipeline : slot;
    }

    private void enqueue(final Conn c, final int slot, final byte op, final int count, final int seq,
        final long intended)
    {
        c.op[slot] = op;
        c.keyCount[slot] = count;
        c.seqs[slot] = seq;
        c.intended[slot] = intended;
        c.sent[slot] = now;
        c.inflight++;
        inflightTotal++;
        stats.increment(WorkerStats.SENT);
    }

    private void flush(final Conn c)
    {
        if (c.txPending > 0 && c.state == Conn.OPEN)
        {
            // Requests encoded in place go out with one commit (one bump to the engine's lane).
            rings.commit(c.id, c.txPending);
            stats.add(WorkerStats.BYTES_OUT, c.txPending);
            c.txPending = 0;
        }
        if (c.outEnd == 0 || c.writeBlocked || c.state != Conn.OPEN)
        {
            return;
        }
        try
        {
            final int written = loop.write(c.id, c.out, 0, c.outEnd);
            stats.add(WorkerStats.BYTES_OUT, written);
            final int remaining = c.outEnd - written;
            if (remaining > 0)
            {
                c.out.putBytes(0, c.out, written, remaining);
                c.writeBlocked = true;
                loop.writeInterest(c.id, true);
            }
            c.outEnd = remaining;
        }
        catch (final IOException ex)
        {
            reset(c, ErrorKind.CONNECTION);
        }
    }

    @Override
    public void onWritable(final int id)
    {
        final Conn c = conns[id];
        c.writeBlocked = false;
        loop.writeInterest(id, false);
        flush(c);
    }

    // ---------------------------------------------------------------------------------------------------- replies

    @Override
    public void onReadable(final int id)
    {
        final Conn c = conns[id];
        now = System.nanoTime();
        if (rings != null)
        {
            if (c.state == Conn.OPEN && readInPlace(c))
            {
                if (mode == Phase.Kind.RUN && open)
                {
                    resume(c);
                }
                else
                {
                    fill(c);
                }
            }
            return;
        }
        for (int reads = 0; reads < 8 && c.state == Conn.OPEN; reads++)
        {
            final int space = c.in.capacity() - c.inEnd;
            final int n;
            try
            {
                n = loop.read(id, c.in, c.inEnd, space);
            }
            catch (final IOException ex)
            {
                reset(c, ErrorKind.CONNECTION);
                return;
            }
            if (n < 0)
            {
                reset(c, ErrorKind.CONNECTION);
                return;
            }
            if (n == 0)
            {
                break;
            }
            c.inEnd += n;
            stats.add(WorkerStats.BYTES_IN, n);
            if (!decodeAll(c))
            {
                return;
            }
            if (n < space)
            {
                break;
            }
        }
        if (mode == Phase.Kind.RUN && open)
        {
            resume(c);
        }
        else
        {
            fill(c);
        }
    }

    /**
     * Decode replies where they landed in the RX ring and consume them with one bump. A unit that wraps around the
     * ring's end (or is larger than the ring) is gathered into the staging buffer and decoded there; once the
     * staging buffer is empty again decoding goes back to the ring. False when the connection was reset.
     */
    private boolean readInPlace(final Conn c)
    {
        final int id = c.id;
        int readable = rings.readable(id);
        if (readable < 0)
        {
            reset(c, ErrorKind.CONNECTION);
            return false;
        }
        while (readable > 0 && c.state == Conn.OPEN)
        {
            if (c.inEnd > 0)
            {
                final int n = gather(c, c.inEnd, Math.min(readable, c.in.capacity() - c.inEnd));
                if (n <= 0)
                {
                    return n == 0;
                }
                c.inEnd += n;
                readable -= n;
                stats.add(WorkerStats.BYTES_IN, n);
                if (!decodeAll(c))
                {
                    return false;
                }
                continue;
            }
            final DirectBuffer rx = rings.rxBuffer(id);
            final int at = rings.rxOffset(id);
            final int length = rings.rxContiguous(id);
            int pos = 0;
            while (pos < length)
            {
                final int consumed = c.decoder.decode(rx, at + pos, length - pos, response);
                if (consumed == 0)
                {
                    break;
                }
                if (consumed < 0 || c.inflight == 0 || !onUnit(c))
                {
                    reset(c, ErrorKind.PROTOCOL);
                    return false;
                }
                pos += consumed;
            }
            if (pos > 0)
            {
                rings.consume(id, pos);
                stats.add(WorkerStats.BYTES_IN, pos);
                readable -= pos;
            }
            if (pos < length)
            {
                // An incomplete unit: wait for the rest in place, unless it wraps or cannot fit in the ring.
                final boolean wraps = readable > length - pos;
                if (!wraps && c.decoder.pendingUnitLength() <= rings.rxCapacity(id) / 2)
                {
                    break;
                }
                final int n = gather(c, 0, Math.min(readable, c.in.capacity()));
                if (n <= 0)
                {
                    return n == 0;
                }
                c.inEnd = n;
                readable -= n;
                stats.add(WorkerStats.BYTES_IN, n);
                if (!decodeAll(c))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Copy (and consume) ring bytes into the staging buffer; -1 after resetting the connection. */
    private int gather(final Conn c, final int offset, final int length)
    {
        try
        {
            final int n = loop.read(c.id, c.in, offset, length);
            if (n < 0)
            {
                reset(c, ErrorKind.CONNECTION);
            }
            return n;
        }
        catch (final IOException ex)
        {
            reset(c, ErrorKind.CONNECTION);
            return -1;
        }
    }

    /** Decode every complete unit; false when the connection was reset. */
    private boolean decodeAll(final Conn c)
    {
        final MutableDirectBuffer in = c.in;
        while (c.inStart < c.inEnd)
        {
            final int consumed = c.decoder.decode(in, c.inStart, c.inEnd - c.inStart, response);
            if (consumed == 0)
            {
                break;
            }
            if (consumed < 0 || c.inflight == 0 || !onUnit(c))
            {
                reset(c, ErrorKind.PROTOCOL);
                return false;
            }
            c.inStart += consumed;
        }
        if (c.inStart == c.inEnd)
        {
            c.inStart = 0;
            c.inEnd = 0;
        }
        else if (c.inStart > 0)
        {
            final int remaining = c.inEnd - c.inStart;
            in.putBytes(0, in, c.inStart, remaining);
            c.inStart = 0;
            c.inEnd = remaining;
        }
        final int pending = c.decoder.pendingUnitLength();
        if (c.inEnd == in.capacity() || pending > in.capacity())
        {
            grow(c, Math.max(pending, in.capacity() * 2));
        }
        return true;
    }

    private void grow(final Conn c, final int capacity)
    {
        final MutableDirectBuffer bigger = loop.allocate(capacity);
        bigger.putBytes(0, c.in, 0, c.inEnd);
        c.in = bigger;
    }

    /** Apply one reply unit to the head request; false when the stream is out of step. */
    private boolean onUnit(final Conn c)
    {
        final int slot = c.head;
        if (c.op[slot] == Conn.SET)
        {
            switch (wire.classifySet(response, c.seqs[slot]))
            {
                case Reply.STORED:
                    complete(c);
                    return true;
                case Reply.FAILED:
                    stats.error(wire.errorKind(response), 1);
                    complete(c);
                    return true;
                default:
                    return false;
            }
        }
        final int count = c.keyCount[slot];
        switch (wire.classifyGet(response, count, c.seqs[slot]))
        {
            case Reply.HIT:
                checkHit(c, slot, count);
                return true;
            case Reply.HIT_LAST:
                checkHit(c, slot, count);
                complete(c);
                return true;
            case Reply.END:
                complete(c);
                return true;
            case Reply.FAILED:
                stats.error(wire.errorKind(response), 1);
                complete(c);
                return true;
            default:
                return false;
        }
    }

    /** A value came back: it must be for the next of the requested keys (hits keep request order) and verify. */
    private void checkHit(final Conn c, final int slot, final int count)
    {
        final int key = keys.indexOf(response.buffer(), response.keyOffset(), response.keyLength());
        final int base = slot * multiget;
        int found = -1;
        for (int k = c.cursor; k < count; k++)
        {
            if (c.slotKeys[base + k] == key)
            {
                found = k;
                break;
            }
        }
        if (key < 0 || found < 0)
        {
            stats.error(ErrorKind.WRONG_KEY, 1);
            return;
        }
        c.cursor = found + 1;
        c.hits++;
        if (content.verify(key, response.buffer(), response.valueOffset(), response.valueLength()) !=
            ValueContent.OK)
        {
            stats.error(ErrorKind.VALUE_MISMATCH, 1);
        }
    }

    private void complete(final Conn c)
    {
        final int slot = c.head;
        final long intended = c.intended[slot];
        final boolean get = c.op[slot] == Conn.GET;
        stats.increment(WorkerStats.COMPLETED);
        if (mode == Phase.Kind.RUN && intended >= measureStartNs)
        {
            stats.latencies.recordCompletion(get, WorkerStats.clamp(now - intended),
                WorkerStats.clamp(now - c.sent[slot]));
            stats.increment(WorkerStats.MEASURED_COMPLETED);
            if (get)
            {
                final int count = c.keyCount[slot];
                stats.increment(WorkerStats.GETS);
                stats.add(WorkerStats.KEYS_REQUESTED, count);
                stats.add(WorkerStats.HITS, c.hits);
                stats.add(WorkerStats.MISSES, count - c.hits);
            }
            else
            {
                stats.increment(WorkerStats.SETS);
            }
        }
        else if (mode == Phase.Kind.PRELOAD)
        {
            stats.increment(WorkerStats.PRELOADED);
        }
        if (c.inflight == pipeline)
        {
            c.readyAt = now;
        }
        c.head = c.head + 1 == pipeline ? 0 : c.head + 1;
        c.inflight--;
        inflightTotal--;
        c.cursor = 0;
        c.hits = 0;
    }

    // ---------------------------------------------------------------------------------------------------- failures

    /**
     * Drop a connection whose stream can no longer be trusted: the head request counts as {@code kind}, the rest
     * of the window as lost to the connection. During a run it reconnects after a short delay and its schedule
     * resumes with the original intended times.
     */
    private void reset(final Conn c, final ErrorKind kind)
    {
        if (c.inflight > 0)
        {
            stats.error(kind, 1);
            stats.error(ErrorKind.CONNECTION, c.inflight - 1);
        }
        else
        {
            stats.error(kind, 1);
        }
        inflightTotal -= c.inflight;
        c.inflight = 0;
        c.head = 0;
        c.cursor = 0;
        c.hits = 0;
        c.outEnd = 0;
        c.txPending = 0;
        c.inStart = 0;
        c.inEnd = 0;
        c.writeBlocked = false;
        c.state = Conn.CLOSED;
        stats.add(WorkerStats.OPEN, -1);
        if (c.heapIndex >= 0)
        {
            heapRemove(c);
        }
        loop.close(c.id);
        if (mode == Phase.Kind.RUN)
        {
            scheduleReconnect(c);
        }
    }

    private void scheduleReconnect(final Conn c)
    {
        c.reconnectAt = now + RECONNECT_DELAY_NS;
        nextReconnectAt = Math.min(nextReconnectAt, c.reconnectAt);
    }

    private void reconnectDue()
    {
        long next = Long.MAX_VALUE;
        for (final Conn c : conns)
        {
            if (c.state == Conn.CLOSED && c.reconnectAt != Long.MAX_VALUE)
            {
                if (c.reconnectAt <= now && now < endNs)
                {
                    startConnect(c);
                }
                else if (now < endNs)
                {
                    next = Math.min(next, c.reconnectAt);
                }
            }
        }
        nextReconnectAt = next;
    }

    /** The drain time ran out: whatever measured work is left counts as timed out, and its streams are reset. */
    private void timeOutRemaining()
    {
        for (final Conn c : conns)
        {
            long lost = 0;
            for (int i = 0, s = c.head; i < c.inflight; i++, s = s + 1 == pipeline ? 0 : s + 1)
            {
                if (c.intended[s] >= measureStartNs)
                {
                    lost++;
                }
            }
            if (open)
            {
                while (c.scheduled)
                {
                    if (c.next >= measureStartNs)
                    {
                        lost++;
                    }
                    c.next += (long)config.arrivals.gapNanos(random, meanGapNs);
                    if (c.next >= endNs)
                    {
                        c.scheduled = false;
                        activeSchedules--;
                    }
                }
            }
            stats.error(ErrorKind.TIMEOUT, lost);
            if (c.inflight > 0)
            {
                inflightTotal -= c.inflight;
                c.inflight = 0;
                c.head = 0;
                c.outEnd = 0;
                c.txPending = 0;
                c.inStart = 0;
                c.inEnd = 0;
                c.writeBlocked = false;
                c.state = Conn.CLOSED;
                stats.add(WorkerStats.OPEN, -1);
                if (c.heapIndex >= 0)
                {
                    heapRemove(c);
                }
                loop.close(c.id);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- heap

    private void heapAdd(final Conn c)
    {
        final int i = heapSize++;
        heap[i] = c;
        c.heapIndex = i;
        siftUp(i);
    }

    private void heapRemove(final Conn c)
    {
        final int i = c.heapIndex;
        final int last = --heapSize;
        c.heapIndex = -1;
        if (i != last)
        {
            final Conn moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            siftUp(moved.heapIndex);
        }
        else
        {
            heap[last] = null;
        }
    }

    private void siftUp(final int start)
    {
        int i = start;
        final Conn c = heap[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final Conn p = heap[parent];
            if (p.next <= c.next)
            {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = c;
        c.heapIndex = i;
    }

    private void siftDown(final int start)
    {
        int i = start;
        final Conn c = heap[i];
        final int half = heapSize >>> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < heapSize && heap[right].next < heap[child].next)
            {
                child = right;
            }
            if (c.next <= heap[child].next)
            {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = c;
        c.heapIndex = i;
    }
}
