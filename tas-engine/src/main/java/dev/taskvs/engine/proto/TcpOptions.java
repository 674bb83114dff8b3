package dev.taskvs.engine.proto;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Reads and writes the TCP options the engine speaks: End of Option List, No-Operation, Maximum Segment Size
 * (RFC 9293 section 3.2), Window Scale and Timestamps (RFC 7323), SACK-Permitted and SACK (RFC 2018).
 * <p>
 * One instance is reused for every segment: {@link #parse} overwrites the fields and allocates nothing.
 * A parse that meets a malformed option stops and reports it; the fields parsed before it are kept, but the
 * caller should treat the segment as malformed (RFC 9293 section 3.1, "MUST be prepared to handle an illegal
 * option length (e.g., zero)"), e.g. drop it and count it.
 * <pre>
 *  Kind  Length  Meaning                  Layout
 *   0      -     End of Option List       [0]
 *   1      -     No-Operation             [1]
 *   2      4     Maximum Segment Size     [2][4][mss:16]
 *   3      3     Window Scale             [3][3][shift:8]
 *   4      2     SACK-Permitted           [4][2]
 *   5   8n+2     SACK, n = 1..4 blocks    [5][len]([left:32][right:32])*n
 *   8     10     Timestamps               [8][10][TSval:32][TSecr:32]
 * </pre>
 */
public final class TcpOptions
{
    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    public static final int LENGTH_MSS = 4;
    public static final int LENGTH_WINDOW_SCALE = 3;
    public static final int LENGTH_SACK_PERMITTED = 2;
    public static final int LENGTH_TIMESTAMPS = 10;

    /** Largest shift RFC 7323 section 2.3 allows; larger received values are used as 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    public static final int MAX_SACK_BLOCKS = 4;

    /** Presence bits returned by {@link #present()} and accepted by {@link #write}. */
    public static final int MSS = 0x01;
    public static final int WINDOW_SCALE = 0x02;
    public static final int SACK_PERMITTED = 0x04;
    public static final int TIMESTAMPS = 0x08;
    public static final int SACK = 0x10;

    /** Parse results. */
    public static final int PARSE_OK = 0;
    /** An option's length byte is missing, below 2, or runs past the end of the options. */
    public static final int PARSE_BAD_LENGTH = 1;
    /** A known option has the wrong length for its kind (e.g. MSS with length 3). */
    public static final int PARSE_BAD_SIZE = 2;

    private int present;
    private int mss;
    private int windowScale;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];

    /**
     * Parse the options area of a TCP header; unknown kinds are skipped by their length.
     *
     * @param buffer holding the header.
     * @param offset of the first option byte.
     * @param length of the options area (data offset times 4 minus 20).
     * @return {@link #PARSE_OK} or the first problem met.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            final int kind = buffer.getByte(i) & 0xFF;
            if (kind == KIND_END)
            {
                return PARSE_OK;
            }
            if (kind == KIND_NOP)
            {
                i++;
                continue;
            }
            if (i + 1 >= end)
            {
                return PARSE_BAD_LENGTH;
            }
            final int optionLength = buffer.getByte(i + 1) & 0xFF;
            if (optionLength < 2 || i + optionLength > end)
            {
                return PARSE_BAD_LENGTH;
            }
            final int result = parseOption(buffer, i, kind, optionLength);
            if (result != PARSE_OK)
            {
                return result;
            }
            i += optionLength;
        }
        return PARSE_OK;
    }

    private int parseOption(final DirectBuffer buffer, final int at, final int kind, final int optionLength)
    {
        switch (kind)
        {
            case KIND_MSS:
                if (optionLength != LENGTH_MSS)
                {
                    return PARSE_BAD_SIZE;
                }
                mss = buffer.getShort(at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                present |= MSS;
                break;

            case KIND_WINDOW_SCALE:
                if (optionLength != LENGTH_WINDOW_SCALE)
                {
                    return PARSE_BAD_SIZE;
                }
                // RFC 7323 section 2.3: a shift above 14 is logged and used as 14, not rejected.
                windowScale = Math.min(buffer.getByte(at + 2) & 0xFF, MAX_WINDOW_SCALE);
                present |= WINDOW_SCALE;
                break;

            case KIND_SACK_PERMITTED:
                if (optionLength != LENGTH_SACK_PERMITTED)
                {
                    return PARSE_BAD_SIZE;
                }
                present |= SACK_PERMITTED;
                break;

            case KIND_TIMESTAMPS:
                if (optionLength != LENGTH_TIMESTAMPS)
                {
                    return PARSE_BAD_SIZE;
                }
                tsVal = buffer.getInt(at + 2, ByteOrder.BIG_ENDIAN);
                tsEcr = buffer.getInt(at + 6, ByteOrder.BIG_ENDIAN);
                present |= TIMESTAMPS;
                break;

            case KIND_SACK:
                if ((optionLength - 2) % 8 != 0 || optionLength == 2 || optionLength > 2 + 8 * MAX_SACK_BLOCKS)
                {
                    return PARSE_BAD_SIZE;
                }
                sackBlockCount = (optionLength - 2) / 8;
                for (int b = 0; b < sackBlockCount; b++)
                {
                    sackLeft[b] = buffer.getInt(at + 2 + 8 * b, ByteOrder.BIG_ENDIAN);
                    sackRight[b] = buffer.getInt(at + 6 + 8 * b, ByteOrder.BIG_ENDIAN);
                }
                present |= SACK;
                break;

            default:
                break;
        }
        return PARSE_OK;
    }

    /** Forget everything parsed so far. */
    public void reset()
    {
        present = 0;
        mss = 0;
        windowScale = 0;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
    }

    /** @return the presence bits {@link #MSS}, {@link #WINDOW_SCALE}, ... of the options last parsed. */
    public int present()
    {
        return present;
    }

    /**
     * @param option one of the presence bits.
     * @return true when the last parse found it.
     */
    public boolean has(final int option)
    {
        return (present & option) != 0;
    }

    public int mss()
    {
        return mss;
    }

    /** @return the shift count, already clamped to {@link #MAX_WINDOW_SCALE}. */
    public int windowScale()
    {
        return windowScale;
    }

    public int tsVal()
    {
        return tsVal;
    }

    public int tsEcr()
    {
        return tsEcr;
    }

    public int sackBlockCount()
    {
        return sackBlockCount;
    }

    public int sackLeft(final int block)
    {
        return sackLeft[block];
    }

    public int sackRight(final int block)
    {
        return sackRight[block];
    }

    /**
     * Length that {@link #write} produces for a set of options, always a multiple of 4.
     *
     * @param options presence bits: any of {@link #MSS}, {@link #WINDOW_SCALE}, {@link #SACK_PERMITTED},
     *                {@link #TIMESTAMPS}.
     * @return bytes of options.
     */
    public static int writtenLength(final int options)
    {
        int length = 0;
        if ((options & MSS) != 0)
        {
            length += 4;
        }
        if ((options & (TIMESTAMPS | SACK_PERMITTED)) != 0)
        {
            length += (options & TIMESTAMPS) != 0 ? 12 : 4;
        }
        if ((options & WINDOW_SCALE) != 0)
        {
            length += 4;
        }
        return length;
    }

    /**
     * Write options in the layout Linux uses, so every option is 32-bit aligned and no trailing padding is
     * needed: MSS; then SACK-Permitted with Timestamps (or NOP NOP before either alone); then NOP and
     * Window Scale. The result is 0, 4, 8, 12, 16 or 20 bytes.
     *
     * @param buffer      to write to.
     * @param offset      of the first option byte.
     * @param options     presence bits: any of {@link #MSS}, {@link #WINDOW_SCALE}, {@link #SACK_PERMITTED},
     *                    {@link #TIMESTAMPS}.
     * @param mss         maximum segment size to announce.
     * @param windowScale shift count to announce, 0..14.
     * @param tsVal       timestamp value.
     * @param tsEcr       timestamp echo reply.
     * @return bytes written, the value of {@link #writtenLength(int)}.
     */
    public static int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int options,
        final int mss,
        final int windowScale,
        final int tsVal,
        final int tsEcr)
    {
        int i = offset;
        if ((options & MSS) != 0)
        {
            buffer.putByte(i, (byte)KIND_MSS);
            buffer.putByte(i + 1, (byte)LENGTH_MSS);
            buffer.putShort(i + 2, (short)mss, ByteOrder.BIG_ENDIAN);
            i += 4;
        }
        final boolean sackPermitted = (options & SACK_PERMITTED) != 0;
        if ((options & TIMESTAMPS) != 0)
        {
            if (sackPermitted)
            {
                buffer.putByte(i, (byte)KIND_SACK_PERMITTED);
                buffer.putByte(i + 1, (byte)LENGTH_SACK_PERMITTED);
            }
            else
            {
                buffer.putByte(i, (byte)KIND_NOP);
                buffer.putByte(i + 1, (byte)KIND_NOP);
            }
            buffer.putByte(i + 2, (byte)KIND_TIMESTAMPS);
            buffer.putByte(i + 3, (byte)LENGTH_TIMESTAMPS);
            buffer.putInt(i + 4, tsVal, ByteOrder.BIG_ENDIAN);
            buffer.putInt(i + 8, tsEcr, ByteOrder.BIG_ENDIAN);
            i += 12;
        }
        else if (sackPermitted)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_NOP);
            buffer.putByte(i + 2, (byte)KIND_SACK_PERMITTED);
            buffer.putByte(i + 3, (byte)LENGTH_SACK_PERMITTED);
            i += 4;
        }
        if ((options & WINDOW_SCALE) != 0)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_WINDOW_SCALE);
            buffer.putByte(i + 2, (byte)LENGTH_WINDOW_SCALE);
            buffer.putByte(i + 3, (byte)Math.min(windowScale, MAX_WINDOW_SCALE));
            i += 4;
        }
        return i - offset;
    }
}
