package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskvs.server.KvsServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-userspace path, no kernel between the two: {@code ./kvs server --stack tas --nic dpdk} on DPDK's
 * net_memif in the server role in a child JVM (its EAL probes the device from {@code --dpdk-args}), and
 * {@code ./kvs loadgen --stack tas --nic dpdk} in this JVM on the memif client role, hot-plugged by
 * {@code --dpdk-port} into the fork's EAL (default arguments, shared with any other DPDK test in the fork).
 * Both through their command-line mains; every value the load generator reads back is verified.
 */
class LoadgenDpdkMemifTest
{
    private static final int PORT = 11211;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void loadgenOnMemifShouldDriveKvsServerOnMemifWithEveryValueVerified() throws Exception
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            throw new IllegalStateException("DPDK's memif needs root here (run ./kvs test as root)");
        }
        final int subnet = 100 + (int)(ProcessHandle.current().pid() % 100);
        final String serverIp = "10.213." + subnet + ".2";
        final String loadgenIp = "10.213." + subnet + ".3";
        // The server makes the socket file in the test's own directory; a fresh one each run.
        final Path socket = dir.resolve("memif.sock");
        final File log = dir.resolve("server.log").toFile();
        final Process server = startServer(log, "--stack", "tas", "--nic", "dpdk",
            "--dpdk-args", "--vdev=net_memif0,role=server,id=0,socket=" + socket + ",socket-abstract=no",
            "--ip", serverIp + "/24", "-p", Integer.toString(PORT), "--time-wait-ms", "1000", "-m", "64");
        try
        {
            awaitLine(server, log, "clients connect to " + serverIp + ":" + PORT, 60);
            assertTrue(read(log).contains("on the TAS engine (dpdk net_memif0 (net_memif, 1 queue)"), read(log));
            final Captured run = loadgen("--stack", "tas", "--nic", "dpdk",
                "--dpdk-port", "net_memif" + subnet + ",role=client,id=0,socket=" + socket + ",socket-abstract=no",
                "--ip", loadgenIp + "/24", "--server", serverIp + ":" + PORT,
                "--connections", "8", "--pipeline", "8", "--value-size", "64", "--keys", "5000",
                "--get-ratio", "0.8", "--warmup", "1s", "--duration", "3s", "--no-progress");
            System.out.println(run.out + run.err + "--- server ---\n" + read(log));
            assertEquals(0, run.status, run.out + run.err);
            assertTrue(run.err.contains("over dpdk net_memif" + subnet + ",role=client"), run.err);
            assertTrue(run.out.contains("errors       none"), run.out);
            final Matcher completed = Pattern.compile("throughput +([0-9,]+) requests/s").matcher(run.out);
            assertTrue(completed.find(), run.out);
            assertTrue(Long.parseLong(completed.group(1).replace(",", "")) > 1000, run.out);
            assertTrue(server.isAlive(), () -> "the server is still serving: " + read(log));
        }
        finally
        {
            // SIGTERM: the server's graceful shutdown closes the engine and the memif port.
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS))
            {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startServer(final File log, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        final String library = System.getProperty("taskvs.dpdk.library");
        if (library != null)
        {
            command.add("-Dtaskvs.dpdk.library=" + library);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KvsServerMain.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static void awaitLine(final Process process, final File log, final String line, final int seconds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!read(log).contains(line))
        {
            assertTrue(process.isAlive(), () -> "the server exited: " + read(log));
            assertTrue(System.nanoTime() - deadline < 0, () -> "no '" + line + "' in " + seconds + " s: " + read(log));
            Thread.sleep(50);
        }
    }

    private static String read(final File log)
    {
        try
        {
            return Files.readString(log.toPath());
        }
        catch (final Exception ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    private static final class Captured
    {
        int status;
        String out;
        String err;
    }

    private static Captured loadgen(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Captured c = new Captured();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            c.status = LoadgenMain.run(args);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        c.out = out.toString(StandardCharsets.UTF_8);
        c.err = err.toString(StandardCharsets.UTF_8);
        return c;
    }
}
