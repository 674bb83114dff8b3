package dev.taskvs.engine.tcp;

import dev.taskvs.engine.app.ConnectionHandler;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lane's full-burst counter: a poll that fills the whole burst left frames waiting, which is what says a lane
 * (a load generator's, a server's) is the limit of a run. A bulk transfer into a lane with a small burst fills
 * bursts; one request and one answer at a time never do.
 */
class ReceiveBurstsTest
{
    private static final int PORT = 7300;
    private static final String BURSTS = " lane 0: receive bursts (polls that found frames)";
    private static final String FULL = " lane 0: full receive bursts (frames were left waiting)";

    /** Engine a's client connects to engine b's server. */
    private static void connect(final EnginePair pair, final ConnectionHandler client, final ConnectionHandler server)
    {
        pair.handlerA = client;
        pair.handlerB = server;
        pair.appB.listen(PORT);
        pair.step();
        pair.appA.connect(EnginePair.IP_B, PORT);
    }

    @Test
    void shouldCountFullBurstsWhenFramesWaitBeyondTheBurst()
    {
        try (EnginePair pair = new EnginePair(c -> c.burstSize(4)))
        {
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(200_000, 0, 5, 5);
            final StreamApps.PatternPeer server = new StreamApps.PatternPeer(0, 0, 5, 5);
            connect(pair, client, server);
            assertTrue(pair.runUntil(() -> server.received == 200_000, 200_000), "received " + server.received);
            assertEquals(0, server.mismatches);

            final long bursts = pair.b.counter("b" + BURSTS);
            final long full = pair.b.counter("b" + FULL);
            // The sender's lane puts a window's worth of segments on the wire in one step; the receiver's polls
            // take four at a time.
            assertTrue(full > 0 && full <= bursts, full + " full of " + bursts + " bursts");
            assertTrue(pair.b.counter("b lane 0: segments received") >= 4 * full);
        }
    }

    @Test
    void shouldCountNoFullBurstWhenOneRequestWaitsForItsAnswer()
    {
        try (EnginePair pair = new EnginePair(c -> c.burstSize(32)))
        {
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(64, 64, 7, 7);
            connect(pair, client, new StreamApps.EchoServer());
            assertTrue(pair.runUntil(() -> client.received == 64, 100_000), "received " + client.received);
            assertEquals(0, client.mismatches);

            assertTrue(pair.a.counter("a" + BURSTS) > 0 && pair.b.counter("b" + BURSTS) > 0);
            assertEquals(0, pair.a.counter("a" + FULL));
            assertEquals(0, pair.b.counter("b" + FULL));
        }
    }
}
