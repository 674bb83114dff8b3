package dev.taskvs.engine.nic.dpdk;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.MacAddress;

import java.util.function.LongSupplier;

/** Burst sending and kernel counter reading for the DPDK tests against kernel interfaces. */
final class DpdkBursts
{
    /** IEEE 802 local experimental EtherType: the kernel counts such frames and drops them. */
    static final int EXPERIMENTAL_ETHER_TYPE = 0x88B5;

    private DpdkBursts()
    {
    }

    /**
     * Send {@code frames} 64-byte broadcast frames in bursts of up to 32; every 16th allocated frame is
     * withdrawn (length 0) to exercise that path.
     *
     * @return the frames the device took.
     */
    static long sendBroadcastBursts(final PacketIo io, final int frames)
    {
        final FrameBatch tx = new FrameBatch(32);
        final EthernetFrame ethernet = new EthernetFrame();
        long taken = 0;
        int allocated = 0;
        while (allocated < frames)
        {
            final int n = io.allocate(tx, Math.min(32, frames - allocated));
            for (int i = 0; i < n; i++)
            {
                if ((allocated + i) % 16 == 15)
                {
                    continue;
                }
                ethernet.wrap(tx.buffer(i), tx.offset(i))
                    .destination(MacAddress.BROADCAST).source(io.macAddress()).etherType(EXPERIMENTAL_ETHER_TYPE);
                tx.buffer(i).setMemory(tx.offset(i) + EthernetFrame.HEADER_LENGTH, 64 - EthernetFrame.HEADER_LENGTH,
                    (byte)i);
                tx.length(i, 64);
            }
            taken += io.transmit(tx);
            allocated += n;
            if (n == 0)
            {
                Thread.onSpinWait();
            }
        }
        return taken;
    }

    /** @return the kernel's rx_packets of an interface, in a namespace (or null for this one). */
    static long rxPackets(final String namespace, final String name)
    {
        final String path = "/sys/class/net/" + name + "/statistics/rx_packets";
        final String value = namespace == null ? LinuxNet.run("cat", path) :
            LinuxNet.run("ip", "netns", "exec", namespace, "cat", path);
        return Long.parseLong(value.trim());
    }

    /** Poll a counter until it reaches {@code target} or the time is up. @return its last value. */
    static long awaitCount(final LongSupplier counter, final long target, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        long value = counter.getAsLong();
        while (value < target && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
            value = counter.getAsLong();
        }
        return value;
    }
}
