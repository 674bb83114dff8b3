package dev.taskvs.engine.nic.afpacket;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.LibC;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An AF_PACKET socket bound to an existing interface, with PACKET_MMAP rings in TPACKET_V2 format for both
 * directions: receive and transmit read and write the kernel's ring frames in place, with no system call on
 * receive and one {@code send} per transmitted burst. dpdk.md (section 4) measured this ring from Java at
 * about 1 Mpps of 64-byte frames on a veth, the same as DPDK's af_packet PMD.
 * <p>
 * Ring frame layout (TPACKET_V2, linux/if_packet.h), one frame per slot of {@code frameSize} bytes:
 * <pre>
 *  +0   tp_status (u32)   RX: TP_STATUS_USER when the frame is ours; TX: AVAILABLE / SEND_REQUEST / SENDING
 *  +4   tp_len (u32)      original length; the length to send on TX
 *  +8   tp_snaplen (u32)  bytes captured on RX
 *  +12  tp_mac (u16)      RX: offset of the Ethernet header from the slot start
 *  +14  tp_net (u16)
 *  +16  tp_sec, +20 tp_nsec, +24 vlan tci/tpid, +28 padding
 *  +32  TX: frame data (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))
 * </pre>
 * The socket asks for PACKET_IGNORE_OUTGOING, so frames it sends do not come back into its own RX ring, and
 * joins the interface in promiscuous mode through PACKET_ADD_MEMBERSHIP, which the kernel undoes when the
 * socket closes (unlike setting IFF_PROMISC). The engine's MAC defaults to the interface's own.
 * <p>
 * The kernel-side peer of a veth must have checksum offload off ({@code ethtool -K peer tx off}), else its TCP
 * segments arrive with partial checksums (dpdk.md pitfall P1).
 */
public final class AfPacketIo implements PacketIo
{
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int ETH_P_ALL_NETWORK_ORDER = 0x0300;
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_VERSION = 10;
    static final int PACKET_TX_RING = 13;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int TPACKET_V2 = 1;
    static final int PACKET_MR_PROMISC = 1;

    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_COPY = 2;
    static final int TP_STATUS_LOSING = 4;
    static final int TP_STATUS_AVAILABLE = 0;
    static final int TP_STATUS_SEND_REQUEST = 1;
    static final int TP_STATUS_WRONG_FORMAT = 4;

    static final int STATUS_OFFSET = 0;
    static final int LEN_OFFSET = 4;
    static final int SNAPLEN_OFFSET = 8;
    static final int MAC_OFFSET = 12;
    static final int TX_DATA_OFFSET = 32;
    static final int BLOCK_SIZE = 1 << 16;

    /** Settings of an AF_PACKET backend. */
    public static final class Context
    {
        private String interfaceName;
        private int rxFrames = 1024;
        private int txFrames = 1024;
        private long macAddress;
        private boolean qdiscBypass = true;

        public Context interfaceName(final String name)
        {
            this.interfaceName = name;
            return this;
        }

        /** @param frames RX ring frames, a power of two from 32. @return this. */
        public Context rxFrames(final int frames)
        {
            this.rxFrames = frames;
            return this;
        }

        /** @param frames TX ring frames, a power of two from 32. @return this. */
        public Context txFrames(final int frames)
        {
            this.txFrames = frames;
            return this;
        }

        /** @param macAddress the engine's MAC; 0 (default) uses the interface's. @return this. */
        public Context macAddress(final long macAddress)
        {
            this.macAddress = macAddress;
            return this;
        }

        /** @param bypass send without the interface's qdisc (PACKET_QDISC_BYPASS); true by default. @return this. */
        public Context qdiscBypass(final boolean bypass)
        {
            this.qdiscBypass = bypass;
            return this;
        }

        /** Validate settings before the socket opens. @return this. */
        public Context conclude()
        {
            if (interfaceName == null || interfaceName.isEmpty())
            {
                throw new IllegalArgumentException("AF_PACKET needs an interface name");
            }
            if (!BitUtil.isPowerOfTwo(rxFrames) || rxFrames < 32 || !BitUtil.isPowerOfTwo(txFrames) || txFrames < 32)
            {
                throw new IllegalArgumentException(
                    "AF_PACKET ring frames must be powers of two from 32: rx " + rxFrames + ", tx " + txFrames);
            }
            return this;
        }
    }

    private final LibC libc;
    private final String interfaceName;
    private final int fd;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final int frameSize;
    private final int rxFrames;
    private final int txFrames;
    private final Pointer mapping;
    private final long mappingLength;
    private final UnsafeBuffer ring;
    private final int txBase;

