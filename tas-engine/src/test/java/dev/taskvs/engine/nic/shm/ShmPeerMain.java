package dev.taskvs.engine.nic.shm;

import dev.taskvs.engine.nic.FrameBatch;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The far side of {@link ShmWireTest}'s two-process test, started in its own JVM: it attaches to a wire and
 * echoes every frame back with its number incremented by one million, until it has echoed the expected
 * count. It exits 0 on success, 2 on timeout.
 */
public final class ShmPeerMain
{
    public static final long ECHO_OFFSET = 1_000_000;

    private ShmPeerMain()
    {
    }

    public static void main(final String[] args)
    {
        final Path path = Path.of(args[0]);
        final long expected = Long.parseLong(args[1]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        try (ShmWire wire = ShmWire.open(new ShmWire.Context().path(path)))
        {
            if (wire.role() != ShmWire.Role.ATTACHER)
            {
                System.err.println("expected to attach, became " + wire.role());
                System.exit(3);
            }
            final FrameBatch rx = new FrameBatch(32);
            final FrameBatch tx = new FrameBatch(32);
            long echoed = 0;
            while (echoed < expected)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    System.err.println("timed out after echoing " + echoed + " of " + expected);
                    System.exit(2);
                }
                final int n = wire.receive(rx);
                if (n == 0)
                {
                    Thread.onSpinWait();
                    continue;
                }
                int allocated = 0;
                while (allocated < n)
                {
                    allocated += wire.allocate(tx, n - allocated);
                }
                for (int i = 0; i < n; i++)
                {
                    final int length = rx.length(i);
                    tx.buffer(i).putBytes(tx.offset(i), rx.buffer(i), rx.offset(i), length);
                    final long number = rx.buffer(i).getLong(rx.offset(i), ByteOrder.BIG_ENDIAN);
                    tx.buffer(i).putLong(tx.offset(i), number + ECHO_OFFSET, ByteOrder.BIG_ENDIAN);
                    tx.length(i, length);
                }
                wire.release(rx);
                wire.transmit(tx);
                echoed += n;
            }
        }
        System.exit(0);
    }
}
