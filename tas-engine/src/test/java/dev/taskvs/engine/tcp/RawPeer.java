package dev.taskvs.engine.tcp;

import dev.taskvs.engine.EngineContext;
import dev.taskvs.engine.TcpEngine;
import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.app.ConnectionHandler;
import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.nic.loopback.LoopbackWire;
import dev.taskvs.engine.proto.ArpPacket;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.proto.MacAddress;
import dev.taskvs.engine.proto.TcpHeader;
import dev.taskvs.engine.proto.TcpOptions;
import dev.taskvs.engine.sched.ThreadingMode;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hand-driven TCP peer on one end of a loopback wire, facing one engine in invoker mode: tests write exact
 * segments (or broken frames) and read exactly what the engine answered.
 */
final class RawPeer implements AutoCloseable
{
    static final int PEER_IP = EnginePair.IP_A;
    static final int ENGINE_IP = EnginePair.IP_B;
    static final long PEER_MAC = LoopbackWire.DEFAULT_MAC_A;
    static final long ENGINE_MAC = LoopbackWire.DEFAULT_MAC_B;

    /** A segment the engine sent. */
    static final class Segment
    {
        int flags;
        int seq;
        int ack;
        int window;
        int sourcePort;
        int destinationPort;
        byte[] payload;
        int tos;
        final TcpOptions options = new TcpOptions();

        boolean has(final int flag)
        {
            return (flags & flag) != 0;
        }

        @Override
        public String toString()
        {
            return "Segment{flags=0x" + Integer.toHexString(flags) + ", seq=" + seq + ", ack=" + ack + ", win=" +
                window + ", len=" + payload.length + "}";
        }
    }

    final CachedNanoClock clock = new CachedNanoClock();
    final LoopbackWire wire = new LoopbackWire();
    final PacketIo peer = wire.endpointA();
    final TcpEngine engine;
    final AppContext app;
    ConnectionHandler handler = new ConnectionHandler()
    {
    };
    final List<Segment> segments = new ArrayList<>();
    final List<byte[]> otherFrames = new ArrayList<>();
    private final FrameBatch rx = new FrameBatch(64);
    private final FrameBatch tx = new FrameBatch(1);
    long stepNs = 1_000;

    RawPeer(final Consumer<EngineContext> configure)
    {
        clock.update(1_000_000_000L);
        final EngineContext ctx = new EngineContext().name("e").localIp(ENGINE_IP).prefixLength(24)
            .threading(ThreadingMode.INVOKER).clock(clock).maxFlows(64).timeWaitNs(10_000_000L)
            .isnSupplier(() -> 5000)
            // Tests here check each segment's ACK a few 1 us steps later; delayed ACK has its own tests.
            .ackDelayNs(0);
        configure.accept(ctx);
        engine = new TcpEngine(ctx, wire.endpointB());
        app = engine.newAppContext();
        engine.start();
    }

    void step()
    {
        clock.advance(stepNs);
        engine.invoke();
        app.poll(handler, 256);
        collect();
    }

    void steps(final int n)
    {
        for (int i = 0; i < n; i++)
        {
            step();
        }
    }

    private void collect()
    {
        final int n = peer.receive(rx);
        for (int i = 0; i < n; i++)
        {
            final MutableDirectBuffer buffer = rx.buffer(i);
            final int offset = rx.offset(i);
            final EthernetFrame ethernet = new EthernetFrame().wrap(buffer, offset);
            final Ipv4Header ip = new Ipv4Header().wrap(buffer, offset + EthernetFrame.HEADER_LENGTH);
            if (ethernet.etherType() == EthernetFrame.ETHER_TYPE_IPV4 && ip.protocol() == Ipv4Header.PROTOCOL_TCP)
            {
                final TcpHeader tcp = new TcpHeader().wrap(buffer, offset + EthernetFrame.HEADER_LENGTH + 20);
                final Segment segment = new Segment();
                segment.flags = tcp.flags();
                segment.seq = tcp.sequence();
                segment.ack = tcp.acknowledgment();
                segment.window = tcp.window();
                segment.sourcePort = tcp.sourcePort();
                segment.destinationPort = tcp.destinationPort();
                segment.tos = ip.tos();
                segment.options.parse(buffer, tcp.optionsOffset(), tcp.headerLength() - 20);
                if (!tcp.isChecksumValid(ip.pseudoHeaderSum(), ip.totalLength() - 20) || !ip.isChecksumValid())
                {
                    throw new AssertionError("engine sent a bad checksum");
                }
                final int payloadLength = ip.totalLength() - 20 - tcp.headerLength();
                segment.payload = new byte[payloadLength];
                buffer.getBytes(tcp.payloadOffset(), segment.payload);
                segments.add(segment);
            }
            else
            {
                final byte[] frame = new byte[rx.length(i)];
                buffer.getBytes(offset, frame);
                otherFrames.add(frame);
            }
        }
        if (n > 0)
        {
            peer.release(rx);
        }
    }

