package dev.taskvs.client.codec;

/**
 * Every response unit the three decoders deliver. Text and meta codes keep their own constants so a load
 * generator can count them per code; binary responses map onto the text meaning of their status and opcode
 * (the raw status stays in {@link Response#status()}).
 */
public enum ResponseKind
{
    /** Text {@code VALUE} line with its data block, or a binary get hit. */
    VALUE,
    /** Text {@code END}: the end of a retrieval or of a stats listing. */
    END,
    STORED,
    NOT_STORED,
    EXISTS,
    NOT_FOUND,
    DELETED,
    TOUCHED,
    /** The new value of an incr/decr: text digits line, binary 8-byte body. */
    NUMBER,
    OK,
    /** Reply to {@code stats reset}. */
    RESET,
    VERSION,
    /** One statistic: name in the key region, value in the value region. */
    STAT,
    /** Binary reply to Noop. */
    NOOP,
    ERROR,
    CLIENT_ERROR,
    SERVER_ERROR,

    /** Meta: success, no value. */
    HD,
    /** Meta: value follows. */
    VA,
    /** Meta: miss. */
    EN,
    /** Meta: not stored. */
    NS,
    /** Meta: exists / CAS mismatch. */
    EX,
    /** Meta: not found. */
    NF,
    /** Meta: reply to {@code mn}. */
    MN,
    /** Meta: reply to {@code me}, the key/value debug text in the message region. */
    ME;

    private static final ResponseKind[] VALUES = values();

    /** The number of kinds, for sizing per-kind counter arrays indexed by {@link #ordinal()}. */
    public static int count()
    {
        return VALUES.length;
    }

    /** Kind for an ordinal, without the array copy that {@link #values()} makes. */
    public static ResponseKind get(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** Whether this kind reports a failure of the command itself rather than a normal outcome. */
    public boolean isError()
    {
        return this == ERROR || this == CLIENT_ERROR || this == SERVER_ERROR;
    }
}