    private long rxNext;
    private int rxOutstanding;
    private long txNext;
    private long txClaim;
    private boolean closed;

    private long rxTruncated;
    private long rxLosing;
    private long txWrongFormat;
    private long txKickErrors;

    /**
     * Open the socket, set up and map both rings, bind to the interface.
     *
     * @param context settings, concluded here.
     */
    public AfPacketIo(final Context context)
    {
        context.conclude();
        this.libc = LibC.get();
        this.interfaceName = context.interfaceName;
        this.mtu = LinuxNet.mtu(interfaceName);
        this.macAddress = context.macAddress != 0 ? context.macAddress : LinuxNet.macAddress(interfaceName);
        this.maxFrameLength = mtu + EthernetFrame.HEADER_LENGTH;
        // Room for the RX header and the kernel's alignment of tp_mac (at most ~96 bytes) before the frame.
        this.frameSize = Math.max(2048, BitUtil.findNextPositivePowerOfTwo(maxFrameLength + 128));
        if (frameSize > BLOCK_SIZE)
        {
            throw new IllegalArgumentException("MTU " + mtu + " of " + interfaceName + " needs ring frames of " +
                frameSize + " bytes, above the " + BLOCK_SIZE + "-byte block");
        }
        this.rxFrames = context.rxFrames;
        this.txFrames = context.txFrames;

        final int ifindex = libc.if_nametoindex(interfaceName);
        if (ifindex == 0)
        {
            throw new IllegalArgumentException("no interface named " + interfaceName);
        }
        final int fd = libc.socket(AF_PACKET, SOCK_RAW, ETH_P_ALL_NETWORK_ORDER);
        if (fd < 0)
        {
            throw new IllegalStateException(LibC.describeError("socket(AF_PACKET)"));
        }
        this.fd = fd;
        try
        {
            setIntOption(PACKET_VERSION, TPACKET_V2, "PACKET_VERSION");
            setIntOption(PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            if (context.qdiscBypass)
            {
                setIntOption(PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }
            setRing(PACKET_RX_RING, rxFrames, "PACKET_RX_RING");
            setRing(PACKET_TX_RING, txFrames, "PACKET_TX_RING");

            this.mappingLength = (long)(rxFrames + txFrames) * frameSize;
            final Pointer mapped = libc.mmap(null, mappingLength, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_SHARED, fd, 0);
            if (mapped == null || mapped.address() == -1L)
            {
                throw new IllegalStateException(LibC.describeError("mmap of the AF_PACKET rings"));
            }
            this.mapping = mapped;
            this.ring = new UnsafeBuffer(mapped.address(), (int)mappingLength);
            this.txBase = rxFrames * frameSize;

            bind(ifindex);
            joinPromiscuous(ifindex);
        }
        catch (final RuntimeException ex)
        {
            libc.close(fd);
            throw ex;
        }
    }

    private void setIntOption(final int option, final int value, final String name)
    {
        final Pointer pointer = Memory.allocateDirect(LibC.runtime(), 4, true);
        pointer.putInt(0, value);
        if (libc.setsockopt(fd, SOL_PACKET, option, pointer, 4) < 0)
        {
            throw new IllegalStateException(LibC.describeError("setsockopt " + name + " on " + interfaceName));
        }
    }

    private void setRing(final int option, final int frames, final String name)
    {
        // struct tpacket_req { block_size, block_nr, frame_size, frame_nr }: frames never straddle blocks.
        final int framesPerBlock = BLOCK_SIZE / frameSize;
        final Pointer request = Memory.allocateDirect(LibC.runtime(), 16, true);
        request.putInt(0, BLOCK_SIZE);
        request.putInt(4, Math.max(1, frames / framesPerBlock));
        request.putInt(8, frameSize);
        request.putInt(12, frames);
        if (libc.setsockopt(fd, SOL_PACKET, option, request, 16) < 0)
        {
            throw new IllegalStateException(LibC.describeError("setsockopt " + name + " (" + frames + " frames of " +
                frameSize + " bytes) on " + interfaceName));
        }
    }

    private void bind(final int ifindex)
    {
        // struct sockaddr_ll: family u16, protocol be16, ifindex i32, hatype u16, pkttype u8, halen u8, addr[8].
        final Pointer address = Memory.allocateDirect(LibC.runtime(), 20, true);
        address.putShort(0, (short)AF_PACKET);
        address.putShort(2, (short)ETH_P_ALL_NETWORK_ORDER);
        address.putInt(4, ifindex);
        if (libc.bind(fd, address, 20) < 0)
        {
            throw new IllegalStateException(LibC.describeError("bind AF_PACKET to " + interfaceName));
        }
    }

    private void joinPromiscuous(final int ifindex)
    {
        // struct packet_mreq: ifindex i32, type u16, alen u16, address[8].
        final Pointer request = Memory.allocateDirect(LibC.runtime(), 16, true);
        request.putInt(0, ifindex);
        request.putShort(4, (short)PACKET_MR_PROMISC);
        if (libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, request, 16) < 0)
        {
            throw new IllegalStateException(LibC.describeError("PACKET_ADD_MEMBERSHIP promisc on " + interfaceName));
        }
    }

    private int rxSlot(final long position)
    {
        return (int)(position & (rxFrames - 1)) * frameSize;
    }

    private int txSlot(final long position)
    {
        return txBase + (int)(position & (txFrames - 1)) * frameSize;
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        int received = 0;
        while (rx.remaining() > 0 && rxOutstanding < rxFrames)
        {
            final int slot = rxSlot(rxNext);
            // Acquire: the kernel fills the frame, then publishes it by setting TP_STATUS_USER.
            final int status = ring.getIntAcquire(slot + STATUS_OFFSET);
            if ((status & TP_STATUS_USER) == 0)
            {
                break;
            }
            if ((status & TP_STATUS_COPY) != 0)
            {
                rxTruncated++;
            }
            if ((status & TP_STATUS_LOSING) != 0)
            {
                rxLosing++;
            }
            final int snapLength = ring.getInt(slot + SNAPLEN_OFFSET);
            final int macOffset = ring.getShort(slot + MAC_OFFSET) & 0xFFFF;
            final int length = Math.min(snapLength, frameSize - macOffset);
            rx.add(ring, slot + macOffset, length, frameSize - macOffset, rxNext);
            rxNext++;
            rxOutstanding++;
            received++;
        }
        return received;
    }

    @Override
    public void release(final FrameBatch rx)
    {
        for (int i = 0; i < rx.size(); i++)
        {
            // Release: our reads of the frame happen before the kernel may refill it.
            ring.putIntRelease(rxSlot(rx.handle(i)) + STATUS_OFFSET, TP_STATUS_KERNEL);
        }
        rxOutstanding -= rx.size();
        rx.clear();
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        int allocated = 0;
        while (allocated < count && tx.remaining() > 0 && txClaim - txNext < txFrames)
        {
            final int slot = txSlot(txClaim);
            final int status = ring.getIntAcquire(slot + STATUS_OFFSET);
            if (status == TP_STATUS_WRONG_FORMAT)
            {
                txWrongFormat++;
                ring.putIntRelease(slot + STATUS_OFFSET, TP_STATUS_AVAILABLE);
            }
            else if (status != TP_STATUS_AVAILABLE)
            {
                break;
            }
            tx.add(ring, slot + TX_DATA_OFFSET, 0, maxFrameLength, txClaim);
            txClaim++;
            allocated++;
        }
        return allocated;
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        // The kernel sends ring frames strictly in order and stops at the first one not marked SEND_REQUEST,
        // so a withdrawn frame must not leave a hole: later frames move down into its slot.
        int sent = 0;
        for (int i = 0; i < tx.size(); i++)
        {
            final int length = tx.length(i);
            if (length == 0)
            {
                continue;
            }
            final int slot = txSlot(txNext);
            if (txNext != tx.handle(i))
            {
                ring.putBytes(slot + TX_DATA_OFFSET, ring, tx.offset(i), length);
            }
            ring.putInt(slot + LEN_OFFSET, length);
            ring.putIntRelease(slot + STATUS_OFFSET, TP_STATUS_SEND_REQUEST);
            txNext++;
            sent++;
        }
        txClaim = txNext;
        tx.clear();
        if (sent > 0 && libc.send(fd, null, 0, LibC.MSG_DONTWAIT) < 0)
        {
            // EAGAIN/ENOBUFS leave the frames marked; the next kick sends them.
            txKickErrors++;
        }
        return sent;
    }

    /** @return received frames the kernel truncated to the ring frame (TP_STATUS_COPY). */
    public long rxTruncated()
    {
        return rxTruncated;
    }

    /** @return received frames flagged TP_STATUS_LOSING: the kernel dropped frames because the ring was full. */
    public long rxLosing()
    {
        return rxLosing;
    }

    /** @return transmitted frames the kernel rejected as malformed. */
    public long txWrongFormat()
    {
        return txWrongFormat;
    }

    /** @return failed transmit kicks (their frames stay queued for the next one). */
    public long txKickErrors()
    {
        return txKickErrors;
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
        return "afpacket:" + interfaceName;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            libc.munmap(mapping, mappingLength);
            libc.close(fd);
        }
    }
}
