package dev.taskvs.server.stats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.store.StoreStats;

/**
 * Renders memcached's statistics groups as name/value pairs, shared by the text protocol ({@code STAT n v})
 * and the binary protocol (one packet per stat). Not on the data path: it may allocate.
 * <p>
 * Names and their order are those memcached 1.6.18 prints. Figures this server has (commands, hits, items,
 * memory, connections, CPU) are real; figures of machinery it does not have (slab mover, LRU crawler, logger,
 * response objects) are printed as memcached prints them when idle, so tools that read every field keep working.
 * Slab classes are memcached's default ladder (96 bytes growing by 1.25, 8-byte aligned, up to 512 KiB); the
 * store keeps no per-class counts, so items and slabs are reported as one class.
 */
public final class StatsReport
{
    /** Receives one statistic. */
    @FunctionalInterface
    public interface Sink
    {
        void stat(String name, String value);
    }

    private static final int SLAB_PAGE_SIZE = 1024 * 1024;
    private static final int SLAB_CHUNK_MAX = SLAB_PAGE_SIZE / 2;
    private static final int[] SLAB_CLASS_SIZES = slabClassSizes();

    private StatsReport()
    {
    }

    /**
     * Emits the statistics of a group: null or "" for the general stats, or "settings", "items", "slabs",
     * "conns", "sizes".
     *
     * @return false when the group is unknown (text: ERROR; binary: KEY_ENOENT).
     */
    public static boolean collect(final ServerContext ctx, final String group, final Sink sink)
    {
        if (group == null || group.isEmpty())
        {
            general(ctx, sink);
            return true;
        }
        switch (group)
        {
            case "settings":
                settings(ctx, sink);
                return true;
            case "items":
                items(ctx, sink);
                return true;
            case "slabs":
                slabs(ctx, sink);
                return true;
            case "conns":
                conns(ctx, sink);
                return true;
            case "sizes":
                sink.stat("sizes_status", "disabled");
                return true;
            default:
            {
                final java.util.function.Consumer<Sink> extra = ctx.statsGroup(group);
                if (extra == null)
                {
                    return false;
                }
                extra.accept(sink);
                return true;
            }
        }
    }

    /**
     * memcached's slab class (1-based) for an item of {@code itemSize} bytes; items above 512 KiB are chunked
     * into the largest class.
     */
    public static int slabClassOf(final long itemSize)
    {
        for (int i = 0; i < SLAB_CLASS_SIZES.length; i++)
        {
            if (itemSize <= SLAB_CLASS_SIZES[i])
            {
                return i + 1;
            }
        }
        return SLAB_CLASS_SIZES.length;
    }

    private static int[] slabClassSizes()
    {
        final int[] sizes = new int[64];
        int count = 0;
        // memcached slabs_init: item header 48 + chunk_size 48, factor 1.25, CHUNK_ALIGN_BYTES 8.
        double size = 96;
        while (size <= SLAB_CHUNK_MAX / 1.25 && count < sizes.length - 1)
        {
            int aligned = (int)size;
            if (aligned % 8 != 0)
            {
                aligned += 8 - (aligned % 8);
            }
            sizes[count++] = aligned;
            size = aligned * 1.25;
        }
        sizes[count++] = SLAB_CHUNK_MAX;
        return java.util.Arrays.copyOf(sizes, count);
    }

    private static WorkerStats sumWorkers(final ServerContext ctx)
    {
        final WorkerStats total = new WorkerStats();
        ctx.stats().forEachWorker(w -> w.addTo(total));
        return total;
    }

