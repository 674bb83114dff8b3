package dev.taskvs.loadgen.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One configuration at one value size: the closed-loop repetitions and the open-loop run, or why there are none. */
public final class Row
{
    public final Setup.Kind kind;
    public final int valueSize;
    public final List<Measurement> closed = new ArrayList<>();
    public Measurement open;
    /** null when measured; else "skipped: ..." or "failed: ...". */
    public String status;
    /** More about the status, for the notes. */
    public String detail;

    public Row(final Setup.Kind kind, final int valueSize)
    {
        this.kind = kind;
        this.valueSize = valueSize;
    }

    public boolean measured()
    {
        return status == null && !closed.isEmpty();
    }

    /** The closed-loop repetition with the median throughput. */
    public Measurement saturation()
    {
        if (closed.isEmpty())
        {
            return null;
        }
        final List<Measurement> sorted = new ArrayList<>(closed);
        sorted.sort(Comparator.comparingDouble(m -> m.opsPerSec));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
