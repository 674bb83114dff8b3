package dev.taskvs.engine.cli;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code engine echo-server} and {@code engine echo-client}: see the engine work without the KVS, over any
 * backend. Mounted by the {@code kvs} launcher as {@code kvs engine ...}; {@link #main} runs it alone.
 */
@Command(name = "engine", mixinStandardHelpOptions = true, version = "tas-kvs engine 0.1",
    description = "Run the userspace TCP engine's echo tools.",
    subcommands = {EngineCommand.EchoServer.class, EngineCommand.EchoClient.class})
public final class EngineCommand
{
    public static void main(final String[] args)
    {
        ProcessExit.exit("kvs engine", () -> commandLine().execute(args));
    }

    /**
     * @return the command line, with bad settings and a NIC that cannot be opened reported in one line (exit
     *         status 1) rather than a stack trace.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new EngineCommand()).setExecutionExceptionHandler((ex, line, parsed) ->
        {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException ||
                ex instanceof dev.taskvs.engine.nic.dpdk.DpdkException)
            {
                line.getErr().println("engine: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
    }

    /** An app agent that echoes everything it receives and closes after the peer does. */
    static final class EchoAgent implements Agent, ConnectionHandler
    {
        private final AppContext app;
        private final int port;
        private boolean listening;
        long accepted;
        long echoed;

        EchoAgent(final AppContext app, final int port)
        {
            this.app = app;
            this.port = port;
        }

        @Override
        public int doWork()
        {
            if (!listening)
            {
                listening = true;
                app.listen(port, 1024);
            }
            return app.poll(this, 256);
        }

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            accepted++;
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
        }

        private void pump(final TcpConnection connection)
        {
            while (connection.isOpen())
            {
                final int n = Math.min(connection.rxContiguous(), connection.txContiguous());
                if (n == 0)
                {
                    break;
                }
                connection.txBuffer().putBytes(connection.txOffset(), connection.rxBuffer(), connection.rxOffset(), n);
                connection.commit(n);
                connection.consume(n);
                echoed += n;
            }
            if (connection.isOpen() && connection.isReadClosed() && connection.readable() == 0)
            {
                connection.close();
            }
        }

        @Override
        public String roleName()
        {
            return "echo-server";
        }
    }

    @Command(name = "echo-server", mixinStandardHelpOptions = true, description = "Echo every byte on a port.")
    static final class EchoServer implements Callable<Integer>
    {
        @Mixin
        EngineOptions engine;

        @Option(names = {"-p", "--port"}, defaultValue = "7000", description = "Port. Default: ${DEFAULT-VALUE}.")
        int port;

        @Override
        public Integer call() throws Exception
        {
            if ("loopback".equals(engine.nic))
            {
                System.err.println("--nic loopback has no outside peer; try echo-client --nic loopback");
                return 2;
            }
            final PacketIo[] io = engine.openNics();
            try (TcpEngine tcp = new TcpEngine(engine.context("echo-server"), io))
            {
                final EchoAgent agent = new EchoAgent(tcp.newAppContext(), port);
                tcp.start(agent);
                System.out.println("echo server on " + engine.ip + " port " + port + " over " + io[0].name() +
                    (io.length > 1 ? " and " + (io.length - 1) + " more queue(s)" : "") +
                    (engine.kernelSide != null ? " (kernel side " + engine.kernelSide + ")" : ""));
                new CountDownLatch(1).await();
            }
            finally
            {
                org.agrona.CloseHelper.closeAll(io);
            }
            return 0;
        }
    }

    @Command(name = "echo-client", mixinStandardHelpOptions = true,
        description = "Send bytes to an echo server and check them coming back; report throughput or round trips.")
    static final class EchoClient implements Callable<Integer>
    {
        @Mixin
        EngineOptions engine;

        @Option(names = "--connect", defaultValue = "10.211.0.1", description = "Server address. Default: ${DEFAULT-VALUE}.")
        String server;

        @Option(names = {"-p", "--port"}, defaultValue = "7000", description = "Port. Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(names = "--bytes", defaultValue = "0", description = "Bulk mode: bytes to send and check. 0 = ping-pong.")
        long bytes;

        @Option(names = "--message-size", defaultValue = "64", description = "Ping-pong message size. Default: ${DEFAULT-VALUE}.")
        int messageSize;

        @Option(names = "--count", defaultValue = "100000", description = "Ping-pong round trips. Default: ${DEFAULT-VALUE}.")
        int count;

        @Override
        public Integer call() throws Exception
        {
            final boolean loopback = "loopback".equals(engine.nic);
            final LoopbackWire wire = loopback ? new LoopbackWire() : null;
            final PacketIo[] io = loopback ? new PacketIo[] {wire.endpointA()} : engine.openNics();
            TcpEngine serverEngine = null;
            if (loopback)
            {
                // Both ends in this process: a server engine on the wire's other end, at the subnet's .1.
                final EngineContext serverCtx = engine.context("echo-server").address(server + "/24");
                serverEngine = new TcpEngine(serverCtx, wire.endpointB());
                serverEngine.start(new EchoAgent(serverEngine.newAppContext(), port));
            }
            try (TcpEngine tcp = new TcpEngine(engine.context("echo-client"), io))
            {
                final ClientAgent agent = new ClientAgent(tcp.newAppContext(), Ipv4Address.parse(server), port,
                    bytes, messageSize, count);
                tcp.start(agent);
                if (!agent.finished.await(10, TimeUnit.MINUTES))
                {
                    System.err.println("timed out");
                    return 1;
                }
                System.out.println(agent.report);
                return agent.ok ? 0 : 1;
            }
            finally
            {
                if (serverEngine != null)
                {
                    serverEngine.close();
                }
                org.agrona.CloseHelper.closeAll(io);
            }
        }
    }

    /** Bulk or ping-pong client, on the engine's app thread. */
    static final class ClientAgent implements Agent, ConnectionHandler
    {
        private final AppContext app;
        private final int ip;
        private final int port;
        private final long bytes;
        private final UnsafeBuffer message;
        private final int count;
        final CountDownLatch finished = new CountDownLatch(1);
        volatile String report;
        volatile boolean ok;
        private boolean started;
        private long sent;
        private long received;
        private int rounds;
        private long startNs;

        ClientAgent(final AppContext app, final int ip, final int port, final long bytes, final int messageSize,
            final int count)
        {
            this.app = app;
            this.ip = ip;
            this.port = port;
            this.bytes = bytes;
            this.message = new UnsafeBuffer(new byte[messageSize]);
            this.count = count;
        }

        private static byte at(final long position)
        {
            return (byte)(position * 31 + (position >>> 8));
        }

        @Override
        public int doWork()
        {
            if (!started)
            {
                started = true;
                app.connect(ip, port);
            }
            return app.poll(this, 256);
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            startNs = System.nanoTime();
            if (bytes > 0)
            {
                fill(connection);
            }
            else
            {
                connection.write(message, 0, message.capacity());
            }
        }

        @Override
        public void onConnectFailed(final TcpConnection connection, final int reason)
        {
            finish("connect failed: " + dev.taskvs.engine.app.AppEvents.reasonName(reason), false);
        }

        @Override
        public void onWritable(final TcpConnection connection, final int freed)
        {
            if (bytes > 0)
            {
                fill(connection);
            }
        }

        private void fill(final TcpConnection connection)
        {
            while (sent < bytes && connection.txContiguous() > 0)
            {
                final int n = (int)Math.min(connection.txContiguous(), bytes - sent);
                final int at = connection.txOffset();
                for (int i = 0; i < n; i++)
                {
                    connection.txBuffer().putByte(at + i, at(sent + i));
                }
                connection.commit(n);
                sent += n;
            }
            if (sent == bytes)
            {
                connection.shutdownOutput();
            }
        }

        @Override
        public void onData(final TcpConnection connection, final int n)
        {
            if (bytes > 0)
            {
                while (connection.readable() > 0)
                {
                    final int chunk = connection.rxContiguous();
                    final int at = connection.rxOffset();
                    for (int i = 0; i < chunk; i++)
                    {
                        if (connection.rxBuffer().getByte(at + i) != at(received + i))
                        {
                            connection.abort();
                            finish("mismatch at byte " + (received + i), false);
                            return;
                        }
                    }
                    received += chunk;
                    connection.consume(chunk);
                }
                return;
            }
            final int size = message.capacity();
            while (connection.readable() >= size)
            {
                connection.consume(size);
                if (++rounds == count)
                {
                    final double seconds = (System.nanoTime() - startNs) / 1e9;
                    connection.close();
                    finish(String.format("%d round trips of %d bytes in %.3f s: %.0f per second, %.1f us each",
                        count, size, seconds, count / seconds, seconds * 1e6 / count), true);
                    return;
                }
                connection.write(message, 0, size);
            }
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            if (bytes > 0)
            {
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                finish(String.format("%d bytes each way, byte-exact: %s, in %.3f s: %.1f MB/s each way",
                    bytes, received == bytes, seconds, bytes / seconds / 1e6), received == bytes);
            }
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            finish("connection reset: " + dev.taskvs.engine.app.AppEvents.reasonName(reason), false);
        }

        private void finish(final String text, final boolean success)
        {
            if (finished.getCount() > 0)
            {
                report = text;
                ok = success;
                finished.countDown();
            }
        }

        @Override
        public String roleName()
        {
            return "echo-client";
        }
    }
}
