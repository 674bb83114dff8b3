package dev.taskvs.engine.nic.dpdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes and offsets of the DPDK structures Java touches, as the shim compiled them (its {@code tkd_layout_*}
 * table), so nothing here is guessed: an entry that is missing, or a field whose width is not the one the
 * Java access uses, stops the backend at load with a message naming it.
 * <p>
 * The {@code rte_mbuf} fields the data path reads and writes in place (DPDK 22.11, x86-64, for orientation
 * only; the values come from the shim):
 * <pre>
 *   buf_addr  @0   u64   virtual address of the data room
 *   data_off  @16  u16   offset of the frame's first byte in the data room
 *   nb_segs   @20  u16   segments in the chain (1 for every frame this backend accepts)
 *   pkt_len   @36  u32   frame length over all segments
 *   data_len  @40  u16   bytes in this segment
 *   buf_len   @54  u16   size of the data room
 * </pre>
 */
public final class DpdkLayout
{
    private final Map<String, Long> entries;

    public final int mbufSize;
    public final int bufAddrOffset;
    public final int dataOffOffset;
    public final int nbSegsOffset;
    public final int pktLenOffset;
    public final int dataLenOffset;
    public final int bufLenOffset;
    public final int headroom;
    public final int defaultBufferSize;
    public final int maxLcores;
    public final int portInfoCount;
    public final int portStatsCount;
    public final int portLinkCount;
    public final int nameMaxLength;

    private DpdkLayout(final Map<String, Long> entries)
    {
        this.entries = Collections.unmodifiableMap(entries);
        require("pointer.size", 8);
        mbufSize = value("rte_mbuf.size");
        bufAddrOffset = field("buf_addr", 8);
        dataOffOffset = field("data_off", 2);
        nbSegsOffset = field("nb_segs", 2);
        pktLenOffset = field("pkt_len", 4);
        dataLenOffset = field("data_len", 2);
        bufLenOffset = field("buf_len", 2);
        headroom = value("RTE_PKTMBUF_HEADROOM");
        defaultBufferSize = value("RTE_MBUF_DEFAULT_BUF_SIZE");
        maxLcores = value("RTE_MAX_LCORE");
        nameMaxLength = value("RTE_ETH_NAME_MAX_LEN");
        require("RTE_ETHER_ADDR_LEN", 6);
        portInfoCount = value("port.info.count");
        portStatsCount = value("port.stats.count");
        portLinkCount = value("port.link.count");
    }

    static DpdkLayout read(final DpdkShim shim)
    {
        final Map<String, Long> entries = new LinkedHashMap<>();
        final int count = shim.tkd_layout_count();
        for (int i = 0; i < count; i++)
        {
            entries.put(shim.tkd_layout_name(i), shim.tkd_layout_value(i));
        }
        return new DpdkLayout(entries);
    }

    /** @return every entry the shim exports, by name, in its order. */
    public Map<String, Long> entries()
    {
        return entries;
    }

    private int value(final String name)
    {
        final Long value = entries.get(name);
        if (value == null)
        {
            throw new DpdkException("the DPDK shim exports no layout entry " + name + "; it has " +
                entries.keySet(), 0);
        }
        if (value < 0 || value > Integer.MAX_VALUE)
        {
            throw new DpdkException("DPDK shim layout entry " + name + " = " + value + " is out of range", 0);
        }
        return value.intValue();
    }

    private void require(final String name, final int expected)
    {
        final int actual = value(name);
        if (actual != expected)
        {
            throw new DpdkException("DPDK shim layout entry " + name + " is " + actual + ", the Java side needs " +
                expected, 0);
        }
    }

    private int field(final String field, final int width)
    {
        require("rte_mbuf." + field + ".size", width);
        return value("rte_mbuf." + field);
    }
}
