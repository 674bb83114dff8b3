package dev.taskvs.engine.tcp;

import dev.taskvs.engine.nic.fault.FaultyPacketIo;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class BulkTransferTest
{
    private static final long MB16 = 16L << 20;

    private static void echoBothWays(final EnginePair pair, final long bytes, final long maxSteps)
    {
        final StreamApps.EchoServer server = new StreamApps.EchoServer();
        final StreamApps.PatternPeer client = new StreamApps.PatternPeer(bytes, bytes, 11, 11);
        pair.handlerB = server;
        pair.handlerA = client;
        pair.appB.listen(7000);
        pair.step();
        pair.appA.connect(EnginePair.IP_B, 7000);
        assertTrue(pair.runUntil(() -> client.closed && server.closed == 1, maxSteps),
            "sent " + client.sent + " received " + client.received + " echoed " + server.echoed + " resets " +
            server.resets + "/" + client.resetReason + " after " + pair.steps + " steps");
        assertEquals(bytes, client.received);
        assertEquals(0, client.mismatches, "first mismatch at " + client.firstMismatch);
        assertTrue(pair.runUntil(() -> pair.a.flowCount() == 0 && pair.b.flowCount() == 0, 1_000_000));
    }

    @Test
    void shouldMoveSixteenMegabytesEachWayByteExact()
    {
        try (EnginePair pair = new EnginePair())
        {
            echoBothWays(pair, MB16, 20_000_000);
            assertTrue(pair.a.counterSum("payload bytes sent") >= MB16);
        }
    }

    @Test
    void shouldStayByteExactWithLossReorderingDuplicationAndCorruption()
    {
        final Consumer<FaultyPacketIo.Context> faults = f -> f.lossRate(0.01).reorderRate(0.01)
            .duplicationRate(0.01).corruptionRate(0.01);
        try (EnginePair pair = new EnginePair(
            c -> c.congestionControl(CongestionControlKind.DCTCP_RATE).rtoMinNs(2_000_000L),
            (io, clock) -> new FaultyPacketIo(io, context(faults, 1).clock(clock)),
            (io, clock) -> new FaultyPacketIo(io, context(faults, 2).clock(clock))))
        {
            echoBothWays(pair, MB16, 40_000_000);
            assertTrue(pair.a.counter("rx frames: BAD_TCP_CHECKSUM") + pair.b.counter("rx frames: BAD_TCP_CHECKSUM") +
                pair.a.counter("rx frames: BAD_IP_CHECKSUM") + pair.b.counter("rx frames: BAD_IP_CHECKSUM") > 0,
                "corrupted frames were dropped by checksum");
            assertTrue(pair.a.counterSum("bytes retransmitted") + pair.b.counterSum("bytes retransmitted") > 0);
        }
    }

    private static FaultyPacketIo.Context context(final Consumer<FaultyPacketIo.Context> faults, final long seed)
    {
        final FaultyPacketIo.Context context = new FaultyPacketIo.Context().seed(seed).reorderHoldNs(20_000);
        faults.accept(context);
        return context;
    }

    @Test
    void shouldHandleSequenceNumberWrapAround()
    {
        // Both ISNs a few kilobytes below 2^32, so every counter in the flow crosses zero early.
        try (EnginePair pair = new EnginePair(c -> c.isnSupplier(() -> -5000)))
        {
            echoBothWays(pair, 4L << 20, 10_000_000);
        }
    }
}