    private static void general(final ServerContext ctx, final Sink sink)
    {
        final ServerConfig config = ctx.config();
        final ServerStats server = ctx.stats();
        final WorkerStats w = sumWorkers(ctx);
        final StoreStats store = ctx.store().stats();
        final long uptime = (System.nanoTime() - server.startNanos) / 1_000_000_000L;

        put(sink, "pid", ProcessHandle.current().pid());
        put(sink, "uptime", uptime);
        put(sink, "time", System.currentTimeMillis() / 1000);
        sink.stat("version", ServerContext.VERSION);
        sink.stat("libevent", "taskvs-" + ctx.stackName());
        put(sink, "pointer_size", 64);
        final long[] rusage = rusageMicros();
        sink.stat("rusage_user", seconds(rusage[0]));
        sink.stat("rusage_system", seconds(rusage[1]));
        put(sink, "max_connections", config.maxConnections);
        put(sink, "curr_connections", server.currConnections.get());
        put(sink, "total_connections", server.totalConnections.get());
        put(sink, "rejected_connections", server.rejectedConnections.get());
        put(sink, "connection_structures", server.connectionStructures.get());
        put(sink, "response_obj_oom", 0);
        put(sink, "response_obj_count", 0);
        put(sink, "response_obj_bytes", 0);
        put(sink, "read_buf_count", 0);
        put(sink, "read_buf_bytes", 0);
        put(sink, "read_buf_bytes_free", 0);
        put(sink, "read_buf_oom", 0);
        put(sink, "reserved_fds", 20);
        put(sink, "cmd_get", w.cmdGet);
        put(sink, "cmd_set", w.cmdSet);
        put(sink, "cmd_flush", w.cmdFlush);
        put(sink, "cmd_touch", w.cmdTouch);
        put(sink, "cmd_meta", w.cmdMeta);
        put(sink, "get_hits", w.getHits);
        put(sink, "get_misses", w.getMisses);
        put(sink, "get_expired", w.getExpired + store.getExpired);
        put(sink, "get_flushed", w.getFlushed + store.getFlushed);
        put(sink, "delete_misses", w.deleteMisses);
        put(sink, "delete_hits", w.deleteHits);
        put(sink, "incr_misses", w.incrMisses);
        put(sink, "incr_hits", w.incrHits);
        put(sink, "decr_misses", w.decrMisses);
        put(sink, "decr_hits", w.decrHits);
        put(sink, "cas_misses", w.casMisses);
        put(sink, "cas_hits", w.casHits);
        put(sink, "cas_badval", w.casBadval);
        put(sink, "touch_hits", w.touchHits);
        put(sink, "touch_misses", w.touchMisses);
        put(sink, "store_too_large", w.storeTooLarge);
        put(sink, "store_no_memory", w.storeNoMemory);
        put(sink, "auth_cmds", w.authCmds);
        put(sink, "auth_errors", w.authErrors);
        put(sink, "bytes_read", w.bytesRead);
        put(sink, "bytes_written", w.bytesWritten);
        put(sink, "limit_maxbytes", limitMaxBytes(ctx, store));
        put(sink, "accepting_conns", server.acceptingConnections ? 1 : 0);
        put(sink, "listen_disabled_num", 0);
        put(sink, "time_in_listen_disabled_us", 0);
        put(sink, "threads", config.threads);
        put(sink, "conn_yields", w.connYields);
        put(sink, "hash_power_level", store.hashPowerLevel);
        put(sink, "hash_bytes", store.hashBytes);
        put(sink, "hash_is_expanding", 0);
        for (final String name : new String[]{
            "slab_reassign_rescues", "slab_reassign_chunk_rescues", "slab_reassign_evictions_nomem",
            "slab_reassign_inline_reclaim", "slab_reassign_busy_items", "slab_reassign_busy_deletes",
            "slab_reassign_running", "slabs_moved", "lru_crawler_running", "lru_crawler_starts",
            "lru_maintainer_juggles", "malloc_fails", "log_worker_dropped", "log_worker_written",
            "log_watcher_skipped", "log_watcher_sent", "log_watchers", "unexpected_napi_ids",
            "round_robin_fallback"})
        {
            put(sink, name, 0);
        }
        put(sink, "bytes", store.bytes);
        put(sink, "curr_items", store.currItems);
        put(sink, "total_items", store.totalItems);
        put(sink, "slab_global_page_pool", 0);
        put(sink, "expired_unfetched", store.expiredUnfetched);
        put(sink, "evicted_unfetched", store.evictedUnfetched);
        put(sink, "evicted_active", store.evictedActive);
        put(sink, "evictions", store.evictions);
        put(sink, "reclaimed", store.reclaimed);
        for (final String name : new String[]{
            "crawler_reclaimed", "crawler_items_checked", "lrutail_reflocked", "moves_to_cold", "moves_to_warm",
            "moves_within_lru", "direct_reclaims", "lru_bumps_dropped"})
        {
            put(sink, name, 0);
        }
    }

    private static long limitMaxBytes(final ServerContext ctx, final StoreStats store)
    {
        return store.limitMaxBytes > 0 ? store.limitMaxBytes : ctx.config().memoryLimitMb * 1024 * 1024;
    }

