package dev.taskvs.loadgen.protocol;

import dev.taskvs.client.codec.ResponseKind;

/** Every error the generator counts; any of them fails the run. */
public enum ErrorKind
{
    /** A value whose bytes, size or embedded key differ from what was stored for the key. */
    VALUE_MISMATCH("value_mismatch"),
    /** A value for a key that was not asked for, or keys out of request order. */
    WRONG_KEY("wrong_key"),
    /** Bytes that are not a valid response, or a response that does not fit the request. */
    PROTOCOL("protocol"),
    ERROR("error"),
    CLIENT_ERROR("client_error"),
    SERVER_ERROR("server_error"),
    NOT_STORED("not_stored"),
    /** A connection closed or reset with requests in flight (each request counts once). */
    CONNECTION("connection"),
    /** A connection that could not be opened. */
    CONNECT_FAILED("connect_failed"),
    /** A request scheduled inside the run that had not completed when the drain time ran out. */
    TIMEOUT("timeout");

    private static final ErrorKind[] VALUES = values();

    private final String jsonName;

    ErrorKind(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    public String jsonName()
    {
        return jsonName;
    }

    public static int count()
    {
        return VALUES.length;
    }

    public static ErrorKind get(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** The error a failure reply stands for. */
    public static ErrorKind of(final ResponseKind kind)
    {
        switch (kind)
        {
            case ERROR: return ERROR;
            case CLIENT_ERROR: return CLIENT_ERROR;
            case SERVER_ERROR: return SERVER_ERROR;
            case NOT_STORED: case NS: case EXISTS: case EX: case NOT_FOUND: case NF: return NOT_STORED;
            default: return PROTOCOL;
        }
    }
}
