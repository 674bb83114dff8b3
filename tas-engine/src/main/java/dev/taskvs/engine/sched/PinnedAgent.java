package dev.taskvs.engine.sched;

import org.agrona.concurrent.Agent;

/** Runs an agent on a thread pinned to a core when the thread starts; core -1 leaves the thread unpinned. */
public final class PinnedAgent implements Agent
{
    private final Agent delegate;
    private final int core;
    private boolean pinned;

    public PinnedAgent(final Agent delegate, final int core)
    {
        this.delegate = delegate;
        this.core = core;
    }

    @Override
    public void onStart()
    {
        if (core >= 0)
        {
            pinned = Affinity.pinCurrentThread(core);
            if (!pinned)
            {
                System.err.println(delegate.roleName() + ": could not pin to core " + core);
            }
        }
        delegate.onStart();
    }

    /** @return true when the thread was pinned. */
    public boolean isPinned()
    {
        return pinned;
    }

    @Override
    public int doWork() throws Exception
    {
        return delegate.doWork();
    }

    @Override
    public void onClose()
    {
        delegate.onClose();
    }

    @Override
    public String roleName()
    {
        return delegate.roleName();
    }
}
