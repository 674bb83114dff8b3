package dev.taskvs.server.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskvs.server.ServerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.taskvs.client.codec.binary.BinaryProtocol.*;
import static dev.taskvs.server.protocol.BinaryPackets.concat;
import static dev.taskvs.server.protocol.BinaryPackets.get;
import static dev.taskvs.server.protocol.BinaryPackets.request;
import static dev.taskvs.server.protocol.BinaryPackets.set;
import static dev.taskvs.server.protocol.BinaryPackets.simple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stat: one packet per statistic, key = name, value = ASCII, then an empty terminator. */
class BinaryProtocolStatsTest
{
    private ServerContext ctx;
    private BinaryTestConnection conn;

    @BeforeEach
    void setUp()
    {
        ctx = BinaryTestServer.context();
        conn = new BinaryTestConnection(ctx);
    }

    @AfterEach
    void tearDown()
    {
        ctx.store().close();
    }

    private Map<String, String> stats(final String group, final int opaque)
    {
        final List<BinaryResponse> responses = conn.receive(request(STAT).key(group).opaque(opaque).build())
            .takeResponses();
        final BinaryResponse terminator = responses.get(responses.size() - 1);
        assertEquals(0, terminator.key.length + terminator.value.length + terminator.extras.length);
        final Map<String, String> stats = new LinkedHashMap<>();
        for (final BinaryResponse response : responses)
        {
            assertEquals(STAT, response.opcode);
            assertEquals(STATUS_OK, response.status);
            assertEquals(opaque, response.opaque);
            assertEquals(0, response.cas);
            if (response != terminator)
            {
                assertTrue(response.key.length > 0);
                stats.put(response.keyText(), response.valueText());
            }
        }
        return stats;
    }

    @Test
    void shouldSendGeneralStatsCountingBinaryCommands()
    {
        conn.receive(concat(set("a", 0, "v"), get(GET, "a", 0), get(GET, "b", 0), simple(NOOP, 0)));
        conn.takeOutput();
        final Map<String, String> stats = stats("", 5);
        assertEquals("1", stats.get("cmd_set"));
        assertEquals("2", stats.get("cmd_get"));
        assertEquals("1", stats.get("get_hits"));
        assertEquals("1", stats.get("get_misses"));
        assertTrue(stats.containsKey("pid"));
        assertTrue(stats.containsKey("curr_items"));
    }

    @Test
    void shouldSendSettingsMatchingTheGroupAsAPrefixAsMemcachedDoes()
    {
        assertEquals("1048576", stats("settings", 1).get("item_size_max"));
        assertEquals("1048576", stats("settingsX", 2).get("item_size_max"));
    }

    @Test
    void shouldSendItemsSlabsAndSizesGroups()
    {
        conn.receive(set("a", 0, "v")).takeOutput();
        assertTrue(stats("items", 1).keySet().stream().anyMatch(name -> name.startsWith("items:")));
        assertTrue(stats("slabs", 2).containsKey("active_slabs"));
        assertEquals(Map.of("sizes_status", "disabled"), stats("sizes", 3));
    }
}
