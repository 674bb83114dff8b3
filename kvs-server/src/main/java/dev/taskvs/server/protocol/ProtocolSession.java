package dev.taskvs.server.protocol;

import org.agrona.DirectBuffer;

/**
 * One connection's protocol state machine, independent of the transport (kernel sockets or the engine).
 * <p>
 * The transport hands it the bytes received and not yet consumed; the session answers every complete request
 * in order into the {@link ResponseBuffer} and says how many bytes it consumed. Bytes of an incomplete request
 * stay with the transport, which offers them again with more appended.
 */
public interface ProtocolSession
{
    /**
     * Handles complete requests from {@code in[offset, offset + length)}.
     * <p>
     * Stops early, leaving the rest unconsumed, when {@code out} holds more than the configured high-water
     * mark (back-pressure: the transport then stops reading from this connection until the output drains),
     * when {@link #closeRequested()} becomes true, or after the configured requests-per-event.
     *
     * @return bytes consumed, 0..length.
     */
    int process(DirectBuffer in, int offset, int length, ResponseBuffer out);

    /**
     * How many bytes the session must see in one piece to make progress, when the last {@link #process} left an
     * incomplete request: the transport grows its receive buffer to at least this. 0 when unknown.
     */
    int bytesNeeded();

    /** True once the connection should be closed after the pending output is flushed (quit, protocol error). */
    boolean closeRequested();

    /** Called by the transport when the connection is gone, to release anything the session holds. */
    default void onClose()
    {
    }
}
