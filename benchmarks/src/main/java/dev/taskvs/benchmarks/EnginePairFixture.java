package dev.taskvs.benchmarks;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Two engines in INVOKER mode on one {@link LoopbackWire} and one virtual clock (as the engine's deterministic
 * tests run them), with one established connection from A (the sender) to B (the receiver, whose app consumes
 * everything at once). Everything runs on the calling thread.
 */
final class EnginePairFixture implements AutoCloseable
{
    static final int IP_A = Ipv4Address.parse("10.211.1.1");
    static final int IP_B = Ipv4Address.parse("10.211.1.2");
    static final int PORT = 7000;
    static final int MSS = 1448;

    final CachedNanoClock clock = new CachedNanoClock();
    final TcpEngine a;
    final TcpEngine b;
    final AppContext appA;
    final AppContext appB;
    final TcpConnection sender;
    TcpConnection receiver;
    long consumed;
    final UnsafeBuffer payload;

    final ConnectionHandler senderHandler = new ConnectionHandler()
    {
    };

    final ConnectionHandler receiverHandler = new ConnectionHandler()
    {
        @Override
        public void onAccepted(final TcpConnection connection)
        {
            receiver = connection;
        }

        @Override
        public void onData(final TcpConnection connection, final int bytes)
        {
            final int readable = connection.readable();
            connection.consume(readable);
            consumed += readable;
        }
    };

    private long segmentsBefore;
    private long acksBefore;

    EnginePairFixture(final int payloadBytes)
    {
        clock.update(1_000_000_000L);
        final LoopbackWire wire = new LoopbackWire(4096, 1500, LoopbackWire.DEFAULT_MAC_A, LoopbackWire.DEFAULT_MAC_B);
        a = new TcpEngine(context("a", IP_A), wire.endpointA());
        b = new TcpEngine(context("b", IP_B), wire.endpointB());
        appA = a.newAppContext();
        appB = b.newAppContext();
        a.start();
        b.start();
        appB.listen(PORT);
        step();
        sender = appA.connect(IP_B, PORT);
        for (int i = 0; i < 10_000 && (receiver == null || sender.state() != TcpConnection.State.OPEN); i++)
        {
            step();
        }
        if (receiver == null || sender.state() != TcpConnection.State.OPEN)
        {
            close();
            throw new IllegalStateException("no connection: " + sender);
        }
        payload = new UnsafeBuffer(new byte[payloadBytes]);
        for (int i = 0; i < payloadBytes; i++)
        {
            payload.putByte(i, (byte)i);
        }
    }

    private EngineContext context(final String name, final int ip)
    {
        return new EngineContext()
            .name(name)
            .localIp(ip)
            .prefixLength(24)
            .threading(ThreadingMode.INVOKER)
            .clock(clock)
            .maxFlows(1024);
    }

    /** One duty cycle of each engine and each app, 1 µs of virtual time apart. */
    void step()
    {
        clock.advance(1_000);
        a.invoke();
        appA.poll(senderHandler, 256);
        b.invoke();
        appB.poll(receiverHandler, 256);
    }

    void write(final int bytes)
    {
        if (sender.write(payload, 0, bytes) != bytes)
        {
            throw new IllegalStateException("TX ring full: the receiver is not acknowledging");
        }
    }

    void countBefore()
    {
        segmentsBefore = b.counterSum(": segments received");
        acksBefore = b.counterSum(": pure ACKs sent");
    }

    /** Checks that the receiver took data segments in and sent about one ACK for each (per burst). */
    void checkCounts(final String what, final double perSegmentAcks)
    {
        final long segments = b.counterSum(": segments received") - segmentsBefore;
        final long acks = b.counterSum(": pure ACKs sent") - acksBefore;
        if (segments == 0 || acks == 0 || acks > segments + 2 || acks < segments * perSegmentAcks)
        {
            throw new IllegalStateException(what + ": receiver saw " + segments + " segments, sent " + acks + " ACKs");
        }
        if (Boolean.getBoolean("taskvs.jmh.verbose"))
        {
            System.out.printf("%n  %s: receiver %d segments in, %d pure ACKs out, %d bytes consumed in all%n",
                what, segments, acks, consumed);
        }
    }

    @Override
    public void close()
    {
        a.close();
        b.close();
    }
}
