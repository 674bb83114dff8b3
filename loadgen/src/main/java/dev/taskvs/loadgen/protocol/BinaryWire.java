package dev.taskvs.loadgen.protocol;

import dev.taskvs.client.Protocol;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.binary.BinaryProtocol;
import dev.taskvs.client.codec.binary.BinaryRequestEncoder;
import dev.taskvs.client.codec.binary.BinaryResponseDecoder;
import dev.taskvs.loadgen.workload.KeySpace;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Binary: GetK (the key comes back) answered by a hit or KEY_ENOENT; a multi-get is GetKQ per key and a Noop, so
 * only hits and the Noop come back; Set answered by a success packet. Every request carries its sequence number
 * as the opaque and every non-quiet reply must echo it.
 */
final class BinaryWire extends WireProtocol
{
    private final BinaryRequestEncoder encoder = new BinaryRequestEncoder();

    BinaryWire(final KeySpace keys)
    {
        super(keys);
    }

    @Override
    public Protocol protocol()
    {
        return Protocol.BINARY;
    }

    @Override
    public ResponseDecoder newDecoder()
    {
        return new BinaryResponseDecoder();
    }

    @Override
    public int encodeGet(
        final MutableDirectBuffer dst, final int index, final int[] keyIndexes, final int from, final int count,
        final int seq)
    {
        if (count == 1)
        {
            return encoder.get(dst, index, BinaryProtocol.GETK, keys.buffer(), keys.offset(keyIndexes[from]),
                keys.keySize(), seq);
        }
        int i = index;
        for (int k = from, end = from + count; k < end; k++)
        {
            i = encoder.get(dst, i, BinaryProtocol.GETKQ, keys.buffer(), keys.offset(keyIndexes[k]), keys.keySize(),
                seq);
        }
        return BinaryRequestEncoder.header(dst, i, BinaryProtocol.NOOP, 0, 0, 0, seq, 0);
    }

    @Override
    public int encodeSet(
        final MutableDirectBuffer dst, final int index, final int key, final DirectBuffer value, final int valueOffset,
        final int valueLength, final int seq)
    {
        return encoder.store(dst, index, BinaryProtocol.SET, keys.buffer(), keys.offset(key), keys.keySize(), 0, 0,
            value, valueOffset, valueLength, seq, 0);
    }

    @Override
    public int maxGetLength(final int count)
    {
        return count * (BinaryProtocol.HEADER_LENGTH + keys.keySize()) + BinaryProtocol.HEADER_LENGTH;
    }

    @Override
    public int maxSetLength(final int valueLength)
    {
        return BinaryProtocol.HEADER_LENGTH + 8 + keys.keySize() + valueLength;
    }

    @Override
    public int maxValueUnitLength(final int valueLength)
    {
        return BinaryProtocol.HEADER_LENGTH + 4 + keys.keySize() + valueLength;
    }

    @Override
    public int classifyGet(final Response response, final int count, final int seq)
    {
        final boolean opaqueMatches = response.opaque() == (seq & 0xFFFF_FFFFL);
        final byte opcode = response.opcode();
        switch (response.kind())
        {
            case VALUE:
                if (count == 1)
                {
                    return opcode == BinaryProtocol.GETK && opaqueMatches ? Reply.HIT_LAST : Reply.UNEXPECTED;
                }
                return opcode == BinaryProtocol.GETKQ && opaqueMatches ? Reply.HIT : Reply.UNEXPECTED;
            case NOT_FOUND:
                return count == 1 && opcode == BinaryProtocol.GETK && opaqueMatches ? Reply.END : Reply.UNEXPECTED;
            case NOOP:
                return count > 1 && opaqueMatches ? Reply.END : Reply.UNEXPECTED;
            case ERROR: case CLIENT_ERROR: case SERVER_ERROR:
                return opaqueMatches ? Reply.FAILED : Reply.UNEXPECTED;
            default:
                return Reply.UNEXPECTED;
        }
    }

    @Override
    public int classifySet(final Response response, final int seq)
    {
        if (response.opaque() != (seq & 0xFFFF_FFFFL) || response.opcode() != BinaryProtocol.SET)
        {
            return Reply.UNEXPECTED;
        }
        switch (response.kind())
        {
            case STORED: return Reply.STORED;
            case NOT_STORED: case EXISTS: case NOT_FOUND: case ERROR: case CLIENT_ERROR: case SERVER_ERROR:
                return Reply.FAILED;
            default: return Reply.UNEXPECTED;
        }
    }
}
