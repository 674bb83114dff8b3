package dev.taskvs.engine.tcp;

import jnr.ffi.LibraryLoader;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux kernel's side of the interop tests as Java sockets, also inside a network namespace: a socket
 * belongs to the namespace of the thread that creates it, so {@link #inNamespace} runs the code that creates
 * (connects or binds) sockets on a fresh thread that has {@code setns}-ed into the namespace; the sockets then
 * stay there, whichever thread reads and writes them, and no other thread of the JVM changes namespace.
 */
final class KernelPeers
{
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** The libc calls for {@code setns}. */
    public interface NamespaceLibC
    {
        int open(String path, int flags);

        int close(int fd);

        int setns(int fd, int nstype);
    }

    private static final NamespaceLibC LIBC = LibraryLoader.create(NamespaceLibC.class).load("c");

    private KernelPeers()
    {
    }

    /**
     * Run {@code work} on a new thread inside the named network namespace ({@code ip netns add} made it).
     *
     * @param namespace the namespace's name, or null to run in this process's namespace.
     */
    static <T> T inNamespace(final String namespace, final Callable<T> work) throws Exception
    {
        if (namespace == null)
        {
            return work.call();
        }
        final FutureTask<T> task = new FutureTask<>(() ->
        {
            final int fd = LIBC.open("/var/run/netns/" + namespace, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
            {
                throw new IllegalStateException("cannot open network namespace " + namespace);
            }
            try
            {
                if (LIBC.setns(fd, CLONE_NEWNET) != 0)
                {
                    throw new IllegalStateException("setns into " + namespace + " failed");
                }
            }
            finally
            {
                LIBC.close(fd);
            }
            return work.call();
        });
        final Thread thread = new Thread(task, "netns-" + namespace);
        thread.setDaemon(true);
        thread.start();
        return task.get(120, TimeUnit.SECONDS);
    }

    static Socket connect(final String namespace, final String ip, final int port) throws Exception
    {
        return inNamespace(namespace, () ->
        {
            final Socket socket = new Socket();
            socket.connect(new InetSocketAddress(ip, port), 10_000);
            socket.setSoTimeout(60_000);
            return socket;
        });
    }

    static ServerSocket bind(final String namespace, final String ip) throws Exception
    {
        return inNamespace(namespace, () ->
        {
            final ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(ip, 0));
            return server;
        });
    }

    static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = Pattern.at(i, seed);
        }
        return bytes;
    }

    /**
     * Write {@code bytes} on a connected socket (then shut its output) while reading them back, check them, and
     * expect the peer's FIN after them.
     *
     * @return the seconds it took.
     */
    static double echo(final Socket socket, final byte[] bytes) throws Exception
    {
        try (socket)
        {
            final long start = System.nanoTime();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < bytes.length; i += 65536)
                    {
                        out.write(bytes, i, Math.min(65536, bytes.length - i));
                    }
                    socket.shutdownOutput();
                }
                catch (final Exception ex)
                {
                    throw new RuntimeException(ex);
                }
            }, "kernel-writer");
            writer.start();
            final InputStream in = socket.getInputStream();
            final byte[] back = new byte[bytes.length];
            int n = 0;
            while (n < back.length)
            {
                final int r = in.read(back, n, back.length - n);
                if (r < 0)
                {
                    break;
                }
                n += r;
            }
            writer.join(10_000);
            assertEquals(bytes.length, n, "bytes echoed");
            final int mismatch = Arrays.mismatch(bytes, back);
            assertEquals(-1, mismatch, "byte-exact (first difference at " + mismatch + ")");
            assertEquals(-1, in.read(), "engine closed after echoing everything");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Open {@code count} connections at once (all open before any data moves), then on each send 1,000 bytes,
     * shut down, read the echo to EOF and close.
     */
    static void manyConnections(final String namespace, final String ip, final int port, final int count)
        throws Exception
    {
        final List<Socket> sockets = inNamespace(namespace, () ->
        {
            final List<Socket> opened = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final Socket socket = new Socket();
                socket.connect(new InetSocketAddress(ip, port), 10_000);
                socket.setSoTimeout(30_000);
                opened.add(socket);
            }
            return opened;
        });
        final ExecutorService pool = Executors.newFixedThreadPool(16);
        try
        {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++)
            {
                final Socket socket = sockets.get(i);
                final byte[] message = pattern(1000, i);
                results.add(pool.submit(() ->
                {
                    try (socket)
                    {
                        socket.getOutputStream().write(message);
                        socket.shutdownOutput();
                        return Arrays.equals(message, socket.getInputStream().readAllBytes());
                    }
                }));
            }
            for (final Future<Boolean> result : results)
            {
                assertTrue(result.get(60, TimeUnit.SECONDS), "echoed byte-exact");
            }
        }
        finally
        {
            pool.shutdownNow();
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    /** A kernel echo server on {@code server}: one connection, everything back, then FIN. */
    static Thread echoServer(final ServerSocket server)
    {
        final Thread thread = new Thread(() ->
        {
            try (Socket socket = server.accept())
            {
                socket.getInputStream().transferTo(socket.getOutputStream());
                socket.shutdownOutput();
            }
            catch (final Exception ignored)
            {
                // The test sees the outcome on the engine's side.
            }
        }, "kernel-echo-server");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
