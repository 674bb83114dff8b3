package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Small app handlers the tests run on the engines: an echo server, a pattern sender and a checker. */
final class StreamApps
{
    private StreamApps()
    {
    }

    /** Echoes every byte back, copying from the RX ring straight into the TX ring. */
    static class EchoServer implements ConnectionHandler
    {
        int accepted;
        int closed;
        int resets;
        long echoed;
        boolean closeOnEof = true;

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            accepted++;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            pump(connection);
        }

        @Override
        public void onWritable(final TcpConnection connection, final int bytes)
        {
            pump(connection);
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            pump(connection);
        }

        void pump(final TcpConnection connection)
        {
            while (connection.isOpen())
            {
                final int n = Math.min(connection.rxContiguous(), connection.txContiguous());
                if (n == 0)
                {
                    break;
                }
                connection.txBuffer().putBytes(connection.txOffset(), connection.rxBuffer(), connection.rxOffset(), n);
                connection.commit(n);
                connection.consume(n);
                echoed += n;
            }
            if (closeOnEof && connection.isOpen() && connection.isReadClosed() && connection.readable() == 0)
            {
                connection.close();
            }
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            closed++;
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            resets++;
        }
    }

    /** Sends {@code total} pattern bytes, checks {@code expectBack} pattern bytes coming back, then shuts down. */
    static class PatternPeer implements ConnectionHandler
    {
        final long total;
        final long expectBack;
        final int seedOut;
        final int seedIn;
        long sent;
        long received;
        long mismatches = 0;
        long firstMismatch = -1;
        boolean connected;
        boolean readClosed;
        boolean closed;
        int resetReason;
        int connectFailed;
        boolean shutdownWhenSent = true;
        boolean read = true;
        TcpConnection connection;

        PatternPeer(final long total, final long expectBack, final int seedOut, final int seedIn)
        {
            this.total = total;
            this.expectBack = expectBack;
            this.seedOut = seedOut;
            this.seedIn = seedIn;
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            connected = true;
            this.connection = connection;
            send(connection);
        }

        @Override
        public void onAccepted(final TcpConnection connection)
        {
            onConnected(connection);
        }

        @Override
        public void onConnectFailed(final TcpConnection connection, final int reason)
        {
            connectFailed = reason;
        }

        @Override
        public void onWritable(final TcpConnection connection, final int bytes)
        {
            send(connection);
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            if (read)
            {
                drain(connection);
            }
        }

        void drain(final TcpConnection connection)
        {
            while (connection.isOpen() && connection.readable() > 0)
            {
                final int n = connection.rxContiguous();
                final DirectBuffer rx = connection.rxBuffer();
                final int at = connection.rxOffset();
                for (int i = 0; i < n; i++)
                {
                    if (rx.getByte(at + i) != Pattern.at(received + i, seedIn))
                    {
                        if (firstMismatch < 0)
                        {
                            firstMismatch = received + i;
                        }
                        mismatches++;
                    }
                }
                received += n;
                connection.consume(n);
            }
        }

        void send(final TcpConnection connection)
        {
            while (connection.isOpen() && sent < total)
            {
                final int n = (int)Math.min(connection.txContiguous(), total - sent);
                if (n == 0)
                {
                    break;
                }
                final MutableDirectBuffer tx = connection.txBuffer();
                final int at = connection.txOffset();
                for (int i = 0; i < n; i++)
                {
                    tx.putByte(at + i, Pattern.at(sent + i, seedOut));
                }
                connection.commit(n);
                sent += n;
            }
            if (sent == total && shutdownWhenSent && connection.isOpen())
            {
                connection.shutdownOutput();
            }
        }

        @Override
        public void onReadClosed(final TcpConnection connection)
        {
            readClosed = true;
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            closed = true;
        }

        @Override
        public void onReset(final TcpConnection connection, final int reason)
        {
            resetReason = reason;
        }
    }
}
