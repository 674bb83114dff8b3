package dev.taskvs.server.compat;

/** One named side-by-side check: the server flags it needs and the conversation to compare. */
public final class Scenario
{
    final String family;
    final String name;
    final ServerFlags flags;
    final Conversation conversation;

    Scenario(final String family, final String name, final ServerFlags flags, final Conversation conversation)
    {
        this.family = family;
        this.name = name;
        this.flags = flags;
        this.conversation = conversation;
    }

    public String id()
    {
        return family + "/" + name;
    }

    @Override
    public String toString()
    {
        return id();
    }
}
