package dev.taskvs.server.compat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The harness checked against itself: every scenario on two fresh memcached instances must compare equal (so the
 * normalization hides only what legitimately differs), and memcached must meet every expectation in time (so each
 * scenario's end conditions are right).
 */
class MemcachedSelfCheckTest
{
    static List<Scenario> scenarios()
    {
        return Scenarios.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void memcachedAgreesWithItself(final Scenario scenario)
    {
        SideBySide.check(scenario, ServerKind.MEMCACHED, "memcached-vs-memcached");
    }
}
