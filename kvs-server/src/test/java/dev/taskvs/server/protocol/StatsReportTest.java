package dev.taskvs.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskvs.server.stats.StatsReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stats groups: memcached 1.6.18's names in its order, with this server's figures. */
class StatsReportTest
{
    /** {@code stats} field names printed by memcached 1.6.18 (Debian build), in order. */
    private static final String GENERAL_1_6_18 =
        "pid uptime time version libevent pointer_size rusage_user rusage_system max_connections " +
        "curr_connections total_connections rejected_connections connection_structures response_obj_oom " +
        "response_obj_count response_obj_bytes read_buf_count read_buf_bytes read_buf_bytes_free read_buf_oom " +
        "reserved_fds cmd_get cmd_set cmd_flush cmd_touch cmd_meta get_hits get_misses get_expired get_flushed " +
        "delete_misses delete_hits incr_misses incr_hits decr_misses decr_hits cas_misses cas_hits cas_badval " +
        "touch_hits touch_misses store_too_large store_no_memory auth_cmds auth_errors bytes_read bytes_written " +
        "limit_maxbytes accepting_conns listen_disabled_num time_in_listen_disabled_us threads conn_yields " +
        "hash_power_level hash_bytes hash_is_expanding slab_reassign_rescues slab_reassign_chunk_rescues " +
        "slab_reassign_evictions_nomem slab_reassign_inline_reclaim slab_reassign_busy_items " +
        "slab_reassign_busy_deletes slab_reassign_running slabs_moved lru_crawler_running lru_crawler_starts " +
        "lru_maintainer_juggles malloc_fails log_worker_dropped log_worker_written log_watcher_skipped " +
        "log_watcher_sent log_watchers unexpected_napi_ids round_robin_fallback bytes curr_items total_items " +
        "slab_global_page_pool expired_unfetched evicted_unfetched evicted_active evictions reclaimed " +
        "crawler_reclaimed crawler_items_checked lrutail_reflocked moves_to_cold moves_to_warm moves_within_lru " +
        "direct_reclaims lru_bumps_dropped";

    /** {@code stats settings} names printed by memcached 1.6.18 (Debian build), in order. */
    private static final String SETTINGS_1_6_18 =
        "maxbytes maxconns tcpport udpport inter verbosity oldest evictions domain_socket umask shutdown_command " +
        "growth_factor chunk_size num_threads num_threads_per_udp stat_key_prefix detail_enabled reqs_per_event " +
        "cas_enabled tcp_backlog binding_protocol auth_enabled_sasl auth_enabled_ascii item_size_max " +
        "maxconns_fast hashpower_init slab_reassign slab_automove slab_automove_ratio slab_automove_window " +
        "slab_chunk_max lru_crawler lru_crawler_sleep lru_crawler_tocrawl tail_repair_time flush_enabled " +
        "dump_enabled hash_algorithm lru_maintainer_thread lru_segmented hot_lru_pct warm_lru_pct " +
        "hot_max_factor warm_max_factor temp_lru temporary_ttl idle_timeout watcher_logbuf_size " +
        "worker_logbuf_size read_buf_mem_limit track_sizes inline_ascii_response ext_item_size ext_item_age " +
        "ext_low_ttl ext_recache_rate ext_wbuf_size ext_compact_under ext_drop_under ext_max_sleep ext_max_frag " +
        "slab_automove_freeratio ext_drop_unread ssl_enabled ssl_chain_cert ssl_key ssl_verify_mode " +
        "ssl_keyformat ssl_ciphers ssl_ca_cert ssl_wbuf_size ssl_session_cache ssl_kernel_tls ssl_min_version " +
        "num_napi_ids memory_file";

    private static final String ITEMS_FIELDS_1_6_18 =
        "number number_hot number_warm number_cold age_hot age_warm age mem_requested evicted evicted_nonzero " +
        "evicted_time outofmemory tailrepairs reclaimed expired_unfetched evicted_unfetched evicted_active " +
        "crawler_reclaimed crawler_items_checked lrutail_reflocked moves_to_cold moves_to_warm moves_within_lru " +
        "direct_reclaims hits_to_hot hits_to_warm hits_to_cold hits_to_temp";

    private static final String SLABS_FIELDS_1_6_18 =
        "chunk_size chunks_per_page total_pages total_chunks used_chunks free_chunks free_chunks_end get_hits " +
        "cmd_set delete_hits incr_hits decr_hits cas_hits cas_badval touch_hits";

    private final TextSessionDriver d = new TextSessionDriver();

    @AfterEach
    void close()
    {
        d.close();
    }

    private Map<String, String> collect(final String group)
    {
        final Map<String, String> stats = new LinkedHashMap<>();
        assertTrue(StatsReport.collect(d.ctx, group, stats::put), group);
        return stats;
    }

    @Test
    void shouldEmitEveryGeneralFieldInMemcachedOrder()
    {
        assertEquals(List.of(GENERAL_1_6_18.split(" ")), new ArrayList<>(collect("").keySet()));
        assertEquals(List.of(GENERAL_1_6_18.split(" ")), new ArrayList<>(collect(null).keySet()));
    }

    @Test
    void shouldEmitEverySettingInMemcachedOrder()
    {
        final Map<String, String> settings = collect("settings");
        assertEquals(List.of(SETTINGS_1_6_18.split(" ")), new ArrayList<>(settings.keySet()));
        assertEquals("67108864", settings.get("maxbytes"));
        assertEquals("1048576", settings.get("item_size_max"));
        assertEquals("20", settings.get("reqs_per_event"));
    }

