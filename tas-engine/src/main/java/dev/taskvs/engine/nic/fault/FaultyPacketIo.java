package dev.taskvs.engine.nic.fault;

import dev.taskvs.engine.nic.FrameBatch;
import dev.taskvs.engine.nic.PacketIo;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Wraps any {@link PacketIo} and damages traffic on purpose: loss, duplication, reordering (a frame swapped
 * with its successor), corruption (one byte changed) and delay (a fixed extra latency), each with its own rate,
 * drawn from a seeded generator so a failing run can be replayed. Faults apply to transmitted frames, received
 * frames or both, per {@link Context}; {@link #transmitCounters()} and {@link #receiveCounters()} say what
 * was done.
 * <p>
 * Unlike the backends it wraps, this is not zero-copy: frames pass through the wrapper's own slots, because a
 * frame held back for delay or reordering must outlive the burst it came in. Transmit frames are allocated
 * from the wrapper and copied into the inner backend when they leave; received frames are copied out of the
 * inner backend at once and lent to the caller from the wrapper's slots. Delayed frames leave on a later call
 * to {@link #receive} or {@link #transmit}, whichever comes first after they are due.
 */
public final class FaultyPacketIo implements PacketIo
{
    /** Fault settings; rates are probabilities per frame in [0, 1]. */
    public static final class Context
    {
        private long seed = 1;
        private double lossRate;
        private double duplicationRate;
        private double reorderRate;
        private double corruptionRate;
        private double delayRate;
        private long delayNs = 1_000_000;
        private long reorderHoldNs = 1_000_000;
        private boolean faultTransmit = true;
        private boolean faultReceive;
        private int poolFrames = 4096;
        private NanoClock clock = SystemNanoClock.INSTANCE;

        public Context seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public long seed()
        {
            return seed;
        }

        public Context lossRate(final double rate)
        {
            this.lossRate = rate;
            return this;
        }

        public double lossRate()
        {
            return lossRate;
        }

        public Context duplicationRate(final double rate)
        {
            this.duplicationRate = rate;
            return this;
        }

        public double duplicationRate()
        {
            return duplicationRate;
        }

        public Context reorderRate(final double rate)
        {
            this.reorderRate = rate;
            return this;
        }

        public double reorderRate()
        {
            return reorderRate;
        }

        public Context corruptionRate(final double rate)
        {
            this.corruptionRate = rate;
            return this;
        }

        public double corruptionRate()
        {
            return corruptionRate;
        }

        public Context delayRate(final double rate)
        {
            this.delayRate = rate;
            return this;
        }

        public double delayRate()
        {
            return delayRate;
        }

        /** @param delayNs extra latency of a delayed frame. @return this. */
        public Context delayNs(final long delayNs)
        {
            this.delayNs = delayNs;
            return this;
        }

        public long delayNs()
        {
            return delayNs;
        }

        /** @param holdNs longest a reordered frame waits for a successor before it leaves alone. @return this. */
        public Context reorderHoldNs(final long holdNs)
        {
            this.reorderHoldNs = holdNs;
            return this;
        }

        public long reorderHoldNs()
        {
            return reorderHoldNs;
        }

        public Context faultTransmit(final boolean faultTransmit)
        {
            this.faultTransmit = faultTransmit;
            return this;
        }

        public Context faultReceive(final boolean faultReceive)
        {
            this.faultReceive = faultReceive;
            return this;
        }

        /** @param poolFrames frames each direction can hold (in flight, delayed or lent out). @return this. */
        public Context poolFrames(final int poolFrames)
        {
            this.poolFrames = poolFrames;
            return this;
        }

        public int poolFrames()
        {
            return poolFrames;
        }

        public Context clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        /** Validate ranges once, before the wrapper is used. @return this. */
        public Context conclude()
        {
            checkRate("loss", lossRate);
            checkRate("duplication", duplicationRate);
            checkRate("reorder", reorderRate);
            checkRate("corruption", corruptionRate);
            checkRate("delay", delayRate);
            if (delayNs < 0 || reorderHoldNs < 0)
            {
                throw new IllegalArgumentException(
                    "delay and reorder hold must not be negative: " + delayNs + ", " + reorderHoldNs);
            }
            if (poolFrames < 2)
            {
                throw new IllegalArgumentException("fault pool needs at least 2 frames: " + poolFrames);
            }
            return this;
        }

        private static void checkRate(final String name, final double rate)
        {
            if (!(rate >= 0 && rate <= 1))
            {
                throw new IllegalArgumentException(name + " rate must be in [0, 1]: " + rate);
            }
        }
    }

    private final PacketIo inner;
    private final Context context;
    private final NanoClock clock;
    private final FaultStage transmitStage;
    private final FaultStage receiveStage;
    private final FrameBatch innerBatch;

    /**
     * @param inner   the backend to wrap; this wrapper drives it and closes it.
     * @param context fault settings, concluded here.
     */
    public FaultyPacketIo(final PacketIo inner, final Context context)
    {
        if (inner.checksumOffload())
        {
            throw new IllegalArgumentException("faults need a wire with checksums: " + inner.name() +
                " leaves them out (checksumOffload), so corrupted frames would be taken as good");
        }
        context.conclude();
        this.inner = inner;
        this.context = context;
        this.clock = context.clock;
        // Distinct streams per direction, both derived from the one seed.
        this.transmitStage = new FaultStage(context, context.seed(), inner.maxFrameLength());
        this.receiveStage = new FaultStage(context, context.seed() * 0x9E3779B97F4A7C15L + 1, inner.maxFrameLength());
        this.innerBatch = new FrameBatch(64);
    }

    @Override
    public int receive(final FrameBatch rx)
    {
        final long nowNs = clock.nanoTime();
        flushTransmit(nowNs);

        inner.receive(innerBatch);
        for (int i = 0; i < innerBatch.size(); i++)
        {
            if (context.faultReceive)
            {
                receiveStage.offerCopy(innerBatch.buffer(i), innerBatch.offset(i), innerBatch.length(i), nowNs);
            }
            else
            {
                copyThrough(innerBatch, i, nowNs);
            }
        }
        inner.release(innerBatch);

        receiveStage.poll(nowNs);
        int received = 0;
        while (receiveStage.readyCount() > 0 && rx.remaining() > 0)
        {
            final int slot = receiveStage.takeReady();
            rx.add(receiveStage.memory(), receiveStage.slotOffset(slot), receiveStage.length(slot),
                receiveStage.slotSize(), slot);
            received++;
        }
        return received;
    }

    private void copyThrough(final FrameBatch batch, final int index, final long nowNs)
    {
        // Received faults are off: pass the frame through the stage with no rolls so ownership stays uniform.
        final int slot = receiveStage.allocateSlot();
        if (slot < 0)
        {
            receiveStage.counters().overflowed++;
            return;
        }
        receiveStage.memory().putBytes(receiveStage.slotOffset(slot), batch.buffer(index), batch.offset(index),
            batch.length(index));
        receiveStage.counters().offered++;
        receiveStage.offerUnfaulted(slot, batch.length(index));
    }

    @Override
    public void release(final FrameBatch rx)
    {
        for (int i = 0; i < rx.size(); i++)
        {
            receiveStage.freeSlot((int)rx.handle(i));
        }
        rx.clear();
    }

    @Override
    public int allocate(final FrameBatch tx, final int count)
    {
        int allocated = 0;
        while (allocated < count && tx.remaining() > 0)
        {
            final int slot = transmitStage.allocateSlot();
            if (slot < 0)
            {
                break;
            }
            tx.add(transmitStage.memory(), transmitStage.slotOffset(slot), 0, transmitStage.slotSize(), slot);
            allocated++;
        }
        return allocated;
    }

    @Override
    public int transmit(final FrameBatch tx)
    {
        final long nowNs = clock.nanoTime();
        int accepted = 0;
        for (int i = 0; i < tx.size(); i++)
        {
            final int slot = (int)tx.handle(i);
            final int length = tx.length(i);
            if (length == 0)
            {
                transmitStage.freeSlot(slot);
            }
            else if (context.faultTransmit)
            {
                transmitStage.offer(slot, length, nowNs);
                accepted++;
            }
            else
            {
                transmitStage.counters().offered++;
                transmitStage.offerUnfaulted(slot, length);
                accepted++;
            }
        }
        tx.clear();
        flushTransmit(nowNs);
        return accepted;
    }

    private void flushTransmit(final long nowNs)
    {
        transmitStage.poll(nowNs);
        while (transmitStage.readyCount() > 0)
        {
            final int n = inner.allocate(innerBatch, Math.min(transmitStage.readyCount(), innerBatch.capacity()));
            if (n == 0)
            {
                return;
            }
            for (int i = 0; i < n; i++)
            {
                final int slot = transmitStage.takeReady();
                final int length = transmitStage.length(slot);
                innerBatch.buffer(i).putBytes(
                    innerBatch.offset(i), transmitStage.memory(), transmitStage.slotOffset(slot), length);
                innerBatch.length(i, length);
                transmitStage.freeSlot(slot);
            }
            inner.transmit(innerBatch);
        }
    }

    /** @return frames still inside the wrapper on the transmit side (delayed, held or waiting for room). */
    public int pendingTransmit()
    {
        return transmitStage.pending();
    }

    public FaultCounters transmitCounters()
    {
        return transmitStage.counters();
    }

    public FaultCounters receiveCounters()
    {
        return receiveStage.counters();
    }

    public PacketIo inner()
    {
        return inner;
    }

    @Override
    public long macAddress()
    {
        return inner.macAddress();
    }

    @Override
    public int mtu()
    {
        return inner.mtu();
    }

    @Override
    public int maxFrameLength()
    {
        return inner.maxFrameLength();
    }

    @Override
    public String name()
    {
        return "fault(" + inner.name() + ")";
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
