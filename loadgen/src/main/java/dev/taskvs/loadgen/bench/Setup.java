package dev.taskvs.loadgen.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.nic.LinuxNet;

/**
 * The configurations of the side-by-side benchmark and how each is started: the server process (whose CPU the
 * bench reads from /proc), the network it needs (a shm wire file, a memif socket, a veth pair with a namespace),
 * and the loadgen arguments that reach it.
 */
public final class Setup implements AutoCloseable
{
    /** The configurations, in the order they run (memcached first: its saturation sets the open-loop rate). */
    public enum Kind
    {
        MEMCACHED("memcached 1.6 (kernel)", "memcached", "memcached -t 2, loadgen on kernel sockets (loopback)"),
        KVS_KERNEL("kvs-server kernel", "kvs-kernel", "./kvs server --stack kernel -t 2, loadgen on kernel sockets"),
        KVS_SHM("kvs-server engine, shm", "kvs-engine-shm",
            "./kvs server --stack tas --nic shm, loadgen --stack tas --nic shm (no kernel on the path)"),
        KVS_MEMIF("kvs-server engine, DPDK memif", "kvs-engine-memif",
            "./kvs server --stack tas --nic dpdk (net_memif server), loadgen --stack tas --nic dpdk (memif client)"),
        KVS_VETH("kvs-server engine, veth (AF_PACKET)", "kvs-engine-veth",
            "./kvs server --stack tas --nic afpacket on a veth, loadgen on kernel sockets in a network namespace"),
        RESPONDER_SHM("loadgen's responder, shm (generator ceiling)", "responder-shm",
            "./kvs loadgen responder --stack tas --nic shm --idle spin: no store, answers what loadgen verifies; " +
            "loadgen --stack tas --nic shm. What one loadgen thread can issue and check");

        public final String label;
        public final String id;
        public final String description;

        Kind(final String label, final String id, final String description)
        {
            this.label = label;
            this.id = id;
            this.description = description;
        }

        public boolean engine()
        {
            return this == KVS_SHM || this == KVS_MEMIF || this == KVS_VETH || this == RESPONDER_SHM;
        }

        /** The responder serves one value size (it stores nothing): it starts again for each size. */
        public boolean perValueSize()
        {
            return this == RESPONDER_SHM;
        }
    }

    /** The JVM options of the ./kvs launcher, for the server and loadgen processes. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseParallelGC", "-XX:AutoBoxCacheMax=262144",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    public final Kind kind;
    private final Path work;
    private final int connectionLimit;
    private final List<String> extraServerArgs;
    /** The kernel servers' threads (-t). */
    private final int serverThreads;
    /** Tells this server's log apart from others of the same kind (a sharded sweep point runs several). */
    private final String logSuffix;
    private final List<Runnable> cleanups = new ArrayList<>();
    private Process server;
    private int port;
    private File serverLog;
    private final List<String> loadgenPrefix = new ArrayList<>();
    private final List<String> loadgenTarget = new ArrayList<>();

    public Setup(final Kind kind, final Path work, final int connectionLimit, final List<String> extraServerArgs)
    {
        this(kind, work, connectionLimit, extraServerArgs, 2, "");
    }

    /**
     * @param serverThreads the kernel servers' threads (memcached's and kvs-server's -t).
     * @param logSuffix     added to the server log's name: {@code <kind>-server<suffix>.log}.
     */
    public Setup(final Kind kind, final Path work, final int connectionLimit, final List<String> extraServerArgs,
        final int serverThreads, final String logSuffix)
    {
        this.kind = kind;
        this.work = work;
        this.connectionLimit = connectionLimit;
        this.extraServerArgs = extraServerArgs;
        this.serverThreads = serverThreads;
        this.logSuffix = logSuffix;
    }

