package dev.taskvs.engine.tcp;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;

/** A pass-through {@link PacketIo} for test wrappers to override one call of. */
abstract class FilterPacketIoBase implements PacketIo
{
    protected final PacketIo inner;

    FilterPacketIoBase(final PacketIo inner)
    {
        this.inner = inner;
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        return inner.receive(rx);
    }

    @Override
    public void release(final FrameBatch rx)
    {
        inner.release(rx);
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        return inner.allocate(tx, count);
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        return inner.transmit(tx);
    }

    @Override
    public long macAddress()
    {
        return inner.macAddress();
    }

    @Override
    public int mtu()
    {
        return inner.mtu();
    }

    @Override
    public int maxFrameLength()
    {
        return inner.maxFrameLength();
    }

    @Override
    public String name()
    {
        return "test:" + inner.name();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
