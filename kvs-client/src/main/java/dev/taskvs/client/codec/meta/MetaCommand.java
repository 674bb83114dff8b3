package dev.taskvs.client.codec.meta;

import dev.taskvs.client.codec.Ascii;

/** The meta commands (protocol.txt "Meta Commands"), each with its two-letter wire name. */
public enum MetaCommand
{
    GET("mg"),
    SET("ms"),
    DELETE("md"),
    ARITHMETIC("ma"),
    NOOP("mn"),
    DEBUG("me");

    private final byte[] name;

    MetaCommand(final String name)
    {
        this.name = Ascii.bytes(name);
    }

    byte[] wireName()
    {
        return name;
    }
}
