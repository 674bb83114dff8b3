package dev.taskvs.loadgen.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Linux kernel sockets through NIO: one {@link Selector} per worker, non-blocking channels with TCP_NODELAY,
 * reads and writes in place on direct buffers. Readiness is dispatched with {@link Selector#select(Consumer, long)}
 * so polling allocates nothing (iterating {@code selectedKeys()} would make an iterator per poll).
 */
public final class KernelStack implements LoadStack
{
    @Override
    public String name()
    {
        return "kernel";
    }

    @Override
    public StackLoop newLoop(final int capacity) throws IOException
    {
        return new Loop(capacity);
    }

    static final class Loop implements StackLoop, Consumer<SelectionKey>
    {
        private final Selector selector;
        private final SocketChannel[] channels;
        private final SelectionKey[] keys;
        private final DirectSlabs buffers = new DirectSlabs();
        private StackHandler handler;

        Loop(final int capacity) throws IOException
        {
            selector = Selector.open();
            channels = new SocketChannel[capacity];
            keys = new SelectionKey[capacity];
        }

        @Override
        public MutableDirectBuffer allocate(final int capacity)
        {
            return buffers.allocate(capacity);
        }

        @Override
        public void connect(final int id, final InetSocketAddress address) throws IOException
        {
            final SocketChannel channel = SocketChannel.open();
            try
            {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final boolean connected = channel.connect(address);
                final SelectionKey key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, id);
                channels[id] = channel;
                keys[id] = key;
                if (connected)
                {
                    key.interestOps(SelectionKey.OP_READ);
                    pendingConnected(id);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                CloseHelper.quietClose(channel);
                throw ex;
            }
        }

        private int[] connectedNow = new int[16];
        private int connectedNowCount;

        /** A connect that completed at once (loopback) is reported on the next poll, like any other. */
        private void pendingConnected(final int id)
        {
            if (connectedNowCount == connectedNow.length)
            {
                connectedNow = java.util.Arrays.copyOf(connectedNow, connectedNow.length * 2);
            }
            connectedNow[connectedNowCount++] = id;
        }

        @Override
        public int poll(final long timeoutNanos, final StackHandler handler) throws IOException
        {
            this.handler = handler;
            int events = 0;
            if (connectedNowCount > 0)
            {
                for (int i = 0; i < connectedNowCount; i++)
                {
                    handler.onConnected(connectedNow[i]);
                }
                events = connectedNowCount;
                connectedNowCount = 0;
            }
            if (timeoutNanos <= 0 || events > 0)
            {
                return events + selector.selectNow(this);
            }
            // epoll_wait takes milliseconds: round up so a wait never ends early and spins.
            final long millis = Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
            return events + selector.select(this, millis);
        }

        @Override
        public void accept(final SelectionKey key)
        {
            final int id = (Integer)key.attachment();
            if (!key.isValid())
            {
                return;
            }
            final int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0)
            {
                finishConnect(id, key);
                return;
            }
            if ((ready & SelectionKey.OP_READ) != 0)
            {
                handler.onReadable(id);
            }
            if ((ready & SelectionKey.OP_WRITE) != 0 && key.isValid())
            {
                handler.onWritable(id);
            }
        }

        private void finishConnect(final int id, final SelectionKey key)
        {
            try
            {
                if (channels[id].finishConnect())
                {
                    key.interestOps(SelectionKey.OP_READ);
                    handler.onConnected(id);
                }
            }
            catch (final IOException ex)
            {
                close(id);
                handler.onConnectFailed(id, ex);
            }
        }

        @Override
        public int read(final int id, final MutableDirectBuffer dst, final int offset, final int length)
            throws IOException
        {
            final ByteBuffer bb = dst.byteBuffer();
            final int start = dst.wrapAdjustment() + offset;
            bb.limit(start + length).position(start);
            return channels[id].read(bb);
        }

        @Override
        public int write(final int id, final DirectBuffer src, final int offset, final int length) throws IOException
        {
            final ByteBuffer bb = src.byteBuffer();
            final int start = src.wrapAdjustment() + offset;
            bb.limit(start + length).position(start);
            return channels[id].write(bb);
        }

        @Override
        public void writeInterest(final int id, final boolean on)
        {
            final SelectionKey key = keys[id];
            if (key != null && key.isValid())
            {
                key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        }

        @Override
        public void close(final int id)
        {
            if (keys[id] != null)
            {
                keys[id].cancel();
                keys[id] = null;
            }
            CloseHelper.quietClose(channels[id]);
            channels[id] = null;
        }

        @Override
        public void close()
        {
            for (int i = 0; i < channels.length; i++)
            {
                if (channels[i] != null)
                {
                    close(i);
                }
            }
            CloseHelper.quietClose(selector);
        }
    }
}
