package dev.taskvs.loadgen.stack;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link StackLoop} whose connections expose their receive and transmit rings, so the worker decodes replies
 * where they landed and encodes requests where they will be sent (the engine's zero-copy views). Regions may
 * wrap at the ring's end: the {@code ...Contiguous} methods give the part up to the end, and the copying
 * {@link #read}/{@link #write} handle a wrap. Every method is on the loop's thread; an id that is not open reads
 * as empty ({@code readable} -1, no transmit room).
 */
public interface ZeroCopyLoop extends StackLoop
{
    /** @return bytes received and not consumed; -1 when the connection is gone or the peer closed and all is read. */
    int readable(int id);

    /** @return the receive ring, to read in place at {@link #rxOffset}; valid until the next call for any id. */
    DirectBuffer rxBuffer(int id);

    /** @return ring offset of the first unconsumed byte. */
    int rxOffset(int id);

    /** @return readable bytes from {@link #rxOffset} up to the ring's end. */
    int rxContiguous(int id);

    /** @return the receive ring's size. */
    int rxCapacity(int id);

    /** Release {@code bytes} read in place (they go back into the receive window). */
    void consume(int id, int bytes);

    /** @return the transmit ring, to write in place at {@link #txOffset}; valid until the next call for any id. */
    MutableDirectBuffer txBuffer(int id);

    /**
     * @return ring offset of the next byte to send. An empty ring may start over elsewhere when this or
     * {@link #txContiguous} is asked, so commit bytes written in place before asking either again.
     */
    int txOffset(int id);

    /** @return free transmit bytes from {@link #txOffset} up to the ring's end; 0 when not open. */
    int txContiguous(int id);

    /** Send {@code bytes} written in place at {@link #txOffset}. */
    void commit(int id, int bytes);
}
