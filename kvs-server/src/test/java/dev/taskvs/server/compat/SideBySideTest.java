package dev.taskvs.server.compat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protocol scenario on real memcached 1.6 and on our server (kernel sockets, and the userspace engine over TAP), compared byte for byte after normalizing only
 * STAT values, VERSION strings, CAS numbers (as first-seen ordinals) and clock values (within a second). The two
 * transcripts of each scenario are written to {@code target/compat/memcached-vs-tas-kvs/}.
 */
class SideBySideTest
{
    static List<Scenario> scenarios()
    {
        return Scenarios.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void answersAsMemcachedDoes(final Scenario scenario)
    {
        SideBySide.check(scenario, ServerKind.TAS_KVS, "memcached-vs-tas-kvs");
    }

    /** The same scenarios against the server on the userspace engine, over a TAP device: kernel client, TAS server. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void answersAsMemcachedDoesOnTheEngine(final Scenario scenario)
    {
        SideBySide.check(scenario, ServerKind.TAS_ENGINE, "memcached-vs-tas-kvs-engine");
    }
}
