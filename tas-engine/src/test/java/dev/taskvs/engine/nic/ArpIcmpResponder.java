package dev.taskvs.engine.nic;

import dev.taskvs.engine.proto.ArpPacket;
import dev.taskvs.engine.proto.EthernetFrame;
import dev.taskvs.engine.proto.FrameValidator;
import dev.taskvs.engine.proto.FrameVerdict;
import dev.taskvs.engine.proto.IcmpEcho;
import dev.taskvs.engine.proto.Ipv4Header;
import dev.taskvs.engine.stats.EngineCounters;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal host on a {@link PacketIo}, for backend tests against the kernel: answers ARP requests for its
 * address and ICMP echo requests, built with the production flyweights, so a successful kernel {@code ping}
 * shows frames flow both ways and the kernel accepts our headers and checksums.
 */
public final class ArpIcmpResponder implements Runnable
{
    private final PacketIo io;
    private final int localIp;
    private final FrameValidator validator;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final FrameBatch rx = new FrameBatch(32);
    private final FrameBatch tx = new FrameBatch(32);
    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpEcho icmp = new IcmpEcho();

    public final AtomicLong arpRequests = new AtomicLong();
    public final AtomicLong echoRequests = new AtomicLong();
    public final AtomicLong framesSeen = new AtomicLong();

    public ArpIcmpResponder(final PacketIo io, final int localIp)
    {
        this.io = io;
        this.localIp = localIp;
        this.validator = new FrameValidator(io.macAddress(), localIp, EngineCounters.newManager(64));
    }

    public void stop()
    {
        running.set(false);
    }

    @Override
    public void run()
    {
        while (running.get())
        {
            if (poll() == 0)
            {
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
        }
    }

    /** Receive one burst and answer what needs answering. @return frames received. */
    public int poll()
    {
        final int n = io.receive(rx);
        for (int i = 0; i < n; i++)
        {
            framesSeen.incrementAndGet();
            final MutableDirectBuffer buffer = rx.buffer(i);
            final int offset = rx.offset(i);
            final FrameVerdict verdict = validator.classify(buffer, offset, rx.length(i));
            if (verdict == FrameVerdict.ARP)
            {
                answerArp(buffer, offset);
            }
            else if (verdict == FrameVerdict.ICMP)
            {
                answerEcho(buffer, offset, rx.length(i));
            }
        }
        io.release(rx);
        if (!tx.isEmpty())
        {
            io.transmit(tx);
        }
        return n;
    }

    private void answerArp(final MutableDirectBuffer buffer, final int offset)
    {
        arp.wrap(buffer, offset + EthernetFrame.HEADER_LENGTH);
        if (arp.operation() != ArpPacket.OPERATION_REQUEST || arp.targetProtocol() != localIp)
        {
            return;
        }
        arpRequests.incrementAndGet();
        if (io.allocate(tx, 1) == 0)
        {
            return;
        }
        final int index = tx.size() - 1;
        final MutableDirectBuffer out = tx.buffer(index);
        final int at = tx.offset(index);
        final long requesterMac = arp.senderHardware();
        final int requesterIp = arp.senderProtocol();
        ethernet.wrap(out, at).destination(requesterMac).source(io.macAddress())
            .etherType(EthernetFrame.ETHER_TYPE_ARP);
        new ArpPacket().wrap(out, at + EthernetFrame.HEADER_LENGTH).ipv4OverEthernet()
            .operation(ArpPacket.OPERATION_REPLY)
            .senderHardware(io.macAddress()).senderProtocol(localIp)
            .targetHardware(requesterMac).targetProtocol(requesterIp);
        out.setMemory(at + EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH, 18, (byte)0);
        tx.length(index, EthernetFrame.MIN_FRAME_LENGTH);
    }

    private void answerEcho(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        icmp.wrap(buffer, validator.l4Offset());
        if (icmp.type() != IcmpEcho.TYPE_ECHO_REQUEST)
        {
            return;
        }
        echoRequests.incrementAndGet();
        if (io.allocate(tx, 1) == 0)
        {
            return;
        }
        final int index = tx.size() - 1;
        final MutableDirectBuffer out = tx.buffer(index);
        final int at = tx.offset(index);
        final int frameLength = validator.ipOffset() - offset + new Ipv4Header().wrap(buffer, validator.ipOffset())
            .totalLength();
        out.putBytes(at, buffer, offset, frameLength);
        final long peerMac = ethernet.wrap(buffer, offset).source();
        ethernet.wrap(out, at).destination(peerMac).source(io.macAddress());
        ip.wrap(out, at + EthernetFrame.HEADER_LENGTH);
        final int peerIp = ip.source();
        ip.source(localIp).destination(peerIp).ttl(64).updateChecksum();
        icmp.wrap(out, at + (validator.l4Offset() - offset)).type(IcmpEcho.TYPE_ECHO_REPLY)
            .updateChecksum(validator.l4Length());
        tx.length(index, Math.min(frameLength, length));
    }
}
