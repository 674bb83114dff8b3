package dev.taskvs.engine.proto;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The Internet checksum: the 16-bit one's complement of the one's complement sum of 16-bit big-endian words
 * (RFC 1071), its incremental update (RFC 1624) and the TCP/UDP pseudo-header sum (RFC 9293 section 3.1,
 * RFC 768).
 * <p>
 * Sums are carried as a {@code long} "partial sum" that has not been folded yet, so a caller can add the
 * pseudo-header, the header and the payload in pieces and fold once. A partial sum stays exact for any
 * realistic frame: each step adds at most 2^32, so a 64-bit accumulator cannot overflow below 2^31 words.
 */
public final class InternetChecksum
{
    /** The value of a folded sum over data that includes a correct checksum field. */
    public static final int VALID_SUM = 0xFFFF;

    private InternetChecksum()
    {
    }

    /**
     * Add the bytes {@code [offset, offset + length)} to a partial sum, as 16-bit big-endian words; an odd
     * trailing byte is padded with a zero byte on the right (RFC 1071 section 4.1).
     * <p>
     * The loop adds 32-bit words: the one's complement sum is independent of how the words are grouped once
     * the carries are folded back in (RFC 1071 section 2, "parallel summation"), and it halves the loads.
     *
     * @param buffer  holding the data.
     * @param offset  of the first byte.
     * @param length  in bytes.
     * @param initial partial sum to add to.
     * @return the new partial sum, not folded.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        long sum = initial;
        int i = offset;
        final int end = offset + length;
        final int end4 = end - 3;
        while (i < end4)
        {
            sum += buffer.getInt(i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 1 < end)
        {
            sum += buffer.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            sum += (buffer.getByte(i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Fold a partial sum to 16 bits by adding the carries back in (end-around carry).
     *
     * @param partialSum to fold.
     * @return the 16-bit one's complement sum.
     */
    public static int fold(final long partialSum)
    {
        long sum = partialSum;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    /**
     * Finish a partial sum into the checksum to store: the one's complement of the folded sum.
     *
     * @param partialSum to finish.
     * @return the checksum, 0..0xFFFF.
     */
    public static int finish(final long partialSum)
    {
        return ~fold(partialSum) & 0xFFFF;
    }

    /**
     * Checksum of one contiguous region (the IPv4 header, an ICMP message).
     *
     * @param buffer holding the data.
     * @param offset of the first byte.
     * @param length in bytes.
     * @return the checksum to store, computed with the checksum field as it currently is in the buffer.
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return finish(sum(buffer, offset, length, 0));
    }

    /**
     * Whether a region that includes its own checksum field sums to all ones, i.e. is intact.
     *
     * @param buffer holding the data.
     * @param offset of the first byte.
     * @param length in bytes.
     * @param initial partial sum to start from (the pseudo-header for TCP and UDP, else 0).
     * @return true when the data is consistent with its checksum.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        return fold(sum(buffer, offset, length, initial)) == VALID_SUM;
    }

    /**
     * Partial sum of the IPv4 pseudo-header used by TCP and UDP: source, destination, zero, protocol and the
     * length of the TCP/UDP header plus data (RFC 9293 section 3.1).
     *
     * @param sourceAddress      IPv4 source, as an int in network order of significance.
     * @param destinationAddress IPv4 destination.
     * @param protocol           IP protocol number.
     * @param length             of the transport header plus payload in bytes.
     * @return the partial sum, not folded.
     */
    public static long pseudoHeaderSum(
        final int sourceAddress, final int destinationAddress, final int protocol, final int length)
    {
        return (sourceAddress >>> 16) + (sourceAddress & 0xFFFF) +
            (destinationAddress >>> 16) + (destinationAddress & 0xFFFF) +
            (protocol & 0xFF) + (length & 0xFFFF);
    }

    /**
     * Update a checksum after one 16-bit word of the covered data changed, without summing the data again:
     * HC' = ~(~HC + ~m + m') (RFC 1624 section 3, equation 3). Unlike equation 2 of RFC 1141 this never
     * produces 0xFFFF ("negative zero") where a full computation would give 0x0000, with one exception that
     * cannot arise for IPv4 headers since their sum is never zero.
     *
     * @param checksum the stored checksum.
     * @param oldWord  the 16-bit word before the change.
     * @param newWord  the 16-bit word after the change.
     * @return the updated checksum.
     */
    public static int update16(final int checksum, final int oldWord, final int newWord)
    {
        final long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Update a checksum after a 32-bit field (an address, a sequence number) changed; see {@link #update16}.
     *
     * @param checksum the stored checksum.
     * @param oldValue the 32-bit field before the change.
     * @param newValue the 32-bit field after the change.
     * @return the updated checksum.
     */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        final long sum = (~checksum & 0xFFFF) +
            (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF) +
            ((newValue >>> 16) & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }
}
