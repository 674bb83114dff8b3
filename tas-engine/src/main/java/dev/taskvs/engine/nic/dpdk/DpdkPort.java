package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.MacAddress;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A started DPDK Ethernet port with one RX/TX queue pair per fast-path thread, each queue a {@link DpdkPacketIo}
 * with a mempool of its own. With more than one queue and a device that hashes, RSS spreads flows over the
 * queues (on IP addresses and TCP/UDP ports, as far as the device supports them); the virtual devices used in
 * tests have one queue and no RSS.
 * <p>
 * The port is either hot-plugged from devargs ({@link Context#devargs}; closing the port removes the device)
 * or one EAL probed at init ({@link Context#deviceName}; closing stops it). Closing the port closes its
 * queues; closing the last open queue closes the port, so a one-queue user may simply close its
 * {@link DpdkPacketIo}.
 */
public final class DpdkPort implements AutoCloseable
{
    private static final AtomicInteger POOL_SEQUENCE = new AtomicInteger();

    /** Settings of a port. */
    public static final class Context
    {
        private String devargs;
        private String deviceName;
        private int queues = 1;
        private int rxDescriptors = 1024;
        private int txDescriptors = 1024;
        private int mbufsPerQueue = 8191;
        private int mbufCache = 256;
        private int dataRoom;
        private int mtu;
        private boolean promiscuous = true;
        private long macAddress;

        /** @param devargs a device to hot-plug for this port, e.g. "net_tap1,iface=dpt0". @return this. */
        public Context devargs(final String devargs)
        {
            this.devargs = devargs;
            return this;
        }

        /** @param name a device EAL probed at init, e.g. "0000:01:00.0" or "net_af_packet0". @return this. */
        public Context deviceName(final String name)
        {
            this.deviceName = name;
            return this;
        }

        /** @param queues RX/TX queue pairs, one per fast-path thread. @return this. */
        public Context queues(final int queues)
        {
            this.queues = queues;
            return this;
        }

        /** @param rx RX descriptors per queue. @param tx TX descriptors per queue. @return this. */
        public Context descriptors(final int rx, final int tx)
        {
            this.rxDescriptors = rx;
            this.txDescriptors = tx;
            return this;
        }

        /** @param mbufs mbufs in each queue's pool; 2^n - 1 suits DPDK's ring best. @return this. */
        public Context mbufsPerQueue(final int mbufs)
        {
            this.mbufsPerQueue = mbufs;
            return this;
        }

        /** @param cache per-lcore mbuf cache of each pool (used by registered threads). @return this. */
        public Context mbufCache(final int cache)
        {
            this.mbufCache = cache;
            return this;
        }

        /**
         * @param dataRoom bytes of each mbuf's data room, headroom included; 0 (default) is DPDK's 2,176
         *                 (2,048 + 128). Jumbo frames need more (and, on af_packet, framesz devargs: dpdk.md P10).
         * @return this.
         */
        public Context dataRoom(final int dataRoom)
        {
            this.dataRoom = dataRoom;
            return this;
        }

        /** @param mtu the IP MTU to set; 0 (default) keeps the device's. @return this. */
        public Context mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        /** @param promiscuous receive frames for every MAC (default true). @return this. */
        public Context promiscuous(final boolean promiscuous)
        {
            this.promiscuous = promiscuous;
            return this;
        }

        /**
         * @param macAddress the engine's MAC; 0 (default) uses the port's. Give net_tap one of its own: the
         *                   kernel side of the tap has the port's (dpdk.md P12). @return this.
         */
        public Context macAddress(final long macAddress)
        {
            this.macAddress = macAddress;
            return this;
        }

        /** Validate settings before anything is opened. @return this. */
        public Context conclude()
        {
            if ((devargs == null) == (deviceName == null))
            {
                throw new IllegalArgumentException("a DPDK port needs exactly one of devargs and deviceName: " +
                    devargs + ", " + deviceName);
            }
            if (queues < 1 || queues > 1024)
            {
                throw new IllegalArgumentException("queues must be 1..1024: " + queues);
            }
            if (rxDescriptors < 32 || txDescriptors < 32 || rxDescriptors > 32_768 || txDescriptors > 32_768)
            {
                throw new IllegalArgumentException(
                    "descriptors must be 32..32768: rx " + rxDescriptors + ", tx " + txDescriptors);
            }
            final int needed = rxDescriptors + txDescriptors + 4 * DpdkPacketIo.MAX_BURST + mbufCache;
            if (mbufsPerQueue < needed)
            {
                throw new IllegalArgumentException("mbufsPerQueue " + mbufsPerQueue + " is below " + needed +
                    ": RX descriptors + TX descriptors + 4 bursts + cache");
            }
            if (mbufCache < 0 || mbufCache > 512)
            {
                throw new IllegalArgumentException("mbufCache must be 0..512 (RTE_MEMPOOL_CACHE_MAX_SIZE): " +
                    mbufCache);
            }
            if (dataRoom != 0 && (dataRoom < 512 || dataRoom > 65_535))
            {
                throw new IllegalArgumentException("dataRoom must be 0 (default) or 512..65535: " + dataRoom);
            }
            if (mtu != 0 && (mtu < 68 || mtu > 65_000))
            {
                throw new IllegalArgumentException("mtu must be 0 (device default) or 68..65000: " + mtu);
            }
            if (macAddress != 0 && MacAddress.isGroup(macAddress))
            {
                throw new IllegalArgumentException("the engine's MAC must be unicast: " +
                    MacAddress.toString(macAddress));
            }
            return this;
        }
    }

    /** Link state. */
    public record Link(boolean up, long speedMbps, boolean fullDuplex)
    {
    }

    /** Port counters, filled in place by {@link #stats(Stats)}. */
    public static final class Stats
    {
        public long rxPackets;
        public long txPackets;
        public long rxBytes;
        public long txBytes;
        public long rxMissed;
        public long rxErrors;
        public long txErrors;
        public long rxNoMbuf;

        @Override
        public String toString()
        {
            return "rx " + rxPackets + " pkts/" + rxBytes + " B, tx " + txPackets + " pkts/" + txBytes +
                " B, rx missed " + rxMissed + ", rx errors " + rxErrors + ", tx errors " + txErrors +
                ", rx no mbuf " + rxNoMbuf;
        }
    }

    private final Dpdk dpdk;
    private final DpdkShim shim;
    private final DpdkLayout layout;
    private final String name;
    private final int portId;
    private final boolean attached;
    private final String driver;
    private final boolean rss;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final long[] pools;
    private final DpdkPacketIo[] queues;
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
    private int openQueues;
    private boolean started;
    private boolean closed;

    DpdkPort(final Dpdk dpdk, final Context context)
    {
        context.conclude();
        this.dpdk = dpdk;
        this.shim = dpdk.shim();
        this.layout = DpdkLibrary.layout();
        this.attached = context.devargs != null;
        this.portId = attached ? dpdk.attach(context.devargs) : dpdk.portByName(context.deviceName);
        this.name = attached ? Dpdk.deviceName(context.devargs) : context.deviceName;
        this.pools = new long[context.queues];
        this.queues = new DpdkPacketIo[context.queues];
        final long mark = shim.tkd_log_mark();
        try
        {
            this.driver = shim.tkd_port_driver(portId);
            final int infoCount = layout.portInfoCount;
            check(shim.tkd_port_info(portId, scratch.addressOffset(), infoCount), "rte_eth_dev_info_get", mark);
            final long maxRxQueues = scratch.getLong(0);
            final long maxTxQueues = scratch.getLong(8);
            if (context.queues > maxRxQueues || context.queues > maxTxQueues)
            {
                throw new DpdkException("port " + name + " (" + driver + ") has at most " + maxRxQueues +
                    " RX and " + maxTxQueues + " TX queues, " + context.queues + " asked for", 22);
            }
            final int configured = shim.tkd_port_configure(portId, context.queues, context.mtu);
            check(configured, "rte_eth_dev_configure with " + context.queues + " queues, mtu " + context.mtu, mark);
            this.rss = configured == 1;

            final int dataRoom = context.dataRoom != 0 ? context.dataRoom : layout.defaultBufferSize;
            for (int q = 0; q < context.queues; q++)
            {
                final String poolName = "tkvs" + POOL_SEQUENCE.incrementAndGet();
                final long pool = shim.tkd_pool_create(poolName, context.mbufsPerQueue, context.mbufCache, dataRoom);
                if (pool == 0)
                {
                    throw new DpdkException("cannot create mempool " + poolName + " of " + context.mbufsPerQueue +
                        " mbufs with " + dataRoom + "-byte data rooms for " + name + ": " +
                        dpdk.describe(-shim.tkd_errno()) + " (EAL memory, -m, too small?)" + dpdk.logSince(mark),
                        shim.tkd_errno());
                }
                pools[q] = pool;
                check(shim.tkd_port_queue_setup(portId, q, pool, context.rxDescriptors, context.txDescriptors),
                    "queue setup " + q + " (" + context.rxDescriptors + "/" + context.txDescriptors + " descriptors)",
                    mark);
            }
            check(shim.tkd_port_start(portId, context.promiscuous ? 1 : 0), "rte_eth_dev_start", mark);
            started = true;

            check(shim.tkd_port_mac(portId, scratch.addressOffset()), "rte_eth_macaddr_get", mark);
            this.macAddress = context.macAddress != 0 ? context.macAddress : MacAddress.read(scratch, 0);
            final int portMtu = shim.tkd_port_mtu(portId);
            this.mtu = context.mtu != 0 ? context.mtu : (portMtu > 0 ? portMtu : 1500);
            this.maxFrameLength = Math.min(mtu + EthernetFrame.HEADER_LENGTH, dataRoom - layout.headroom);
            for (int q = 0; q < context.queues; q++)
            {
                queues[q] = new DpdkPacketIo(this, shim, layout, q, pools[q], poolView(pools[q]));
            }
            openQueues = context.queues;
        }
        catch (final RuntimeException ex)
        {
            release();
            throw ex;
        }
    }

    private UnsafeBuffer poolView(final long pool)
    {
        shim.tkd_pool_span(pool, scratch.addressOffset());
        final long low = scratch.getLong(0);
        final long high = scratch.getLong(8);
        if (low == 0 || high - low > Integer.MAX_VALUE)
        {
            throw new DpdkException("mempool of " + name + " spans " + (high - low) + " bytes from 0x" +
                Long.toHexString(low) + ": one buffer can view at most 2 GiB; use fewer mbufs per queue", 0);
        }
        return new UnsafeBuffer(low, (int)(high - low));
    }

    private void check(final int ret, final String what, final long mark)
    {
        if (ret < 0)
        {
            throw new DpdkException(what + " failed on port " + name + " (" + driver + "): " + dpdk.describe(ret) +
                dpdk.logSince(mark), -ret);
        }
    }

    /** @return the port id. */
    public int portId()
    {
        return portId;
    }

    /** @return the device name, e.g. "net_tap1". */
    public String name()
    {
        return name;
    }

    /** @return the PMD's name, e.g. "net_af_packet". */
    public String driver()
    {
        return driver;
    }

    /** @return true when RSS spreads flows over the queues. */
    public boolean rssEnabled()
    {
        return rss;
    }

    /** @return the number of RX/TX queue pairs. */
    public int queueCount()
    {
        return queues.length;
    }

    /**
     * @param index 0 .. {@link #queueCount()} - 1.
     * @return the queue pair's packet I/O, to be driven by one thread.
     */
    public DpdkPacketIo queue(final int index)
    {
        return queues[index];
    }

    /** @return the engine's MAC on this port. */
    public long macAddress()
    {
        return macAddress;
    }

    /** @return the IP MTU. */
    public int mtu()
    {
        return mtu;
    }

    /** @return the largest frame a queue sends or receives, Ethernet header included. */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /** @return the link state now, without waiting. */
    public synchronized Link link()
    {
        ensureOpen();
        if (shim.tkd_port_link(portId, scratch.addressOffset()) < 0)
        {
            return new Link(false, 0, false);
        }
        return new Link(scratch.getLong(0) != 0, scratch.getLong(8), scratch.getLong(16) != 0);
    }

    /**
     * Wait until the link is up: memif's comes up once the peer connected, a tap's or af_packet's follows its
     * kernel interface.
     *
     * @param timeout how long to wait.
     * @param unit    of the timeout.
     * @throws DpdkException when the link is still down after the timeout.
     */
    public void awaitLinkUp(final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!link().up())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new DpdkException("link of port " + name + " (" + driver + ") still down after " +
                    unit.toMillis(timeout) + " ms", 110);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * @param into filled with the port's counters.
     * @return into.
     */
    public synchronized Stats stats(final Stats into)
    {
        ensureOpen();
        if (shim.tkd_port_stats(portId, scratch.addressOffset()) == 0)
        {
            into.rxPackets = scratch.getLong(0);
            into.txPackets = scratch.getLong(8);
            into.rxBytes = scratch.getLong(16);
            into.txBytes = scratch.getLong(24);
            into.rxMissed = scratch.getLong(32);
            into.rxErrors = scratch.getLong(40);
            into.txErrors = scratch.getLong(48);
            into.rxNoMbuf = scratch.getLong(56);
        }
        return into;
    }

    /** Zero the port's counters. */
    public synchronized void resetStats()
    {
        ensureOpen();
        shim.tkd_port_stats_reset(portId);
    }

    /**
     * @param queue a queue index.
     * @return mbufs of that queue's pool not in use: a leak check (some PMDs park mbufs in their RX rings).
     */
    public int poolAvailable(final int queue)
    {
        return shim.tkd_pool_avail(pools[queue]);
    }

    synchronized void queueClosed()
    {
        if (--openQueues == 0)
        {
            close();
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("DPDK port " + name + " is closed");
        }
    }

    /** Stop the port, close its queues, remove a hot-plugged device and free the pools. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final DpdkPacketIo queue : queues)
        {
            if (queue != null)
            {
                queue.markClosed();
            }
        }
        release();
    }

    private void release()
    {
        final long mark = shim.tkd_log_mark();
        final StringBuilder errors = new StringBuilder();
        if (started)
        {
            final int stop = shim.tkd_port_stop(portId);
            if (stop < 0)
            {
                errors.append(" stop: ").append(dpdk.describe(stop));
            }
            started = false;
        }
        if (attached)
        {
            // rte_eth_dev_close, then rte_dev_remove: the device and its name are free for a later attach.
            final int close = shim.tkd_port_close(portId, 1);
            if (close < 0)
            {
                errors.append(" close: ").append(dpdk.describe(close));
            }
        }
        // The queues are stopped, so no PMD holds the pools' mbufs any more.
        for (int q = 0; q < pools.length; q++)
        {
            if (pools[q] != 0)
            {
                shim.tkd_pool_free(pools[q]);
                pools[q] = 0;
            }
        }
        if (errors.length() > 0)
        {
            throw new DpdkException("closing port " + name + " failed:" + errors + dpdk.logSince(mark), 0);
        }
    }

    @Override
    public String toString()
    {
        return "dpdk:" + name + " (" + driver + ", port " + portId + ", " + queues.length + " queue(s), mac " +
            MacAddress.toString(macAddress) + ")";
    }
}
