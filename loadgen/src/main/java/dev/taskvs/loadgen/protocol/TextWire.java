package dev.taskvs.loadgen.protocol;

import dev.taskvs.client.Protocol;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.text.TextCommand;
import dev.taskvs.client.codec.text.TextRequestEncoder;
import dev.taskvs.client.codec.text.TextResponseDecoder;
import dev.taskvs.loadgen.workload.KeySpace;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Classic text: {@code get k1 k2...} answered by VALUE lines of the hits and END; {@code set} by STORED. */
final class TextWire extends WireProtocol
{
    private final TextRequestEncoder encoder = new TextRequestEncoder();

    TextWire(final KeySpace keys)
    {
        super(keys);
    }

    @Override
    public Protocol protocol()
    {
        return Protocol.TEXT;
    }

    @Override
    public ResponseDecoder newDecoder()
    {
        return new TextResponseDecoder();
    }

    @Override
    public int encodeGet(
        final MutableDirectBuffer dst, final int index, final int[] keyIndexes, final int from, final int count,
        final int seq)
    {
        int i = encoder.beginRetrieval(dst, index, TextCommand.GET, 0);
        for (int k = from, end = from + count; k < end; k++)
        {
            i = encoder.appendKey(dst, i, keys.buffer(), keys.offset(keyIndexes[k]), keys.keySize());
        }
        return encoder.endLine(dst, i);
    }

    @Override
    public int encodeSet(
        final MutableDirectBuffer dst, final int index, final int key, final DirectBuffer value, final int valueOffset,
        final int valueLength, final int seq)
    {
        return encoder.set(dst, index, keys.buffer(), keys.offset(key), keys.keySize(), 0, 0, value, valueOffset,
            valueLength);
    }

    @Override
    public int maxGetLength(final int count)
    {
        return 3 + count * (1 + keys.keySize()) + 2;
    }

    @Override
    public int maxSetLength(final int valueLength)
    {
        // "set " key " 0 0 " bytes "\r\n" value "\r\n"
        return 4 + keys.keySize() + 5 + 10 + 2 + valueLength + 2;
    }

    @Override
    public int maxValueUnitLength(final int valueLength)
    {
        // "VALUE " key " " flags " " bytes [" " cas] "\r\n" value "\r\n"
        return 6 + keys.keySize() + 1 + 10 + 1 + 10 + 21 + 2 + valueLength + 2;
    }

    @Override
    public int classifyGet(final Response response, final int count, final int seq)
    {
        switch (response.kind())
        {
            case VALUE: return Reply.HIT;
            case END: return Reply.END;
            case ERROR: case CLIENT_ERROR: case SERVER_ERROR: return Reply.FAILED;
            default: return Reply.UNEXPECTED;
        }
    }

    @Override
    public int classifySet(final Response response, final int seq)
    {
        switch (response.kind())
        {
            case STORED: return Reply.STORED;
            case NOT_STORED: case EXISTS: case NOT_FOUND: case ERROR: case CLIENT_ERROR: case SERVER_ERROR:
                return Reply.FAILED;
            default: return Reply.UNEXPECTED;
        }
    }
}
