package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One RX/TX queue pair of a {@link DpdkPort}: the engine's {@link PacketIo} over DPDK.
 * <p>
 * Zero copy both ways. The queue's mempool is one address range (the shim reports it), viewed as one
 * {@link UnsafeBuffer}: a frame is an offset into that view, and the batch handle is the mbuf's address.
 * Received frames are the PMD's mbufs, lent until {@link #release}; frames to send are mbufs from the queue's
 * pool, written in place. The mbuf fields the data path needs (data_off, data_len, pkt_len, nb_segs, buf_addr,
 * buf_len) are read and written through the view at the offsets the shim exports ({@link DpdkLayout}).
 * <p>
 * Native calls: one per burst and nothing per frame. {@link #receive} is one {@code rte_eth_rx_burst},
 * {@link #release} one bulk free per 64 frames, {@link #allocate} one bulk alloc, {@link #transmit} one
 * {@code rte_eth_tx_burst} (retried twice for frames the device did not take, which are then freed and
 * counted). A frame the device hands over that this view cannot describe (a chained multi-segment frame, or
 * an mbuf outside the pool, as some PMDs' external buffers are) is freed and counted, never passed on.
 * <p>
 * One thread drives a queue. For the mempool's per-lcore cache, that thread should be registered with
 * {@link Dpdk#registerThread()}.
 */
public final class DpdkPacketIo implements PacketIo
{
    /** The most frames one native burst carries; larger batches are split. */
    public static final int MAX_BURST = 64;

    private final DpdkPort port;
    private final DpdkShim shim;
    private final int portId;
    private final int queue;
    private final long pool;
    private final UnsafeBuffer view;
    private final long base;
    private final int viewLength;
    private final int mbufSize;
    private final int bufAddrOffset;
    private final int dataOffOffset;
    private final int nbSegsOffset;
    private final int pktLenOffset;
    private final int dataLenOffset;
    private final int bufLenOffset;
    private final int maxFrameLength;
    private final String name;

    private final UnsafeBuffer rxMbufs = nativeArray();
    private final UnsafeBuffer txMbufs = nativeArray();
    private final UnsafeBuffer freeMbufs = nativeArray();
    private final UnsafeBuffer allocMbufs = nativeArray();
    private final long rxMbufsAddress = rxMbufs.addressOffset();
    private final long txMbufsAddress = txMbufs.addressOffset();
    private final long freeMbufsAddress = freeMbufs.addressOffset();
    private final long allocMbufsAddress = allocMbufs.addressOffset();

    private boolean closed;
    private long rxRejected;
    private long txDropped;
    private long allocFailures;

    DpdkPacketIo(
        final DpdkPort port,
        final DpdkShim shim,
        final DpdkLayout layout,
        final int queue,
        final long pool,
        final UnsafeBuffer view)
    {
        this.port = port;
        this.shim = shim;
        this.portId = port.portId();
        this.queue = queue;
        this.pool = pool;
        this.view = view;
        this.base = view.addressOffset();
        this.viewLength = view.capacity();
        this.mbufSize = layout.mbufSize;
        this.bufAddrOffset = layout.bufAddrOffset;
        this.dataOffOffset = layout.dataOffOffset;
        this.nbSegsOffset = layout.nbSegsOffset;
        this.pktLenOffset = layout.pktLenOffset;
        this.dataLenOffset = layout.dataLenOffset;
        this.bufLenOffset = layout.bufLenOffset;
        this.maxFrameLength = port.maxFrameLength();
        this.name = "dpdk:" + port.name() + "/q" + queue;
    }

    private static UnsafeBuffer nativeArray()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_BURST * Long.BYTES, 64));
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        final int want = Math.min(rx.remaining(), MAX_BURST);
        if (want == 0)
        {
            return 0;
        }
        final int received = shim.tkd_rx_burst(portId, queue, rxMbufsAddress, want);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < received; i++)
        {
            final long mbuf = rxMbufs.getLong(i * Long.BYTES);
            final long at = mbuf - base;
            if (at >= 0 && at <= viewLength - mbufSize)
            {
                final int header = (int)at;
                final int dataOff = view.getShort(header + dataOffOffset) & 0xFFFF;
                final long data = view.getLong(header + bufAddrOffset) + dataOff - base;
                final int room = (view.getShort(header + bufLenOffset) & 0xFFFF) - dataOff;
                final int segments = view.getShort(header + nbSegsOffset) & 0xFFFF;
                if (segments == 1 && data >= 0 && data + room <= viewLength)
                {
                    rx.add(view, (int)data, view.getShort(header + dataLenOffset) & 0xFFFF, room, mbuf);
                    accepted++;
                    continue;
                }
            }
            freeMbufs.putLong(rejected++ * Long.BYTES, mbuf);
        }
        if (rejected > 0)
        {
            shim.tkd_mbuf_free_bulk(freeMbufsAddress, rejected);
            rxRejected += rejected;
        }
        return accepted;
    }

    @Override
    public void release(final FrameBatch rx)
    {
        final int size = rx.size();
        int pending = 0;
        for (int i = 0; i < size; i++)
        {
            freeMbufs.putLong(pending++ * Long.BYTES, rx.handle(i));
            if (pending == MAX_BURST)
            {
                shim.tkd_mbuf_free_bulk(freeMbufsAddress, pending);
                pending = 0;
            }
        }
        if (pending > 0)
        {
            shim.tkd_mbuf_free_bulk(freeMbufsAddress, pending);
        }
        rx.clear();
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        int allocated = 0;
        int chunk = Math.min(Math.min(count, tx.remaining()), MAX_BURST);
        while (chunk > 0)
        {
            if (shim.tkd_mbuf_alloc_bulk(pool, allocMbufsAddress, chunk) != 0)
            {
                // All or nothing: ask for less until the pool can give it.
                if (chunk == 1)
                {
                    allocFailures++;
                    break;
                }
                chunk >>= 1;
                continue;
            }
            for (int i = 0; i < chunk; i++)
            {
                final long mbuf = allocMbufs.getLong(i * Long.BYTES);
                final int header = (int)(mbuf - base);
                final int dataOff = view.getShort(header + dataOffOffset) & 0xFFFF;
                final int data = (int)(view.getLong(header + bufAddrOffset) + dataOff - base);
                final int room = (view.getShort(header + bufLenOffset) & 0xFFFF) - dataOff;
                tx.add(view, data, 0, Math.min(room, maxFrameLength), mbuf);
            }
            allocated += chunk;
            chunk = Math.min(Math.min(count - allocated, tx.remaining()), MAX_BURST);
        }
        return allocated;
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        final int size = tx.size();
        int sent = 0;
        int queued = 0;
        int withdrawn = 0;
        for (int i = 0; i < size; i++)
        {
            final long mbuf = tx.handle(i);
            final int length = tx.length(i);
            if (length == 0)
            {
                freeMbufs.putLong(withdrawn++ * Long.BYTES, mbuf);
                if (withdrawn == MAX_BURST)
                {
                    shim.tkd_mbuf_free_bulk(freeMbufsAddress, withdrawn);
                    withdrawn = 0;
                }
                continue;
            }
            // A freshly allocated mbuf is reset (one segment, no offloads): only the lengths are ours to set.
            final int header = (int)(mbuf - base);
            view.putShort(header + dataLenOffset, (short)length);
            view.putInt(header + pktLenOffset, length);
            txMbufs.putLong(queued++ * Long.BYTES, mbuf);
            if (queued == MAX_BURST)
            {
                sent += send(queued);
                queued = 0;
            }
        }
        if (queued > 0)
        {
            sent += send(queued);
        }
        if (withdrawn > 0)
        {
            shim.tkd_mbuf_free_bulk(freeMbufsAddress, withdrawn);
        }
        tx.clear();
        return sent;
    }

    private int send(final int count)
    {
        int sent = shim.tkd_tx_burst(portId, queue, txMbufsAddress, count);
        for (int retry = 0; retry < 2 && sent < count; retry++)
        {
            sent += shim.tkd_tx_burst(portId, queue, txMbufsAddress + (long)sent * Long.BYTES, count - sent);
        }
        if (sent < count)
        {
            // The device's TX ring is full: drop the rest, as a NIC would, and count them.
            shim.tkd_mbuf_free_bulk(txMbufsAddress + (long)sent * Long.BYTES, count - sent);
            txDropped += count - sent;
        }
        return sent;
    }

    /** @return the port this queue belongs to. */
    public DpdkPort port()
    {
        return port;
    }

    /** @return the queue index. */
    public int queueIndex()
    {
        return queue;
    }

    /** @return received frames freed unseen: chained (multi-segment) or outside this queue's pool. */
    public long rxRejected()
    {
        return rxRejected;
    }

    /** @return frames the device did not take after retries, freed. */
    public long txDropped()
    {
        return txDropped;
    }

    /** @return allocate calls that got no mbuf because the pool was empty. */
    public long allocFailures()
    {
        return allocFailures;
    }

    @Override
    public long macAddress()
    {
        return port.macAddress();
    }

    @Override
    public int mtu()
    {
        return port.mtu();
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public String name()
    {
        return name;
    }

    void markClosed()
    {
        closed = true;
    }

    /** Close this queue; the port closes with its last open queue. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            port.queueClosed();
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