    /** Remove and return the engine's segments so far. */
    List<Segment> take()
    {
        final List<Segment> taken = new ArrayList<>(segments);
        segments.clear();
        return taken;
    }

    Segment last()
    {
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    /** Options for {@link #send}: which TCP options and their values. */
    static final class Opts
    {
        int present;
        int mss = 1460;
        int windowScale;
        int tsVal;
        int tsEcr;
        int tos;

        static Opts none()
        {
            return new Opts();
        }

        static Opts syn()
        {
            final Opts o = new Opts();
            o.present = TcpOptions.MSS | TcpOptions.WINDOW_SCALE | TcpOptions.SACK_PERMITTED | TcpOptions.TIMESTAMPS;
            o.windowScale = 7;
            o.tsVal = 100;
            return o;
        }

        Opts timestamps(final int value, final int echo)
        {
            present |= TcpOptions.TIMESTAMPS;
            tsVal = value;
            tsEcr = echo;
            return this;
        }

        Opts ce()
        {
            tos = Ipv4Header.ECN_CE;
            return this;
        }
    }

    /** Build a well-formed segment from the peer into {@code buffer}; returns the frame length. */
    static int build(
        final MutableDirectBuffer buffer, final int offset, final int sourcePort, final int destinationPort,
        final int flags, final int seq, final int ack, final int window, final byte[] payload, final Opts opts)
    {
        new EthernetFrame().wrap(buffer, offset).destination(ENGINE_MAC).source(PEER_MAC)
            .etherType(EthernetFrame.ETHER_TYPE_IPV4);
        final int ipOffset = offset + EthernetFrame.HEADER_LENGTH;
        final int tcpOffset = ipOffset + 20;
        final int optionsLength = TcpOptions.write(buffer, tcpOffset + 20, opts.present, opts.mss, opts.windowScale,
            opts.tsVal, opts.tsEcr);
        final int tcpLength = 20 + optionsLength + payload.length;
        final Ipv4Header ip = new Ipv4Header().wrap(buffer, ipOffset).versionAndHeaderLength(20).tos(opts.tos)
            .totalLength(20 + tcpLength).identification(1).flagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT)
            .ttl(64).protocol(Ipv4Header.PROTOCOL_TCP).source(PEER_IP).destination(ENGINE_IP).updateChecksum();
        buffer.putBytes(tcpOffset + 20 + optionsLength, payload);
        new TcpHeader().wrap(buffer, tcpOffset).sourcePort(sourcePort).destinationPort(destinationPort)
            .sequence(seq).acknowledgment(ack).headerLength(20 + optionsLength).flags(flags).window(window)
            .urgentPointer(0).updateChecksum(ip.pseudoHeaderSum(), tcpLength);
        return EthernetFrame.HEADER_LENGTH + 20 + tcpLength;
    }

    void send(final int sourcePort, final int destinationPort, final int flags, final int seq, final int ack,
        final int window, final byte[] payload, final Opts opts)
    {
        sendRaw(b ->
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2048]);
            final int length = build(scratch, 0, sourcePort, destinationPort, flags, seq, ack, window, payload, opts);
            final byte[] frame = new byte[length];
            scratch.getBytes(0, frame);
            return frame;
        });
    }

    /** Send whatever bytes the function returns as one frame (it may break them on purpose). */
    void sendRaw(final java.util.function.Function<Void, byte[]> frameMaker)
    {
        final byte[] frame = frameMaker.apply(null);
        if (peer.allocate(tx, 1) != 1)
        {
            throw new IllegalStateException("wire full");
        }
        tx.buffer(0).putBytes(tx.offset(0), frame);
        tx.length(0, Math.max(frame.length, 1));
        peer.transmit(tx);
    }

    /** An ARP request from the peer for the engine's address. */
    void sendArpRequest()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[60]);
        new EthernetFrame().wrap(b, 0).destination(MacAddress.BROADCAST).source(PEER_MAC)
            .etherType(EthernetFrame.ETHER_TYPE_ARP);
        new ArpPacket().wrap(b, 14).ipv4OverEthernet().operation(ArpPacket.OPERATION_REQUEST)
            .senderHardware(PEER_MAC).senderProtocol(PEER_IP).targetHardware(0).targetProtocol(ENGINE_IP);
        sendRaw(v -> b.byteArray());
    }

    @Override
    public void close()
    {
        engine.close();
    }
}
