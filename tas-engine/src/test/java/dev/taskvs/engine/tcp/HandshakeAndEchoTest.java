package dev.taskvs.engine.tcp;

import dev.taskvs.engine.fastpath.FlowRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class HandshakeAndEchoTest
{
    @Test
    void flowRecordIsTwoCacheLines()
    {
        assertEquals(128, FlowRecord.LENGTH);
        assertEquals(124, FlowRecord.TX_NOTIFY_OFFSET);
    }

    @Test
    void shouldConnectEchoAndCloseGracefully()
    {
        try (EnginePair pair = new EnginePair())
        {
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(1000, 1000, 7, 7);
            pair.handlerB = server;
            pair.handlerA = client;
            pair.appB.listen(7000);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, 7000);

            assertTrue(pair.runUntil(() -> client.connected, 100_000), "connected");
            assertTrue(pair.runUntil(() -> client.closed && server.closed == 1, 1_000_000), "closed: received " +
                client.received + " readClosed " + client.readClosed + " server closed " + server.closed);
            assertEquals(1000, client.received);
            assertEquals(0, client.mismatches);
            assertEquals(1, server.accepted);

            // TIME_WAIT (10 ms here) expires on the virtual clock and both tables end empty.
            assertTrue(pair.runUntil(() -> pair.a.flowCount() == 0 && pair.b.flowCount() == 0 &&
                pair.a.connectionCount() == 0 && pair.b.connectionCount() == 0, 1_000_000));
            assertEquals(0, pair.a.flowsInUse());
            assertEquals(0, pair.b.flowsInUse());
        }
    }
}
