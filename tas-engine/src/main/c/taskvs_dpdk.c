/*
 * taskvs_dpdk: the engine's shim over DPDK 22.11, bound from Java with jnr-ffi
 * (dev.taskvs.engine.nic.dpdk.DpdkShim).
 *
 * Why a shim: DPDK's fast-path calls (rte_eth_rx_burst, rte_eth_tx_burst, rte_pktmbuf_alloc_bulk, ...) are
 * static inline in its headers, so no shared library exports them (dpdk.md P2). Everything else here wraps
 * exported calls into the few shapes Java needs, with these rules:
 *  - every function takes at most five arguments: jnr-ffi's ASM fast path corrupts the sixth argument of
 *    all-primitive signatures on x86-64 (jnr/jnr-ffi#181, dpdk.md P13);
 *  - errors come back as negative errno values (or NULL with tkd_errno()), never as exits or aborts;
 *  - Java never guesses a struct offset: tkd_layout_* exports the sizes and offsets of every rte_mbuf field
 *    Java touches, by name, and Java refuses to start when one it needs is missing or of another width;
 *  - the data path is one call per burst: rx, tx, bulk alloc, bulk free. Java reads and writes mbuf fields
 *    in place through those offsets.
 * EAL's log goes through a stream that copies it to stderr and keeps the last TKD_LOG_KEEP bytes, so Java can
 * put the lines EAL printed about a failure (a vdev that did not probe, say) into its exception.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_version.h>

#define TKD_API __attribute__((visibility("default")))

/* Bumped whenever a signature or the meaning of a layout entry changes; Java checks it at load. */
#define TKD_SHIM_VERSION 1

#define TKD_LOG_KEEP 16384

/* ---------------------------------------------------------------------------------------------------- */
/* EAL log capture                                                                                        */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_ring[TKD_LOG_KEEP];
static uint64_t log_written; /* total bytes ever written; log_ring holds the last TKD_LOG_KEEP of them */
static int log_echo = 1;

static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < size; i++)
    {
        log_ring[(log_written + i) % TKD_LOG_KEEP] = buf[i];
    }
    log_written += size;
    pthread_mutex_unlock(&log_lock);
    if (log_echo)
    {
        /* Best effort: a log line lost to a full stderr pipe is not worth failing EAL for. */
        ssize_t ignored = write(STDERR_FILENO, buf, size);
        (void)ignored;
    }
    return (ssize_t)size;
}

static FILE *log_stream;

static void log_capture_start(void)
{
    if (log_stream == NULL)
    {
        cookie_io_functions_t functions = { .read = NULL, .write = log_write, .seek = NULL, .close = NULL };
        log_stream = fopencookie(NULL, "w", functions);
        if (log_stream != NULL)
        {
            setvbuf(log_stream, NULL, _IOLBF, 0);
            rte_openlog_stream(log_stream);
        }
    }
}

/** @return bytes EAL has logged so far: a mark for tkd_log_since. */
TKD_API int64_t tkd_log_mark(void)
{
    if (log_stream != NULL)
    {
        fflush(log_stream);
    }
    pthread_mutex_lock(&log_lock);
    const int64_t mark = (int64_t)log_written;
    pthread_mutex_unlock(&log_lock);
    return mark;
}

/**
 * Copy what EAL logged since a mark (at most the last TKD_LOG_KEEP bytes, and at most len - 1) into out,
 * NUL-terminated. @return the bytes copied.
 */
TKD_API int tkd_log_since(int64_t mark, char *out, int len)
{
    if (out == NULL || len <= 0)
    {
        return -EINVAL;
    }
    if (log_stream != NULL)
    {
        fflush(log_stream);
    }
    pthread_mutex_lock(&log_lock);
    uint64_t from = mark < 0 ? 0 : (uint64_t)mark;
    if (log_written > TKD_LOG_KEEP && from < log_written - TKD_LOG_KEEP)
    {
        from = log_written - TKD_LOG_KEEP;
    }
    if (log_written - from > (uint64_t)(len - 1))
    {
        from = log_written - (uint64_t)(len - 1);
    }
    int n = 0;
    for (uint64_t i = from; i < log_written; i++)
    {
        out[n++] = log_ring[i % TKD_LOG_KEEP];
    }
    out[n] = '\0';
    pthread_mutex_unlock(&log_lock);
    return n;
}

/** Whether EAL's log is also written to stderr (1, the default) or only kept for tkd_log_since (0). */
TKD_API void tkd_log_echo(int echo)
{
    log_echo = echo;
}

/* ---------------------------------------------------------------------------------------------------- */
/* EAL                                                                                                    */

static int eal_initialised;

