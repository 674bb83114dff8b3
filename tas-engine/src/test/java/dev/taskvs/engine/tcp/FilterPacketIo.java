package dev.taskvs.engine.tcp;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.TcpHeader;
import org.agrona.MutableDirectBuffer;

/** Withdraws transmitted frames that a test-controlled rule picks: "drop the next two SYNs", "cut the wire". */
final class FilterPacketIo implements PacketIo
{
    interface Rule
    {
        boolean drop(int tcpFlags, int payloadLength);
    }

    private final PacketIo inner;
    volatile Rule rule = (flags, length) -> false;
    int dropped;

    FilterPacketIo(final PacketIo inner)
    {
        this.inner = inner;
    }

    /** Drop the next {@code count} segments that carry all of {@code flags} (and no others of SYN/ACK/RST). */
    void dropNext(final int count, final int flags)
    {
        final int[] left = {count};
        rule = (f, length) ->
        {
            if (left[0] > 0 && (f & (TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK | TcpHeader.FLAG_RST)) == flags)
            {
                left[0]--;
                return true;
            }
            return false;
        };
    }

    void cut()
    {
        rule = (f, length) -> true;
    }

    void heal()
    {
        rule = (f, length) -> false;
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
        for (int i = 0; i < tx.size(); i++)
        {
            final MutableDirectBuffer buffer = tx.buffer(i);
            final int offset = tx.offset(i);
            if (tx.length(i) >= 54 &&
                (buffer.getShort(offset + 12, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) == EthernetFrame.ETHER_TYPE_IPV4)
            {
                final Ipv4Header ip = new Ipv4Header().wrap(buffer, offset + 14);
                if (ip.protocol() == Ipv4Header.PROTOCOL_TCP)
                {
                    final TcpHeader tcp = new TcpHeader().wrap(buffer, offset + 34);
                    final int payload = ip.totalLength() - 20 - tcp.headerLength();
                    if (rule.drop(tcp.flags(), payload))
                    {
                        tx.length(i, 0);
                        dropped++;
                    }
                }
            }
        }
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
        return "filter:" + inner.name();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
