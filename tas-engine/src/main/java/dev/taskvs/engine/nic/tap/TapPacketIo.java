package dev.taskvs.engine.nic.tap;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.LibC;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.MacAddress;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A TAP device through {@code /dev/net/tun}: the kernel sees an Ethernet interface, and every frame it sends
 * on it is read here, every frame written here is received by it. The device exists while this object is
 * open (it is not made persistent).
 * <p>
 * The descriptor is non-blocking. A burst receive reads frame after frame until the kernel says EAGAIN or the
 * batch is full: one {@code read} per frame is the TAP interface's price (about 2 µs each on the project's
 * VMs, see dpdk.md section 4). Frames are read straight into the backend's slot pool and lent to the caller
 * without a copy; transmit frames are allocated from the same pool and written from there.
 * <p>
 * The engine's MAC must differ from the kernel side's (the kernel gives the TAP interface a random one); by
 * default it is 02:54:41:50:00:01.
 */
public final class TapPacketIo implements PacketIo
{
    /** From linux/if_tun.h. */
    static final long TUNSETIFF = 0x400454CAL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final int IFREQ_LENGTH = 40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_FLAGS_OFFSET = 16;

    /** Settings of a TAP backend. */
    public static final class Context
    {
        private String interfaceName;
        private int mtu = 1500;
        private long macAddress = 0x02_54_41_50_00_01L;
        private int poolFrames = 512;

        public Context interfaceName(final String name)
        {
            this.interfaceName = name;
            return this;
        }

        public String interfaceName()
        {
            return interfaceName;
        }

        public Context mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        public Context macAddress(final long macAddress)
        {
            this.macAddress = macAddress;
            return this;
        }

        /** @param poolFrames frames the backend can lend out at once, receive and transmit together. @return this. */
        public Context poolFrames(final int poolFrames)
        {
            this.poolFrames = poolFrames;
            return this;
        }

        /** Validate settings before the device is opened. @return this. */
        public Context conclude()
        {
            if (interfaceName == null || interfaceName.isEmpty() ||
                interfaceName.getBytes(StandardCharsets.US_ASCII).length >= IFNAMSIZ)
            {
                throw new IllegalArgumentException("TAP interface name must be 1.." + (IFNAMSIZ - 1) +
                    " ASCII characters: " + interfaceName);
            }
            if (mtu < 68 || mtu > 65_521)
            {
                throw new IllegalArgumentException("TAP MTU must be 68..65521: " + mtu);
            }
            if (MacAddress.isGroup(macAddress) || macAddress == 0)
            {
                throw new IllegalArgumentException("TAP MAC must be a unicast address: " +
                    MacAddress.toString(macAddress));
            }
            if (poolFrames < 2)
            {
                throw new IllegalArgumentException("TAP pool needs at least 2 frames: " + poolFrames);
            }
            return this;
        }
    }

    private final LibC libc;
    private final int fd;
    private final String interfaceName;
    private final int mtu;
    private final long macAddress;
    private final int maxFrameLength;
    private final UnsafeBuffer pool;
    private final long poolAddress;
    private final int[] freeSlots;
    private int freeCount;
    private boolean closed;

    private long readErrors;
    private long writeErrors;

    /**
     * Create the TAP device and open it. The link is left down; see {@link LinuxNet} to bring it up and
     * address the kernel side.
     *
     * @param context settings, concluded here.
     */
    public TapPacketIo(final Context context)
    {
        context.conclude();
        this.libc = LibC.get();
        this.interfaceName = context.interfaceName;
        this.mtu = context.mtu;
        this.macAddress = context.macAddress;
        this.maxFrameLength = context.mtu + EthernetFrame.HEADER_LENGTH;

        final int fd = libc.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK);
        if (fd < 0)
        {
            throw new IllegalStateException(LibC.describeError("open /dev/net/tun"));
        }
        final Pointer ifreq = Memory.allocateDirect(LibC.runtime(), IFREQ_LENGTH, true);
        final byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        ifreq.put(0, name, 0, name.length);
        ifreq.putShort(IFREQ_FLAGS_OFFSET, (short)(IFF_TAP | IFF_NO_PI));
        if (libc.ioctl(fd, TUNSETIFF, ifreq) < 0)
        {
            final String error = LibC.describeError("ioctl TUNSETIFF " + interfaceName);
            libc.close(fd);
            throw new IllegalStateException(error);
        }
        this.fd = fd;

        this.pool = new UnsafeBuffer(BufferUtil.allocateDirectAligned(context.poolFrames * maxFrameLength, 64));
        this.poolAddress = pool.addressOffset();
        this.freeSlots = new int[context.poolFrames];
        for (int i = 0; i < context.poolFrames; i++)
        {
            freeSlots[i] = context.poolFrames - 1 - i;
        }
        this.freeCount = context.poolFrames;
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        int received = 0;
        while (rx.remaining() > 0 && freeCount > 0)
        {
            final int slot = freeSlots[freeCount - 1];
            final int offset = slot * maxFrameLength;
            final long n = libc.read(fd, poolAddress + offset, maxFrameLength);
            if (n <= 0)
            {
                if (n < 0 && LibC.errno() != LibC.EAGAIN)
                {
                    readErrors++;
                }
                break;
            }
            freeCount--;
            rx.add(pool, offset, (int)n, maxFrameLength, slot);
            received++;
        }
        return received;
    }

    @Override
    public void release(final FrameBatch rx)
    {
        for (int i = 0; i < rx.size(); i++)
        {
            freeSlots[freeCount++] = (int)rx.handle(i);
        }
        rx.clear();
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        int allocated = 0;
        while (allocated < count && tx.remaining() > 0 && freeCount > 0)
        {
            final int slot = freeSlots[--freeCount];
            tx.add(pool, slot * maxFrameLength, 0, maxFrameLength, slot);
            allocated++;
        }
        return allocated;
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        int sent = 0;
        for (int i = 0; i < tx.size(); i++)
        {
            final int length = tx.length(i);
            if (length > 0)
            {
                // A TAP write takes the whole frame or fails; there are no partial writes to resume.
                if (libc.write(fd, poolAddress + tx.offset(i), length) == length)
                {
                    sent++;
                }
                else
                {
                    writeErrors++;
                }
            }
            freeSlots[freeCount++] = (int)tx.handle(i);
        }
        tx.clear();
        return sent;
    }

    /** @return failed reads other than "nothing to read". */
    public long readErrors()
    {
        return readErrors;
    }

    /** @return frames the kernel refused (for instance while the link is down). */
    public long writeErrors()
    {
        return writeErrors;
    }

    public String interfaceName()
    {
        return interfaceName;
    }

    @Override
    public long macAddress()
    {
        return macAddress;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public String name()
    {
        return "tap:" + interfaceName;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            // Closing the only descriptor of a non-persistent TAP removes the interface.
            libc.close(fd);
        }
    }
}
