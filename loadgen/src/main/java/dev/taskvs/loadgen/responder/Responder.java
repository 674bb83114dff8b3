package dev.taskvs.loadgen.responder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskvs.client.codec.Ascii;
import dev.taskvs.loadgen.workload.ValueContent;
import dev.taskvs.loadgen.workload.ValueSizes;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A minimal memcached text-protocol responder with no store: {@code get}/{@code gets} answer every key of the
 * form {@code k<digits>} with the self-verifying value of (key, version 0) that the generator expects, {@code set}
 * answers STORED and keeps nothing. It exists to measure the generator itself (how many requests per second one
 * loadgen thread can issue and check) and, with its fault injection, to prove that the generator notices: a
 * one-time stall of every thread, and a flipped byte in every Nth value.
 */
public final class Responder implements AutoCloseable
{
    /** Settings of a responder. */
    public static final class Options
    {
        public String host = "127.0.0.1";
        /** 0 picks a free port. */
        public int port;
        public int threads = 1;
        public String valueSize = "64";
        public long seed = 42;
        /** After this many requests (over all threads), stall once; -1 never. */
        public long stallAfterRequests = -1;
        public long stallMillis;
        /** Flip one byte in every Nth value served; 0 never. */
        public long corruptEvery;
    }

    private final Options options;
    private final ValueContent content;
    private final List<Loop> loops = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong valuesServed = new AtomicLong();
    private final int port;
    private volatile boolean closed;

    private Responder(final Options options) throws IOException
    {
        this.options = options;
        this.content = new ValueContent(ValueSizes.parse(options.valueSize), options.seed);
        int boundPort = options.port;
        for (int i = 0; i < options.threads; i++)
        {
            final ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.threads > 1)
            {
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            server.bind(new InetSocketAddress(options.host, boundPort), 4096);
            boundPort = ((InetSocketAddress)server.getLocalAddress()).getPort();
            loops.add(new Loop(server, i));
        }
        this.port = boundPort;
    }

    public static Responder start(final Options options) throws IOException
    {
        final Responder r = new Responder(options);
        for (final Loop loop : r.loops)
        {
            loop.thread.start();
        }
        return r;
    }

    public int port()
    {
        return port;
    }

    public long requests()
    {
        return requests.get();
    }