    /** The java executable running this bench. */
    static String java()
    {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Classpath of a module: from the repository (-Dkvs.root, set by ./kvs) or this JVM's (tests). */
    static String classpath(final String module)
    {
        final String root = System.getProperty("kvs.root");
        if (root == null)
        {
            return System.getProperty("java.class.path");
        }
        return root + "/" + module + "/target/classes" + File.pathSeparator + root + "/" + module + "/target/lib/*";
    }

    static List<String> javaCommand(final String module, final String mainClass)
    {
        final List<String> c = new ArrayList<>();
        c.add(java());
        c.addAll(JVM_OPTIONS);
        c.add("-cp");
        c.add(classpath(module));
        c.add(mainClass);
        return c;
    }

    public long serverPid()
    {
        return server.pid();
    }

    /** @return the port the server listens on (on 0.0.0.0 for the kernel servers), once started. */
    public int port()
    {
        return port;
    }

    /** Starts what the configuration needs and its server; returns when the server is ready. */
    public void start() throws IOException, InterruptedException
    {
        final String suffix = Long.toString(ProcessHandle.current().pid() % 10000);
        final List<String> command;
        int port = 11211;
        switch (kind)
        {
            case MEMCACHED:
            {
                port = freePort();
                command = new ArrayList<>(List.of(memcached(), "-p", Integer.toString(port), "-U", "0", "-l",
                    "0.0.0.0", "-t", Integer.toString(serverThreads), "-m", "256", "-c", Integer.toString(connectionLimit),
                    "-b", "4096"));
                if ("root".equals(System.getProperty("user.name")))
                {
                    command.addAll(List.of("-u", "root"));
                }
                for (int i = 1; i <= loopbackTargets(); i++)
                {
                    loadgenTarget.addAll(List.of("--server", "127.0.0." + i + ":" + port));
                }
                break;
            }
            case KVS_KERNEL:
            {
                port = freePort();
                command = javaCommand("kvs-server", "dev.taskvs.server.KvsServerMain");
                command.addAll(List.of("--stack", "kernel", "-p", Integer.toString(port), "-l", "0.0.0.0", "-t",
                    Integer.toString(serverThreads),
                    "-m", "256", "-c", Integer.toString(connectionLimit), "-b", "4096"));
                for (int i = 1; i <= loopbackTargets(); i++)
                {
                    loadgenTarget.addAll(List.of("--server", "127.0.0." + i + ":" + port));
                }
                break;
            }
            case KVS_SHM:
            {
                final Path wire = Path.of("/dev/shm/kvs-bench-" + suffix + ".wire");
                Files.deleteIfExists(wire);
                cleanups.add(() -> wire.toFile().delete());
                command = engineServer("shm", "--shm", wire.toString(), "--ip", "10.211.200.2/24");
                loadgenTarget.addAll(List.of("--stack", "tas", "--nic", "shm", "--shm", wire.toString(), "--ip",
                    "10.211.200.3/24", "--server", "10.211.200.2:11211"));
                break;
            }
            case RESPONDER_SHM:
            {
                final Path wire = Path.of("/dev/shm/kvs-bench-responder-" + suffix + ".wire");
                Files.deleteIfExists(wire);
                cleanups.add(() -> wire.toFile().delete());
                command = javaCommand("loadgen", "dev.taskvs.loadgen.LoadgenMain");
                // The responder spins: it stands in for an infinitely fast server, and parking up to 1 ms when it
                // runs dry made the run measure its wake-ups (2.0-2.3 M requests/s) instead of the generator
                // (2.5-3.2 M with the same generator).
                command.addAll(List.of("responder", "--stack", "tas", "--nic", "shm", "--shm", wire.toString(),
                    "--ip", "10.211.203.2/24", "-p", "11211", "--idle", "spin", "--max-flows",
                    Long.toString(Math.min(FlowRecord.MAX_FLOWS, 2L * connectionLimit + 1024))));
                loadgenTarget.addAll(List.of("--stack", "tas", "--nic", "shm", "--shm", wire.toString(), "--ip",
                    "10.211.203.3/24", "--server", "10.211.203.2:11211"));
                break;
            }
            case KVS_MEMIF:
            {
                final Path socket = work.resolve("memif-" + suffix + ".sock");
                Files.deleteIfExists(socket);
                cleanups.add(() -> socket.toFile().delete());
                final String devargs = "id=0,socket=" + socket + ",socket-abstract=no";
                command = engineServer("dpdk", "--iface", "net_memif0,role=server," + devargs, "--ip",
                    "10.211.201.2/24");
                loadgenTarget.addAll(List.of("--stack", "tas", "--nic", "dpdk", "--dpdk-port",
                    "net_memif0,role=client," + devargs, "--ip", "10.211.201.3/24", "--server", "10.211.201.2:11211"));
                break;
            }
            case KVS_VETH:
            {
                final int subnet = freeSubnet();
                final String engineEnd = "kvbe" + subnet;
                final String kernelEnd = "kvbk" + subnet;
                final String ns = "kvbench" + subnet;
                veth(subnet, engineEnd, kernelEnd, ns);
                command = engineServer("afpacket", "--iface", engineEnd, "--ip", "10.211." + subnet + ".2/24");
                loadgenPrefix.addAll(List.of("ip", "netns", "exec", ns));
                loadgenTarget.addAll(List.of("--server", "10.211." + subnet + ".2:11211"));
                break;
            }
            default:
                throw new IllegalStateException(kind.toString());
        }
        command.addAll(extraServerArgs);
        serverLog = work.resolve(kind.id + "-server" + logSuffix + ".log").toFile();
        server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(serverLog).start();
        this.port = port;
        awaitReady(port);
    }

    /** memcached and the kernel kvs-server listen on 0.0.0.0; more than ~28,000 connections need more than one
     * loopback destination address (each has its own ephemeral port range). */
    private int loopbackTargets()
    {
        return connectionLimit > 20_000 ? 4 : 1;
    }

    private List<String> engineServer(final String nic, final String... args)
    {
        final List<String> c = javaCommand("kvs-server", "dev.taskvs.server.KvsServerMain");
        c.addAll(List.of("--stack", "tas", "--nic", nic, "--threading", "shared", "--app-cores", "1", "-m", "256",
            "-c", Integer.toString(connectionLimit)));
        c.addAll(List.of(args));
        return c;
    }

    static String memcached()
    {
        return System.getProperty("kvs.memcached", "/usr/bin/memcached");
    }

    private void awaitReady(final int port) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            if (!server.isAlive())
            {
                throw new IllegalStateException("the server exited " + server.exitValue() + ": " + serverLogTail());
            }
            if (kind.engine())
            {
                final String log = Files.readString(serverLog.toPath(), StandardCharsets.UTF_8);
                if (log.contains("clients connect to") || log.contains("loadgen responder on the engine"))
                {
                    return;
                }
            }
            else
            {
                try (Socket probe = new Socket())
                {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                }
                catch (final IOException notYet)
                {
                    // not listening yet
                }
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the server was not ready within 30 s: " + serverLogTail());
            }
            Thread.sleep(50);
        }
    }

    /** The last lines the server wrote, on one line. */
    public String serverLogTail()
    {
        try
        {
            final List<String> lines = Files.readAllLines(serverLog.toPath());
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).trim();
        }
        catch (final IOException | RuntimeException ex)
        {
            return "(no log)";
        }
    }

    public boolean serverAlive()
    {
        return server != null && server.isAlive();
    }

    /** What goes before the java command of loadgen (ip netns exec NS for the veth path). */
    public List<String> loadgenPrefix()
    {
        return loadgenPrefix;
    }

    /** loadgen's stack and server options for this configuration. */
    public List<String> loadgenTarget()
    {
        return loadgenTarget;
    }

    private void veth(final int subnet, final String engineEnd, final String kernelEnd, final String ns)
    {
        cleanups.add(() -> quietly("ip", "netns", "del", ns));
        cleanups.add(() -> quietly("ip", "link", "del", engineEnd));
        LinuxNet.run("ip", "netns", "add", ns);
        LinuxNet.run("ip", "link", "add", engineEnd, "type", "veth", "peer", "name", kernelEnd, "netns", ns);
        LinuxNet.ip(ns, "link", "set", "lo", "up");
        // Full checksums on the kernel's segments: AF_PACKET hands the engine what veth carries (AfPacketIo).
        LinuxNet.run("ethtool", "-K", engineEnd, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
        LinuxNet.run("ip", "netns", "exec", ns, "ethtool", "-K", kernelEnd, "tx", "off", "tso", "off", "gso", "off");
        // IPv6 off, and no IPv4 forwarding from the engine's end: with net.ipv4.ip_forward on (Docker sets it) the
        // root namespace would route the client's packets for the engine's address out of the default route.
        LinuxNet.requireQuietInterface(engineEnd);
        LinuxNet.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + kernelEnd + ".disable_ipv6=1");
        LinuxNet.ip(null, "link", "set", engineEnd, "up");
        LinuxNet.ip(ns, "addr", "add", "10.211." + subnet + ".1/24", "dev", kernelEnd);
        LinuxNet.ip(ns, "link", "set", kernelEnd, "up");
    }

    /** A 10.211.X.0/24 in 230..249 that no interface, veth or namespace of ours uses. */
    static int freeSubnet()
    {
        final String addresses = LinuxNet.run("ip", "-4", "-o", "addr");
        for (int subnet = 230; subnet < 250; subnet++)
        {
            if (!addresses.contains("10.211." + subnet + ".") && !Files.exists(Path.of("/sys/class/net/kvbe" + subnet)) &&
                !Files.exists(Path.of("/var/run/netns/kvbench" + subnet)))
            {
                return subnet;
            }
        }
        throw new IllegalStateException("no free 10.211.X.0/24 subnet in 230..249");
    }

    private static void quietly(final String... command)
    {
        try
        {
            LinuxNet.run(command);
        }
        catch (final RuntimeException ignored)
        {
            // already gone
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.destroy();
            try
            {
                if (!server.waitFor(10, TimeUnit.SECONDS))
                {
                    server.destroyForcibly();
                    server.waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                server.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (int i = cleanups.size() - 1; i >= 0; i--)
        {
            cleanups.get(i).run();
        }
    }
}
