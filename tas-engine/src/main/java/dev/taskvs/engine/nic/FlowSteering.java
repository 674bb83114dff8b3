package dev.taskvs.engine.nic;

import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.TcpHeader;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Which receive queue (fast-path lane) a TCP segment belongs to: the engine's RSS function. The engine's lanes
 * use it to decide which flows they own; a memory wire with several queues uses it on the sending side to put
 * each frame straight into the ring the receiving lane polls, as a NIC's RSS would on receive.
 * <p>
 * The hash is over the flow as the receiver sees it: (remote address, local port, remote port), i.e. the
 * segment's (source address, destination port, source port). An engine has one local address, so these three
 * name a flow.
 */
public final class FlowSteering
{
    private static final int MIN_TCP_FRAME =
        EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + TcpHeader.MIN_HEADER_LENGTH;

    private FlowSteering()
    {
    }

    /**
     * @param remoteIp   peer address.
     * @param localPort  our port.
     * @param remotePort peer port.
     * @return remote IP in the high 32 bits, then local port, then remote port.
     */
    public static long key(final int remoteIp, final int localPort, final int remotePort)
    {
        return ((long)remoteIp << 32) | ((long)(localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
    }

    /**
     * @param key    from {@link #key}.
     * @param queues number of queues (lanes), at least 1.
     * @return the queue that owns the flow, 0..queues-1.
     */
    public static int queueOf(final long key, final int queues)
    {
        if (queues == 1)
        {
            return 0;
        }
        long h = key * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (int)((h >>> 1) % queues);
    }

    /**
     * The receiving queue of an Ethernet frame: by {@link #queueOf} for an unfragmented IPv4 TCP segment, 0 for
     * everything else (ARP, ICMP, fragments, frames too short to parse; lane 0 hands those to the slow path or
     * drops and counts them like any lane).
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @param queues receiving queues, at least 1.
     * @return the queue.
     */
    public static int queueOfFrame(final DirectBuffer buffer, final int offset, final int length, final int queues)
    {
        if (queues == 1 || length < MIN_TCP_FRAME ||
            buffer.getShort(offset + EthernetFrame.ETHER_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) !=
            EthernetFrame.ETHER_TYPE_IPV4)
        {
            return 0;
        }
        final int ip = offset + EthernetFrame.HEADER_LENGTH;
        final int headerLength = (buffer.getByte(ip) & 0x0F) * 4;
        final int tcp = ip + headerLength;
        if (buffer.getByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ipv4Header.PROTOCOL_TCP ||
            headerLength < Ipv4Header.MIN_HEADER_LENGTH || tcp + 4 > offset + length ||
            (buffer.getShort(ip + Ipv4Header.FLAGS_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN) & 0x3FFF) != 0)
        {
            return 0;
        }
        return queueOf(key(buffer.getInt(ip + Ipv4Header.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN),
            buffer.getShort(tcp + 2, ByteOrder.BIG_ENDIAN), buffer.getShort(tcp, ByteOrder.BIG_ENDIAN)), queues);
    }
}
