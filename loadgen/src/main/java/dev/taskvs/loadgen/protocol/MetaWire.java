package dev.taskvs.loadgen.protocol;

import dev.taskvs.client.Protocol;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.meta.MetaCommand;
import dev.taskvs.client.codec.meta.MetaRequestEncoder;
import dev.taskvs.client.codec.meta.MetaResponseDecoder;
import dev.taskvs.loadgen.workload.KeySpace;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Meta: {@code mg <key> v k} answered by {@code VA <len> k<key>} or {@code EN}; a multi-get sends
 * {@code mg <key> v k q} per key and {@code mn}, so misses stay silent and {@code MN} ends the batch;
 * {@code ms <key> <len>} answered by {@code HD}.
 */
final class MetaWire extends WireProtocol
{
    private final MetaRequestEncoder encoder = new MetaRequestEncoder();

    MetaWire(final KeySpace keys)
    {
        super(keys);
    }

    @Override
    public Protocol protocol()
    {
        return Protocol.META;
    }

    @Override
    public ResponseDecoder newDecoder()
    {
        return new MetaResponseDecoder();
    }

    @Override
    public int encodeGet(
        final MutableDirectBuffer dst, final int index, final int[] keyIndexes, final int from, final int count,
        final int seq)
    {
        int i = index;
        for (int k = from, end = from + count; k < end; k++)
        {
            i = encoder.begin(dst, i, MetaCommand.GET, keys.buffer(), keys.offset(keyIndexes[k]), keys.keySize());
            i = encoder.flag(dst, i, 'v');
            i = encoder.flag(dst, i, 'k');
            if (count > 1)
            {
                i = encoder.flag(dst, i, 'q');
            }
            i = encoder.end(dst, i);
        }
        return count > 1 ? encoder.noop(dst, i) : i;
    }

    @Override
    public int encodeSet(
        final MutableDirectBuffer dst, final int index, final int key, final DirectBuffer value, final int valueOffset,
        final int valueLength, final int seq)
    {
        int i = encoder.begin(dst, index, MetaCommand.SET, keys.buffer(), keys.offset(key), keys.keySize());
        i = encoder.dataLength(dst, i, valueLength);
        i = encoder.end(dst, i);
        return encoder.data(dst, i, value, valueOffset, valueLength);
    }

    @Override
    public int maxGetLength(final int count)
    {
        return count * (3 + keys.keySize() + 6 + 2) + 4;
    }

    @Override
    public int maxSetLength(final int valueLength)
    {
        return 3 + keys.keySize() + 1 + 10 + 2 + valueLength + 2;
    }

    @Override
    public int maxValueUnitLength(final int valueLength)
    {
        return 3 + 10 + 2 + keys.keySize() + 2 + valueLength + 2;
    }

    @Override
    public int classifyGet(final Response response, final int count, final int seq)
    {
        switch (response.kind())
        {
            case VA: return count > 1 ? Reply.HIT : Reply.HIT_LAST;
            case EN: return count > 1 ? Reply.UNEXPECTED : Reply.END;
            case MN: return count > 1 ? Reply.END : Reply.UNEXPECTED;
            case ERROR: case CLIENT_ERROR: case SERVER_ERROR: return Reply.FAILED;
            default: return Reply.UNEXPECTED;
        }
    }

    @Override
    public int classifySet(final Response response, final int seq)
    {
        switch (response.kind())
        {
            case HD: return Reply.STORED;
            case NS: case EX: case NF: case ERROR: case CLIENT_ERROR: case SERVER_ERROR: return Reply.FAILED;
            default: return Reply.UNEXPECTED;
        }
    }
}
