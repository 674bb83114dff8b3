package dev.taskvs.engine.proto;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an ARP packet for IPv4 over Ethernet (RFC 826), the only combination the engine speaks.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Hardware type (1)        |     Protocol type (0x0800)    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  HW len (6)   | Proto len (4) |          Operation            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Sender hardware address (6)                   |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |  Sender protocol address (4)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                 Target hardware address (6)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Target protocol address (4)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpPacket
{
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_HARDWARE_OFFSET = 8;
    public static final int SENDER_PROTOCOL_OFFSET = 14;
    public static final int TARGET_HARDWARE_OFFSET = 18;
    public static final int TARGET_PROTOCOL_OFFSET = 24;
    public static final int LENGTH = 28;

    public static final int HARDWARE_TYPE_ETHERNET = 1;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    private MutableDirectBuffer buffer;
    private int offset;

    public ArpPacket wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int offset()
    {
        return offset;
    }

    /** @return true when the fixed fields say IPv4 over Ethernet, the only form the engine answers. */
    public boolean isIpv4OverEthernet()
    {
        return hardwareType() == HARDWARE_TYPE_ETHERNET &&
            protocolType() == EthernetFrame.ETHER_TYPE_IPV4 &&
            (buffer.getByte(offset + HARDWARE_LENGTH_OFFSET) & 0xFF) == MacAddress.LENGTH &&
            (buffer.getByte(offset + PROTOCOL_LENGTH_OFFSET) & 0xFF) == 4;
    }

    /** Write the fixed fields for IPv4 over Ethernet. @return this for chaining. */
    public ArpPacket ipv4OverEthernet()
    {
        buffer.putShort(offset + HARDWARE_TYPE_OFFSET, (short)HARDWARE_TYPE_ETHERNET, ByteOrder.BIG_ENDIAN);
        buffer.putShort(
            offset + PROTOCOL_TYPE_OFFSET, (short)EthernetFrame.ETHER_TYPE_IPV4, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + HARDWARE_LENGTH_OFFSET, (byte)MacAddress.LENGTH);
        buffer.putByte(offset + PROTOCOL_LENGTH_OFFSET, (byte)4);
        return this;
    }

    public int hardwareType()
    {
        return buffer.getShort(offset + HARDWARE_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public int protocolType()
    {
        return buffer.getShort(offset + PROTOCOL_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public int operation()
    {
        return buffer.getShort(offset + OPERATION_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public ArpPacket operation(final int operation)
    {
        buffer.putShort(offset + OPERATION_OFFSET, (short)operation, ByteOrder.BIG_ENDIAN);
        return this;
    }

    public long senderHardware()
    {
        return MacAddress.read(buffer, offset + SENDER_HARDWARE_OFFSET);
    }

    public ArpPacket senderHardware(final long mac)
    {
        MacAddress.write(buffer, offset + SENDER_HARDWARE_OFFSET, mac);
        return this;
    }

    public int senderProtocol()
    {
        return buffer.getInt(offset + SENDER_PROTOCOL_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public ArpPacket senderProtocol(final int address)
    {
        buffer.putInt(offset + SENDER_PROTOCOL_OFFSET, address, ByteOrder.BIG_ENDIAN);
        return this;
    }

    public long targetHardware()
    {
        return MacAddress.read(buffer, offset + TARGET_HARDWARE_OFFSET);
    }

    public ArpPacket targetHardware(final long mac)
    {
        MacAddress.write(buffer, offset + TARGET_HARDWARE_OFFSET, mac);
        return this;
    }

    public int targetProtocol()
    {
        return buffer.getInt(offset + TARGET_PROTOCOL_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public ArpPacket targetProtocol(final int address)
    {
        buffer.putInt(offset + TARGET_PROTOCOL_OFFSET, address, ByteOrder.BIG_ENDIAN);
        return this;
    }
}
