package dev.taskvs.engine.slowpath;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynCookiesTest
{
    private static final long SLOT_NS = 1L << 36;
    private static final long KEY = 0x0AD3_0103_9C40_1B58L;

    /** SipHash-2-4 over any bytes, straight from the paper's description, to check the two-word version against. */
    private static long sipHashBytes(final long k0, final long k1, final byte[] message)
    {
        final long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L,
            k1 ^ 0x7465646279746573L};
        final int blocks = message.length / 8 + 1;
        for (int b = 0; b < blocks; b++)
        {
            long m = 0;
            for (int i = 0; i < 8; i++)
            {
                final int at = b * 8 + i;
                if (at < message.length)
                {
                    m |= (message[at] & 0xFFL) << (8 * i);
                }
            }
            if (b == blocks - 1)
            {
                m |= ((long)message.length & 0xFF) << 56;
            }
            v[3] ^= m;
            sipRound(v);
            sipRound(v);
            v[0] ^= m;
        }
        v[2] ^= 0xff;
        for (int r = 0; r < 4; r++)
        {
            sipRound(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void sipRound(final long[] v)
    {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }

    private static byte[] counting(final int length)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)i;
        }
        return b;
    }

    @Test
    void shouldComputeSipHash24()
    {
        final long k0 = 0x0706050403020100L;
        final long k1 = 0x0f0e0d0c0b0a0908L;
        // The SipHash paper's appendix: key 00..0f, message 00..0e.
        assertEquals(0xa129ca6149be45e5L, sipHashBytes(k0, k1, counting(15)));
        final byte[] sixteen = counting(16);
        assertEquals(sipHashBytes(k0, k1, sixteen),
            SynCookies.sipHash24(k0, k1, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
        assertEquals(sipHashBytes(k1, k0, sixteen),
            SynCookies.sipHash24(k1, k0, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
    }

    @Test
    void shouldCarryTheOptionsItWasMadeWith()
    {
        final int bits = SynCookies.options(1460, 7, true, true);
        assertEquals(1460, SynCookies.mss(bits));
        assertEquals(7, SynCookies.windowScale(bits));
        assertTrue(SynCookies.sack(bits));
        assertTrue(SynCookies.timestamps(bits));

        final int none = SynCookies.options(1000, -1, false, false);
        assertEquals(536, SynCookies.mss(none), "rounded down to the table");
        assertEquals(-1, SynCookies.windowScale(none));
        assertFalse(SynCookies.sack(none));
        assertFalse(SynCookies.timestamps(none));
        assertEquals(8960, SynCookies.mss(SynCookies.options(65495, 0, false, false)));
        assertEquals(0, SynCookies.windowScale(SynCookies.options(1460, 0, false, false)));
        assertEquals(14, SynCookies.windowScale(SynCookies.options(1460, 14, false, false)));
    }

    @Test
    void shouldAcceptItsCookieInItsSlotAndTheNextOnly()
    {
        final SynCookies cookies = new SynCookies(1, 2);
        final long now = 5 * SLOT_NS + 100;
        final int cookie = cookies.make(KEY, 123_456, now, SynCookies.options(1460, 7, true, true));
        assertEquals(1460, SynCookies.mss(cookie));
        assertTrue(cookies.check(KEY, 123_456, cookie, now));
        assertTrue(cookies.check(KEY, 123_456, cookie, now + SLOT_NS));
        assertFalse(cookies.check(KEY, 123_456, cookie, now + 2 * SLOT_NS), "expired");
        assertFalse(cookies.check(KEY, 123_456, cookie, now - SLOT_NS), "from the future");
        // Four slots on, the 2-bit tag is the same again; the whole slot number in the hash still tells them apart.
        assertFalse(cookies.check(KEY, 123_456, cookie, now + 4 * SLOT_NS), "four slots on");
        assertFalse(cookies.check(KEY, 123_456, cookie, now + 5 * SLOT_NS), "five slots on");
        assertFalse(cookies.check(KEY, 123_456, cookie, now + 400 * SLOT_NS), "400 slots on");
    }

    @Test
    void shouldRefuseACookieForAnotherFlowOrWithAnyBitChanged()
    {
        final SynCookies cookies = new SynCookies(1, 2);
        final long now = SLOT_NS;
        final int cookie = cookies.make(KEY, 99, now, SynCookies.options(1460, 7, true, true));
        assertFalse(cookies.check(KEY + 1, 99, cookie, now), "another port");
        assertFalse(cookies.check(KEY ^ (1L << 40), 99, cookie, now), "another address");
        assertFalse(cookies.check(KEY, 100, cookie, now), "another peer ISN");
        assertFalse(new SynCookies(1, 3).check(KEY, 99, cookie, now), "another engine's secret");
        for (int bit = 0; bit < 32; bit++)
        {
            assertFalse(cookies.check(KEY, 99, cookie ^ (1 << bit), now), "bit " + bit);
        }
    }

    @Test
    void shouldMakeCookiesThatDifferAcrossFlows()
    {
        final SynCookies cookies = new SynCookies();
        final java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int port = 0; port < 1000; port++)
        {
            seen.add(cookies.make(KEY + port, 7, SLOT_NS, 0) >>> 11);
        }
        assertTrue(seen.size() > 990, "hash part distinct for most of 1,000 flows: " + seen.size());
    }
}
