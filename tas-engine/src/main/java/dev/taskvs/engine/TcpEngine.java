package dev.taskvs.engine;

import dev.taskvs.engine.app.AppContext;
import dev.taskvs.engine.fastpath.FastPath;
import dev.taskvs.engine.fastpath.FlowBuffers;
import dev.taskvs.engine.fastpath.FlowRecord;
import dev.taskvs.engine.mem.HugePageMemory;
import dev.taskvs.engine.mem.Smaps;
import dev.taskvs.engine.nic.PacketIo;
import dev.taskvs.engine.proto.FrameValidator;
import dev.taskvs.engine.sched.IdleStrategies;
import dev.taskvs.engine.sched.PinnedAgent;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.engine.slowpath.SlowPath;
import dev.taskvs.engine.stats.EngineCounters;
import dev.taskvs.engine.stats.LaneCounters;
import dev.taskvs.engine.stats.SlowPathCounters;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A TAS-style TCP/IP engine: fast-path lanes (one per NIC queue, flows spread by a hash of the 4-tuple), one
 * slow path, and app contexts, laid out on threads by {@link ThreadingMode}.
 * <pre>
 *   app threads ──bumps──────────────► lane inbox ──► FastPath (per packet, owns its flows' records)
 *        ▲   └──listen/connect/close──► slow-path inbox ◄── exceptions, FIN/RST notes ──┘
 *        └──────── events (accepted, data, closed, reset) ◄── lanes and slow path
 * </pre>
 */
public final class TcpEngine implements AutoCloseable
{
    private final EngineContext ctx;
    private final CountersManager counters;
    private final FastPath[] lanes;
    private final SlowPath slowPath;
    private final RingBuffer[] laneInboxes;
    private final RingBuffer slowPathInbox;
    private final RingBuffer[] appEvents;
    private final FlowBuffers buffers;
    /** The flow records' buffer when it is a huge-page mapping, else null. */
    private final UnsafeBuffer mappedRecords;
    private final List<AgentRunner> runners = new ArrayList<>();
    private int contexts;
    private AgentInvoker invoker;
    private boolean started;

    /**
     * @param ctx    settings; concluded here.
     * @param queues one NIC queue per fast-path lane.
     */
    public TcpEngine(final EngineContext ctx, final PacketIo... queues)
    {
        if (queues.length == 0)
        {
            throw new IllegalArgumentException("need at least one NIC queue");
        }
        this.ctx = ctx.conclude();
        this.counters = ctx.counters() != null ? ctx.counters() : EngineCounters.newManager(256 + 64 * queues.length);
        final int maxFlows = ctx.maxFlows();
        final UnsafeBuffer mapped = HugePageMemory.tryMapBuffer(maxFlows * FlowRecord.LENGTH);
        mappedRecords = mapped;
        final UnsafeBuffer state = mapped != null ? mapped :
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxFlows * FlowRecord.LENGTH, 64));
        buffers = new FlowBuffers(maxFlows, ctx.rxBufferSize(), ctx.txBufferSize());
        laneInboxes = new RingBuffer[queues.length];
        for (int i = 0; i < queues.length; i++)
        {
            laneInboxes[i] = newRing(ctx.laneInboxBytes());
        }
        slowPathInbox = newRing(ctx.slowPathInboxBytes());
        appEvents = new RingBuffer[ctx.maxContexts()];
        lanes = new FastPath[queues.length];
        for (int i = 0; i < queues.length; i++)
        {
            final PacketIo io = queues[i];
            lanes[i] = new FastPath(i, io, state, maxFlows, ctx.rxBufferSize(), ctx.txBufferSize(), ctx.localIp(),
                ctx.burstSize(), ctx.ackDelayNs(), laneInboxes[i], slowPathInbox, appEvents, laneInboxes, ctx.clock(),
                new FrameValidator(io.macAddress(), ctx.localIp(), counters, !io.checksumOffload()),
                new LaneCounters(counters, ctx.name() + " lane " + i));
        }
        slowPath = new SlowPath(ctx, queues[0].macAddress(), queues[0].mtu(), state, buffers, slowPathInbox,
            laneInboxes, appEvents, new SlowPathCounters(counters, ctx.name() + " slow path"));
        slowPath.watchLanes(lanes);
    }

    private static RingBuffer newRing(final int capacity)
    {
        int size = 1024;
        while (size < capacity)
        {
            size <<= 1;
        }
        return new ManyToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(size + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    /**
     * A context for one application thread; create them before {@link #start} or while running.
     *
     * @return the new context.
     */
    public synchronized AppContext newAppContext()
    {
        if (contexts == appEvents.length)
        {
            throw new IllegalStateException("all " + appEvents.length + " app contexts in use");
        }
        final int id = contexts++;
        // The array slot is published to lanes and the slow path through the first command this context
        // sends (ring buffer release/acquire), before any flow refers to it.
        appEvents[id] = newRing(ctx.appEventBytes());
        return new AppContext(id, appEvents[id], slowPathInbox, laneInboxes, buffers, ctx.portPolicy(),
            ctx.maxFlows(), ctx.threading() == ThreadingMode.DEDICATED);
    }

    /**
     * Start in the configured mode: SHARED runs every lane, the slow path and {@code appAgents} in one duty
     * cycle on one thread; DEDICATED gives each its own thread, lanes pinned to {@link
     * EngineContext#laneCores()} and the slow path to {@link EngineContext#slowPathCore()} when set.
     * INVOKER starts nothing: use {@link #invoke()}.
     *
     * @param appAgents app agents to run with the engine.
     */
    public synchronized void start(final Agent... appAgents)
    {
        if (started)
        {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        final List<Agent> all = new ArrayList<>(List.of(lanes));
        all.add(slowPath);
        switch (ctx.threading())
        {
            case INVOKER:
                all.addAll(List.of(appAgents));
                invoker = new AgentInvoker(Throwable::printStackTrace, null, new CompositeAgent(all));
                invoker.start();
                break;

            case SHARED:
                all.addAll(List.of(appAgents));
                runners.add(runner(new CompositeAgent(all)));
                break;

            default:
                final int[] cores = ctx.laneCores();
                for (int i = 0; i < lanes.length; i++)
                {
                    runners.add(runner(new PinnedAgent(lanes[i], i < cores.length ? cores[i] : -1)));
                }
                runners.add(runner(new PinnedAgent(slowPath, ctx.slowPathCore())));
                for (final Agent agent : appAgents)
                {
                    runners.add(runner(agent));
                }
                break;
        }
        for (final AgentRunner runner : runners)
        {
            AgentRunner.startOnThread(runner);
        }
    }

    private AgentRunner runner(final Agent agent)
    {
        return new AgentRunner(IdleStrategies.create(ctx.idleStrategy()), Throwable::printStackTrace, null, agent);
    }

    /**
     * One duty cycle of every agent, in INVOKER mode.
     *
     * @return work done.
     */
    public int invoke()
    {
        if (invoker == null)
        {
            throw new IllegalStateException("invoke() needs threading INVOKER and start()");
        }
        return invoker.invoke();
    }

    /** @return flows in all lanes' tables. */
    public int flowCount()
    {
        int total = 0;
        for (final FastPath lane : lanes)
        {
            total += lane.flowCount();
        }
        return total;
    }

    /** @return fast-path lanes (one per NIC queue). */
    public int laneCount()
    {
        return lanes.length;
    }

    /** @return flows in one lane's table; a racy read, for statistics from any thread. */
    public int laneFlowCount(final int lane)
    {
        return lanes[lane].flowCount();
    }

    /** @return bytes waiting in one lane's inbox (bumps, steered frames, slow-path commands). */
    public int laneInboxBytes(final int lane)
    {
        return laneInboxes[lane].size();
    }

    /** @return bytes waiting in the slow path's inbox. */
    public int slowPathInboxBytes()
    {
        return slowPathInbox.size();
    }

    /** @return bytes waiting in an app context's event queue, 0 for a context not created. */
    public int appEventBytes(final int contextId)
    {
        final RingBuffer ring = appEvents[contextId];
        return ring == null ? 0 : ring.size();
    }

    /** @return app contexts created. */
    public synchronized int appContextCount()
    {
        return contexts;
    }

    /** @return connections known to the slow path in any state. Read only from the engine's thread. */
    public int connectionCount()
    {
        return slowPath.connectionCount();
    }

    /** @return flow ids in use. Read only from the engine's thread. */
    public int flowsInUse()
    {
        return slowPath.flowsInUse();
    }

    public CountersManager counters()
    {
        return counters;
    }

    public EngineContext context()
    {
        return ctx;
    }

    /**
     * @param label exact counter label.
     * @return its value, or -1 when no counter has that label.
     */
    public long counter(final String label)
    {
        final long[] value = {-1};
        counters.forEach((counterId, name) ->
        {
            if (name.equals(label))
            {
                value[0] = counters.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    /**
     * @param suffix label suffix, such as "payload bytes sent".
     * @return the sum over all counters whose label ends with it.
     */
    public long counterSum(final String suffix)
    {
        final long[] value = {0};
        counters.forEach((counterId, name) ->
        {
            if (name.startsWith(ctx.name() + " ") && name.endsWith(suffix))
            {
                value[0] += counters.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    /**
     * @return "label value" for every counter of this engine that is not zero, joined by ", ": what a run
     * leaves behind (retransmissions, drops, resets) in one line for logs.
     */
    public String nonZeroCounters()
    {
        final StringBuilder b = new StringBuilder();
        counters.forEach((counterId, name) ->
        {
            final long value = counters.getCounterValue(counterId);
            if (value != 0 && name.startsWith(ctx.name() + " "))
            {
                b.append(b.length() == 0 ? "" : ", ").append(name.substring(ctx.name().length() + 1))
                    .append(' ').append(value);
            }
        });
        return b.toString();
    }

    /**
     * What backs the flow state, from /proc/self/smaps: the records' and the rings' resident memory and how much of
     * it is on huge pages. The kernel may back an advised mapping with small pages (THP "never", fragmented memory),
     * and nothing else would say so.
     *
     * @return one line, e.g. "flow records 2.4 of 6.1 MiB resident, 2.0 on huge pages; rings 3.6 of 500.0 MiB
     * resident, 2.0 on huge pages".
     */
    public String memoryReport()
    {
        final HugePageMemory rings = buffers.region();
        return "flow records " + (mappedRecords == null ? "on direct buffers" :
            usage(mappedRecords.addressOffset(), HugePageMemory.roundUp(mappedRecords.capacity()))) + "; rings " +
            (rings == null ? "on direct buffers" : usage(rings.address(), rings.length()));
    }

    private static String usage(final long address, final long length)
    {
        try
        {
            final long[] kb = Smaps.usageKb(address, address + length);
            return String.format(Locale.ROOT, "%.1f of %.1f MiB resident, %.1f on huge pages", kb[0] / 1024.0,
                length / 1048576.0, kb[1] / 1024.0);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "of unknown backing (" + ex + ")";
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(runners);
        if (invoker != null)
        {
            invoker.close();
        }
    }
}
