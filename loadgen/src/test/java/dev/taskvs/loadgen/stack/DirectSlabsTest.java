package dev.taskvs.loadgen.stack;

import java.lang.management.ManagementFactory;

import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection buffers off the heap: a few small objects a buffer in the heap, the bytes apart, no overlaps. */
class DirectSlabsTest
{
    @Test
    void shouldKeepTheBytesOffTheHeapAndEveryBufferApart()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final DirectSlabs slabs = new DirectSlabs();
        slabs.allocate(64); // the first slab, and the classes loaded
        final int count = 2_000;
        final MutableDirectBuffer[] buffers = new MutableDirectBuffer[count];
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < count; i++)
        {
            buffers[i] = slabs.allocate(4096 + 64);
        }
        final long heapPerBuffer = (threads.getCurrentThreadAllocatedBytes() - before) / count;
        // In the heap each was 4 KiB and more; now its view and a slice of a slab.
        assertTrue(heapPerBuffer < 400, heapPerBuffer + " heap bytes a buffer");
        for (int i = 0; i < count; i++)
        {
            assertNull(buffers[i].byteArray(), "off the heap");
            assertNotNull(buffers[i].byteBuffer(), "channels read and write through it");
            assertEquals(4096 + 64, buffers[i].capacity());
            buffers[i].setMemory(0, buffers[i].capacity(), (byte)i);
        }
        for (int i = 0; i < count; i++)
        {
            assertEquals((byte)i, buffers[i].getByte(0), "buffer " + i);
            assertEquals((byte)i, buffers[i].getByte(buffers[i].capacity() - 1), "buffer " + i);
        }
        final MutableDirectBuffer big = slabs.allocate(3 << 20);
        assertEquals(3 << 20, big.capacity());
        big.putByte(big.capacity() - 1, (byte)7);
        assertEquals((byte)(count - 1), buffers[count - 1].getByte(0), "a big buffer has memory of its own");
    }
}
