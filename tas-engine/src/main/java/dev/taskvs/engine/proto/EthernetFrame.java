package dev.taskvs.engine.proto;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an Ethernet II header. No 802.1Q tag is understood: a tagged frame shows ether type 0x8100
 * and is not for this engine.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination MAC address                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                      Source MAC address                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Ether type          |  Payload ...                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The frame check sequence is neither present nor expected: every backend hands over frames without it.
 */
public final class EthernetFrame
{
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;

    /** Shortest frame on the wire without FCS; shorter frames are padded by the sender (IEEE 802.3 clause 3). */
    public static final int MIN_FRAME_LENGTH = 60;

    public static final int ETHER_TYPE_IPV4 = 0x0800;
    public static final int ETHER_TYPE_ARP = 0x0806;
    public static final int ETHER_TYPE_VLAN = 0x8100;
    public static final int ETHER_TYPE_IPV6 = 0x86DD;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * Point this flyweight at a frame.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @return this for chaining.
     */
    public EthernetFrame wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /** @return offset in the buffer of the first payload byte (the IP or ARP header). */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    public long destination()
    {
        return MacAddress.read(buffer, offset + DESTINATION_OFFSET);
    }

    public EthernetFrame destination(final long mac)
    {
        MacAddress.write(buffer, offset + DESTINATION_OFFSET, mac);
        return this;
    }

    public long source()
    {
        return MacAddress.read(buffer, offset + SOURCE_OFFSET);
    }

    public EthernetFrame source(final long mac)
    {
        MacAddress.write(buffer, offset + SOURCE_OFFSET, mac);
        return this;
    }

    public int etherType()
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public EthernetFrame etherType(final int etherType)
    {
        buffer.putShort(offset + ETHER_TYPE_OFFSET, (short)etherType, ByteOrder.BIG_ENDIAN);
        return this;
    }
}
