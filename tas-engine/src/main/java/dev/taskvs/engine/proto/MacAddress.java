package dev.taskvs.engine.proto;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * 48-bit MAC addresses carried as the low 48 bits of a {@code long}, most significant byte first as on the
 * wire, so that comparing and hashing them costs nothing and no {@code byte[]} is allocated per frame.
 */
public final class MacAddress
{
    /** Length of a MAC address on the wire. */
    public static final int LENGTH = 6;

    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** 00:00:00:00:00:00, the unknown target hardware address of an ARP request. */
    public static final long ZERO = 0L;

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    private MacAddress()
    {
    }

    /**
     * Read a MAC address from the wire.
     *
     * @param buffer to read from.
     * @param offset of the first of the 6 bytes.
     * @return the address in the low 48 bits.
     */
    public static long read(final DirectBuffer buffer, final int offset)
    {
        return ((long)(buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF) << 32) |
            (buffer.getInt(offset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    /**
     * Write a MAC address to the wire.
     *
     * @param buffer  to write to.
     * @param offset  of the first of the 6 bytes.
     * @param address in the low 48 bits.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final long address)
    {
        buffer.putShort(offset, (short)(address >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)address, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Whether the group bit (the least significant bit of the first octet) is set: broadcast and multicast.
     *
     * @param address to test.
     * @return true for group addresses.
     */
    public static boolean isGroup(final long address)
    {
        return (address & 0x0100_0000_0000L) != 0;
    }

    /**
     * Parse "aa:bb:cc:dd:ee:ff" (or with '-'); for configuration, not the data path.
     *
     * @param text to parse.
     * @return the address.
     * @throws IllegalArgumentException naming the text when it is not a MAC address.
     */
    public static long parse(final String text)
    {
        final String[] parts = text.split("[:-]");
        if (parts.length != LENGTH)
        {
            throw new IllegalArgumentException("not a MAC address (want 6 octets): " + text);
        }
        long address = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 2)
            {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + part + "'): " + text);
            }
            try
            {
                address = (address << 8) | Integer.parseInt(part, 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + part + "'): " + text, ex);
            }
        }
        return address;
    }

    /**
     * Format as "aa:bb:cc:dd:ee:ff"; for logs and configuration, not the data path.
     *
     * @param address in the low 48 bits.
     * @return the text.
     */
    public static String toString(final long address)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)((address & MASK) >>> shift) & 0xFF;
            if (sb.length() > 0)
            {
                sb.append(':');
            }
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return sb.toString();
    }
}
