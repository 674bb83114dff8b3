package dev.taskvs.server.stats;

/**
 * Per-worker command counters with memcached's names. Written by one thread; read (racily, as memcached's
 * own per-thread stats are) by whoever serves {@code stats}.
 */
public final class WorkerStats
{
    public long cmdGet;
    public long cmdSet;
    public long cmdFlush;
    public long cmdTouch;
    public long cmdMeta;
    public long getHits;
    public long getMisses;
    public long getExpired;
    public long getFlushed;
    public long deleteMisses;
    public long deleteHits;
    public long incrMisses;
    public long incrHits;
    public long decrMisses;
    public long decrHits;
    public long casMisses;
    public long casHits;
    public long casBadval;
    public long touchHits;
    public long touchMisses;
    public long storeTooLarge;
    public long storeNoMemory;
    public long authCmds;
    public long authErrors;
    public long bytesRead;
    public long bytesWritten;
    public long connYields;

    /** Adds this worker's counters into {@code total} (for the stats report). */
    public void addTo(final WorkerStats total)
    {
        total.cmdGet += cmdGet;
        total.cmdSet += cmdSet;
        total.cmdFlush += cmdFlush;
        total.cmdTouch += cmdTouch;
        total.cmdMeta += cmdMeta;
        total.getHits += getHits;
        total.getMisses += getMisses;
        total.getExpired += getExpired;
        total.getFlushed += getFlushed;
        total.deleteMisses += deleteMisses;
        total.deleteHits += deleteHits;
        total.incrMisses += incrMisses;
        total.incrHits += incrHits;
        total.decrMisses += decrMisses;
        total.decrHits += decrHits;
        total.casMisses += casMisses;
        total.casHits += casHits;
        total.casBadval += casBadval;
        total.touchHits += touchHits;
        total.touchMisses += touchMisses;
        total.storeTooLarge += storeTooLarge;
        total.storeNoMemory += storeNoMemory;
        total.authCmds += authCmds;
        total.authErrors += authErrors;
        total.bytesRead += bytesRead;
        total.bytesWritten += bytesWritten;
        total.connYields += connYields;
    }

    public void reset()
    {
        cmdGet = cmdSet = cmdFlush = cmdTouch = cmdMeta = 0;
        getHits = getMisses = getExpired = getFlushed = 0;
        deleteMisses = deleteHits = incrMisses = incrHits = decrMisses = decrHits = 0;
        casMisses = casHits = casBadval = touchHits = touchMisses = 0;
        storeTooLarge = storeNoMemory = authCmds = authErrors = 0;
        bytesRead = bytesWritten = connYields = 0;
    }
}