    /** User and system CPU of the process in microseconds: user summed over live threads, system the rest. */
    private static long[] rusageMicros()
    {
        long total = 0;
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            total = Math.max(0, ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime());
        }
        long user = 0;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled())
        {
            for (final long id : threads.getAllThreadIds())
            {
                user += Math.max(0, threads.getThreadUserTime(id));
            }
        }
        if (total == 0)
        {
            total = user;
        }
        user = Math.min(user, total);
        return new long[]{user / 1000, (total - user) / 1000};
    }

    private static String seconds(final long micros)
    {
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private static void settings(final ServerContext ctx, final Sink sink)
    {
        final ServerConfig c = ctx.config();
        put(sink, "maxbytes", ctx.store().memoryLimit()); // follows cache_memlimit, as memcached's settings.maxbytes
        put(sink, "maxconns", c.maxConnections);
        put(sink, "tcpport", c.port);
        put(sink, "udpport", 0);
        sink.stat("inter", c.listenAddress == null ? "NULL" : c.listenAddress);
        put(sink, "verbosity", ctx.verbosity());
        put(sink, "oldest", 0);
        sink.stat("evictions", c.noEviction ? "off" : "on");
        sink.stat("domain_socket", "NULL");
        sink.stat("umask", "700");
        sink.stat("shutdown_command", c.shutdownEnabled ? "yes" : "no");
        sink.stat("growth_factor", "1.25");
        put(sink, "chunk_size", 48);
        put(sink, "num_threads", c.threads);
        put(sink, "num_threads_per_udp", c.threads);
        sink.stat("stat_key_prefix", ":");
        sink.stat("detail_enabled", "no");
        put(sink, "reqs_per_event", c.requestsPerEvent);
        sink.stat("cas_enabled", c.casDisabled ? "no" : "yes");
        put(sink, "tcp_backlog", c.backlog);
        sink.stat("binding_protocol", "auto-negotiate");
        sink.stat("auth_enabled_sasl", "no");
        sink.stat("auth_enabled_ascii", "no");
        put(sink, "item_size_max", c.itemSizeMax);
        sink.stat("maxconns_fast", "yes");
        put(sink, "hashpower_init", 0);
        sink.stat("slab_reassign", "yes");
        put(sink, "slab_automove", 1);
        sink.stat("slab_automove_ratio", "0.80");
        put(sink, "slab_automove_window", 30);
        put(sink, "slab_chunk_max", SLAB_CHUNK_MAX);
        sink.stat("lru_crawler", "yes");
        put(sink, "lru_crawler_sleep", 100);
        put(sink, "lru_crawler_tocrawl", 0);
        put(sink, "tail_repair_time", 0);
        sink.stat("flush_enabled", c.flushDisabled ? "no" : "yes");
        sink.stat("dump_enabled", "no");
        sink.stat("hash_algorithm", "murmur3");
        sink.stat("lru_maintainer_thread", "yes");
        sink.stat("lru_segmented", "yes");
        put(sink, "hot_lru_pct", 20);
        put(sink, "warm_lru_pct", 40);
        sink.stat("hot_max_factor", "0.20");
        sink.stat("warm_max_factor", "2.00");
        sink.stat("temp_lru", "no");
        put(sink, "temporary_ttl", 61);
        put(sink, "idle_timeout", c.idleTimeoutSeconds);
        put(sink, "watcher_logbuf_size", 262144);
        put(sink, "worker_logbuf_size", 65536);
        put(sink, "read_buf_mem_limit", 0);
        sink.stat("track_sizes", "no");
        sink.stat("inline_ascii_response", "no");
        put(sink, "ext_item_size", 512);
        put(sink, "ext_item_age", 4294967295L);
        put(sink, "ext_low_ttl", 0);
        put(sink, "ext_recache_rate", 2000);
        put(sink, "ext_wbuf_size", 4194304);
        put(sink, "ext_compact_under", 0);
        put(sink, "ext_drop_under", 0);
        put(sink, "ext_max_sleep", 1000000);
        sink.stat("ext_max_frag", "0.80");
        sink.stat("slab_automove_freeratio", "0.010");
        sink.stat("ext_drop_unread", "no");
        sink.stat("ssl_enabled", "no");
        sink.stat("ssl_chain_cert", "(null)");
        sink.stat("ssl_key", "(null)");
        put(sink, "ssl_verify_mode", 0);
        put(sink, "ssl_keyformat", 1);
        sink.stat("ssl_ciphers", "NULL");
        sink.stat("ssl_ca_cert", "NULL");
        put(sink, "ssl_wbuf_size", 16384);
        sink.stat("ssl_session_cache", "no");
        sink.stat("ssl_kernel_tls", "no");
        sink.stat("ssl_min_version", "tlsv1.2");
        sink.stat("num_napi_ids", "(null)");
        sink.stat("memory_file", "(null)");
    }

    private static void items(final ServerContext ctx, final Sink sink)
    {
        final StoreStats store = ctx.store().stats();
        if (store.currItems == 0)
        {
            return;
        }
        final WorkerStats w = sumWorkers(ctx);
        final String p = "items:1:";
        put(sink, p + "number", store.currItems);
        put(sink, p + "number_hot", 0);
        put(sink, p + "number_warm", 0);
        put(sink, p + "number_cold", store.currItems);
        put(sink, p + "age_hot", 0);
        put(sink, p + "age_warm", 0);
        put(sink, p + "age", 0);
        put(sink, p + "mem_requested", store.bytes);
        put(sink, p + "evicted", store.evictions);
        put(sink, p + "evicted_nonzero", 0);
        put(sink, p + "evicted_time", 0);
        put(sink, p + "outofmemory", store.outOfMemory);
        put(sink, p + "tailrepairs", 0);
        put(sink, p + "reclaimed", store.reclaimed);
        put(sink, p + "expired_unfetched", store.expiredUnfetched);
        put(sink, p + "evicted_unfetched", store.evictedUnfetched);
        put(sink, p + "evicted_active", store.evictedActive);
        put(sink, p + "crawler_reclaimed", 0);
        put(sink, p + "crawler_items_checked", 0);
        put(sink, p + "lrutail_reflocked", 0);
        put(sink, p + "moves_to_cold", 0);
        put(sink, p + "moves_to_warm", 0);
        put(sink, p + "moves_within_lru", 0);
        put(sink, p + "direct_reclaims", 0);
        put(sink, p + "hits_to_hot", 0);
        put(sink, p + "hits_to_warm", 0);
        put(sink, p + "hits_to_cold", w.getHits);
        put(sink, p + "hits_to_temp", 0);
    }

    private static void slabs(final ServerContext ctx, final Sink sink)
    {
        final StoreStats store = ctx.store().stats();
        long pages = 0;
        if (store.currItems > 0)
        {
            final WorkerStats w = sumWorkers(ctx);
            final long average = Math.max(1, store.bytes / store.currItems);
            final int cls = slabClassOf(average);
            final int chunkSize = SLAB_CLASS_SIZES[cls - 1];
            final long perPage = Math.max(1, SLAB_PAGE_SIZE / chunkSize);
            pages = Math.max(1, (store.currItems + perPage - 1) / perPage);
            final String p = cls + ":";
            put(sink, p + "chunk_size", chunkSize);
            put(sink, p + "chunks_per_page", perPage);
            put(sink, p + "total_pages", pages);
            put(sink, p + "total_chunks", pages * perPage);
            put(sink, p + "used_chunks", store.currItems);
            put(sink, p + "free_chunks", pages * perPage - store.currItems);
            put(sink, p + "free_chunks_end", 0);
            put(sink, p + "get_hits", w.getHits);
            put(sink, p + "cmd_set", w.cmdSet);
            put(sink, p + "delete_hits", w.deleteHits);
            put(sink, p + "incr_hits", w.incrHits);
            put(sink, p + "decr_hits", w.decrHits);
            put(sink, p + "cas_hits", w.casHits);
            put(sink, p + "cas_badval", w.casBadval);
            put(sink, p + "touch_hits", w.touchHits);
        }
        put(sink, "active_slabs", pages > 0 ? 1 : 0);
        put(sink, "total_malloced", pages * SLAB_PAGE_SIZE);
    }

    private static void conns(final ServerContext ctx, final Sink sink)
    {
        ctx.connections().forEach((id, address, listenAddress, state, secondsSinceLastCmd) ->
        {
            sink.stat(id + ":addr", address);
            if (listenAddress != null)
            {
                sink.stat(id + ":listen_addr", listenAddress);
            }
            sink.stat(id + ":state", state);
            put(sink, id + ":secs_since_last_cmd", secondsSinceLastCmd);
        });
    }

    private static void put(final Sink sink, final String name, final long value)
    {
        sink.stat(name, Long.toString(value));
    }
}
