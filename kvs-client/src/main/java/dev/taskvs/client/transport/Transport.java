package dev.taskvs.client.transport;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A connected byte stream to one server, as the clients see it: kernel sockets now ({@link KernelTransport}), the
 * userspace TCP engine later. One thread may write while another reads; writes are not thread-safe among
 * themselves, nor reads.
 */
public interface Transport extends AutoCloseable
{
    /** Read timeout meaning "wait until data, end of stream or close". */
    long WAIT_FOREVER = -1;

    /**
     * Send all {@code length} bytes, blocking until the stack has taken them.
     *
     * @throws IOException if the connection fails or is closed.
     */
    void write(DirectBuffer src, int offset, int length) throws IOException;

    /**
     * Receive at most {@code length} bytes into {@code dst} at {@code offset}.
     *
     * @param timeoutNanos how long to wait for the first byte; {@link #WAIT_FOREVER} to wait until data arrives or
     *                     the transport is closed.
     * @return bytes read; 0 on timeout or close; -1 at end of stream.
     * @throws IOException if the connection fails.
     */
    int read(MutableDirectBuffer dst, int offset, int length, long timeoutNanos) throws IOException;

    boolean isOpen();

    /** Close the connection; wakes a reader blocked in {@link #read}. Idempotent. */
    @Override
    void close();
}
