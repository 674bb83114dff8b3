package dev.taskvs.client.codec;

import org.agrona.DirectBuffer;

/**
 * An incremental decoder of one protocol's response stream. Each call decodes at most one response unit
 * (one line, one line plus its data block, or one binary packet) from the front of a buffer region.
 */
public interface ResponseDecoder
{
    /** Returned when the region starts with bytes that no valid response starts with: the stream is lost. */
    int MALFORMED = -1;

    /**
     * Decode one response unit.
     *
     * @param buffer   holding the received bytes.
     * @param offset   of the first undecoded byte.
     * @param length   of the undecoded bytes available.
     * @param response filled in when a unit is decoded; its regions point into {@code buffer} and stay valid
     *                 only until those bytes are overwritten.
     * @return bytes consumed, 0 when the unit is not complete yet, or {@link #MALFORMED} (the reason is in
     * {@link Response#malformedReason()}).
     */
    int decode(DirectBuffer buffer, int offset, int length, Response response);

    /**
     * The number of bytes the unit at the front needs in total, known once its header or line is in; 0 when not
     * yet known. Lets a reader grow its buffer once for a large value instead of doubling repeatedly.
     */
    int pendingUnitLength();
}
