package dev.taskvs.loadgen.protocol;

import dev.taskvs.client.Protocol;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.loadgen.workload.KeySpace;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The requests the generator sends in one protocol and how their replies are read, on top of kvs-client's
 * allocation-free encoders and incremental decoders. Gets ask the server to echo the key (text VALUE lines do;
 * meta {@code k}; binary GetK/GetKQ) so each value is checked against the key it claims to be for. A multi-get is
 * one text line, or quiet meta/binary gets ended by {@code mn}/Noop, so only hits come back.
 * One instance per worker thread.
 */
public abstract class WireProtocol
{
    protected final KeySpace keys;

    protected WireProtocol(final KeySpace keys)
    {
        this.keys = keys;
    }

    public static WireProtocol of(final Protocol protocol, final KeySpace keys)
    {
        switch (protocol)
        {
            case TEXT: return new TextWire(keys);
            case META: return new MetaWire(keys);
            default: return new BinaryWire(keys);
        }
    }

    public abstract Protocol protocol();

    public abstract ResponseDecoder newDecoder();

    /**
     * A get of {@code count} keys {@code keyIndexes[from..from+count)}; {@code seq} may go on the wire as an opaque.
     *
     * @return the index after the request.
     */
    public abstract int encodeGet(MutableDirectBuffer dst, int index, int[] keyIndexes, int from, int count, int seq);

    /** A set of {@code key} to the value region. */
    public abstract int encodeSet(
        MutableDirectBuffer dst, int index, int key, DirectBuffer value, int valueOffset, int valueLength, int seq);

    /** Upper bound of {@link #encodeGet} for {@code count} keys. */
    public abstract int maxGetLength(int count);

    /** Upper bound of {@link #encodeSet} for a value of {@code valueLength}. */
    public abstract int maxSetLength(int valueLength);

    /** Upper bound of one reply unit carrying a value of {@code valueLength}. */
    public abstract int maxValueUnitLength(int valueLength);

    /**
     * Classify a unit that arrived for a get of {@code count} keys with sequence {@code seq}: one of the
     * {@link Reply} constants. For {@link Reply#HIT} and {@link Reply#HIT_LAST} the key and value regions of the
     * response are set.
     */
    public abstract int classifyGet(Response response, int count, int seq);

    /** Classify a unit that arrived for a set with sequence {@code seq}. */
    public abstract int classifySet(Response response, int seq);

    /** For {@link Reply#FAILED}: which error. */
    public ErrorKind errorKind(final Response response)
    {
        return ErrorKind.of(response.kind());
    }

    protected final int putKey(final MutableDirectBuffer dst, final int index, final int key)
    {
        final int size = keys.keySize();
        dst.putBytes(index, keys.buffer(), keys.offset(key), size);
        return index + size;
    }
}
