package dev.taskvs.loadgen.stack;

/** What a {@link StackLoop} reports while polling; every call is on the loop's own thread. */
public interface StackHandler
{
    /** The connection {@code id} finished connecting. */
    void onConnected(int id);

    /** Connecting {@code id} failed; the stack has already released it. */
    void onConnectFailed(int id, Exception cause);

    /** Bytes (or end of stream) are waiting on {@code id}. */
    void onReadable(int id);

    /** {@code id} can take more bytes after a short write. */
    void onWritable(int id);
}
