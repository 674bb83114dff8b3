package dev.taskvs.engine.cli;

import java.io.PrintStream;
import java.util.function.IntSupplier;

/**
 * How the commands' {@code main} methods end the process. picocli turns exceptions into an exit code, but an
 * {@link Error} (a class missing from a stale build, memory exhausted) passes through it and out of {@code main}
 * without {@code System.exit}, and the engine's threads then keep the JVM alive: a load generator or server that
 * failed would hang until killed. Here it ends the process with a message and {@link #INTERNAL_ERROR}.
 */
public final class ProcessExit
{
    /** As sysexits' EX_SOFTWARE. */
    public static final int INTERNAL_ERROR = 70;

    private ProcessExit()
    {
    }

    /**
     * Run the command and exit with its code, or with {@link #INTERNAL_ERROR} if anything escapes it.
     *
     * @param name    the command, for the message.
     * @param command the command's run, returning its exit code.
     */
    public static void exit(final String name, final IntSupplier command)
    {
        System.exit(run(name, command, System.err));
    }

    static int run(final String name, final IntSupplier command, final PrintStream err)
    {
        try
        {
            return command.getAsInt();
        }
        catch (final Throwable t)
        {
            err.println(name + ": internal error, exiting: " + t);
            t.printStackTrace(err);
            return INTERNAL_ERROR;
        }
    }
}
