package dev.taskvs.engine.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskvs.engine.app.TcpConnection;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An engine whose thread was off the CPU for longer than the retransmission timeout finds the peer's ACKs queued
 * when it runs again. It must read them, not time out every flow that had data in flight: the time it did not run
 * is not time the network was silent.
 */
@Timeout(60)
class StalledThreadTimerTest
{
    private static final int FLOWS = 300;

    @Test
    void aThreadThatDidNotRunShouldNotTimeOutFlowsWhoseAcksAreWaiting()
    {
        try (EnginePair pair = new EnginePair(c -> c.rtoMinNs(10_000_000L).rtoInitialNs(10_000_000L).ackDelayNs(0)
            .maxFlows(FLOWS + 4)))
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            ConnectionLifecycleTest.connectMany(pair, client, server, FLOWS);
            pair.runFor(50_000_000L);

            // Every flow sends a request; A's lanes put the segments on the wire, then A stops running.
            final UnsafeBuffer request = new UnsafeBuffer(new byte[100]);
            for (final TcpConnection c : client.open)
            {
                assertEquals(100, c.write(request, 0, 100));
            }
            for (int i = 0; i < 50; i++)
            {
                pair.a.invoke();
                pair.appA.poll(pair.handlerA, 256);
            }

            // B reads every request and ACKs it while A is stalled for 30 ms.
            for (int i = 0; i < 100; i++)
            {
                pair.clock.advance(1_000);
                pair.b.invoke();
                pair.appB.poll(pair.handlerB, 256);
            }
            assertEquals(100L * FLOWS, server.received);
            pair.clock.advance(30_000_000L);

            // A runs again: the ACKs are far more than one receive burst, but no flow times out.
            pair.stepNs = 1_000;
            pair.runFor(5_000_000L);
            assertEquals(0, pair.a.counter("a slow path: retransmission timeouts"));
            assertEquals(0, pair.a.counter("a lane 0: go-back-N on timeout"));
        }
    }
}
