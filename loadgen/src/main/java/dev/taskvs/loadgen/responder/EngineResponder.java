package dev.taskvs.loadgen.responder;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.loadgen.workload.ValueContent;
import dev.taskvs.loadgen.workload.ValueSizes;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The store-less text responder of {@link Responder} on tas-engine instead of kernel sockets: it listens on one
 * port of its own engine and answers get/gets with the values the generator verifies, set with STORED. It is the
 * peer for loadgen's engine transport where no kvs-server on the engine is at hand (the loopback and shm wires),
 * and measures the generator over the engine. Runs in the engine's threading mode (shared: one thread).
 */
public final class EngineResponder implements AutoCloseable
{
    private final TcpEngine engine;
    private final PacketIo[] io;
    private final AtomicLong requests = new AtomicLong();

    private EngineResponder(final Responder.Options options, final EngineContext context, final PacketIo... io)
    {
        this.io = io.clone();
        this.engine = new TcpEngine(context, io);
        final ValueContent content = new ValueContent(ValueSizes.parse(options.valueSize), options.seed);
        final Responder.TextCore core = new Responder.TextCore(options, content, requests, new AtomicLong(), this);
        engine.start(new Answerer(engine.newAppContext(), options.port, core));
    }

    /**
     * Start a responder on {@code options.port} of an engine built from {@code context} on {@code io}.
     *
     * @param options port (must be given), value sizes, seed, fault injection.
     * @param context the engine's settings (its address); concluded here.
     * @param io      its NIC queues, one per lane; closed with the responder.
     */
    public static EngineResponder start(final Responder.Options options, final EngineContext context,
        final PacketIo... io)
    {
        if (options.port <= 0)
        {
            throw new IllegalArgumentException("an engine responder needs a port");
        }
        return new EngineResponder(options, context, io);
    }

    public long requests()
    {
        return requests.get();
    }

    public TcpEngine engine()
    {
        return engine;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(engine);
        CloseHelper.quietCloseAll(io);
    }

    /** The app agent: every connection's bytes are copied into its session, answered, and written back. */
    private static final class Answerer implements Agent, ConnectionHandler
    {
        private final AppContext app;
        private final int port;
        private final Responder.TextCore core;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private boolean listening;

        Answerer(final AppContext app, final int port, final Responder.TextCore core)
        {
            this.app = app;
            this.port = port;
            this.core = core;
        }

        @Override
        public int doWork()
        {
            if (!listening)
            {
                listening = true;
                app.listen(port, 4096);
            }
            return app.poll(this, 1024);
        }

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            connection.attachment(new Responder.Session(null));
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            pump(connection);
        }

        @Override
        public void onWritable(final TcpConnection connection, final int bytes)
        {
            pump(connection);
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            pump(connection);
            if (connection.isOpen())
            {
                connection.close();
            }
        }

        private void pump(final TcpConnection connection)
        {
            final Responder.Session s = (Responder.Session)connection.attachment();
            if (s == null || !connection.isOpen())
            {
                return;
            }
            // Write what is pending first: while replies are stuck, take no more requests (back-pressure).
            if (!drain(connection, s))
            {
                return;
            }
            while (connection.readable() > 0 && connection.isOpen())
            {
                final ByteBuffer in = s.in;
                view.wrap(in);
                final int n = connection.read(view, in.position(), in.remaining());
                in.position(in.position() + n);
                core.process(s);
                if (!drain(connection, s))
                {
                    return;
                }
            }
        }

        /** True when all pending output went into the TX ring. */
        private boolean drain(final TcpConnection connection, final Responder.Session s)
        {
            final ByteBuffer out = s.out;
            out.flip();
            if (out.hasRemaining())
            {
                view.wrap(out);
                final int n = connection.write(view, out.position(), out.remaining());
                out.position(out.position() + n);
            }
            final boolean done = !out.hasRemaining();
            out.compact();
            return done;
        }

        @Override
        public String roleName()
        {
            return "engine-responder";
        }
    }
}
