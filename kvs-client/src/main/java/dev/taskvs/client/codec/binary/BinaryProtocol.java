package dev.taskvs.client.codec.binary;

/**
 * memcached's binary protocol constants, shared by the server's handler and the client's codec.
 * <pre>
 *  Byte/     0       |       1       |       2       |       3       |
 *     /              |               |               |               |
 *    |0 1 2 3 4 5 6 7|0 1 2 3 4 5 6 7|0 1 2 3 4 5 6 7|0 1 2 3 4 5 6 7|
 *    +---------------+---------------+---------------+---------------+
 *   0| Magic         | Opcode        | Key length                    |
 *    +---------------+---------------+---------------+---------------+
 *   4| Extras length | Data type     | vbucket id / status           |
 *    +---------------+---------------+---------------+---------------+
 *   8| Total body length                                             |
 *    +---------------+---------------+---------------+---------------+
 *  12| Opaque                                                        |
 *    +---------------+---------------+---------------+---------------+
 *  16| CAS                                                           |
 *    |                                                               |
 *    +---------------+---------------+---------------+---------------+
 * </pre>
 * All fields big-endian. Body = extras, then key, then value.
 */
public final class BinaryProtocol
{
    public static final int HEADER_LENGTH = 24;

    public static final int MAGIC_OFFSET = 0;
    public static final int OPCODE_OFFSET = 1;
    public static final int KEY_LENGTH_OFFSET = 2;
    public static final int EXTRAS_LENGTH_OFFSET = 4;
    public static final int DATA_TYPE_OFFSET = 5;
    public static final int VBUCKET_OFFSET = 6;
    public static final int STATUS_OFFSET = 6;
    public static final int BODY_LENGTH_OFFSET = 8;
    public static final int OPAQUE_OFFSET = 12;
    public static final int CAS_OFFSET = 16;

    public static final byte MAGIC_REQUEST = (byte)0x80;
    public static final byte MAGIC_RESPONSE = (byte)0x81;

    // opcodes
    public static final byte GET = 0x00;
    public static final byte SET = 0x01;
    public static final byte ADD = 0x02;
    public static final byte REPLACE = 0x03;
    public static final byte DELETE = 0x04;
    public static final byte INCREMENT = 0x05;
    public static final byte DECREMENT = 0x06;
    public static final byte QUIT = 0x07;
    public static final byte FLUSH = 0x08;
    public static final byte GETQ = 0x09;
    public static final byte NOOP = 0x0A;
    public static final byte VERSION = 0x0B;
    public static final byte GETK = 0x0C;
    public static final byte GETKQ = 0x0D;
    public static final byte APPEND = 0x0E;
    public static final byte PREPEND = 0x0F;
    public static final byte STAT = 0x10;
    public static final byte SETQ = 0x11;
    public static final byte ADDQ = 0x12;
    public static final byte REPLACEQ = 0x13;
    public static final byte DELETEQ = 0x14;
    public static final byte INCREMENTQ = 0x15;
    public static final byte DECREMENTQ = 0x16;
    public static final byte QUITQ = 0x17;
    public static final byte FLUSHQ = 0x18;
    public static final byte APPENDQ = 0x19;
    public static final byte PREPENDQ = 0x1A;
    public static final byte VERBOSITY = 0x1B;
    public static final byte TOUCH = 0x1C;
    public static final byte GAT = 0x1D;
    public static final byte GATQ = 0x1E;
    public static final byte SASL_LIST_MECHS = 0x20;
    public static final byte SASL_AUTH = 0x21;
    public static final byte SASL_STEP = 0x22;
    public static final byte GATK = 0x23;
    public static final byte GATKQ = 0x24;

    // status codes
    public static final short STATUS_OK = 0x00;
    public static final short STATUS_KEY_ENOENT = 0x01;
    public static final short STATUS_KEY_EEXISTS = 0x02;
    public static final short STATUS_E2BIG = 0x03;
    public static final short STATUS_EINVAL = 0x04;
    public static final short STATUS_NOT_STORED = 0x05;
    public static final short STATUS_DELTA_BADVAL = 0x06;
    public static final short STATUS_AUTH_ERROR = 0x20;
    public static final short STATUS_AUTH_CONTINUE = 0x21;
    public static final short STATUS_UNKNOWN_COMMAND = 0x81;
    public static final short STATUS_ENOMEM = 0x82;

    private BinaryProtocol()
    {
    }

    /** memcached's error text for a status (proto_bin.c), sent as the body of an error response. */
    public static String errorText(final int status)
    {
        switch (status)
        {
            case STATUS_KEY_ENOENT: return "Not found";
            case STATUS_KEY_EEXISTS: return "Data exists for key.";
            case STATUS_E2BIG: return "Too large.";
            case STATUS_EINVAL: return "Invalid arguments";
            case STATUS_NOT_STORED: return "Not stored.";
            case STATUS_DELTA_BADVAL: return "Non-numeric server-side value for incr or decr";
            case STATUS_AUTH_ERROR: return "Auth failure.";
            case STATUS_UNKNOWN_COMMAND: return "Unknown command";
            case STATUS_ENOMEM: return "Out of memory";
            default: return "UNHANDLED ERROR";
        }
    }

    /** Quiet opcodes suppress their success response (GetQ/GetKQ/GATQ/GATKQ: suppress misses instead). */
    public static boolean isQuiet(final byte opcode)
    {
        switch (opcode)
        {
            case GETQ: case GETKQ: case SETQ: case ADDQ: case REPLACEQ: case DELETEQ: case INCREMENTQ:
            case DECREMENTQ: case QUITQ: case FLUSHQ: case APPENDQ: case PREPENDQ: case GATQ: case GATKQ:
                return true;
            default:
                return false;
        }
    }
}
