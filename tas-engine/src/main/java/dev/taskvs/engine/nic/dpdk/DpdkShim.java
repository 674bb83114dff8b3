package dev.taskvs.engine.nic.dpdk;

import jnr.ffi.annotations.IgnoreError;

/**
 * The C shim {@code libtaskvs_dpdk.so} (source: {@code tas-engine/src/main/c/taskvs_dpdk.c}), bound with
 * jnr-ffi. The C file documents each function; this interface only maps them.
 * <p>
 * Pointers are passed as raw {@code long} addresses, which costs no object per call; arrays of mbuf pointers
 * are native memory the caller owns. Data-path methods carry {@link IgnoreError}: they set no errno worth
 * saving, and skipping the save is 1 to 3 ns a call (dpdk.md P14). No function has more than five
 * parameters, because jnr-ffi corrupts the sixth of an all-primitive signature (jnr/jnr-ffi#181, dpdk.md P13).
 */
public interface DpdkShim
{
    int tkd_shim_version();

    String tkd_dpdk_version();

    int tkd_errno();

    String tkd_strerror(int error);

    long tkd_log_mark();

    int tkd_log_since(long mark, long out, int length);

    void tkd_log_echo(int echo);

    int tkd_eal_init(int argc, String[] argv);

    int tkd_eal_cleanup();

    int tkd_eal_has_hugepages();

    int tkd_thread_register();

    void tkd_thread_unregister();

    @IgnoreError
    int tkd_lcore_id();

    long tkd_pool_create(String name, int count, int cache, int dataRoom);

    void tkd_pool_free(long pool);

    int tkd_pool_avail(long pool);

    int tkd_pool_in_use(long pool);

    int tkd_pool_span(long pool, long out);

    int tkd_dev_attach(String devargs);

    int tkd_port_count();

    int tkd_port_by_name(String name);

    int tkd_port_name(int port, long out, int length);

    int tkd_port_info(int port, long out, int length);

    String tkd_port_driver(int port);

    int tkd_port_configure(int port, int queues, int mtu);

    int tkd_port_queue_setup(int port, int queue, long pool, int rxDescriptors, int txDescriptors);

    int tkd_port_start(int port, int promiscuous);

    int tkd_port_stop(int port);

    int tkd_port_close(int port, int detach);

    int tkd_port_mac(int port, long out);

    int tkd_port_mtu(int port);

    int tkd_port_link(int port, long out);

    int tkd_port_stats(int port, long out);

    int tkd_port_stats_reset(int port);

    @IgnoreError
    int tkd_rx_burst(int port, int queue, long mbufs, int count);

    @IgnoreError
    int tkd_tx_burst(int port, int queue, long mbufs, int count);

    @IgnoreError
    int tkd_mbuf_alloc_bulk(long pool, long out, int count);

    @IgnoreError
    void tkd_mbuf_free_bulk(long mbufs, int count);

    long tkd_mbuf_data(long mbuf);

    int tkd_mbuf_data_len(long mbuf);

    int tkd_mbuf_pkt_len(long mbuf);

    int tkd_mbuf_tailroom(long mbuf);

    long tkd_mbuf_set_len(long mbuf, int length);

    int tkd_layout_count();

    String tkd_layout_name(int index);

    long tkd_layout_value(int index);
}
