package dev.taskvs.engine.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class AffinityTest
{
    @Test
    void shouldPinTheCallingThreadToOneCore() throws Exception
    {
        final AtomicReference<String> allowed = new AtomicReference<>();
        final AtomicReference<Boolean> pinned = new AtomicReference<>();
        // A thread of its own, so the test runner's threads keep their mask.
        final Thread thread = new Thread(() ->
        {
            pinned.set(Affinity.pinCurrentThread(0));
            try
            {
                allowed.set(Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                    .filter(line -> line.startsWith("Cpus_allowed_list")).findFirst().orElse(""));
            }
            catch (final Exception ex)
            {
                allowed.set(ex.toString());
            }
        });
        thread.start();
        thread.join();
        assertTrue(pinned.get());
        assertEquals("0", allowed.get().split(":")[1].trim());
    }

    @Test
    void shouldRejectCoresOutOfRangeAndUnknownIdleStrategies()
    {
        assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(-1));
        assertThrows(IllegalArgumentException.class, () -> IdleStrategies.create("sometimes"));
    }
}
