package dev.taskvs.loadgen.stack;

import java.io.IOException;

import dev.taskvs.loadgen.LoadgenConfig;

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
     * The stack a configuration names: kernel sockets, or an engine started from {@link LoadgenConfig#engine}
     * for {@code tas}.
     *
     * @throws IllegalArgumentException with a one-line reason when the settings do not fit.
     * @throws IllegalStateException    with a one-line reason when the engine's NIC cannot be opened.
     */
    static LoadStack open(final LoadgenConfig config)
    {
        if (!"tas".equals(config.stack))
        {
            return forName(config.stack);
        }
        if (config.engine == null)
        {
            throw new IllegalArgumentException("--stack tas: no engine settings (--nic, --ip ...)");
        }
        final EngineStack.Wait wait;
        switch (config.idle)
        {
            case SPIN:
                wait = EngineStack.Wait.SPIN;
                break;
            case BLOCK:
                wait = EngineStack.Wait.PARK;
                break;
            default:
                wait = EngineStack.Wait.BACKOFF;
                break;
        }
        return EngineStack.open(config.engine, config.threads, config.connections, wait);
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
                throw new IllegalArgumentException("--stack tas needs the engine's settings (--nic, --ip ...): " +
                    "open it with LoadStack.open(config)");
            default:
                throw new IllegalArgumentException("--stack " + name + " is not one of: kernel, tas");
        }
    }
}
