package dev.taskvs.engine.nic.shm;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.FramePatterns;
import dev.taskvs.engine.nic.fault.FaultyPacketIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmWireTest
{
    @TempDir
    Path dir;

    private ShmWire.Context context(final Path path)
    {
        return new ShmWire.Context().path(path).slotCount(64).attachTimeoutNs(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCreateThenAttachAndCarryFramesBothWays()
    {
        final Path path = dir.resolve("wire");
        try (ShmWire creator = ShmWire.open(context(path));
            ShmWire attacher = ShmWire.open(context(path)))
        {
            assertEquals(ShmWire.Role.CREATOR, creator.role());
            assertEquals(ShmWire.Role.ATTACHER, attacher.role());
            assertEquals(creator.generation(), attacher.generation());
            assertEquals(attacher.macAddress(), creator.peerMacAddress());
            assertEquals(creator.macAddress(), attacher.peerMacAddress());

            final FrameBatch tx = new FrameBatch(32);
            final FrameBatch rx = new FrameBatch(32);
            long next = 0;
            long expected = 0;
            for (int round = 0; round < 300; round++)
            {
                final ShmWire from = (round & 1) == 0 ? creator : attacher;
                final ShmWire to = from == creator ? attacher : creator;
                final int n = from.allocate(tx, 1 + round % 32);
                for (int i = 0; i < n; i++)
                {
                    FramePatterns.write(tx, i, next++);
                }
                from.transmit(tx);
                assertEquals(n, to.receive(rx));
                for (int i = 0; i < n; i++)
                {
                    FramePatterns.check(rx, i, expected++, 1514);
                }
                to.release(rx);
            }
            assertEquals(next, expected);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldLetTheAttacherFollowTheCreatorsChecksumChoice()
    {
        try (ShmWire creator = ShmWire.open(context(dir.resolve("offload")));
            ShmWire attacher = ShmWire.open(context(dir.resolve("offload")).checksumOffload(false)))
        {
            assertTrue(creator.checksumOffload(), "memory wires leave checksums out by default");
            assertTrue(attacher.checksumOffload(), "the attacher follows the creator");
            assertThrows(IllegalArgumentException.class,
                () -> new FaultyPacketIo(creator, new FaultyPacketIo.Context()),
                "a fault injector refuses a wire that does not check checksums");
        }
        try (ShmWire creator = ShmWire.open(context(dir.resolve("checked")).checksumOffload(false));
            ShmWire attacher = ShmWire.open(context(dir.resolve("checked"))))
        {
            assertFalse(creator.checksumOffload());
            assertFalse(attacher.checksumOffload());
        }
    }

    @Test
    void shouldRefuseAThirdSide()
    {
        final Path path = dir.resolve("wire");
        try (ShmWire creator = ShmWire.open(context(path));
            ShmWire attacher = ShmWire.open(context(path)))
        {
            final IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> ShmWire.open(context(path)));
            assertTrue(ex.getMessage().contains("already has a creator and an attacher"), ex.getMessage());
        }
    }

    @Test
    void shouldReinitialiseAStaleFileLeftByAnEarlierWire() throws Exception
    {
        final Path path = dir.resolve("wire");
        final long oldGeneration;
        try (ShmWire creator = ShmWire.open(context(path)))
        {
            oldGeneration = creator.generation();
            final FrameBatch tx = new FrameBatch(8);
            creator.allocate(tx, 8);
            for (int i = 0; i < 8; i++)
            {
                FramePatterns.write(tx, i, i);
            }
            creator.transmit(tx);
        }
        // Frames left in the old rings must not reach the new wire's sides.
        try (ShmWire creator = ShmWire.open(context(path));
            ShmWire attacher = ShmWire.open(context(path)))
        {
            assertEquals(ShmWire.Role.CREATOR, creator.role());
            assertTrue(creator.generation() != oldGeneration || creator.generation() == 0);
            assertEquals(0, attacher.receive(new FrameBatch(8)));
        }
    }

    @Test
    void shouldReinitialiseAFileOfGarbage() throws Exception
    {
        final Path path = dir.resolve("wire");
        Files.write(path, new byte[10_000]);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.BIG_ENDIAN).putLong(0, -1));
        }
        try (ShmWire creator = ShmWire.open(context(path)))
        {
            assertEquals(ShmWire.Role.CREATOR, creator.role());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTimeOutAttachingWhenTheCreatorNeverInitialises() throws Exception
    {
        final Path path = dir.resolve("wire");
        // Hold the creator lock as a creator that hangs before writing its header would.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            java.nio.channels.FileLock ignored = channel.lock(ShmWire.CREATOR_LOCK_POSITION, 1, false))
        {
            final ShmWire.Context context = context(path).attachTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200));
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ShmWire.open(context));
            assertTrue(ex.getMessage().contains("not initialised"), ex.getMessage());
        }
    }

    @Test
    void shouldLetTheAttacherSeeTheCreatorClose()
    {
        final Path path = dir.resolve("wire");
        final ShmWire creator = ShmWire.open(context(path));
        try (ShmWire attacher = ShmWire.open(context(path)))
        {
            assertFalse(attacher.isPeerGone());
            creator.close();
            assertTrue(attacher.isPeerGone());
        }
    }

    @Test
    void shouldValidateSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new ShmWire.Context().conclude());
        assertThrows(IllegalArgumentException.class, () -> context(dir.resolve("x")).slotCount(100).conclude());
        assertThrows(IllegalArgumentException.class, () -> context(dir.resolve("x")).mtu(20).conclude());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldEchoFramesThroughAnotherProcess() throws Exception
    {
        final Path path = dir.resolve("wire");
        final long total = 50_000;
        try (ShmWire wire = ShmWire.open(context(path).slotCount(256)))
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process peer = new ProcessBuilder(java, "-Xmx64m",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ShmPeerMain.class.getName(), path.toString(), Long.toString(total), "60")
                .redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), "peer.log"))
                .start();
            try
            {
                final FrameBatch tx = new FrameBatch(32);
                final FrameBatch rx = new FrameBatch(32);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(70);
                long sent = 0;
                long received = 0;
                final long start = System.nanoTime();
                while (received < total)
                {
                    assertTrue(System.nanoTime() - deadline < 0, "echoed " + received + " of " + total + " in time");
                    assertTrue(peer.isAlive() || peer.exitValue() == 0, () -> "peer failed: " + log());
                    // Keep at most a ring's worth in flight so the peer can always echo what it receives.
                    final int window = (int)Math.min(32, Math.min(total - sent, 128 - (sent - received)));
                    if (window > 0)
                    {
                        final int n = wire.allocate(tx, window);
                        for (int i = 0; i < n; i++)
                        {
                            FramePatterns.write(tx, i, sent++);
                        }
                        wire.transmit(tx);
                    }
                    wire.receive(rx);
                    for (int i = 0; i < rx.size(); i++)
                    {
                        final long number = rx.buffer(i).getLong(rx.offset(i), ByteOrder.BIG_ENDIAN);
                        assertEquals(received + ShmPeerMain.ECHO_OFFSET, number);
                        assertEquals(FramePatterns.lengthOf(received, 1514), rx.length(i));
                        received++;
                    }
                    wire.release(rx);
                }
                final long elapsed = System.nanoTime() - start;
                assertTrue(peer.waitFor(20, TimeUnit.SECONDS), "peer exits");
                assertEquals(0, peer.exitValue(), this::log);
                System.out.printf("shm two-process echo: %d frames round trip in %.1f ms (%.0f k frames/s each way)%n",
                    total, elapsed / 1e6, total * 1e6 / elapsed);
            }
            finally
            {
                peer.destroyForcibly();
            }
        }
    }

    private String log()
    {
        try
        {
            return Files.readString(dir.resolve("peer.log"));
        }
        catch (final Exception ex)
        {
            return "(no peer log: " + ex + ")";
        }
    }
}
