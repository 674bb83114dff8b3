package dev.taskvs.engine.nic.dpdk;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared setup of the DPDK tests. EAL starts once per process, so every test class in the Surefire fork shares
 * one environment with the default (CI) arguments and hot-plugs the devices it needs under names unique to
 * the process; tests that need other EAL arguments (hugepages, devices at init) run a child JVM.
 */
final class DpdkTestSupport
{
    private static final AtomicInteger DEVICE_SEQUENCE = new AtomicInteger(10);

    private DpdkTestSupport()
    {
    }

    /** @return the fork's DPDK environment: no hugepages, 256 MB, no PCI, no devices at init. */
    static Dpdk dpdk()
    {
        return Dpdk.init(new Dpdk.Context());
    }

    /** @return a vdev name for a driver that no other test in this process uses, e.g. "net_tap12". */
    static String uniqueDevice(final String driver)
    {
        return driver + DEVICE_SEQUENCE.incrementAndGet();
    }

    /**
     * Build the command line of a child JVM running {@code mainClass} on this JVM's class path, with the
     * JVM options the tests need.
     */
    static List<String> javaCommand(final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        final String library = System.getProperty(DpdkLibrary.PATH_PROPERTY);
        if (library != null)
        {
            command.add("-D" + DpdkLibrary.PATH_PROPERTY + "=" + library);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Start a child JVM with its output in {@code log}. */
    static Process startJava(final File log, final Class<?> mainClass, final String... args) throws Exception
    {
        return new ProcessBuilder(javaCommand(mainClass, args))
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
    }
}
