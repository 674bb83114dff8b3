package dev.taskvs.engine.nic;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Writes and checks numbered test frames whose length and bytes follow from their number. */
public final class FramePatterns
{
    private FramePatterns()
    {
    }

    /** @return the length used for frame {@code number}: 60 to {@code maxLength}, varying. */
    public static int lengthOf(final long number, final int maxLength)
    {
        return 60 + (int)((number * 7919) % (maxLength - 59));
    }

    /** Write frame {@code number} into slot {@code index} of a transmit batch and set its length. */
    public static void write(final FrameBatch tx, final int index, final long number)
    {
        final int length = lengthOf(number, tx.frameCapacity(index));
        final MutableDirectBuffer buffer = tx.buffer(index);
        final int offset = tx.offset(index);
        buffer.putLong(offset, number, ByteOrder.BIG_ENDIAN);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)(number + i));
        }
        tx.length(index, length);
    }

    /** Assert that received frame {@code index} is frame {@code number} intact, and return its number. */
    public static long check(final FrameBatch rx, final int index, final long expected, final int maxLength)
    {
        final MutableDirectBuffer buffer = rx.buffer(index);
        final int offset = rx.offset(index);
        final long number = buffer.getLong(offset, ByteOrder.BIG_ENDIAN);
        assertEquals(expected, number, "frame number");
        assertEquals(lengthOf(number, maxLength), rx.length(index), "length of frame " + number);
        for (int i = 8; i < rx.length(index); i++)
        {
            if (buffer.getByte(offset + i) != (byte)(number + i))
            {
                assertEquals((byte)(number + i), buffer.getByte(offset + i), "byte " + i + " of frame " + number);
            }
        }
        return number;
    }

    /** @return the frame number stamped in received frame {@code index}. */
    public static long numberOf(final FrameBatch rx, final int index)
    {
        return rx.buffer(index).getLong(rx.offset(index), ByteOrder.BIG_ENDIAN);
    }
}
