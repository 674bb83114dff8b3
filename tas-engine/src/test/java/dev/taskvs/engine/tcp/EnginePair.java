package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.engine.sched.ThreadingMode;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;

import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Two engines in invoker mode joined by a loopback wire, on one virtual clock that each step advances, so
 * every test is deterministic and timeouts cost no real time.
 */
final class EnginePair implements AutoCloseable
{
    static final int IP_A = Ipv4Address.parse("10.211.1.1");
    static final int IP_B = Ipv4Address.parse("10.211.1.2");

    final CachedNanoClock clock = new CachedNanoClock();
    final LoopbackWire wire;
    final PacketIo ioA;
    final PacketIo ioB;
    final TcpEngine a;
    final TcpEngine b;
    final AppContext appA;
    final AppContext appB;
    ConnectionHandler handlerA = new ConnectionHandler()
    {
    };
    ConnectionHandler handlerB = new ConnectionHandler()
    {
    };
    long stepNs = 1_000;
    long steps;

    EnginePair()
    {
        this(c -> {}, UnaryOperator.identity(), UnaryOperator.identity());
    }

    EnginePair(final Consumer<EngineContext> configure)
    {
        this(configure, UnaryOperator.identity(), UnaryOperator.identity());
    }

    EnginePair(final Consumer<EngineContext> configure, final UnaryOperator<PacketIo> wrapA,
        final UnaryOperator<PacketIo> wrapB)
    {
        this(configure, (io, clock) -> wrapA.apply(io), (io, clock) -> wrapB.apply(io));
    }

    /** The wrappers get the virtual clock, so fault injection that holds frames back stays deterministic. */
    EnginePair(final Consumer<EngineContext> configure, final BiFunction<PacketIo, NanoClock, PacketIo> wrapA,
        final BiFunction<PacketIo, NanoClock, PacketIo> wrapB)
    {
        clock.update(1_000_000_000L);
        wire = new LoopbackWire(4096, 1500, LoopbackWire.DEFAULT_MAC_A, LoopbackWire.DEFAULT_MAC_B);
        ioA = wrapA.apply(wire.endpointA(), clock);
        ioB = wrapB.apply(wire.endpointB(), clock);
        final EngineContext ctxA = base("a", IP_A);
        final EngineContext ctxB = base("b", IP_B);
        configure.accept(ctxA);
        configure.accept(ctxB);
        a = new TcpEngine(ctxA, ioA);
        b = new TcpEngine(ctxB, ioB);
        appA = a.newAppContext();
        appB = b.newAppContext();
        a.start();
        b.start();
    }

    private EngineContext base(final String name, final int ip)
    {
        return new EngineContext()
            .name(name)
            .localIp(ip)
            .prefixLength(24)
            .threading(ThreadingMode.INVOKER)
            .clock(clock)
            .maxFlows(2048)
            .timeWaitNs(10_000_000L);
    }

    void step()
    {
        clock.advance(stepNs);
        steps++;
        a.invoke();
        appA.poll(handlerA, 256);
        b.invoke();
        appB.poll(handlerB, 256);
    }

    /** Step until the condition holds; false when {@code maxSteps} ran out first. */
    boolean runUntil(final BooleanSupplier condition, final long maxSteps)
    {
        for (long i = 0; i < maxSteps; i++)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            step();
        }
        return condition.getAsBoolean();
    }

    /** Advance virtual time by {@code ns}, stepping at the current step size. */
    void runFor(final long ns)
    {
        final long end = clock.nanoTime() + ns;
        while (clock.nanoTime() < end)
        {
            step();
        }
    }

    @Override
    public void close()
    {
        a.close();
        b.close();
    }
}