TKD_API int tkd_shim_version(void)
{
    return TKD_SHIM_VERSION;
}

TKD_API const char *tkd_dpdk_version(void)
{
    return rte_version();
}

TKD_API int tkd_errno(void)
{
    return rte_errno;
}

TKD_API const char *tkd_strerror(int error)
{
    return rte_strerror(error < 0 ? -error : error);
}

/**
 * rte_eal_init, once per process (EAL refuses a second init even after rte_eal_cleanup, dpdk.md P4).
 * argv[0] is the program name. The calling thread's CPU affinity is put back afterwards: EAL pins the caller
 * to the main lcore's CPUs and every thread the JVM starts later would inherit that (dpdk.md P3).
 * @return the number of arguments EAL consumed, or a negative errno.
 */
TKD_API int tkd_eal_init(int argc, char **argv)
{
    if (eal_initialised)
    {
        return -EALREADY;
    }
    if (argc < 1 || argv == NULL)
    {
        return -EINVAL;
    }
    /* EAL permutes and keeps pointers into argv: give it a copy that lives for the process. */
    char **copy = calloc((size_t)argc + 1, sizeof(char *));
    if (copy == NULL)
    {
        return -ENOMEM;
    }
    for (int i = 0; i < argc; i++)
    {
        copy[i] = strdup(argv[i] != NULL ? argv[i] : "");
        if (copy[i] == NULL)
        {
            return -ENOMEM;
        }
    }
    cpu_set_t before;
    const int saved = pthread_getaffinity_np(pthread_self(), sizeof(before), &before);
    log_capture_start();
    const int ret = rte_eal_init(argc, copy);
    if (ret < 0)
    {
        return rte_errno > 0 ? -rte_errno : -EINVAL;
    }
    eal_initialised = 1;
    if (saved == 0)
    {
        pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
    }
    return ret;
}

TKD_API int tkd_eal_cleanup(void)
{
    return rte_eal_cleanup();
}

/** @return 1 when EAL runs on hugepages, 0 with --no-huge. */
TKD_API int tkd_eal_has_hugepages(void)
{
    return rte_eal_has_hugepages();
}

/**
 * Register the calling thread with EAL so it gets an lcore id and with it the mempools' per-lcore caches
 * (dpdk.md P8). @return the lcore id, or a negative errno.
 */
TKD_API int tkd_thread_register(void)
{
    if (rte_thread_register() != 0)
    {
        return -rte_errno;
    }
    return (int)rte_lcore_id();
}

TKD_API void tkd_thread_unregister(void)
{
    rte_thread_unregister();
}

