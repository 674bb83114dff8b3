package dev.taskvs.engine.slowpath;

import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.slowpath.cc.CcState;
import dev.taskvs.engine.slowpath.cc.CongestionControl;
import dev.taskvs.engine.slowpath.cc.DctcpRate;
import dev.taskvs.engine.slowpath.cc.Timely;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ControlPlaneTest
{
    @Test
    void shouldRouteLocalSubnetDirectlyAndTheRestViaGateway()
    {
        final RoutingTable routes = new RoutingTable(Ipv4Address.parse("10.211.0.2"), 24,
            Ipv4Address.parse("10.211.0.1"));
        assertEquals(Ipv4Address.parse("10.211.0.9"), routes.nextHop(Ipv4Address.parse("10.211.0.9")));
        assertEquals(Ipv4Address.parse("10.211.0.1"), routes.nextHop(Ipv4Address.parse("8.8.8.8")));
        final RoutingTable isolated = new RoutingTable(Ipv4Address.parse("10.211.0.2"), 24, Ipv4Address.ANY);
        assertEquals(Ipv4Address.ANY, isolated.nextHop(Ipv4Address.parse("8.8.8.8")));
    }

    @Test
    void shouldExpireArpEntries()
    {
        final ArpCache cache = new ArpCache(1_000);
        cache.learn(1, 0xAABBCCDDEEFFL, 0);
        assertEquals(0xAABBCCDDEEFFL, cache.lookup(1, 999));
        assertEquals(-1, cache.lookup(1, 1_000));
        assertEquals(0, cache.size());
    }

    @Test
    void shouldParsePortPolicy()
    {
        final PortPolicy policy = PortPolicy.parse("7000-7002, 11211");
        assertTrue(policy.allows(7001));
        assertTrue(policy.allows(11211));
        assertFalse(policy.allows(7003));
        assertThrows(IllegalArgumentException.class, () -> PortPolicy.parse("0-10"));
    }

    @Test
    void dctcpShouldSlowStartHalveOnLossAndCutByAlphaOnEcn()
    {
        final CongestionControl cc = new DctcpRate();
        final CcState state = new CcState();
        cc.init(state);
        final int initial = state.rateKbps;
        cc.update(state, 1_000_000, 0, 0, 50, 100_000);
        assertEquals(2 * initial, state.rateKbps, "slow start doubles");
        final int before = state.rateKbps;
        cc.update(state, 1_000_000, 0, 1, 50, 100_000);
        assertEquals(before / 2, state.rateKbps, "loss halves");
        state.rateKbps = 1_000_000;
        final int beforeEcn = state.rateKbps;
        cc.update(state, 1_000_000, 1_000_000, 0, 50, 100_000);
        assertTrue(state.rateKbps < beforeEcn, "ECN marks cut the rate");
        assertTrue(state.alpha > 0);
    }

    @Test
    void dctcpShouldCallAStepQuietOnlyWhenItWouldKeepTheRate()
    {
        final CongestionControl cc = new DctcpRate();
        final long interval = 1_000_000; // 1 ms: 125 bytes are 1,000 kbit/s
        assertTrue(cc.quiet(0, 0, 0, DctcpRate.INITIAL_KBPS, interval), "nothing ACKed");
        assertTrue(cc.quiet(625, 0, 0, 10_000, interval), "5,000 kbit/s is half of 10,000");
        assertFalse(cc.quiet(626, 0, 0, 10_000, interval), "more than half: the rate may grow");
        assertFalse(cc.quiet(100, 100, 0, 10_000, interval), "an ECN mark");
        assertFalse(cc.quiet(100, 0, 1, 10_000, interval), "a loss");
        assertFalse(cc.quiet(0, 0, 0, 0, interval), "unlimited: always stepped");
        assertFalse(new Timely().quiet(0, 0, 0, 10_000, interval), "other algorithms never skip");
        // Whenever a step is called quiet, running it on a fresh state keeps the rate.
        for (final long acked : new long[] {0, 1, 100, 600, 625, 626, 1_250, 100_000})
        {
            for (final int rate : new int[] {DctcpRate.MIN_KBPS, 10_001, 20_000, 1_000_000})
            {
                for (final boolean slowStart : new boolean[] {true, false})
                {
                    final CcState state = new CcState();
                    cc.init(state);
                    state.rateKbps = rate;
                    state.slowStart = slowStart;
                    if (cc.quiet(acked, 0, 0, rate, interval))
                    {
                        cc.update(state, acked, 0, 0, 50, interval);
                        assertEquals(rate, state.rateKbps, acked + " bytes at " + rate + " kbit/s");
                    }
                }
            }
        }
    }

    @Test
    void timelyShouldCutAboveHighThresholdAndGrowBelowLow()
    {
        final CongestionControl cc = new Timely();
        final CcState state = new CcState();
        cc.init(state);
        state.slowStart = false;
        state.rateKbps = 1_000_000;
        cc.update(state, 10_000_000, 0, 0, 20, 100_000);
        assertEquals(1_000_000 + Timely.STEP_KBPS, state.rateKbps);
        cc.update(state, 10_000_000, 0, 0, 600, 100_000);
        assertTrue(state.rateKbps < 1_000_000);
    }
}
