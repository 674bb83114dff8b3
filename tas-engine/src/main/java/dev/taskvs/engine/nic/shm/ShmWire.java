package dev.taskvs.engine.nic.shm;

import dev.taskvs.engine.nic.FrameRing;
import dev.taskvs.engine.nic.FrameRingPacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.MacAddress;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One side of a shared-memory wire between two processes: a memory-mapped file holding two
 * {@link FrameRing}s, one per direction. No privileges are needed and no syscall is made per burst.
 * <p>
 * The first side to open a path becomes the <em>creator</em>: it (re)initialises the file. The second
 * <em>attaches</em>: it waits for the creator's header, checks it and uses the rings the other way round.
 * Roles are decided by two file locks (one per role) held for the life of each side, so a side that dies
 * gives its role up with its process and a stale file left behind is simply re-initialised by the next
 * creator; a creator refuses to start while an attacher of an earlier wire still holds its lock.
 * <p>
 * File layout:
 * <pre>
 *  0     magic (long)            "TKVSSHM1", written last by the creator (release)
 *  8     version (int)
 *  12    state (int)             0 initialising, 1 ready, 2 creator closed
 *  16    slot count (int)
 *  20    max frame length (int)
 *  24    MTU (int)
 *  28    reserved (int)
 *  32    creator MAC (long)
 *  40    attacher MAC (long)
 *  48    generation (long)       random per initialisation
 *  56    ring 0 offset (long)    creator transmits, attacher receives
 *  64    ring 1 offset (long)    attacher transmits, creator receives
 *  72    file length (long)
 *  128   creator lock byte, 129 attacher lock byte (locked with fcntl locks, never written)
 *  4096  ring 0, then ring 1 (each {@link FrameRing#requiredLength} bytes, 4 KiB aligned)
 * </pre>
 */
public final class ShmWire extends FrameRingPacketIo
{
    public static final long MAGIC = 0x544B5653_53484D31L;
    public static final int VERSION = 2;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int STATE_OFFSET = 12;
    public static final int SLOT_COUNT_OFFSET = 16;
    public static final int MAX_FRAME_LENGTH_OFFSET = 20;
    public static final int MTU_OFFSET = 24;
    public static final int CREATOR_MAC_OFFSET = 32;
    public static final int ATTACHER_MAC_OFFSET = 40;
    public static final int GENERATION_OFFSET = 48;
    public static final int RING_0_OFFSET = 56;
    public static final int RING_1_OFFSET = 64;
    public static final int FILE_LENGTH_OFFSET = 72;
    /** 1 when the wire carries no checksums (the creator's choice; the attacher follows it). */
    public static final int CHECKSUM_OFFLOAD_OFFSET = 80;
    public static final int CREATOR_LOCK_POSITION = 128;
    public static final int ATTACHER_LOCK_POSITION = 129;
    public static final int HEADER_LENGTH = 4096;

    public static final int STATE_INITIALISING = 0;
    public static final int STATE_READY = 1;
    public static final int STATE_CLOSED = 2;

    /** The role a side took. */
    public enum Role
    {
        CREATOR, ATTACHER
    }

    /** Settings of one side; the creator's sizes win, the attacher's are ignored. */
    public static final class Context
    {
        private Path path;
        private int slotCount = 1024;
        private boolean checksumOffload = true;
        private int mtu = 1500;
        private long macAddress;
        private long attachTimeoutNs = TimeUnit.SECONDS.toNanos(10);

        public Context path(final Path path)
        {
            this.path = path;
            return this;
        }

        public Path path()
        {
            return path;
        }

        /**
         * @param checksumOffload true (the default): memory does not corrupt frames, so neither engine writes
         *                        or checks IPv4/TCP checksums, as on Linux's loopback. Only the creator's counts.
         * @return this.
         */
        public Context checksumOffload(final boolean checksumOffload)
        {
            this.checksumOffload = checksumOffload;
            return this;
        }

        /** @param slotCount frames in flight per direction, a power of two, 2 to 65,536. @return this. */
        public Context slotCount(final int slotCount)
        {
            this.slotCount = slotCount;
            return this;
        }

        public Context mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        /** @param macAddress this side's MAC; 0 picks 02:53:48:4d:00:01 (creator) or :02 (attacher). @return this. */
        public Context macAddress(final long macAddress)
        {
            this.macAddress = macAddress;
            return this;
        }

        public Context attachTimeoutNs(final long attachTimeoutNs)
        {
            this.attachTimeoutNs = attachTimeoutNs;
            return this;
        }

        /** Validate settings before the wire opens. @return this. */
        public Context conclude()
        {
            if (path == null)
            {
                throw new IllegalArgumentException("shm path is required");
            }
            if (!BitUtil.isPowerOfTwo(slotCount) || slotCount < 2 || slotCount > 65_536)
            {
                throw new IllegalArgumentException("shm slot count must be a power of two in 2..65536: " + slotCount);
            }
            if (mtu < 68 || mtu > 9_000)
            {
                throw new IllegalArgumentException("shm MTU must be 68..9000: " + mtu);
            }
            if (attachTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("attach timeout must be positive: " + attachTimeoutNs);
            }
            return this;
        }
    }

    private final Role role;
    private final FileChannel channel;
    private final FileLock roleLock;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer memory;
    private final long generation;
    private boolean closed;

    private ShmWire(
        final Role role,
        final FileChannel channel,
        final FileLock roleLock,
        final MappedByteBuffer mapped,
        final UnsafeBuffer memory,
        final FrameRing tx,
        final FrameRing rx,
        final long mac,
        final int mtu,
        final Path path)
    {
        super(tx, rx, mac, mtu, "shm:" + path + (role == Role.CREATOR ? "#creator" : "#attacher"));
        this.role = role;
        this.channel = channel;
        this.roleLock = roleLock;
        this.mapped = mapped;
        this.memory = memory;
        this.generation = memory.getLong(GENERATION_OFFSET);
    }

    /**
     * Open a side of the wire at {@code context.path()}: create it if no live creator holds it, else attach.
     *
     * @param context settings, concluded here.
     * @return the open side.
     */
    public static ShmWire open(final Context context)
    {
        context.conclude();
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(context.path(),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock creatorLock = tryLock(channel, CREATOR_LOCK_POSITION);
            if (creatorLock != null)
            {
                return create(context, channel, creatorLock);
            }
            final FileLock attacherLock = tryLock(channel, ATTACHER_LOCK_POSITION);
            if (attacherLock != null)
            {
                return attach(context, channel, attacherLock);
            }
            throw new IllegalStateException("shm wire " + context.path() + " already has a creator and an attacher");
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open shm wire " + context.path(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static ShmWire create(final Context context, final FileChannel channel, final FileLock creatorLock)
        throws IOException
    {
        final FileLock staleAttacher = tryLock(channel, ATTACHER_LOCK_POSITION);
        if (staleAttacher == null)
        {
            throw new IllegalStateException("shm wire " + context.path() +
                " still has an attacher from an earlier creator; stop it or use another path");
        }
        staleAttacher.release();

        final int maxFrameLength = context.mtu + EthernetFrame.HEADER_LENGTH;
        final long ringLength = BitUtil.align(FrameRing.requiredLength(context.slotCount, maxFrameLength), 4096);
        final long fileLength = HEADER_LENGTH + 2 * ringLength;
        // Truncating first drops whatever a stale file held, so no old positions survive into the new wire.
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap(new byte[1]), fileLength - 1);
        final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
        final UnsafeBuffer memory = new UnsafeBuffer(mapped);

        final long mac = context.macAddress != 0 ? context.macAddress : 0x02_53_48_4D_00_01L;
        memory.putLongRelease(MAGIC_OFFSET, 0);
        memory.putInt(VERSION_OFFSET, VERSION);
        memory.putIntRelease(STATE_OFFSET, STATE_INITIALISING);
        memory.putInt(SLOT_COUNT_OFFSET, context.slotCount);
        memory.putInt(MAX_FRAME_LENGTH_OFFSET, maxFrameLength);
        memory.putInt(MTU_OFFSET, context.mtu);
        memory.putLong(CREATOR_MAC_OFFSET, mac);
        memory.putLong(ATTACHER_MAC_OFFSET, 0);
        memory.putLong(GENERATION_OFFSET, ThreadLocalRandom.current().nextLong());
        memory.putLong(RING_0_OFFSET, HEADER_LENGTH);
        memory.putLong(RING_1_OFFSET, HEADER_LENGTH + ringLength);
        memory.putLong(FILE_LENGTH_OFFSET, fileLength);
        memory.putInt(CHECKSUM_OFFLOAD_OFFSET, context.checksumOffload ? 1 : 0);
        FrameRing.reset(memory, HEADER_LENGTH);
        FrameRing.reset(memory, (int)(HEADER_LENGTH + ringLength));
        memory.putIntRelease(STATE_OFFSET, STATE_READY);
        memory.putLongRelease(MAGIC_OFFSET, MAGIC);

        final FrameRing tx = new FrameRing(memory, HEADER_LENGTH, context.slotCount, maxFrameLength);
        final FrameRing rx = new FrameRing(memory, (int)(HEADER_LENGTH + ringLength), context.slotCount, maxFrameLength);
        final ShmWire wire = new ShmWire(
            Role.CREATOR, channel, creatorLock, mapped, memory, tx, rx, mac, context.mtu, context.path());
        wire.checksumOffload(context.checksumOffload);
        return wire;
    }

    private static ShmWire attach(final Context context, final FileChannel channel, final FileLock attacherLock)
        throws IOException
    {
        final long deadline = System.nanoTime() + context.attachTimeoutNs;
        MappedByteBuffer mapped = null;
        UnsafeBuffer memory = null;
        while (true)
        {
            if (mapped == null && channel.size() >= HEADER_LENGTH)
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_LENGTH);
                memory = new UnsafeBuffer(mapped);
            }
            if (memory != null && memory.getLongAcquire(MAGIC_OFFSET) == MAGIC &&
                memory.getIntAcquire(STATE_OFFSET) == STATE_READY)
            {
                break;
            }
            if (System.nanoTime() - deadline > 0)
            {
                if (mapped != null)
                {
                    IoUtil.unmap(mapped);
                }
                attacherLock.release();
                throw new IllegalStateException("shm wire " + context.path() + " not initialised by its creator within " +
                    TimeUnit.NANOSECONDS.toMillis(context.attachTimeoutNs) + " ms");
            }
            // Control path only: the creator initialises in microseconds, so a short sleep costs nothing.
            sleepMillis(1);
        }

        final int version = memory.getInt(VERSION_OFFSET);
        final int slotCount = memory.getInt(SLOT_COUNT_OFFSET);
        final int maxFrameLength = memory.getInt(MAX_FRAME_LENGTH_OFFSET);
        final int mtu = memory.getInt(MTU_OFFSET);
        final long ring0 = memory.getLong(RING_0_OFFSET);
        final long ring1 = memory.getLong(RING_1_OFFSET);
        final long fileLength = memory.getLong(FILE_LENGTH_OFFSET);
        final boolean checksumOffload = memory.getInt(CHECKSUM_OFFLOAD_OFFSET) == 1;
        IoUtil.unmap(mapped);
        if (version != VERSION)
        {
            attacherLock.release();
            throw new IllegalStateException("shm wire " + context.path() + " has version " + version + ", want " + VERSION);
        }
        final long ringLength = FrameRing.requiredLength(slotCount, maxFrameLength);
        if (!BitUtil.isPowerOfTwo(slotCount) || maxFrameLength != mtu + EthernetFrame.HEADER_LENGTH ||
            ring0 < HEADER_LENGTH || ring1 < ring0 + ringLength || ring1 + ringLength > fileLength ||
            fileLength > Integer.MAX_VALUE || channel.size() < fileLength)
        {
            attacherLock.release();
            throw new IllegalStateException("shm wire " + context.path() + " has an inconsistent header: slots " +
                slotCount + ", frame " + maxFrameLength + ", mtu " + mtu + ", rings at " + ring0 + "/" + ring1 +
                ", length " + fileLength + " of " + channel.size());
        }

        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
        memory = new UnsafeBuffer(mapped);
        final long mac = context.macAddress != 0 ? context.macAddress : 0x02_53_48_4D_00_02L;
        memory.putLongRelease(ATTACHER_MAC_OFFSET, mac);
        final FrameRing tx = new FrameRing(memory, (int)ring1, slotCount, maxFrameLength);
        final FrameRing rx = new FrameRing(memory, (int)ring0, slotCount, maxFrameLength);
        final ShmWire wire =
            new ShmWire(Role.ATTACHER, channel, attacherLock, mapped, memory, tx, rx, mac, mtu, context.path());
        wire.checksumOffload(checksumOffload);
        return wire;
    }

    private static FileLock tryLock(final FileChannel channel, final long position) throws IOException
    {
        try
        {
            return channel.tryLock(position, 1, false);
        }
        catch (final OverlappingFileLockException ex)
        {
            // The other side lives in this JVM: the JDK reports that instead of returning null.
            return null;
        }
    }

    private static void sleepMillis(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while attaching to shm wire", ex);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Already failing; the original exception is the one to report.
            }
        }
    }

    /** @return which role this side took. */
    public Role role()
    {
        return role;
    }

    /** @return the random generation of this wire's initialisation; both sides see the same value. */
    public long generation()
    {
        return generation;
    }

    /** @return the peer's MAC as published in the header, 0 while no attacher has published one. */
    public long peerMacAddress()
    {
        return memory.getLongAcquire(role == Role.CREATOR ? ATTACHER_MAC_OFFSET : CREATOR_MAC_OFFSET);
    }

    /** @return true once the creator has closed its side (seen from the attacher), or the wire was re-created. */
    public boolean isPeerGone()
    {
        return memory.getIntAcquire(STATE_OFFSET) != STATE_READY || memory.getLong(GENERATION_OFFSET) != generation;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (role == Role.CREATOR)
        {
            memory.putIntRelease(STATE_OFFSET, STATE_CLOSED);
        }
        IoUtil.unmap(mapped);
        try
        {
            roleLock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close shm wire " + name(), ex);
        }
    }

    @Override
    public String toString()
    {
        return name() + " mac=" + MacAddress.toString(macAddress());
    }
}
