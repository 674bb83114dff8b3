package dev.taskvs.engine.tcp;

/** A byte stream where every position has a known value, so a receiver can check bytes as they arrive. */
final class Pattern
{
    private Pattern()
    {
    }

    static byte at(final long position, final int seed)
    {
        long h = (position + seed) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        return (byte)h;
    }
}
