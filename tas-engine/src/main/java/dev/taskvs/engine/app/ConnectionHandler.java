package dev.taskvs.engine.app;

/**
 * Callbacks for the events {@link AppContext#poll} delivers, on the app thread that polls. Each has an empty
 * default so a handler implements only what it needs.
 */
public interface ConnectionHandler
{
    /** A connection to one of this context's listening ports is established. */
    default void onAccepted(final TcpConnection connection)
    {
    }

    /** An active open of this context is established. */
    default void onConnected(final TcpConnection connection)
    {
    }

    /** An active open failed; {@code reason} is one of the {@code AppEvents.REASON_*} constants. */
    default void onConnectFailed(final TcpConnection connection, final int reason)
    {
    }

    /** {@code bytes} more bytes can be read; {@link TcpConnection#readable()} has the total. */
    default void onData(final TcpConnection connection, final int bytes)
    {
    }

    /** The peer acknowledged {@code bytes} bytes, which freed that much TX ring space. */
    default void onWritable(final TcpConnection connection, final int bytes)
    {
    }

    /** The peer sent FIN: after what is readable now, nothing more arrives. */
    default void onReadClosed(final TcpConnection connection)
    {
    }

    /** Both directions are closed; the connection is finished and its handle is dead. */
    default void onClosed(final TcpConnection connection)
    {
    }

    /** The connection was reset; {@code reason} is one of the {@code AppEvents.REASON_*} constants. */
    default void onReset(final TcpConnection connection, final int reason)
    {
    }
}
