package dev.taskvs.engine.nic;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Setup for tests that create TAP devices, veth pairs and namespaces. They need root, /dev/net/tun and the
 * tools {@code ip}, {@code ping} and {@code ethtool}; missing tools are installed by
 * {@code src/test/scripts/install-net-tools.sh}, and anything still missing fails the test rather than skipping
 * it. Every name made here carries a per-process suffix so parallel builds do not collide, and every address is
 * in 10.211.0.0/16 inside a device or namespace the test made.
 */
public final class NetTestSupport
{
    private NetTestSupport()
    {
    }

    /** Make sure the test can run: root, the TUN device, and the tools (installing them if needed). */
    public static void requireRootAndTools()
    {
        assertEquals("root", System.getProperty("user.name"), "network backend tests run as root (CI does)");
        assertTrue(new File("/dev/net/tun").exists(), "/dev/net/tun is present");
        if (!hasTool("ip") || !hasTool("ping") || !hasTool("ethtool"))
        {
            final Path script = Path.of("src/test/scripts/install-net-tools.sh").toAbsolutePath();
            run(300, "bash", script.toString());
        }
        assertTrue(hasTool("ip") && hasTool("ping") && hasTool("ethtool"), "ip, ping and ethtool are installed");
    }

    /** @return a short suffix unique to this JVM, for interface and namespace names. */
    public static String suffix()
    {
        return Long.toString(ProcessHandle.current().pid() % 100_000);
    }

    private static boolean hasTool(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        {
            if (new File(dir, tool).canExecute())
            {
                return true;
            }
        }
        return new File("/usr/sbin", tool).canExecute() || new File("/usr/bin", tool).canExecute();
    }

    /**
     * Run a command with a hard time limit.
     *
     * @return exit status (the output is in the message of a failed assertion by the caller).
     */
    public static Result run(final long timeoutSeconds, final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " timed out after " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final Exception ex)
        {
            return new Result(-1, String.join(" ", command) + " failed: " + ex);
        }
    }

    /** Exit status and output of a command. */
    public static final class Result
    {
        public final int exitCode;
        public final String output;

        Result(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + ": " + output.trim();
        }
    }

    /** Best-effort cleanup command for finally blocks: runs it and ignores the outcome. */
    public static void cleanup(final String... command)
    {
        run(20, command);
    }
}