/** @return the calling thread's lcore id, or -1 for a thread EAL does not know. */
TKD_API int tkd_lcore_id(void)
{
    const unsigned id = rte_lcore_id();
    return id == LCORE_ID_ANY ? -1 : (int)id;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Mempools                                                                                               */

/** rte_pktmbuf_pool_create on the caller's socket. @return the pool, or NULL with tkd_errno() set. */
TKD_API struct rte_mempool *tkd_pool_create(const char *name, unsigned count, unsigned cache, unsigned data_room)
{
    if (data_room > UINT16_MAX)
    {
        rte_errno = EINVAL;
        return NULL;
    }
    return rte_pktmbuf_pool_create(name, count, cache, 0, (uint16_t)data_room, (int)rte_socket_id());
}

TKD_API void tkd_pool_free(struct rte_mempool *pool)
{
    rte_mempool_free(pool);
}

TKD_API unsigned tkd_pool_avail(const struct rte_mempool *pool)
{
    return rte_mempool_avail_count(pool);
}

TKD_API unsigned tkd_pool_in_use(const struct rte_mempool *pool)
{
    return rte_mempool_in_use_count(pool);
}

struct span
{
    uintptr_t low;
    uintptr_t high;
};

static void span_chunk(struct rte_mempool *pool, void *opaque, struct rte_mempool_memhdr *chunk, unsigned index)
{
    (void)pool;
    (void)index;
    struct span *span = opaque;
    const uintptr_t low = (uintptr_t)chunk->addr;
    const uintptr_t high = low + chunk->len;
    if (span->low == 0 || low < span->low)
    {
        span->low = low;
    }
    if (high > span->high)
    {
        span->high = high;
    }
}

/**
 * The address range that holds all of a pool's objects (mbuf headers and their data rooms): out[0] the
 * lowest address, out[1] one past the highest. Java views the range as one buffer, so frames are offsets
 * into it. @return the number of memory chunks the pool is made of.
 */
TKD_API int tkd_pool_span(struct rte_mempool *pool, uint64_t *out)
{
    struct span span = { 0, 0 };
    const uint32_t chunks = rte_mempool_mem_iter(pool, span_chunk, &span);
    out[0] = span.low;
    out[1] = span.high;
    return (int)chunks;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Devices and ports                                                                                      */

/** Hot-plug a device, e.g. "net_af_packet0,iface=veth0". @return 0, or a negative errno. */
TKD_API int tkd_dev_attach(const char *devargs)
{
    const int ret = rte_dev_probe(devargs);
    return ret > 0 ? -ret : ret;
}

TKD_API int tkd_port_count(void)
{
    return (int)rte_eth_dev_count_avail();
}

/** @return the port of a device name ("net_tap0", "0000:01:00.0"), or a negative errno. */
TKD_API int tkd_port_by_name(const char *name)
{
    uint16_t port;
    const int ret = rte_eth_dev_get_port_by_name(name, &port);
    return ret < 0 ? ret : (int)port;
}

/** The device name of a port into out (NUL-terminated). @return 0, or a negative errno. */
TKD_API int tkd_port_name(int port, char *out, int len)
{
    char name[RTE_ETH_NAME_MAX_LEN];
    const int ret = rte_eth_dev_get_name_by_port((uint16_t)port, name);
    if (ret < 0)
    {
        return ret;
    }
    snprintf(out, (size_t)len, "%s", name);
    return 0;
}

enum
{
    TKD_INFO_MAX_RX_QUEUES,
    TKD_INFO_MAX_TX_QUEUES,
    TKD_INFO_RSS_OFFLOADS,
    TKD_INFO_RX_DESC_MAX,
    TKD_INFO_TX_DESC_MAX,
    TKD_INFO_MAX_RX_PKTLEN,
    TKD_INFO_MIN_MTU,
    TKD_INFO_MAX_MTU,
    TKD_INFO_IF_INDEX,
    TKD_INFO_COUNT
};

/**
 * Port capabilities into out[0..TKD_INFO_COUNT): max rx queues, max tx queues, RSS hash functions,
 * rx/tx descriptor maxima, max rx frame, min/max MTU, kernel if_index (0 if none).
 * @return TKD_INFO_COUNT, or a negative errno.
 */
TKD_API int tkd_port_info(int port, uint64_t *out, int len)
{
    struct rte_eth_dev_info info;
    const int ret = rte_eth_dev_info_get((uint16_t)port, &info);
    if (ret < 0)
    {
        return ret;
    }
    uint64_t values[TKD_INFO_COUNT];
    values[TKD_INFO_MAX_RX_QUEUES] = info.max_rx_queues;
    values[TKD_INFO_MAX_TX_QUEUES] = info.max_tx_queues;
    values[TKD_INFO_RSS_OFFLOADS] = info.flow_type_rss_offloads;
    values[TKD_INFO_RX_DESC_MAX] = info.rx_desc_lim.nb_max;
    values[TKD_INFO_TX_DESC_MAX] = info.tx_desc_lim.nb_max;
    values[TKD_INFO_MAX_RX_PKTLEN] = info.max_rx_pktlen;
    values[TKD_INFO_MIN_MTU] = info.min_mtu;
    values[TKD_INFO_MAX_MTU] = info.max_mtu;
    values[TKD_INFO_IF_INDEX] = info.if_index;
    for (int i = 0; i < TKD_INFO_COUNT && i < len; i++)
    {
        out[i] = values[i];
    }
    return TKD_INFO_COUNT;
}

/** @return the port's driver name, e.g. "net_af_packet", or NULL. */
TKD_API const char *tkd_port_driver(int port)
{
    struct rte_eth_dev_info info;
    return rte_eth_dev_info_get((uint16_t)port, &info) < 0 ? NULL : info.driver_name;
}

/**
 * rte_eth_dev_configure with one RX and one TX queue per fast-path thread. With more than one queue and a
 * device that hashes, RSS spreads flows over the queues on the IP addresses and TCP/UDP ports the device
 * supports. mtu 0 keeps the device's default.
 * @return 1 when RSS is on, 0 when off, or a negative errno.
 */
TKD_API int tkd_port_configure(int port, int queues, int mtu)
{
    struct rte_eth_dev_info info;
    int ret = rte_eth_dev_info_get((uint16_t)port, &info);
    if (ret < 0)
    {
        return ret;
    }
    if (queues < 1 || queues > info.max_rx_queues || queues > info.max_tx_queues)
    {
        return -EINVAL;
    }
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof(conf));
    const uint64_t rss = info.flow_type_rss_offloads &
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
    const int use_rss = queues > 1 && rss != 0;
    if (use_rss)
    {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = NULL; /* the device's default key */
        conf.rx_adv_conf.rss_conf.rss_hf = rss;
    }
    if (mtu > 0)
    {
        conf.rxmode.mtu = (uint32_t)mtu;
    }
    ret = rte_eth_dev_configure((uint16_t)port, (uint16_t)queues, (uint16_t)queues, &conf);
    return ret < 0 ? ret : use_rss;
}

/**
 * Set up RX and TX queue `queue` with the given descriptor counts (adjusted to the device's limits); RX
 * fills its descriptors from `pool`. @return 0, or a negative errno.
 */
TKD_API int tkd_port_queue_setup(int port, int queue, struct rte_mempool *pool, int rx_descriptors,
    int tx_descriptors)
{
    uint16_t nb_rxd = (uint16_t)rx_descriptors;
    uint16_t nb_txd = (uint16_t)tx_descriptors;
    int ret = rte_eth_dev_adjust_nb_rx_tx_desc((uint16_t)port, &nb_rxd, &nb_txd);
    if (ret < 0)
    {
        return ret;
    }
    const int socket = rte_eth_dev_socket_id((uint16_t)port);
    const unsigned socket_id = socket < 0 ? (unsigned)SOCKET_ID_ANY : (unsigned)socket;
    ret = rte_eth_rx_queue_setup((uint16_t)port, (uint16_t)queue, nb_rxd, socket_id, NULL, pool);
    if (ret < 0)
    {
        return ret;
    }
    return rte_eth_tx_queue_setup((uint16_t)port, (uint16_t)queue, nb_txd, socket_id, NULL);
}

/** Start the port, promiscuous when asked (a device without the mode is not an error). @return 0 or -errno. */
TKD_API int tkd_port_start(int port, int promiscuous)
{
    const int ret = rte_eth_dev_start((uint16_t)port);
    if (ret < 0)
    {
        return ret;
    }
    if (promiscuous)
    {
        const int promisc = rte_eth_promiscuous_enable((uint16_t)port);
        if (promisc < 0 && promisc != -ENOTSUP)
        {
            return promisc;
        }
    }
    return 0;
}

TKD_API int tkd_port_stop(int port)
{
    return rte_eth_dev_stop((uint16_t)port);
}

/** Close a stopped port and, for a hot-plugged device, remove the device. @return 0, or a negative errno. */
TKD_API int tkd_port_close(int port, int detach)
{
    struct rte_eth_dev_info info;
    int ret = rte_eth_dev_info_get((uint16_t)port, &info);
    if (ret < 0)
    {
        return ret;
    }
    struct rte_device *device = info.device;
    ret = rte_eth_dev_close((uint16_t)port);
    if (ret < 0)
    {
        return ret;
    }
    if (detach && device != NULL)
    {
        ret = rte_dev_remove(device);
    }
    return ret;
}

/** The port's MAC address into out[0..6). @return 0, or a negative errno. */
TKD_API int tkd_port_mac(int port, uint8_t *out)
{
    struct rte_ether_addr mac;
    const int ret = rte_eth_macaddr_get((uint16_t)port, &mac);
    if (ret == 0)
    {
        memcpy(out, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
    }
    return ret;
}

/** @return the port's MTU, or a negative errno. */
TKD_API int tkd_port_mtu(int port)
{
    uint16_t mtu;
    const int ret = rte_eth_dev_get_mtu((uint16_t)port, &mtu);
    return ret < 0 ? ret : (int)mtu;
}

/** Link state without waiting: out[0] up (1/0), out[1] speed in Mb/s, out[2] full duplex (1/0). */
TKD_API int tkd_port_link(int port, uint64_t *out)
{
    struct rte_eth_link link;
    memset(&link, 0, sizeof(link));
    const int ret = rte_eth_link_get_nowait((uint16_t)port, &link);
    if (ret == 0)
    {
        out[0] = link.link_status;
        out[1] = link.link_speed;
        out[2] = link.link_duplex;
    }
    return ret;
}

/**
 * Basic port statistics into out[0..8): ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors,
 * rx_nombuf. @return 0, or a negative errno.
 */
TKD_API int tkd_port_stats(int port, uint64_t *out)
{
    struct rte_eth_stats stats;
    const int ret = rte_eth_stats_get((uint16_t)port, &stats);
    if (ret == 0)
    {
        out[0] = stats.ipackets;
        out[1] = stats.opackets;
        out[2] = stats.ibytes;
        out[3] = stats.obytes;
        out[4] = stats.imissed;
        out[5] = stats.ierrors;
        out[6] = stats.oerrors;
        out[7] = stats.rx_nombuf;
    }
    return ret;
}

TKD_API int tkd_port_stats_reset(int port)
{
    return rte_eth_stats_reset((uint16_t)port);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Data path: one call per burst                                                                          */

TKD_API int tkd_rx_burst(int port, int queue, struct rte_mbuf **mbufs, int count)
{
    return (int)rte_eth_rx_burst((uint16_t)port, (uint16_t)queue, mbufs, (uint16_t)count);
}

TKD_API int tkd_tx_burst(int port, int queue, struct rte_mbuf **mbufs, int count)
{
    return (int)rte_eth_tx_burst((uint16_t)port, (uint16_t)queue, mbufs, (uint16_t)count);
}

/** Allocate `count` reset mbufs (all or none). @return 0, or -ENOENT when the pool has too few. */
TKD_API int tkd_mbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **out, int count)
{
    return rte_pktmbuf_alloc_bulk(pool, out, (unsigned)count);
}

TKD_API void tkd_mbuf_free_bulk(struct rte_mbuf **mbufs, int count)
{
    rte_pktmbuf_free_bulk(mbufs, (unsigned)count);
}

/* Per-mbuf accessors, for the control path and for tests that check Java's offset arithmetic against C. */

TKD_API void *tkd_mbuf_data(struct rte_mbuf *mbuf)
{
    return rte_pktmbuf_mtod(mbuf, void *);
}

TKD_API int tkd_mbuf_data_len(const struct rte_mbuf *mbuf)
{
    return mbuf->data_len;
}

TKD_API int tkd_mbuf_pkt_len(const struct rte_mbuf *mbuf)
{
    return (int)mbuf->pkt_len;
}

TKD_API int tkd_mbuf_tailroom(const struct rte_mbuf *mbuf)
{
    return rte_pktmbuf_tailroom(mbuf);
}

/** Set a one-segment mbuf's data and packet length. @return its data address, or NULL if len does not fit. */
TKD_API void *tkd_mbuf_set_len(struct rte_mbuf *mbuf, int len)
{
    if (len < 0 || (uint32_t)len > (uint32_t)(mbuf->buf_len - mbuf->data_off))
    {
        return NULL;
    }
    mbuf->data_len = (uint16_t)len;
    mbuf->pkt_len = (uint32_t)len;
    return rte_pktmbuf_mtod(mbuf, void *);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Layout: sizes and offsets, by name                                                                     */

struct layout_entry
{
    const char *name;
    int64_t value;
};

#define FIELD(type, field) \
    { #type "." #field, (int64_t)offsetof(struct type, field) }, \
    { #type "." #field ".size", (int64_t)sizeof(((struct type *)0)->field) }

static const struct layout_entry layout[] = {
    { "shim.version", TKD_SHIM_VERSION },
    { "pointer.size", (int64_t)sizeof(void *) },
    { "rte_mbuf.size", (int64_t)sizeof(struct rte_mbuf) },
    FIELD(rte_mbuf, buf_addr),
    FIELD(rte_mbuf, data_off),
    FIELD(rte_mbuf, refcnt),
    FIELD(rte_mbuf, nb_segs),
    FIELD(rte_mbuf, port),
    FIELD(rte_mbuf, ol_flags),
    FIELD(rte_mbuf, packet_type),
    FIELD(rte_mbuf, pkt_len),
    FIELD(rte_mbuf, data_len),
    FIELD(rte_mbuf, vlan_tci),
    FIELD(rte_mbuf, hash.rss),
    FIELD(rte_mbuf, buf_len),
    FIELD(rte_mbuf, pool),
    FIELD(rte_mbuf, next),
    { "RTE_PKTMBUF_HEADROOM", RTE_PKTMBUF_HEADROOM },
    { "RTE_MBUF_DEFAULT_BUF_SIZE", RTE_MBUF_DEFAULT_BUF_SIZE },
    { "RTE_MAX_LCORE", RTE_MAX_LCORE },
    { "RTE_ETHER_ADDR_LEN", RTE_ETHER_ADDR_LEN },
    { "RTE_ETH_NAME_MAX_LEN", RTE_ETH_NAME_MAX_LEN },
    { "port.info.count", TKD_INFO_COUNT },
    { "port.stats.count", 8 },
    { "port.link.count", 3 },
};

TKD_API int tkd_layout_count(void)
{
    return (int)(sizeof(layout) / sizeof(layout[0]));
}

TKD_API const char *tkd_layout_name(int index)
{
    return index >= 0 && index < tkd_layout_count() ? layout[index].name : NULL;
}

TKD_API int64_t tkd_layout_value(int index)
{
    return index >= 0 && index < tkd_layout_count() ? layout[index].value : -1;
}
