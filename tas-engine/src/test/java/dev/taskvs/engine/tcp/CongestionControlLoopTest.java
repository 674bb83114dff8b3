package dev.taskvs.engine.tcp;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The congestion-control loop end to end: marks on the wire, ECE back, the slow path cutting the rate. */
@Timeout(60)
class CongestionControlLoopTest
{
    /** A switch that marks CE on a fraction of ECN-capable packets, as a DCTCP switch past its threshold. */
    static final class CeMarkingPacketIo extends FilterPacketIoBase
    {
        private final SplittableRandom random = new SplittableRandom(17);
        private final double rate;
        private final Ipv4Header ip = new Ipv4Header();
        int marked;

        CeMarkingPacketIo(final PacketIo inner, final double rate)
        {
            super(inner);
            this.rate = rate;
        }

        @Override
        public int transmit(final FrameBatch tx)
        {
            for (int i = 0; i < tx.size(); i++)
            {
                final int offset = tx.offset(i);
                if (tx.length(i) > 34 && (tx.buffer(i).getShort(offset + 12, java.nio.ByteOrder.BIG_ENDIAN) &
                    0xFFFF) == EthernetFrame.ETHER_TYPE_IPV4)
                {
                    ip.wrap(tx.buffer(i), offset + 14);
                    if (ip.ecn() == Ipv4Header.ECN_ECT_0 && random.nextDouble() < rate)
                    {
                        ip.ecn(Ipv4Header.ECN_CE).updateChecksum();
                        marked++;
                    }
                }
            }
            return inner.transmit(tx);
        }
    }

    @Test
    void dctcpShouldEchoMarksAndCutTheRate()
    {
        try (EnginePair pair = new EnginePair(c -> c.congestionControl(CongestionControlKind.DCTCP_RATE),
            io -> new CeMarkingPacketIo(io, 0.05), io -> io))
        {
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(8 << 20, 0, 1, 1);
            final StreamApps.PatternPeer server = new StreamApps.PatternPeer(0, 0, 1, 1);
            server.shutdownWhenSent = false;
            pair.handlerA = client;
            pair.handlerB = server;
            pair.appB.listen(7000);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> server.received == 8 << 20, 20_000_000));
            assertEquals(0, server.mismatches);
            assertTrue(((CeMarkingPacketIo)pair.ioA).marked > 0);
            assertTrue(pair.a.counter("a slow path: bytes ACKed with ECN echo (CC input)") > 0, "ECE came back");
            assertTrue(pair.a.counter("a slow path: congestion-control rate cuts") > 0, "DCTCP cut the rate");
        }
    }

    @Test
    void timelyShouldCarryABulkTransfer()
    {
        try (EnginePair pair = new EnginePair(c -> c.congestionControl(CongestionControlKind.TIMELY)))
        {
            final StreamApps.EchoServer server = new StreamApps.EchoServer();
            final StreamApps.PatternPeer client = new StreamApps.PatternPeer(4 << 20, 4 << 20, 2, 2);
            pair.handlerA = client;
            pair.handlerB = server;
            pair.appB.listen(7000);
            pair.step();
            pair.appA.connect(EnginePair.IP_B, 7000);
            assertTrue(pair.runUntil(() -> client.closed, 20_000_000));
            assertEquals(4 << 20, client.received);
            assertEquals(0, client.mismatches);
        }
    }
}
