package dev.taskvs.engine.fastpath;

/** Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): comparisons through the signed difference. */
public final class Seq
{
    private Seq()
    {
    }

    public static boolean lt(final int a, final int b)
    {
        return a - b < 0;
    }

    public static boolean leq(final int a, final int b)
    {
        return a - b <= 0;
    }

    public static boolean gt(final int a, final int b)
    {
        return a - b > 0;
    }

    public static boolean geq(final int a, final int b)
    {
        return a - b >= 0;
    }
}
