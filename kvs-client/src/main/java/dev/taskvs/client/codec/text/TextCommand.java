package dev.taskvs.client.codec.text;

import dev.taskvs.client.codec.Ascii;

/** The classic text commands, each with its wire name. */
public enum TextCommand
{
    GET("get"),
    GETS("gets"),
    GAT("gat"),
    GATS("gats"),
    SET("set"),
    ADD("add"),
    REPLACE("replace"),
    APPEND("append"),
    PREPEND("prepend"),
    CAS("cas"),
    DELETE("delete"),
    INCR("incr"),
    DECR("decr"),
    TOUCH("touch"),
    FLUSH_ALL("flush_all"),
    STATS("stats"),
    VERSION("version"),
    VERBOSITY("verbosity"),
    QUIT("quit");

    private final byte[] name;

    TextCommand(final String name)
    {
        this.name = Ascii.bytes(name);
    }

    /** The wire name; do not modify the array. */
    byte[] wireName()
    {
        return name;
    }

    public boolean isRetrieval()
    {
        return this == GET || this == GETS || this == GAT || this == GATS;
    }

    public boolean isTouchingRetrieval()
    {
        return this == GAT || this == GATS;
    }

    public boolean isStorage()
    {
        return this == SET || this == ADD || this == REPLACE || this == APPEND || this == PREPEND || this == CAS;
    }

    public boolean isArithmetic()
    {
        return this == INCR || this == DECR;
    }
}
