package dev.taskvs.loadgen.stack;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One worker thread's view of a network stack: many non-blocking connections named by small integer ids that the
 * worker chooses, one poll that reports readiness. The load logic (schedules, codecs, verification, recording)
 * sits above this interface, so kernel sockets and the userspace engine drive the same worker.
 * <p>
 * Buffers passed to {@link #read} and {@link #write} must come from {@link #allocate} (the kernel loop reads and
 * writes them in place).
 */
public interface StackLoop extends AutoCloseable
{
    /** A buffer suitable for {@link #read} and {@link #write}. */
    MutableDirectBuffer allocate(int capacity);

    /** Start connecting {@code id} (ids are {@code 0..capacity-1}); completion comes through the handler. */
    void connect(int id, InetSocketAddress address) throws IOException;

    /**
     * Wait at most {@code timeoutNanos} for readiness (0: do not wait) and dispatch it to the handler.
     *
     * @return the number of events dispatched.
     */
    int poll(long timeoutNanos, StackHandler handler) throws IOException;

    /** @return bytes read, 0 when nothing is there, -1 at end of stream. */
    int read(int id, MutableDirectBuffer dst, int offset, int length) throws IOException;

    /** @return bytes the stack took (possibly fewer than {@code length}). */
    int write(int id, DirectBuffer src, int offset, int length) throws IOException;

    /** Ask for (or stop asking for) {@link StackHandler#onWritable} on {@code id}. */
    void writeInterest(int id, boolean on);

    /** Close one connection; its id may be connected again. */
    void close(int id);

    /** Close every connection and the loop. */
    @Override
    void close();
}