    @Test
    void shouldReportRealFigures()
    {
        d.send("set a 0 0 5\r\nhello\r\nget a b\r\ngat 10 a\r\nincr a 1\r\ndelete b\r\ncas a 0 0 1 99\r\nx\r\n");
        final Map<String, String> stats = collect("");
        assertEquals(String.valueOf(ProcessHandle.current().pid()), stats.get("pid"));
        assertEquals(dev.taskvs.server.ServerContext.VERSION, stats.get("version"));
        assertEquals("64", stats.get("pointer_size"));
        assertTrue(stats.get("rusage_user").matches("\\d+\\.\\d{6}"), stats.get("rusage_user"));
        assertTrue(stats.get("rusage_system").matches("\\d+\\.\\d{6}"), stats.get("rusage_system"));
        assertEquals("2", stats.get("cmd_get"));
        assertEquals("2", stats.get("cmd_set"));
        assertEquals("1", stats.get("cmd_touch"));
        assertEquals("1", stats.get("get_hits"));
        assertEquals("1", stats.get("get_misses"));
        assertEquals("1", stats.get("touch_hits"));
        assertEquals("1", stats.get("delete_misses"));
        assertEquals("1", stats.get("cas_badval"));
        assertEquals("1", stats.get("curr_items"));
        assertEquals("67108864", stats.get("limit_maxbytes"));
        assertEquals("4", stats.get("threads"));
        assertTrue(Long.parseLong(stats.get("bytes")) > 0);
        assertTrue(Long.parseLong(stats.get("time")) > 1_600_000_000L);
    }

    @Test
    void shouldReportOneSlabClassForTheItems()
    {
        assertEquals(Map.of("active_slabs", "0", "total_malloced", "0"), collect("slabs"));
        assertTrue(collect("items").isEmpty());
        d.send("set a 0 0 5\r\nhello\r\nset b 0 0 5\r\nworld\r\nget a\r\n");
        final List<String> expectedItems = new ArrayList<>();
        for (final String field : ITEMS_FIELDS_1_6_18.split(" "))
        {
            expectedItems.add("items:1:" + field);
        }
        final Map<String, String> items = collect("items");
        assertEquals(expectedItems, new ArrayList<>(items.keySet()));
        assertEquals("2", items.get("items:1:number"));
        final Map<String, String> slabs = collect("slabs");
        final List<String> names = new ArrayList<>(slabs.keySet());
        final String cls = names.get(0).substring(0, names.get(0).indexOf(':') + 1);
        final List<String> expectedSlabs = new ArrayList<>();
        for (final String field : SLABS_FIELDS_1_6_18.split(" "))
        {
            expectedSlabs.add(cls + field);
        }
        expectedSlabs.add("active_slabs");
        expectedSlabs.add("total_malloced");
        assertEquals(expectedSlabs, names);
        assertEquals("2", slabs.get(cls + "used_chunks"));
        assertEquals("1048576", slabs.get("total_malloced"));
    }

    @Test
    void shouldFollowMemcachedSlabClassLadder()
    {
        assertEquals(1, StatsReport.slabClassOf(67));
        assertEquals(1, StatsReport.slabClassOf(96));
        assertEquals(2, StatsReport.slabClassOf(97));
        assertEquals(7, StatsReport.slabClassOf(384));
        assertEquals(39, StatsReport.slabClassOf(524288));
        assertEquals(39, StatsReport.slabClassOf(2_000_000));
    }

    @Test
    void shouldListConnectionsFromTheTransport()
    {
        d.ctx.connections(visitor ->
        {
            visitor.visit(23, "tcp:127.0.0.1:11211", null, "conn_listening", 34);
            visitor.visit(24, "tcp:127.0.0.1:45064", "tcp:127.0.0.1:11211", "conn_parse_cmd", 0);
        });
        assertEquals("STAT 23:addr tcp:127.0.0.1:11211\r\nSTAT 23:state conn_listening\r\n" +
            "STAT 23:secs_since_last_cmd 34\r\nSTAT 24:addr tcp:127.0.0.1:45064\r\n" +
            "STAT 24:listen_addr tcp:127.0.0.1:11211\r\nSTAT 24:state conn_parse_cmd\r\n" +
            "STAT 24:secs_since_last_cmd 0\r\nEND\r\n", d.send("stats conns\r\n"));
    }

    @Test
    void shouldAnswerTheStatsCommandForms()
    {
        final String general = d.send("stats\r\n");
        assertTrue(general.startsWith("STAT pid "), general);
        assertTrue(general.endsWith("STAT lru_bumps_dropped 0\r\nEND\r\n"), general);
        assertEquals("STAT sizes_status disabled\r\nEND\r\n", d.send("stats sizes\r\n"));
        assertEquals("ERROR\r\n", d.send("stats bogus\r\n"));
        assertEquals("CLIENT_ERROR usage: stats detail on|off|dump\r\n", d.send("stats detail\r\n"));
        assertEquals("END\r\n", d.send("stats detail dump\r\n"));
        assertTrue(d.send("stats settings\r\n").startsWith("STAT maxbytes 67108864\r\nSTAT maxconns 1024\r\n"));
        d.send("get a\r\n");
        assertEquals("RESET\r\nRESET\r\n", d.send("stats reset\r\nstats reset extra\r\n"));
        assertEquals("0", collect("").get("cmd_get"));
        assertFalse(StatsReport.collect(d.ctx, "bogus", (n, v) -> { }));
    }
}
