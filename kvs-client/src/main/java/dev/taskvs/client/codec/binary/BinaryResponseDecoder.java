package dev.taskvs.client.codec.binary;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;

import java.nio.ByteOrder;

import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.ResponseKind;
import org.agrona.DirectBuffer;

/**
 * Decodes binary-protocol response packets. Each unit is one packet: header fields (opcode, status, opaque, cas),
 * the get extras (client flags), key and value. The kind says what the status means for that opcode in text-
 * protocol terms (a hit is {@link ResponseKind#VALUE}, a stored item {@link ResponseKind#STORED}, a Stat packet
 * with an empty key {@link ResponseKind#END}...); the raw status stays in {@link Response#status()} and, for an
 * error, its text in the message region.
 */
public final class BinaryResponseDecoder implements ResponseDecoder
{
    /** Bodies above this are taken as a lost stream rather than a value (memcached allows up to 1 GiB items). */
    public static final int MAX_BODY_LENGTH = 1024 * 1024 * 1024 + 4096;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private int pendingUnitLength;

    @Override
    public int pendingUnitLength()
    {
        return pendingUnitLength;
    }

    @Override
    public int decode(final DirectBuffer buffer, final int offset, final int length, final Response response)
    {
        pendingUnitLength = 0;
        if (length < HEADER_LENGTH)
        {
            if (length > 0 && buffer.getByte(offset) != MAGIC_RESPONSE)
            {
                response.malformed("bad response magic");
                return MALFORMED;
            }
            return 0;
        }
        if (buffer.getByte(offset + MAGIC_OFFSET) != MAGIC_RESPONSE)
        {
            response.malformed("bad response magic");
            return MALFORMED;
        }
        final int keyLength = buffer.getShort(offset + KEY_LENGTH_OFFSET, NETWORK) & 0xFFFF;
        final int extrasLength = buffer.getByte(offset + EXTRAS_LENGTH_OFFSET) & 0xFF;
        final int bodyLength = buffer.getInt(offset + BODY_LENGTH_OFFSET, NETWORK);
        if (bodyLength < 0 || bodyLength > MAX_BODY_LENGTH || keyLength + extrasLength > bodyLength)
        {
            response.malformed("bad response body length");
            return MALFORMED;
        }
        final int unitLength = HEADER_LENGTH + bodyLength;
        if (length < unitLength)
        {
            pendingUnitLength = unitLength;
            return 0;
        }
        response.reset();
        response.buffer(buffer);
        final byte opcode = buffer.getByte(offset + OPCODE_OFFSET);
        final int status = buffer.getShort(offset + STATUS_OFFSET, NETWORK) & 0xFFFF;
        response.opcode(opcode);
        response.status(status);
        response.opaque(buffer.getInt(offset + OPAQUE_OFFSET, NETWORK) & 0xFFFF_FFFFL);
        response.cas(buffer.getLong(offset + CAS_OFFSET, NETWORK));
        final int extrasOffset = offset + HEADER_LENGTH;
        final int keyOffset = extrasOffset + extrasLength;
        final int valueOffset = keyOffset + keyLength;
        final int valueLength = bodyLength - extrasLength - keyLength;
        if (extrasLength >= 4)
        {
            response.flags(buffer.getInt(extrasOffset, NETWORK));
        }
        response.key(keyOffset, keyLength);
        response.value(valueOffset, valueLength);
        if (status != STATUS_OK)
        {
            response.message(valueOffset, valueLength);
            response.kind(errorKind(status));
            return unitLength;
        }
        final ResponseKind kind = successKind(opcode, keyLength);
        if (kind == null)
        {
            response.malformed("success response for an unknown opcode");
            return MALFORMED;
        }
        if (kind == ResponseKind.NUMBER)
        {
            if (valueLength != 8)
            {
                response.malformed("incr/decr response without an 8-byte value");
                return MALFORMED;
            }
            response.number(buffer.getLong(valueOffset, NETWORK));
        }
        else if (kind == ResponseKind.VERSION)
        {
            response.message(valueOffset, valueLength);
        }
        response.kind(kind);
        return unitLength;
    }

    private static ResponseKind successKind(final byte opcode, final int keyLength)
    {
        switch (opcode)
        {
            case GET: case GETQ: case GETK: case GETKQ: case GAT: case GATQ: case GATK: case GATKQ:
                return ResponseKind.VALUE;
            case SET: case SETQ: case ADD: case ADDQ: case REPLACE: case REPLACEQ:
            case APPEND: case APPENDQ: case PREPEND: case PREPENDQ:
                return ResponseKind.STORED;
            case DELETE: case DELETEQ:
                return ResponseKind.DELETED;
            case INCREMENT: case INCREMENTQ: case DECREMENT: case DECREMENTQ:
                return ResponseKind.NUMBER;
            case TOUCH:
                return ResponseKind.TOUCHED;
            case FLUSH: case FLUSHQ: case QUIT: case QUITQ: case VERBOSITY:
            case SASL_LIST_MECHS: case SASL_AUTH: case SASL_STEP:
                return ResponseKind.OK;
            case NOOP:
                return ResponseKind.NOOP;
            case VERSION:
                return ResponseKind.VERSION;
            case STAT:
                return keyLength == 0 ? ResponseKind.END : ResponseKind.STAT;
            default:
                return null;
        }
    }

    private static ResponseKind errorKind(final int status)
    {
        switch (status)
        {
            case STATUS_KEY_ENOENT: return ResponseKind.NOT_FOUND;
            case STATUS_KEY_EEXISTS: return ResponseKind.EXISTS;
            case STATUS_NOT_STORED: return ResponseKind.NOT_STORED;
            case STATUS_EINVAL: case STATUS_DELTA_BADVAL: return ResponseKind.CLIENT_ERROR;
            case STATUS_E2BIG: case STATUS_ENOMEM: return ResponseKind.SERVER_ERROR;
            default: return ResponseKind.ERROR;
        }
    }
}
