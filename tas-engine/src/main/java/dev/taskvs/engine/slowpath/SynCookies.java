package dev.taskvs.engine.slowpath;

import java.security.SecureRandom;

/**
 * SYN cookies (RFC 4987 section 3.6): when a listener's half-open connections reach its backlog, the SYN-ACK's
 * initial sequence number carries what the connection needs, and the slow path keeps no state until the peer's
 * ACK returns it. Linux does the same past its SYN queue; TAS drops those SYNs.
 * <pre>
 *  bits 31..11  21-bit keyed hash of the peer, both ports, the peer's ISN, the whole slot number and bits 10..0
 *  bits 10..9   time slot: nanoseconds / 2^36 (about 69 s), modulo 4; a cookie is good in its slot and the next.
 *               The hash takes the slot's whole number, so a cookie does not come back four slots later.
 *  bits  8..6   index into {@link #MSS_TABLE}: the largest entry not above the flow's MSS
 *  bits  5..2   the peer's window scale, 15 when it offered none
 *  bit      1   the peer offered SACK
 *  bit      0   the peer offered timestamps
 * </pre>
 * The hash is SipHash-2-4 of two words under a random 128-bit key drawn when the engine starts, so a peer that
 * cannot see the SYN-ACKs guesses a valid cookie once in 2^21 tries. ECN is not carried: a cookie connection runs
 * without it.
 */
final class SynCookies
{
    static final int[] MSS_TABLE = {536, 1200, 1360, 1400, 1440, 1460, 4016, 8960};
    static final int NO_WINDOW_SCALE = 15;
    private static final int SLOT_SHIFT = 36;
    /** A cookie made at the start of one slot is still good at the end of the next. */
    static final long LIFETIME_NS = 2L << SLOT_SHIFT;
    private static final int OPTION_BITS = 11;
    private static final int OPTION_MASK = (1 << OPTION_BITS) - 1;

    private final long k0;
    private final long k1;

    SynCookies()
    {
        final SecureRandom random = new SecureRandom();
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
    }

    SynCookies(final long k0, final long k1)
    {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * @param mss          the flow's MSS (the lower of the peer's and ours).
     * @param windowScale  the peer's window scale, or -1 when it offered none (or we do not scale).
     * @param sack         SACK-permitted is negotiated.
     * @param timestamps   timestamps are negotiated.
     * @return the option bits of a cookie.
     */
    static int options(final int mss, final int windowScale, final boolean sack, final boolean timestamps)
    {
        int index = 0;
        while (index + 1 < MSS_TABLE.length && MSS_TABLE[index + 1] <= mss)
        {
            index++;
        }
        final int scale = windowScale < 0 ? NO_WINDOW_SCALE : Math.min(windowScale, 14);
        return (index << 6) | (scale << 2) | (sack ? 2 : 0) | (timestamps ? 1 : 0);
    }

    static int mss(final int cookie)
    {
        return MSS_TABLE[(cookie >>> 6) & 7];
    }

    /** @return the peer's window scale, or -1 when window scaling is off. */
    static int windowScale(final int cookie)
    {
        final int scale = (cookie >>> 2) & 15;
        return scale == NO_WINDOW_SCALE ? -1 : scale;
    }

    static boolean sack(final int cookie)
    {
        return (cookie & 2) != 0;
    }

    static boolean timestamps(final int cookie)
    {
        return (cookie & 1) != 0;
    }

    /**
     * @param key        the flow's key (peer address and both ports, {@code FlowRecord.key}).
     * @param peerIsn    the sequence number of the peer's SYN.
     * @param nowNs      the engine's clock.
     * @param options    from {@link #options}.
     * @return the ISN for the SYN-ACK.
     */
    int make(final long key, final int peerIsn, final long nowNs, final int options)
    {
        final long slot = nowNs >>> SLOT_SHIFT;
        final int low = ((int)slot & 3) << 9 | options;
        return hash(key, peerIsn, slot, low) << OPTION_BITS | low;
    }

    /**
     * @param key        the flow's key.
     * @param peerIsn    the peer's ISN: the ACK's sequence number minus one.
     * @param cookie     our ISN: the ACK's acknowledgment number minus one.
     * @param nowNs      the engine's clock.
     * @return true when this engine made the cookie for this flow in this time slot or the one before.
     */
    boolean check(final long key, final int peerIsn, final int cookie, final long nowNs)
    {
        final int low = cookie & OPTION_MASK;
        final int tag = (low >>> 9) & 3;
        final long now = nowNs >>> SLOT_SHIFT;
        final long slot;
        if (((int)now & 3) == tag)
        {
            slot = now;
        }
        else if (((int)(now - 1) & 3) == tag)
        {
            slot = now - 1;
        }
        else
        {
            return false;
        }
        return (cookie >>> OPTION_BITS) == hash(key, peerIsn, slot, low);
    }

    private int hash(final long key, final int peerIsn, final long slot, final int low)
    {
        // The slot's number wraps after 2^21 slots (4.6 years); bits 11..31 of the second word are free for it.
        final long message = ((long)peerIsn << 32) | (slot & 0x1F_FFFFL) << OPTION_BITS | low;
        return (int)(sipHash24(k0, k1, key, message) >>> (64 - (32 - OPTION_BITS)));
    }

    /** SipHash-2-4 (Aumasson and Bernstein) of a 16-byte message given as two little-endian words. */
    static long sipHash24(final long k0, final long k1, final long m0, final long m1)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        long m = 0;
        // Rounds 0-5 compress three words two rounds each (m0, m1, then the length 16 in the top byte); rounds
        // 6-9 finalise. One round body, so no array of words is made per SYN.
        for (int round = 0; round < 10; round++)
        {
            if (round < 6 && (round & 1) == 0)
            {
                m = round == 0 ? m0 : round == 2 ? m1 : 16L << 56;
                v3 ^= m;
            }
            else if (round == 6)
            {
                v2 ^= 0xff;
            }
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
            if (round < 6 && (round & 1) == 1)
            {
                v0 ^= m;
            }
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
