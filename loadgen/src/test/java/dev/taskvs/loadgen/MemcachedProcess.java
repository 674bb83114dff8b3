package dev.taskvs.loadgen;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real memcached on a free loopback port; {@link #close()} stops it. */
final class MemcachedProcess implements AutoCloseable
{
    static final Path BINARY = Path.of(System.getProperty("kvs.memcached", "/usr/bin/memcached"));

    private final Process process;
    private final InetSocketAddress address;
    private final File log;

    private MemcachedProcess(final Process process, final InetSocketAddress address, final File log)
    {
        this.process = process;
        this.address = address;
        this.log = log;
    }

    /** memcached {@code -m 64 -t 2 -c 4096} plus the extra arguments; waits until it accepts connections. */
    static MemcachedProcess start(final String... extra) throws IOException, InterruptedException
    {
        if (!Files.isExecutable(BINARY))
        {
            throw new IllegalStateException("memcached not found at " + BINARY + ": install Debian's memcached " +
                "package or set -Dkvs.memcached");
        }
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-p", Integer.toString(port),
            "-U", "0", "-l", "127.0.0.1", "-m", "64", "-t", "2", "-c", "4096"));
        if ("root".equals(System.getProperty("user.name")))
        {
            command.add("-u");
            command.add("root");
        }
        command.addAll(List.of(extra));
        final File log = File.createTempFile("memcached-", ".log");
        log.deleteOnExit();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            try (Socket probe = new Socket())
            {
                probe.connect(address, 200);
                return new MemcachedProcess(process, address, log);
            }
            catch (final IOException notYet)
            {
                if (!process.isAlive() || System.nanoTime() > deadline)
                {
                    process.destroyForcibly();
                    throw new IllegalStateException("memcached did not start on " + address + ": " +
                        Files.readString(log.toPath()), notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    InetSocketAddress address()
    {
        return address;
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        log.delete();
    }
}
