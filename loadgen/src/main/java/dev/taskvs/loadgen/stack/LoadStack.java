package dev.taskvs.loadgen.stack;

import java.io.IOException;

/** A network stack the load generator runs over: it makes one {@link StackLoop} per worker thread. */
public interface LoadStack extends AutoCloseable
{
    /** {@code kernel} or {@code tas}, as {@code --stack} names it. */
    String name();

    /** A loop for one worker thread holding up to {@code capacity} connections. */
    StackLoop newLoop(int capacity) throws IOException;

    @Override
    default void close()
    {
    }

    /**
     * The stack {@code --stack} names.
     *
     * @throws IllegalArgumentException with a one-line reason when it is unknown or not available.
     */
    static LoadStack forName(final String name)
    {
        switch (name)
        {
            case "kernel":
                return new KernelStack();
            case "tas":
                throw new IllegalArgumentException("--stack tas: the TAS engine transport is not available yet " +
                    "(tas-engine has no application API to drive); use --stack kernel");
            default:
                throw new IllegalArgumentException("--stack " + name + " is not one of: kernel, tas");
        }
    }
}
