package dev.taskvs.engine.mem;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugePageMemoryTest
{
    @Test
    void mapsZeroedWritableMemoryAlignedToWholeHugePages()
    {
        final HugePageMemory memory = HugePageMemory.tryMap(3 * 1024 * 1024 + 1);
        assertNotNull(memory, "mmap works on Linux");
        assertEquals(0, memory.address() & (HugePageMemory.HUGE_PAGE - 1), "2 MiB aligned");
        assertEquals(2 * HugePageMemory.HUGE_PAGE, memory.length(), "rounded up to whole huge pages");
        assertTrue(memory.advised(), "MADV_HUGEPAGE accepted");
        for (long offset = 0; offset < memory.length(); offset += 4096)
        {
            assertEquals(0L, UnsafeApi.getLong(memory.address() + offset), "zeroed at " + offset);
        }
        UnsafeApi.putLong(memory.address() + memory.length() - 8, 0x1234_5678_9ABC_DEF0L);
        assertEquals(0x1234_5678_9ABC_DEF0L, UnsafeApi.getLong(memory.address() + memory.length() - 8));
    }

    @Test
    void theKernelBacksTouchedMemoryWithHugePages() throws Exception
    {
        final String mode = Smaps.thpMode();
        final HugePageMemory memory = HugePageMemory.tryMap(8 * 1024 * 1024);
        assertNotNull(memory);
        for (long offset = 0; offset < memory.length(); offset += 4096)
        {
            UnsafeApi.putByte(memory.address() + offset, (byte)1);
        }
        final long hugeKb = Smaps.anonHugePagesKb(memory.address());
        if (mode.equals("never"))
        {
            assertEquals(0, hugeKb, "transparent huge pages are off on this system");
        }
        else
        {
            // At least one of the four 2 MiB pages (the kernel falls back to small pages when it finds no free
            // 2 MiB of physical memory even after compaction).
            assertTrue(hugeKb >= 2048, "THP mode " + mode + ": AnonHugePages " + hugeKb + " kB for 8 MiB touched");
        }
    }

    @Test
    void usageCountsWhatIsTouchedInTheMappingsOfARange() throws Exception
    {
        final HugePageMemory memory = HugePageMemory.tryMap(8 * 1024 * 1024);
        assertNotNull(memory);
        final long[] untouched = Smaps.usageKb(memory.address(), memory.address() + memory.length());
        assertEquals(0, untouched[0], "nothing resident before the first touch");
        for (long offset = 0; offset < 4 * 1024 * 1024; offset += 4096)
        {
            UnsafeApi.putByte(memory.address() + offset, (byte)1);
        }
        final long[] touched = Smaps.usageKb(memory.address(), memory.address() + memory.length());
        assertEquals(4096, touched[0], "the first 4 MiB resident, whatever page size backs them");
        assertEquals(touched[1], Smaps.anonHugePagesKb(memory.address()), "one mapping");
        if (!Smaps.thpMode().equals("never"))
        {
            assertTrue(touched[1] >= 2048, "huge pages: " + touched[1] + " kB");
        }
        assertEquals(0, Smaps.usageKb(0, 4096)[0], "no mapping at address 0");
    }

    @Test
    void aMappedBufferHasTheAskedLengthAndIsUnmappedOnceUnreachable() throws Exception
    {
        UnsafeBuffer buffer = HugePageMemory.tryMapBuffer(5000);
        assertNotNull(buffer);
        assertEquals(5000, buffer.capacity());
        buffer.putLong(4992, 7L);
        final long address = buffer.addressOffset();
        assertTrue(Smaps.mapped(address));
        buffer = null;
        for (int i = 0; i < 100 && Smaps.mapped(address); i++)
        {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(Smaps.mapped(address), "unmapped after its buffer was collected");
    }
}
