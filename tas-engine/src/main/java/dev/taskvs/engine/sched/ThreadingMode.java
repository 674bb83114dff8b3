package dev.taskvs.engine.sched;

/** How the engine's agents are laid out on threads. */
public enum ThreadingMode
{
    /** Every lane, the slow path and the app agents in one duty cycle on one thread: for small machines. */
    SHARED,
    /** One thread per lane, one for the slow path, one per app agent; pinned when cores are given. */
    DEDICATED,
    /** No threads: the caller steps the composite agent by hand (deterministic tests). */
    INVOKER
}
