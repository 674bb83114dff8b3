package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;

import static dev.taskvs.client.codec.binary.BinaryProtocol.MAGIC_RESPONSE;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_AUTH_ERROR;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_DELTA_BADVAL;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_E2BIG;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_EINVAL;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_ENOMEM;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_KEY_EEXISTS;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_KEY_ENOENT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_NOT_STORED;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_OK;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_UNKNOWN_COMMAND;
import static dev.taskvs.client.codec.binary.BinaryProtocol.errorText;

/**
 * Writes binary-protocol responses: magic 0x81, the request's opcode (the quiet one when the request was quiet,
 * as memcached does) and opaque, the status, and the item CAS where memcached sets one.
 * <pre>
 *   0| Magic 0x81    | Opcode        | Key length                    |
 *   4| Extras length | Data type 0   | Status                        |
 *   8| Total body length                                             |
 *  12| Opaque                                                        |
 *  16| CAS (8 bytes)                                                 |
 * </pre>
 */
final class BinaryResponseWriter
{
    private static final byte DATA_TYPE_RAW = 0;

    private static final byte[] NOT_FOUND = text(STATUS_KEY_ENOENT);
    private static final byte[] EXISTS = text(STATUS_KEY_EEXISTS);
    private static final byte[] TOO_LARGE = text(STATUS_E2BIG);
    private static final byte[] INVALID = text(STATUS_EINVAL);
    private static final byte[] NOT_STORED = text(STATUS_NOT_STORED);
    private static final byte[] DELTA_BADVAL = text(STATUS_DELTA_BADVAL);
    private static final byte[] AUTH_ERROR = text(STATUS_AUTH_ERROR);
    private static final byte[] UNKNOWN_COMMAND = text(STATUS_UNKNOWN_COMMAND);
    private static final byte[] NO_MEMORY = text(STATUS_ENOMEM);

    private BinaryResponseWriter()
    {
    }

    static void header(
        final ResponseBuffer out,
        final byte opcode,
        final int keyLength,
        final int extrasLength,
        final short status,
        final int bodyLength,
        final int opaque,
        final long cas)
    {
        out.put(MAGIC_RESPONSE)
            .put(opcode)
            .putShortBE((short)keyLength)
            .put((byte)extrasLength)
            .put(DATA_TYPE_RAW)
            .putShortBE(status)
            .putIntBE(bodyLength)
            .putIntBE(opaque)
            .putLongBE(cas);
    }

    /** A success with no body: stores, deletes, flush, noop, quit. */
    static void ok(final ResponseBuffer out, final byte opcode, final int opaque, final long cas)
    {
        header(out, opcode, 0, 0, STATUS_OK, 0, opaque, cas);
    }

    /** A success whose body is {@code value} (version, SASL mechanisms). */
    static void okWithValue(final ResponseBuffer out, final byte opcode, final int opaque, final byte[] value)
    {
        header(out, opcode, 0, 0, STATUS_OK, value.length, opaque, 0);
        out.put(value);
    }

    /** An error: no extras, no key, memcached's text for the status as the body, CAS 0. */
    static void error(final ResponseBuffer out, final byte opcode, final int opaque, final short status)
    {
        final byte[] body = bodyOf(status);
        header(out, opcode, 0, 0, status, body.length, opaque, 0);
        out.put(body);
    }

    /** One statistic of a Stat response; an empty name and value terminate the list. */
    static void stat(
        final ResponseBuffer out, final byte opcode, final int opaque, final byte[] name, final byte[] value)
    {
        header(out, opcode, name.length, 0, STATUS_OK, name.length + value.length, opaque, 0);
        out.put(name).put(value);
    }

    private static byte[] bodyOf(final short status)
    {
        switch (status)
        {
            case STATUS_KEY_ENOENT: return NOT_FOUND;
            case STATUS_KEY_EEXISTS: return EXISTS;
            case STATUS_E2BIG: return TOO_LARGE;
            case STATUS_EINVAL: return INVALID;
            case STATUS_NOT_STORED: return NOT_STORED;
            case STATUS_DELTA_BADVAL: return DELTA_BADVAL;
            case STATUS_AUTH_ERROR: return AUTH_ERROR;
            case STATUS_UNKNOWN_COMMAND: return UNKNOWN_COMMAND;
            case STATUS_ENOMEM: return NO_MEMORY;
            default: throw new IllegalArgumentException("no error text for binary status " + status);
        }
    }

    private static byte[] text(final short status)
    {
        return errorText(status).getBytes(StandardCharsets.US_ASCII);
    }
}
