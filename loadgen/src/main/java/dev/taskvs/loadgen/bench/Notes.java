package dev.taskvs.loadgen.bench;

import java.util.List;
import java.util.Locale;

/** The generated "what limits it" paragraph: facts from the run, not wishes. */
final class Notes
{
    private Notes()
    {
    }

    static String limits(final List<Row> rows, final Machine machine, final List<Integer> sizes,
        final String loadBefore, final String loadAfter)
    {
        final StringBuilder b = new StringBuilder("**What limits these numbers** (computed from this run):\n\n");
        double load = 0;
        try
        {
            load = Math.max(Double.parseDouble(loadBefore), Double.parseDouble(loadAfter));
        }
        catch (final NumberFormatException ignored)
        {
            // unknown
        }
        if (load > machine.nproc)
        {
            b.append(String.format(Locale.ROOT, "- **The machine was busy with other work**: load average up to " +
                "%.1f on %d CPUs. Every process here waited for a CPU; the open-loop tails (and any configuration " +
                "whose server and loadgen were both far below 100%% of a core at \"saturation\") measure that " +
                "queueing more than the servers. These numbers do not decide the targets either way.\n", load,
                machine.nproc));
        }
        for (final Row r : rows)
        {
            if (!r.measured())
            {
                if (r.status != null)
                {
                    b.append("- ").append(r.kind.label).append(", ").append(r.valueSize).append(" B: ")
                        .append(r.status).append(r.detail == null ? "" : " (" + r.detail + ")").append(".\n");
                }
                continue;
            }
            final Measurement s = r.saturation();
            // loadgen's worker-thread CPU: a share of one core over the measured window.
            final double loadgenUs = s.loadgenCpuPercent / 100.0 * 1e6 / s.opsPerSec;
            final double busy = (Double.isNaN(s.serverCpuPercent) ? 0 : s.serverCpuPercent) +
                (Double.isNaN(s.loadgenCpuPercent) ? 0 : s.loadgenCpuPercent);
            b.append(String.format(Locale.ROOT, "- %s, %d B, at saturation: server %s of a core (%s/request), " +
                "loadgen's thread %.0f%% (%.2f us/request)%s.\n", r.kind.label, r.valueSize,
                Double.isNaN(s.serverCpuPercent) ? "-" : String.format(Locale.ROOT, "%.0f%%", s.serverCpuPercent),
                Table.cpu(s.serverCpuUsPerRequest), s.loadgenCpuPercent, loadgenUs,
                busy >= 80.0 * machine.nproc ? String.format(Locale.ROOT, ": together %.0f%% of the %d CPUs' %d%%, " +
                    "so the machine, not one side, is the ceiling", busy, machine.nproc, 100 * machine.nproc) :
                    loadgenUs > s.serverCpuUsPerRequest ? ": the generator spends more per request than the server" :
                    ""));
        }
        b.append(String.format(Locale.ROOT, "- The server and the load generator run on the same %d CPUs%s. A " +
            "throughput ratio between servers is therefore bounded by the generator's own cost per request: when " +
            "the generator needs more CPU per request than the faster server, the faster server cannot show its " +
            "full advantage. The TAS paper's setting gives the server and the clients machines of their own.\n",
            machine.nproc, machine.nproc <= 2 ? " (2 CPUs: each engine runs in shared threading, one thread, " +
            "the server's napping when idle; nothing is pinned)" : ""));
        b.append("- The engine rows' CPU per request includes the engine's polling: the server's thread polls for " +
            "50 us after its last work before it naps (`--idle nap`), and at the open-loop rates here requests " +
            "arrive every 8 us or so, so it polls nearly all the time and most of that CPU is waiting, not work. " +
            "memcached and the kernel kvs-server sleep in epoll instead and are charged for the kernel's TCP " +
            "work (softirq time lands on whichever process is running, which on loopback is often the sender).\n");
        b.append("- On a shared VM the spread between runs is large (see the other sections); repeat the full " +
            "`./kvs bench` on an idle machine before quoting a ratio.\n");
        return b.toString();
    }
}
