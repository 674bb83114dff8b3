package dev.taskvs.engine.nic.dpdk;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The process's DPDK environment: EAL, initialised once per process, and the devices it drives.
 * <p>
 * EAL can be initialised only once in a process's life, even after {@code rte_eal_cleanup} (dpdk.md P4), so
 * {@link #init} returns the running environment to a caller whose arguments are the same and refuses one whose
 * arguments differ. Devices can be named on the EAL command line ({@link Context#device}) or hot-plugged later
 * with {@link #attach}; either way a device that does not probe is a {@link DpdkException} with EAL's own
 * explanation, never a start with zero ports (EAL init succeeds when a vdev fails, dpdk.md P5).
 * <p>
 * The defaults suit CI and the virtual devices: {@code --no-huge -m 256 --no-pci --no-shconf --no-telemetry},
 * one main lcore that may run on every CPU the process may use (so nothing is pinned behind the JVM's back,
 * dpdk.md P3), and EAL's log at notice level. {@link Context#hugepages} switches to hugepages through
 * {@code --in-memory} (memfd; no hugetlbfs mount needed). A real NIC needs {@link Context#pci} and
 * {@link Context#device} with its PCI address; the README's DPDK section has the whole recipe.
 */
public final class Dpdk
{
    private static Dpdk instance;
    private static List<String> failedArguments;
    private static String failure;

    private final DpdkShim shim;
    private final List<String> arguments;
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16_384, 64));

    /** EAL settings; {@link #arguments()} turns them into the command line. */
    public static final class Context
    {
        private String programName = "tas-kvs";
        private boolean hugepages;
        private int memoryMb = 256;
        private String lcores;
        private boolean pci;
        private String logLevel = "notice";
        private final List<String> devices = new ArrayList<>();
        private final List<String> extraArguments = new ArrayList<>();

        /** @param hugepages run on hugepages ({@code --in-memory}) instead of {@code --no-huge}. @return this. */
        public Context hugepages(final boolean hugepages)
        {
            this.hugepages = hugepages;
            return this;
        }

        /**
         * @param memoryMb memory EAL reserves at start ({@code -m}); without hugepages it is all EAL has, with
         *                 hugepages 0 lets it grow on demand. @return this.
         */
        public Context memoryMb(final int memoryMb)
        {
            this.memoryMb = memoryMb;
            return this;
        }

        /**
         * @param lcores EAL's {@code --lcores} value; null (default) maps lcore 0 onto every CPU the process may
         *               use, e.g. {@code 0@(0-1)}. @return this.
         */
        public Context lcores(final String lcores)
        {
            this.lcores = lcores;
            return this;
        }

        /** @param pci scan the PCI bus (real NICs); off by default ({@code --no-pci}). @return this. */
        public Context pci(final boolean pci)
        {
            this.pci = pci;
            return this;
        }

        /** @param logLevel EAL's {@code --log-level}, e.g. "notice", "info", "lib.eal:debug". @return this. */
        public Context logLevel(final String logLevel)
        {
            this.logLevel = logLevel;
            return this;
        }

        /**
         * A device to probe at init, checked after init: a vdev such as {@code net_tap0,iface=dpt0} (passed as
         * {@code --vdev}) or a PCI address such as {@code 0000:01:00.0} (passed as {@code -a}, with PCI on).
         *
         * @param devargs the device and its arguments.
         * @return this.
         */
        public Context device(final String devargs)
        {
            devices.add(Objects.requireNonNull(devargs, "devargs"));
            return this;
        }

        /** @param argument any further EAL argument, passed as is. @return this. */
        public Context argument(final String argument)
        {
            extraArguments.add(Objects.requireNonNull(argument, "argument"));
            return this;
        }

        /** @return the devices named for init. */
        public List<String> devices()
        {
            return Collections.unmodifiableList(devices);
        }

        /** Validate settings. @return this. */
        public Context conclude()
        {
            if (memoryMb < 0 || (!hugepages && memoryMb < 16))
            {
                throw new IllegalArgumentException("EAL memory must be at least 16 MB without hugepages: " + memoryMb);
            }
            return this;
        }

        /** @return the EAL command line, program name first. */
        public List<String> arguments()
        {
            conclude();
            final List<String> args = new ArrayList<>();
            args.add(programName);
            if (hugepages)
            {
                // --in-memory: hugepages through memfd, no hugetlbfs mount, no shared config files.
                args.add("--in-memory");
                if (memoryMb > 0)
                {
                    args.add("-m");
                    args.add(Integer.toString(memoryMb));
                }
            }
            else
            {
                // --in-memory cannot be combined with --no-huge; --no-shconf keeps parallel processes apart.
                args.add("--no-huge");
                args.add("-m");
                args.add(Integer.toString(memoryMb));
                args.add("--no-shconf");
            }
            args.add("--lcores=" + (lcores != null ? lcores : "0@(" + allowedCpus() + ")"));
            args.add("--no-telemetry");
            args.add("--log-level=" + logLevel);
            if (!pci && devices.stream().noneMatch(device -> isPciAddress(deviceName(device))))
            {
                args.add("--no-pci");
            }
            for (final String device : devices)
            {
                if (isPciAddress(deviceName(device)))
                {
                    args.add("-a");
                }
                else
                {
                    args.add("--vdev");
                }
                args.add(device);
            }
            args.addAll(extraArguments);
            return args;
        }
    }

    private Dpdk(final DpdkShim shim, final List<String> arguments)
    {
        this.shim = shim;
        this.arguments = arguments;
    }

    /**
     * Initialise EAL for this process, or return the environment an earlier call with the same arguments made.
     *
     * @param context settings.
     * @return the environment.
     * @throws DpdkException when EAL fails, a named device does not probe, or EAL already runs with other
     *                       arguments (or failed before: EAL cannot be initialised twice).
     */
    public static synchronized Dpdk init(final Context context)
    {
        final List<String> args = List.copyOf(context.arguments());
        if (instance != null)
        {
            if (!instance.arguments.equals(args))
            {
                throw new DpdkException("EAL already runs in this process with " + instance.arguments +
                    "; it can be initialised only once per process, so not again with " + args, 0);
            }
            return instance;
        }
        if (failure != null)
        {
            throw new DpdkException("EAL init failed earlier in this process (with " + failedArguments +
                ") and cannot be retried: " + failure, 0);
        }
        final DpdkShim shim = DpdkLibrary.shim();
        final long mark = shim.tkd_log_mark();
        final int ret = shim.tkd_eal_init(args.size(), args.toArray(new String[0]));
        final Dpdk dpdk = new Dpdk(shim, args);
        if (ret < 0)
        {
            failedArguments = args;
            failure = "rte_eal_init " + args + " failed: " + dpdk.describe(ret) + dpdk.logSince(mark);
            throw new DpdkException(failure, -ret);
        }
        // A device that fails to probe does not fail rte_eal_init (dpdk.md P5): check every one by name.
        for (final String device : context.devices())
        {
            final String name = deviceName(device);
            if (shim.tkd_port_by_name(name) < 0)
            {
                failedArguments = args;
                failure = "device " + device + " did not probe at EAL init, so there is no port " + name +
                    " (ports: " + dpdk.portNames() + ")" + dpdk.logSince(mark);
                throw new DpdkException(failure, 19);
            }
        }
        instance = dpdk;
        return dpdk;
    }

    /** @return the running environment, or null before a successful {@link #init}. */
    public static synchronized Dpdk current()
    {
        return instance;
    }

    /** @return the EAL command line this environment was started with. */
    public List<String> arguments()
    {
        return arguments;
    }

    /** @return the DPDK version, e.g. "DPDK 22.11.11". */
    public String version()
    {
        return shim.tkd_dpdk_version();
    }

    /** @return true when EAL runs on hugepages. */
    public boolean hasHugepages()
    {
        return shim.tkd_eal_has_hugepages() != 0;
    }

    DpdkShim shim()
    {
        return shim;
    }

    /**
     * Hot-plug a device, e.g. {@code net_af_packet1,iface=veth0}, {@code net_tap1,iface=dpt0} or
     * {@code net_memif1,role=server,socket=/run/x.sock,socket-abstract=no}.
     *
     * @param devargs device name and arguments.
     * @return the new port's id.
     * @throws DpdkException with EAL's explanation when the device does not probe or its name is in use.
     */
    public synchronized int attach(final String devargs)
    {
        final String name = deviceName(devargs);
        if (shim.tkd_port_by_name(name) >= 0)
        {
            // rte_dev_probe answers 0 for a name already probed, so the check must be ours.
            throw new DpdkException("cannot attach " + devargs + ": a port named " + name + " already exists", 17);
        }
        final long mark = shim.tkd_log_mark();
        final int ret = shim.tkd_dev_attach(devargs);
        if (ret < 0)
        {
            throw new DpdkException("device " + devargs + " did not probe: " + describe(ret) + logSince(mark), -ret);
        }
        final int port = shim.tkd_port_by_name(name);
        if (port < 0)
        {
            throw new DpdkException("device " + devargs + " probed but made no Ethernet port named " + name +
                " (ports: " + portNames() + ")" + logSince(mark), 19);
        }
        return port;
    }

    /**
     * @param name a device name as EAL knows it ("net_tap0", "0000:01:00.0").
     * @return its port id.
     * @throws DpdkException listing the ports there are when none has that name.
     */
    public synchronized int portByName(final String name)
    {
        final int port = shim.tkd_port_by_name(name);
        if (port < 0)
        {
            throw new DpdkException("no DPDK port named " + name + " (ports: " + portNames() + ")", -port);
        }
        return port;
    }

    /** @return the names of the ports there are now. */
    public synchronized List<String> portNames()
    {
        final List<String> names = new ArrayList<>();
        for (int port = 0; port < 1024 && names.size() < shim.tkd_port_count(); port++)
        {
            if (shim.tkd_port_name(port, scratch.addressOffset(), 256) == 0)
            {
                names.add(scratch.getStringWithoutLengthAscii(0, cStringLength(0, 256)));
            }
        }
        return names;
    }

    /**
     * Open a port with one RX/TX queue pair per fast-path thread.
     *
     * @param context the port's settings.
     * @return the started port.
     */
    public DpdkPort openPort(final DpdkPort.Context context)
    {
        return new DpdkPort(this, context);
    }

    /**
     * Register the calling thread with EAL, so it gets an lcore id and with it the mempools' per-lcore caches
     * (without, every alloc and free goes to the shared ring: 37 instead of 22 ns a pair, dpdk.md P8). Call it
     * on each poll thread before its first burst and {@link #unregisterThread} before the thread ends: EAL has
     * only {@code RTE_MAX_LCORE} ids.
     *
     * @return the lcore id.
     */
    public int registerThread()
    {
        final int lcore = shim.tkd_thread_register();
        if (lcore < 0)
        {
            throw new DpdkException("rte_thread_register failed: " + describe(lcore), -lcore);
        }
        return lcore;
    }

    /** Give the calling thread's lcore id back. */
    public void unregisterThread()
    {
        shim.tkd_thread_unregister();
    }

    /**
     * @param mark a value of {@link DpdkShim#tkd_log_mark()}.
     * @return what EAL logged since, as a suffix for an exception message ("" when nothing).
     */
    synchronized String logSince(final long mark)
    {
        final int capacity = scratch.capacity();
        final int length = shim.tkd_log_since(mark, scratch.addressOffset(), capacity);
        if (length <= 0)
        {
            return "";
        }
        final byte[] bytes = new byte[length];
        scratch.getBytes(0, bytes);
        return "; EAL said:\n" + new String(bytes, StandardCharsets.UTF_8).trim();
    }

    /** @return "errno N (text)" for a negative errno returned by the shim. */
    String describe(final int negativeErrno)
    {
        final int error = Math.abs(negativeErrno);
        return "errno " + error + " (" + shim.tkd_strerror(error) + ")";
    }

    private int cStringLength(final int offset, final int max)
    {
        int length = 0;
        while (length < max && scratch.getByte(offset + length) != 0)
        {
            length++;
        }
        return length;
    }

    /** @return the device name in devargs: what comes before the first comma. */
    static String deviceName(final String devargs)
    {
        final int comma = devargs.indexOf(',');
        return (comma < 0 ? devargs : devargs.substring(0, comma)).trim();
    }

    private static boolean isPciAddress(final String name)
    {
        return name.matches("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");
    }

    /** @return the process's allowed CPUs as Linux lists them, e.g. "0-1" (from /proc/self/status). */
    static String allowedCpus()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring("Cpus_allowed_list:".length()).trim();
                }
            }
        }
        catch (final IOException ignore)
        {
            // Fall through to the CPU count.
        }
        return "0-" + (Runtime.getRuntime().availableProcessors() - 1);
    }
}
