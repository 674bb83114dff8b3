package dev.taskvs.server.compat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Real memcached 1.6, the reference every compatibility test compares against: Testcontainers' {@code memcached:1.6}
 * image when a Docker engine answers, otherwise Debian's {@code /usr/bin/memcached} on a free loopback port.
 */
public final class MemcachedProcess implements CacheServer
{
    public static final String BINARY = System.getProperty("compat.memcached", "/usr/bin/memcached");
    public static final String IMAGE = "memcached:1.6";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final int BIND_ATTEMPTS = 5;
    private static volatile Boolean dockerAvailable;

    private final String name;
    private final InetSocketAddress address;
    private final Process process;
    private final GenericContainer<?> container;
    private final Path log;

    private MemcachedProcess(
        final String name,
        final InetSocketAddress address,
        final Process process,
        final GenericContainer<?> container,
        final Path log)
    {
        this.name = name;
        this.address = address;
        this.process = process;
        this.container = container;
        this.log = log;
    }

    /** Starts memcached with these flags and returns once it accepts connections. */
    public static MemcachedProcess start(final ServerFlags flags)
    {
        if (useDocker())
        {
            return startContainer(flags);
        }
        return startLocal(flags);
    }

    /** Whether the reference runs in Docker; decided once, and the fallback is said once. */
    public static boolean useDocker()
    {
        Boolean available = dockerAvailable;
        if (available == null)
        {
            synchronized (MemcachedProcess.class)
            {
                available = dockerAvailable;
                if (available == null)
                {
                    available = !Boolean.getBoolean("compat.noDocker") && probeDocker();
                    if (!available)
                    {
                        System.out.println("[compat] no Docker engine: reference memcached falls back to " + BINARY);
                    }
                    dockerAvailable = available;
                }
            }
        }
        return available;
    }

    private static boolean probeDocker()
    {
        try
        {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    private static MemcachedProcess startContainer(final ServerFlags flags)
    {
        final List<String> command = new ArrayList<>(List.of("memcached", "-U", "0", "-p", "11211"));
        command.addAll(flags.memcachedArgs());
        @SuppressWarnings("resource")
        final GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
            .withExposedPorts(11211)
            .withCommand(command.toArray(new String[0]))
            .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(60)));
        container.start();
        final InetSocketAddress address = new InetSocketAddress(container.getHost(), container.getMappedPort(11211));
        return new MemcachedProcess("memcached(docker " + flags + ")", address, null, container, null);
    }

    private static MemcachedProcess startLocal(final ServerFlags flags)
    {
        final File binary = new File(BINARY);
        if (!binary.canExecute())
        {
            throw new IllegalStateException("the reference memcached is missing: " + BINARY + " is not an executable"
                + " file; install Debian's memcached package (apt-get install memcached; the project's test command"
                + " does this) or point -Dcompat.memcached at a memcached 1.6 binary");
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++)
        {
            try
            {
                return startLocalOnce(flags, freePort());
            }
            catch (final IllegalStateException ex)
            {
                last = ex;
            }
        }
        throw last;
    }

    private static MemcachedProcess startLocalOnce(final ServerFlags flags, final int port)
    {
        final List<String> command = new ArrayList<>(
            List.of(BINARY, "-U", "0", "-l", "127.0.0.1", "-p", Integer.toString(port)));
        if ("root".equals(System.getProperty("user.name")))
        {
            command.add("-u");
            command.add("root");
        }
        command.addAll(flags.memcachedArgs());
        final Path log;
        final Process process;
        try
        {
            log = Files.createTempFile("memcached-" + port + "-", ".log");
            process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("could not start " + command + ": " + ex, ex);
        }
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("memcached exited with " + process.exitValue() + " at start: "
                    + command + "\n" + readQuietly(log));
            }
            try (Socket probe = new Socket())
            {
                probe.connect(address, 200);
                return new MemcachedProcess("memcached(" + flags + ")", address, process, null, log);
            }
            catch (final IOException notYet)
            {
                Thread.onSpinWait();
            }
            try
            {
                process.waitFor(10, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("memcached did not accept on " + address + " within " + START_TIMEOUT
            + ": " + command + "\n" + readQuietly(log));
    }

    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("no free loopback port: " + ex, ex);
        }
    }

    private static String readQuietly(final Path log)
    {
        try
        {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(log unreadable: " + ex + ")";
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public InetSocketAddress address()
    {
        return address;
    }

    @Override
    public boolean isAlive()
    {
        return process != null ? process.isAlive() : container.isRunning();
    }

    @Override
    public void close()
    {
        if (container != null)
        {
            container.stop();
            return;
        }
        // SIGKILL: memcached's SIGTERM handling takes a second per instance and there is nothing to save.
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            Files.deleteIfExists(log);
        }
        catch (final IOException ignored)
        {
            // A leftover temporary log is harmless.
        }
    }

    @Override
    public String toString()
    {
        return name + "@" + address;
    }
}