    @Override
    public void close()
    {
        closed = true;
        for (final Loop loop : loops)
        {
            loop.selector.wakeup();
            try
            {
                loop.thread.join(2000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One connection's buffers: requests in, replies out. They start small and double when a request or a reply
     * does not fit, so that tens of thousands of connections cost megabytes, not gigabytes.
     */
    static final class Session
    {
        static final int INITIAL_BUFFER = 4096;

        final SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocateDirect(INITIAL_BUFFER);
        ByteBuffer out = ByteBuffer.allocateDirect(INITIAL_BUFFER);
        UnsafeBuffer inView = new UnsafeBuffer(in);

        Session(final SocketChannel channel)
        {
            this.channel = channel;
        }
    }

    private final class Loop implements Runnable
    {
        final ServerSocketChannel server;
        final Selector selector;
        final Thread thread;
        final TextCore core = new TextCore(options, content, requests, valuesServed, Responder.this);

        Loop(final ServerSocketChannel server, final int index) throws IOException
        {
            this.server = server;
            this.selector = Selector.open();
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            thread = new Thread(this, "responder-" + index);
            thread.setDaemon(true);
        }

        @Override
        public void run()
        {
            try
            {
                while (!closed)
                {
                    selector.select(this::onReady, 100);
                }
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    System.err.println("responder: " + ex);
                }
            }
            finally
            {
                for (final SelectionKey key : selector.keys())
                {
                    CloseHelper.quietClose(key.channel());
                }
                CloseHelper.quietClose(selector);
            }
        }

        private void onReady(final SelectionKey key)
        {
            try
            {
                if (key.isAcceptable())
                {
                    SocketChannel ch;
                    while ((ch = server.accept()) != null)
                    {
                        ch.configureBlocking(false);
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        ch.register(selector, SelectionKey.OP_READ, new Session(ch));
                    }
                    return;
                }
                final Session s = (Session)key.attachment();
                if (key.isWritable())
                {
                    if (!drain(s))
                    {
                        return;
                    }
                    key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isReadable())
                {
                    final int n = s.channel.read(s.in);
                    if (n < 0)
                    {
                        key.cancel();
                        s.channel.close();
                        return;
                    }
                    core.process(s);
                    if (!drain(s))
                    {
                        key.interestOps(SelectionKey.OP_WRITE);
                    }
                }
            }
            catch (final IOException ex)
            {
                key.cancel();
                CloseHelper.quietClose(key.channel());
            }
        }

        /** Write pending output; true when all of it went out. */
        private boolean drain(final Session s) throws IOException
        {
            s.out.flip();
            s.channel.write(s.out);
            final boolean done = !s.out.hasRemaining();
            s.out.compact();
            return done;
        }
    }

    /**
     * The text protocol part, shared by the kernel-socket loops and {@link EngineResponder}: answer every complete
     * command in a session's input buffer into its output buffer.
     */
    static final class TextCore
    {
        private static final byte[] NOREPLY = Ascii.bytes("noreply");
        /** Larger stated value sizes are answered with CLIENT_ERROR, as a bad data chunk. */
        private static final long MAX_VALUE_BYTES = 1 << 30;
        private final Options options;
        private final ValueContent content;
        private final AtomicLong requests;
        private final AtomicLong valuesServed;
        private final Object stallLock;
        private final UnsafeBuffer value = new UnsafeBuffer(new byte[ValueSizes.MAX_VALUE_SIZE]);

        TextCore(final Options options, final ValueContent content, final AtomicLong requests,
            final AtomicLong valuesServed, final Object stallLock)
        {
            this.options = options;
            this.content = content;
            this.requests = requests;
            this.valuesServed = valuesServed;
            this.stallLock = stallLock;
        }

        void process(final Session s)
        {
            final UnsafeBuffer in = s.inView;
            final int end = s.in.position();
            int pos = 0;
            while (pos < end)
            {
                int lf = -1;
                for (int i = pos; i < end; i++)
                {
                    if (in.getByte(i) == '\n')
                    {
                        lf = i;
                        break;
                    }
                }
                if (lf < 0)
                {
                    break;
                }
                final int lineEnd = lf > pos && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
                final int consumed = command(s, in, pos, lineEnd, lf + 1, end);
                if (consumed < 0)
                {
                    break;
                }
                pos = consumed;
                maybeStall();
            }
            s.in.limit(end).position(pos);
            s.in.compact();
            if (!s.in.hasRemaining())
            {
                final ByteBuffer bigger = ByteBuffer.allocateDirect(s.in.capacity() * 2);
                s.in.flip();
                bigger.put(s.in);
                s.in = bigger;
                s.inView = new UnsafeBuffer(bigger);
            }
        }

        /** Answer one command; returns the position after it, or -1 when its data block is incomplete. */
        private int command(final Session s, final UnsafeBuffer in, final int start, final int lineEnd,
            final int next, final int end)
        {
            if (startsWith(in, start, lineEnd, "get ") || startsWith(in, start, lineEnd, "gets "))
            {
                int i = in.getByte(start + 3) == ' ' ? start + 4 : start + 5;
                while (i < lineEnd)
                {
                    int e = i;
                    while (e < lineEnd && in.getByte(e) != ' ')
                    {
                        e++;
                    }
                    value(s, in, i, e);
                    i = e + 1;
                }
                put(s, "END\r\n");
                requests.incrementAndGet();
                return next;
            }
            if (startsWith(in, start, lineEnd, "set "))
            {
                int lastSpace = lineEnd - 1;
                while (lastSpace > start && in.getByte(lastSpace) != ' ')
                {
                    lastSpace--;
                }
                // No strings: a collected allocation per set made the responder stop for 12-15 ms young
                // collections every 2 s, and every loadgen flow timed out during each.
                final boolean noreply = Ascii.regionEquals(in, lastSpace + 1, lineEnd - lastSpace - 1, NOREPLY);
                final int numberEnd = noreply ? lastSpace : lineEnd;
                int numberStart = numberEnd - 1;
                while (numberStart > start && in.getByte(numberStart) != ' ')
                {
                    numberStart--;
                }
                final long parsed = Ascii.parseUnsignedLong(in, numberStart + 1, numberEnd - numberStart - 1);
                if (!Ascii.isValid(parsed) || parsed > MAX_VALUE_BYTES)
                {
                    put(s, "CLIENT_ERROR bad data chunk\r\n");
                    return next;
                }
                final int bytes = (int)parsed;
                if (next + bytes + 2 > end)
                {
                    return -1;
                }
                if (!noreply)
                {
                    put(s, "STORED\r\n");
                }
                requests.incrementAndGet();
                return next + bytes + 2;
            }
            if (startsWith(in, start, lineEnd, "version"))
            {
                put(s, "VERSION loadgen-responder\r\n");
                return next;
            }
            put(s, "ERROR\r\n");
            return next;
        }

        private void value(final Session s, final UnsafeBuffer in, final int keyStart, final int keyEnd)
        {
            if (keyEnd - keyStart < 2 || in.getByte(keyStart) != 'k')
            {
                return;
            }
            long key = 0;
            for (int i = keyStart + 1; i < keyEnd; i++)
            {
                final int d = in.getByte(i) - '0';
                if (d < 0 || d > 9 || key > Integer.MAX_VALUE)
                {
                    return;
                }
                key = key * 10 + d;
            }
            if (key > Integer.MAX_VALUE)
            {
                return;
            }
            final int length = content.write(value, 0, (int)key, 0);
            if (options.corruptEvery > 0 && valuesServed.incrementAndGet() % options.corruptEvery == 0 && length > 0)
            {
                value.putByte(length / 2, (byte)(value.getByte(length / 2) ^ 0x20));
            }
            put(s, "VALUE ");
            ensure(s, keyEnd - keyStart + length + 32);
            for (int i = keyStart; i < keyEnd; i++)
            {
                s.out.put(in.getByte(i));
            }
            put(s, " 0 ");
            putDecimal(s, length);
            put(s, "\r\n");
            ensure(s, length + 2);
            s.out.put(value.byteArray(), 0, length);
            put(s, "\r\n");
        }

        private void maybeStall()
        {
            if (options.stallAfterRequests >= 0 && requests.get() >= options.stallAfterRequests)
            {
                synchronized (stallLock)
                {
                    if (options.stallAfterRequests >= 0)
                    {
                        options.stallAfterRequests = -1;
                        try
                        {
                            Thread.sleep(options.stallMillis);
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            }
        }

        private void putDecimal(final Session s, final int v)
        {
            ensure(s, 10);
            int divisor = 1;
            while (divisor <= v / 10)
            {
                divisor *= 10;
            }
            for (; divisor > 0; divisor /= 10)
            {
                s.out.put((byte)('0' + v / divisor % 10));
            }
        }

        private void put(final Session s, final String ascii)
        {
            ensure(s, ascii.length());
            for (int i = 0; i < ascii.length(); i++)
            {
                s.out.put((byte)ascii.charAt(i));
            }
        }

        private void ensure(final Session s, final int length)
        {
            if (s.out.remaining() < length)
            {
                final ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(s.out.capacity() * 2,
                    s.out.position() + length + 1024));
                s.out.flip();
                bigger.put(s.out);
                s.out = bigger;
            }
        }

        private boolean startsWith(final UnsafeBuffer in, final int start, final int end, final String prefix)
        {
            if (end - start < prefix.length())
            {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++)
            {
                if (in.getByte(start + i) != prefix.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
