package dev.taskvs.engine.nic.shm;

import dev.taskvs.engine.nic.FrameRing;
import dev.taskvs.engine.nic.FrameRingPacketIo;
import dev.taskvs.engine.nic.PacketIo;
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
 * One side of a shared-memory wire between two processes: a memory-mapped file holding {@link FrameRing}s, no
 * privileges needed and no syscall made per burst. Each side has one or more queues, one per fast-path lane of
 * the engine on it, as a NIC with RSS: every queue of one side has a ring to every queue of the other, and the
 * sender puts each TCP segment into the ring of the receiving queue whose lane owns the flow ({@link
 * dev.taskvs.engine.nic.FlowSteering}). With one queue a side that is one ring per direction, zero-copy both
 * ways. This object is queue 0 of its side; {@link #queue(int)} gives the others.
 * <p>
 * The first side to open a path becomes the <em>creator</em>: it (re)initialises the file, with rings for its
 * own queues and room for up to {@link Context#peerQueues} queues of the other side. The second
 * <em>attaches</em>: it waits for the creator's header, checks it, publishes its own queue count (which the
 * creator's senders steer by) and uses the rings the other way round. Roles are decided by two file locks (one
 * per role) held for the life of each side, so a side that dies gives its role up with its process and a stale
 * file left behind is simply re-initialised by the next creator; a creator refuses to start while an attacher
 * of an earlier wire still holds its lock.
 * <p>
 * File layout:
 * <pre>
 *  0     magic (long)            "TKVSSHM1", written last by the creator (release)
 *  8     version (int)
 *  12    state (int)             0 initialising, 1 ready, 2 creator closed
 *  16    slot count (int)        per ring
 *  20    max frame length (int)
 *  24    MTU (int)
 *  28    creator queues (int)    C
 *  32    creator MAC (long)
 *  40    attacher MAC (long)
 *  48    generation (long)       random per initialisation
 *  56    rings offset (long)     where ring 0 starts
 *  64    ring length (long)      {@link FrameRing#requiredLength}, 4 KiB aligned: the stride between rings
 *  72    file length (long)
 *  80    checksum offload (int)  1: no checksums on this wire
 *  84    attacher queue room (int)  A: rings exist for attacher queues 0..A-1
 *  88    attacher queues (int)   how many the attacher uses, published by it; 0 until one attaches (a later
 *                                attacher skips the frames it finds waiting: they were for an earlier one)
 *  128   creator lock byte, 129 attacher lock byte (locked with fcntl locks, never written)
 *  4096  rings: creator queue c to attacher queue a is ring c * A + a; attacher queue a to creator queue c is
 *        ring C * A + a * C + c
 * </pre>
 */
public final class ShmWire extends FrameRingPacketIo
{
    public static final long MAGIC = 0x544B5653_53484D31L;
    public static final int VERSION = 3;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int STATE_OFFSET = 12;
    public static final int SLOT_COUNT_OFFSET = 16;
    public static final int MAX_FRAME_LENGTH_OFFSET = 20;
    public static final int MTU_OFFSET = 24;
    public static final int CREATOR_MAC_OFFSET = 32;
    public static final int ATTACHER_MAC_OFFSET = 40;
    public static final int GENERATION_OFFSET = 48;
    public static final int CREATOR_QUEUES_OFFSET = 28;
    public static final int RINGS_OFFSET = 56;
    public static final int RING_LENGTH_OFFSET = 64;
    public static final int FILE_LENGTH_OFFSET = 72;
    /** 1 when the wire carries no checksums (the creator's choice; the attacher follows it). */
    public static final int CHECKSUM_OFFLOAD_OFFSET = 80;
    public static final int ATTACHER_QUEUE_ROOM_OFFSET = 84;
    public static final int ATTACHER_QUEUES_OFFSET = 88;
    /** Most queues a side may have. */
    public static final int MAX_QUEUES = 64;
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
        private int slotCount;
        private int queues = 1;
        private int peerQueues;
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

        /**
         * @param slotCount frames in flight per ring, a power of two, 2 to 65,536; 0 (the default) picks 1,024 for
         *                  a wire of one queue a side, else 1,024 divided by the larger side's queues, at least 256.
         *                  Only the creator's counts.
         * @return this.
         */
        public Context slotCount(final int slotCount)
        {
            this.slotCount = slotCount;
            return this;
        }

        /** @param queues this side's queues, one per fast-path lane, 1 to {@link #MAX_QUEUES}. @return this. */
        public Context queues(final int queues)
        {
            this.queues = queues;
            return this;
        }

        public int queues()
        {
            return queues;
        }

        /**
         * @param peerQueues for the creator: how many queues the attacher may have (rings are made for that many);
         *                   0 (the default) means as many as the creator's. The attacher ignores it.
         * @return this.
         */
        public Context peerQueues(final int peerQueues)
        {
            this.peerQueues = peerQueues;
            return this;
        }

        /** @return the attacher queues the creator makes room for. */
        public int peerQueueRoom()
        {
            return peerQueues == 0 ? queues : peerQueues;
        }

        /** @return slots per ring the creator uses. */
        public int effectiveSlotCount()
        {
            if (slotCount != 0)
            {
                return slotCount;
            }
            final int widest = Math.max(queues, peerQueueRoom());
            return widest == 1 ? 1024 : Math.max(256, Integer.highestOneBit(1024 / widest));
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
            if (slotCount != 0 && (!BitUtil.isPowerOfTwo(slotCount) || slotCount < 2 || slotCount > 65_536))
            {
                throw new IllegalArgumentException("shm slot count must be a power of two in 2..65536: " + slotCount);
            }
            if (queues < 1 || queues > MAX_QUEUES || peerQueues < 0 || peerQueues > MAX_QUEUES)
            {
                throw new IllegalArgumentException("shm queues must be 1.." + MAX_QUEUES + " a side: " + queues +
                    (peerQueues != 0 ? ", peer " + peerQueues : ""));
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
    private final FrameRingPacketIo[] queues;
    private long staleFramesSkipped;
    private boolean closed;

    /** This side's rings: per queue, the rings it transmits into (by peer queue) and receives from. */
    private static final class Rings
    {
        final FrameRing[][] tx;
        final FrameRing[][] rx;

        Rings(final Role role, final UnsafeBuffer memory, final int creatorQueues, final int attacherRoom,
            final int ownQueues, final long ringsOffset, final long ringLength, final int slotCount,
            final int maxFrameLength)
        {
            final int peerQueues = role == Role.CREATOR ? attacherRoom : creatorQueues;
            tx = new FrameRing[ownQueues][peerQueues];
            rx = new FrameRing[ownQueues][peerQueues];
            for (int own = 0; own < ownQueues; own++)
            {
                for (int peer = 0; peer < peerQueues; peer++)
                {
                    final int c = role == Role.CREATOR ? own : peer;
                    final int a = role == Role.CREATOR ? peer : own;
                    final long toAttacher = ringsOffset + (long)(c * attacherRoom + a) * ringLength;
                    final long toCreator =
                        ringsOffset + (long)(creatorQueues * attacherRoom + a * creatorQueues + c) * ringLength;
                    final long out = role == Role.CREATOR ? toAttacher : toCreator;
                    final long in = role == Role.CREATOR ? toCreator : toAttacher;
                    tx[own][peer] = new FrameRing(memory, (int)out, slotCount, maxFrameLength);
                    rx[own][peer] = new FrameRing(memory, (int)in, slotCount, maxFrameLength);
                }
            }
        }
    }

    private ShmWire(
        final Role role,
        final FileChannel channel,
        final FileLock roleLock,
        final MappedByteBuffer mapped,
        final UnsafeBuffer memory,
        final Rings rings,
        final long mac,
        final int mtu,
        final Path path,
        final boolean checksumOffload)
    {
        super(rings.tx[0], rings.rx[0], mac, mtu, queueName(path, role, 0, rings.tx.length));
        this.role = role;
        this.channel = channel;
        this.roleLock = roleLock;
        this.mapped = mapped;
        this.memory = memory;
        this.generation = memory.getLong(GENERATION_OFFSET);
        queues = new FrameRingPacketIo[rings.tx.length];
        queues[0] = this;
        for (int i = 1; i < queues.length; i++)
        {
            queues[i] = new FrameRingPacketIo(
                rings.tx[i], rings.rx[i], mac, mtu, queueName(path, role, i, queues.length));
        }
        for (final FrameRingPacketIo queue : queues)
        {
            queue.checksumOffload(checksumOffload);
            if (role == Role.CREATOR)
            {
                // The attacher may come with fewer queues than the room made for it: steer by what it published.
                queue.peerQueueCount(memory, ATTACHER_QUEUES_OFFSET);
            }
        }
    }

    private static String queueName(final Path path, final Role role, final int queue, final int queues)
    {
        return "shm:" + path + (role == Role.CREATOR ? "#creator" : "#attacher") + (queues > 1 ? "/" + queue : "");
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
        final int slotCount = context.effectiveSlotCount();
        final int creatorQueues = context.queues();
        final int attacherRoom = context.peerQueueRoom();
        final long ringLength = BitUtil.align(FrameRing.requiredLength(slotCount, maxFrameLength), 4096);
        final long fileLength = HEADER_LENGTH + 2L * creatorQueues * attacherRoom * ringLength;
        if (fileLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("shm wire of " + creatorQueues + " x " + attacherRoom + " queues and " +
                slotCount + " slots per ring needs " + fileLength + " bytes, more than 2 GiB: use fewer queues or slots");
        }
        // Truncating first drops whatever a stale file held, so no old positions survive into the new wire.
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap(new byte[1]), fileLength - 1);
        final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
        final UnsafeBuffer memory = new UnsafeBuffer(mapped);

        final long mac = context.macAddress != 0 ? context.macAddress : 0x02_53_48_4D_00_01L;
        memory.putLongRelease(MAGIC_OFFSET, 0);
        memory.putInt(VERSION_OFFSET, VERSION);
        memory.putIntRelease(STATE_OFFSET, STATE_INITIALISING);
        memory.putInt(SLOT_COUNT_OFFSET, slotCount);
        memory.putInt(MAX_FRAME_LENGTH_OFFSET, maxFrameLength);
        memory.putInt(MTU_OFFSET, context.mtu);
        memory.putInt(CREATOR_QUEUES_OFFSET, creatorQueues);
        memory.putLong(CREATOR_MAC_OFFSET, mac);
        memory.putLong(ATTACHER_MAC_OFFSET, 0);
        memory.putLong(GENERATION_OFFSET, ThreadLocalRandom.current().nextLong());
        memory.putLong(RINGS_OFFSET, HEADER_LENGTH);
        memory.putLong(RING_LENGTH_OFFSET, ringLength);
        memory.putLong(FILE_LENGTH_OFFSET, fileLength);
        memory.putInt(CHECKSUM_OFFLOAD_OFFSET, context.checksumOffload ? 1 : 0);
        memory.putInt(ATTACHER_QUEUE_ROOM_OFFSET, attacherRoom);
        memory.putInt(ATTACHER_QUEUES_OFFSET, 0);
        for (int ring = 0; ring < 2 * creatorQueues * attacherRoom; ring++)
        {
            FrameRing.reset(memory, (int)(HEADER_LENGTH + ring * ringLength));
        }
        memory.putIntRelease(STATE_OFFSET, STATE_READY);
        memory.putLongRelease(MAGIC_OFFSET, MAGIC);

        final Rings rings = new Rings(Role.CREATOR, memory, creatorQueues, attacherRoom, creatorQueues,
            HEADER_LENGTH, ringLength, slotCount, maxFrameLength);
        return new ShmWire(Role.CREATOR, channel, creatorLock, mapped, memory, rings, mac, context.mtu, context.path(),
            context.checksumOffload);
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
        final int creatorQueues = memory.getInt(CREATOR_QUEUES_OFFSET);
        final int attacherRoom = memory.getInt(ATTACHER_QUEUE_ROOM_OFFSET);
        final long ringsOffset = memory.getLong(RINGS_OFFSET);
        final long ringLength = memory.getLong(RING_LENGTH_OFFSET);
        final long fileLength = memory.getLong(FILE_LENGTH_OFFSET);
        final boolean checksumOffload = memory.getInt(CHECKSUM_OFFLOAD_OFFSET) == 1;
        IoUtil.unmap(mapped);
        if (version != VERSION)
        {
            attacherLock.release();
            throw new IllegalStateException("shm wire " + context.path() + " has version " + version + ", want " + VERSION);
        }
        // The file is the other process's word: check every size before an offset is computed from it.
        final boolean queuesOk = creatorQueues >= 1 && creatorQueues <= MAX_QUEUES && attacherRoom >= 1 &&
            attacherRoom <= MAX_QUEUES;
        final boolean sizesOk = fileLength <= Integer.MAX_VALUE && ringsOffset >= HEADER_LENGTH &&
            ringsOffset <= fileLength && (ringsOffset & 7) == 0 && ringLength <= fileLength && (ringLength & 63) == 0;
        if (!queuesOk || !sizesOk || !BitUtil.isPowerOfTwo(slotCount) ||
            maxFrameLength != mtu + EthernetFrame.HEADER_LENGTH ||
            ringLength < FrameRing.requiredLength(slotCount, maxFrameLength) ||
            ringsOffset + 2L * creatorQueues * attacherRoom * ringLength > fileLength || channel.size() < fileLength)
        {
            attacherLock.release();
            throw new IllegalStateException("shm wire " + context.path() + " has an inconsistent header: slots " +
                slotCount + ", frame " + maxFrameLength + ", mtu " + mtu + ", queues " + creatorQueues + " x " +
                attacherRoom + ", rings at " + ringsOffset + " every " + ringLength + ", length " + fileLength +
                " of " + channel.size());
        }
        if (context.queues() > attacherRoom)
        {
            attacherLock.release();
            throw new IllegalStateException("shm wire " + context.path() + " has room for " + attacherRoom +
                " queue(s) on this side, and this side wants " + context.queues() + ": start the creator with as " +
                "many peer queues (--shm-peer-queues " + context.queues() + ") or give this side fewer lanes");
        }

        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileLength);
        memory = new UnsafeBuffer(mapped);
        final long mac = context.macAddress != 0 ? context.macAddress : 0x02_53_48_4D_00_02L;
        final Rings rings;
        try
        {
            rings = new Rings(Role.ATTACHER, memory, creatorQueues, attacherRoom, context.queues(), ringsOffset,
                ringLength, slotCount, maxFrameLength);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            attacherLock.release();
            throw ex;
        }
        // Frames the creator sent to an earlier attacher (its last segments, answers to its FINs) are not for
        // this one: start after them. Frames sent before the first attacher came are for it, and kept. The count
        // is published first, so what the creator steers after the skip is steered by it; a batch the creator had
        // begun before may still land a few old frames after the skip, which a lane treats as any stray segment.
        final boolean earlierAttacher = memory.getIntAcquire(ATTACHER_QUEUES_OFFSET) != 0;
        memory.putIntRelease(ATTACHER_QUEUES_OFFSET, context.queues());
        memory.putLongRelease(ATTACHER_MAC_OFFSET, mac);
        long stale = 0;
        if (earlierAttacher)
        {
            for (final FrameRing[] queue : rings.rx)
            {
                for (final FrameRing ring : queue)
                {
                    stale += ring.skipPublished();
                }
            }
        }
        final ShmWire wire = new ShmWire(Role.ATTACHER, channel, attacherLock, mapped, memory, rings, mac, mtu,
            context.path(), checksumOffload);
        wire.staleFramesSkipped = stale;
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

    /** @return this side's queues (one per fast-path lane); queue 0 is this object. */
    public int queueCount()
    {
        return queues.length;
    }

    /**
     * @param index 0 to {@link #queueCount()} - 1.
     * @return that queue of this side; closing it does nothing, closing this wire closes them all.
     */
    public FrameRingPacketIo queue(final int index)
    {
        return queues[index];
    }

    /** @return all of this side's queues, queue 0 (this object) first. */
    public PacketIo[] queues()
    {
        return queues.clone();
    }

    /** @return frames an earlier attacher left unread, which this attacher skipped when it attached. */
    public long staleFramesSkipped()
    {
        return staleFramesSkipped;
    }

    /** @return the number of queues the attacher published, 0 while none has attached. */
    public int attacherQueues()
    {
        return memory.getIntAcquire(ATTACHER_QUEUES_OFFSET);
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
