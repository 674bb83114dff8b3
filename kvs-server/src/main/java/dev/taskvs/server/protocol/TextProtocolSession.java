package dev.taskvs.server.protocol;

import static dev.taskvs.server.protocol.TextReplies.*;

import java.nio.charset.StandardCharsets;

import dev.taskvs.server.ServerConfig;
import dev.taskvs.server.ServerContext;
import dev.taskvs.server.stats.StatsReport;
import dev.taskvs.server.stats.WorkerStats;
import dev.taskvs.server.store.GetOptions;
import dev.taskvs.server.store.Item;
import dev.taskvs.server.store.ItemHandler;
import dev.taskvs.server.store.MutationResult;
import dev.taskvs.server.store.Store;
import dev.taskvs.server.store.StoreMode;
import dev.taskvs.server.store.StoreResult;
import org.agrona.DirectBuffer;

/**
 * memcached's text protocol for one connection: the classic commands and, through {@link MetaCommands}, the
 * meta commands, answered byte for byte as memcached 1.6.18 answers them (see {@code proto_text.c} there).
 * <p>
 * Requests are parsed straight from the transport's buffer: a line is split into token offsets
 * ({@link TextTokens}), command names are compared byte-wise, numbers parsed in place, and keys and values
 * handed to the store as regions of that buffer. A storage command is answered only once its data block is
 * complete; until then nothing is consumed and {@link #bytesNeeded()} says how much must arrive. Data that
 * memcached would "swallow" after an error (an object too large, a bad meta flag) is skipped as it arrives.
 * Nothing on the get/set/delete/incr paths allocates.
 */
public final class TextProtocolSession implements ProtocolSession
{
    private static final byte[] GET = TextReplies.bytes("get");
    private static final byte[] GETS = TextReplies.bytes("gets");
    private static final byte[] GAT = TextReplies.bytes("gat");
    private static final byte[] GATS = TextReplies.bytes("gats");
    private static final byte[] BGET = TextReplies.bytes("bget");
    private static final byte[] SET = TextReplies.bytes("set");
    private static final byte[] ADD = TextReplies.bytes("add");
    private static final byte[] APPEND = TextReplies.bytes("append");
    private static final byte[] REPLACE = TextReplies.bytes("replace");
    private static final byte[] PREPEND = TextReplies.bytes("prepend");
    private static final byte[] CAS = TextReplies.bytes("cas");
    private static final byte[] CACHE_MEMLIMIT = TextReplies.bytes("cache_memlimit");
    private static final byte[] INCR = TextReplies.bytes("incr");
    private static final byte[] DECR = TextReplies.bytes("decr");
    private static final byte[] DELETE = TextReplies.bytes("delete");
    private static final byte[] TOUCH = TextReplies.bytes("touch");
    private static final byte[] STATS = TextReplies.bytes("stats");
    private static final byte[] SHUTDOWN = TextReplies.bytes("shutdown");
    private static final byte[] GRACEFUL = TextReplies.bytes("graceful");
    private static final byte[] FLUSH_ALL = TextReplies.bytes("flush_all");
    private static final byte[] VERSION_CMD = TextReplies.bytes("version");
    private static final byte[] QUIT = TextReplies.bytes("quit");
    private static final byte[] VERBOSITY = TextReplies.bytes("verbosity");
    private static final byte[] WATCH = TextReplies.bytes("watch");
    private static final byte[] NOREPLY = TextReplies.bytes("noreply");
    private static final byte[] ZERO = TextReplies.bytes("0");
    private static final byte[] HTTP = TextReplies.bytes("HTTP/");
    private static final byte[] GET_SP = TextReplies.bytes("get ");
    private static final byte[] GETS_SP = TextReplies.bytes("gets ");
    private static final byte[] RESET_WORD = TextReplies.bytes("reset");
    private static final byte[] DETAIL = TextReplies.bytes("detail");
    private static final byte[] ON = TextReplies.bytes("on");
    private static final byte[] OFF = TextReplies.bytes("off");
    private static final byte[] DUMP = TextReplies.bytes("dump");
    private static final byte[] CACHEDUMP = TextReplies.bytes("cachedump");
    private static final byte[] STAT = TextReplies.bytes("STAT ");
    private static final byte[] SLABS = TextReplies.bytes("slabs");
    private static final byte[] REASSIGN = TextReplies.bytes("reassign");
    private static final byte[] AUTOMOVE = TextReplies.bytes("automove");
    private static final byte[] RATIO = TextReplies.bytes("ratio");
    private static final byte[] LRU = TextReplies.bytes("lru");
    private static final byte[] TUNE = TextReplies.bytes("tune");
    private static final byte[] MODE = TextReplies.bytes("mode");
    private static final byte[] FLAT = TextReplies.bytes("flat");
    private static final byte[] SEGMENTED = TextReplies.bytes("segmented");
    private static final byte[] TEMP_TTL = TextReplies.bytes("temp_ttl");
    private static final byte[] LRU_CRAWLER = TextReplies.bytes("lru_crawler");
    private static final byte[] CRAWL = TextReplies.bytes("crawl");
    private static final byte[] METADUMP = TextReplies.bytes("metadump");
    private static final byte[] TOCRAWL = TextReplies.bytes("tocrawl");
    private static final byte[] SLEEP = TextReplies.bytes("sleep");
    private static final byte[] ENABLE = TextReplies.bytes("enable");
    private static final byte[] DISABLE = TextReplies.bytes("disable");

    /** memcached's MAX_VERBOSITY_LEVEL. */
    private static final int MAX_VERBOSITY_LEVEL = 2;
    /** memcached looks at most this many leading spaces when deciding whether a long line is a multi-get. */
    private static final int MAX_LEADING_SPACES = 100;

    private final ServerContext ctx;
    private final ServerConfig config;
    private final WorkerStats stats;
    private final Store store;
    private final TextTokens tokens;
    private final MutationResult result;
    private final GetOptions getOptions;
    private final ValueWriter valueWriter;
    /** Made at the connection's first meta command: most text connections never send one. */
    private MetaCommands meta;
    /** Made at the connection's first stats command, as {@link #meta}: one object fewer a connection. */
    private StatsReport.Sink statsSink;

    private ResponseBuffer statsOut;
    private long swallowRemaining;
    private int bytesNeeded;
    private int scanned;
    /** A paused multi-get: where its next key starts, relative to the start of its line; 0 when none is paused. */
    private int resumeAt;
    /** The paused multi-get's line length, a check that the line offered again is the same one. */
    private int resumeLineLength;
    private boolean closeRequested;
    private boolean noreply;

    public TextProtocolSession(final ServerContext ctx, final WorkerStats stats)
    {
        this(ctx, stats, new SessionScratch());
    }

    /**
     * @param scratch the worker's request-scoped objects, shared by every session that worker runs.
     */
    public TextProtocolSession(final ServerContext ctx, final WorkerStats stats, final SessionScratch scratch)
    {
        this.ctx = ctx;
        this.config = ctx.config();
        this.stats = stats;
        this.store = ctx.store();
        this.tokens = scratch.tokens;
        this.result = scratch.result;
        this.getOptions = scratch.getOptions;
        this.valueWriter = scratch.valueWriter;
    }

    private MetaCommands meta()
    {
        if (meta == null)
        {
            meta = new MetaCommands(this, ctx, stats, tokens);
        }
        return meta;
    }

    @Override
    public int process(final DirectBuffer in, final int offset, final int length, final ResponseBuffer out)
    {
        final int end = offset + length;
        int pos = offset;
        int requests = 0;
        bytesNeeded = 0;
        while (pos < end && !closeRequested)
        {
            if (swallowRemaining > 0)
            {
                final int skip = (int)Math.min(swallowRemaining, end - pos);
                swallowRemaining -= skip;
                pos += skip;
                continue;
            }
            if (out.readableBytes() > config.outputHighWaterMark)
            {
                break;
            }
            if (requests >= config.requestsPerEvent)
            {
                stats.connYields++;
                break;
            }
            final int consumed = processRequest(in, pos, end, out);
            if (consumed == 0)
            {
                break;
            }
            scanned = 0;
            pos += consumed;
            requests++;
        }
        return pos - offset;
    }

    @Override
    public int bytesNeeded()
    {
        return bytesNeeded;
    }

    @Override
    public boolean closeRequested()
    {
        return closeRequested;
    }

    // ---- framing

    /** @return bytes of one complete request consumed, or 0 when it is incomplete (or the connection must close). */
    private int processRequest(final DirectBuffer in, final int pos, final int end, final ResponseBuffer out)
    {
        final int from = pos + Math.min(scanned, end - pos);
        final int newline = indexOfNewline(in, from, end);
        if (newline < 0)
        {
            final int pending = end - pos;
            scanned = pending;
            if (pending > config.maxLineLength &&
                (!isMultiGetLine(in, pos, end) || pending > config.maxMultiGetLineLength))
            {
                // memcached: no '\n' in the first 2k and not a large multi-get; nuke the connection.
                closeRequested = true;
                return 0;
            }
            bytesNeeded = pending + 1;
            return 0;
        }
        final int lineLength = newline + 1 - pos;
        int contentEnd = newline;
        if (newline - pos > 1 && in.getByte(newline - 1) == '\r')
        {
            contentEnd--;
        }
        tokens.tokenize(in, pos, contentEnd);
        noreply = false;
        return dispatch(in, pos, lineLength, end, out);
    }

    private static int indexOfNewline(final DirectBuffer in, final int from, final int end)
    {
        for (int i = from; i < end; i++)
        {
            if (in.getByte(i) == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean isMultiGetLine(final DirectBuffer in, final int pos, final int end)
    {
        int p = pos;
        while (p < end && in.getByte(p) == ' ')
        {
            p++;
        }
        return p - pos <= MAX_LEADING_SPACES && (startsWith(in, p, end, GET_SP) || startsWith(in, p, end, GETS_SP));
    }

    private static boolean startsWith(final DirectBuffer in, final int p, final int end, final byte[] word)
    {
        if (end - p < word.length)
        {
            return false;
        }
        for (int i = 0; i < word.length; i++)
        {
            if (in.getByte(p + i) != word[i])
            {
                return false;
            }
        }
        return true;
    }

    // ---- dispatch, in the order of memcached's process_command_ascii

    private int dispatch(
        final DirectBuffer in, final int pos, final int lineLength, final int end, final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 2 || tokens.length(0) < 2)
        {
            out.put(ERROR);
            return lineLength;
        }
        final byte first = tokens.byteAt(0, 0);
        if (first == 'm' && tokens.length(0) == 2)
        {
            switch (tokens.byteAt(0, 1))
            {
                case 'g':
                    meta().get(out);
                    return lineLength;
                case 's':
                    return meta().set(in, pos, lineLength, end, out);
                case 'd':
                    meta().delete(out);
                    return lineLength;
                case 'n':
                    out.put(MN);
                    return lineLength;
                case 'a':
                    meta().arithmetic(out);
                    return lineLength;
                case 'e':
                    meta().debug(out);
                    return lineLength;
                default:
                    out.put(ERROR);
                    return lineLength;
            }
        }
        switch (first)
        {
            case 'g':
                if (ntokens < 3)
                {
                    out.put(ERROR);
                    return lineLength;
                }
                if (tokens.equals(0, GET))
                {
                    return processGet(pos, lineLength, out, false, false) ? lineLength : 0;
                }
                if (tokens.equals(0, GETS))
                {
                    return processGet(pos, lineLength, out, true, false) ? lineLength : 0;
                }
                if (tokens.equals(0, GAT))
                {
                    return processGet(pos, lineLength, out, false, true) ? lineLength : 0;
                }
                if (tokens.equals(0, GATS))
                {
                    return processGet(pos, lineLength, out, true, true) ? lineLength : 0;
                }
                out.put(ERROR);
                return lineLength;
            case 's':
                if (tokens.equals(0, SET))
                {
                    return wantTokens(ntokens, 6, 7, out) ?
                        processUpdate(in, pos, lineLength, end, out, StoreMode.SET, false) : lineLength;
                }
                if (tokens.equals(0, STATS))
                {
                    processStats(out);
                }
                else if (tokens.equals(0, SHUTDOWN))
                {
                    processShutdown(out);
                }
                else if (tokens.equals(0, SLABS))
                {
                    processSlabs(out);
                }
                else
                {
                    out.put(ERROR);
                }
                return lineLength;
            case 'a':
                if (tokens.equals(0, ADD))
                {
                    return wantTokens(ntokens, 6, 7, out) ?
                        processUpdate(in, pos, lineLength, end, out, StoreMode.ADD, false) : lineLength;
                }
                if (tokens.equals(0, APPEND))
                {
                    return wantTokens(ntokens, 6, 7, out) ?
                        processUpdate(in, pos, lineLength, end, out, StoreMode.APPEND, false) : lineLength;
                }
                out.put(ERROR);
                return lineLength;
            case 'c':
                if (tokens.equals(0, CAS))
                {
                    return wantTokens(ntokens, 7, 8, out) ?
                        processUpdate(in, pos, lineLength, end, out, StoreMode.CAS, true) : lineLength;
                }
                if (tokens.equals(0, CACHE_MEMLIMIT))
                {
                    if (wantTokens(ntokens, 3, 4, out))
                    {
                        processMemLimit(out);
                    }
                    return lineLength;
                }
                out.put(ERROR);
                return lineLength;
            case 'i':
                if (tokens.equals(0, INCR))
                {
                    if (wantTokens(ntokens, 4, 5, out))
                    {
                        processArithmetic(out, true);
                    }
                    return lineLength;
                }
                out.put(ERROR);
                return lineLength;
            case 'd':
                if (tokens.equals(0, DELETE))
                {
                    if (ntokens >= 3 && ntokens <= 5)
                    {
                        processDelete(out);
                    }
                    else
                    {
                        out.put(ERROR);
                    }
                }
                else if (tokens.equals(0, DECR))
                {
                    if (wantTokens(ntokens, 4, 5, out))
                    {
                        processArithmetic(out, false);
                    }
                }
                else
                {
                    out.put(ERROR);
                }
                return lineLength;
            case 't':
                if (tokens.equals(0, TOUCH))
                {
                    if (wantTokens(ntokens, 4, 5, out))
                    {
                        processTouch(out);
                    }
                    return lineLength;
                }
                out.put(ERROR);
                return lineLength;
            default:
                return dispatchOther(in, pos, lineLength, end, out);
        }
    }

    private int dispatchOther(
        final DirectBuffer in, final int pos, final int lineLength, final int end, final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (tokens.equals(0, REPLACE))
        {
            return wantTokens(ntokens, 6, 7, out) ?
                processUpdate(in, pos, lineLength, end, out, StoreMode.REPLACE, false) : lineLength;
        }
        if (tokens.equals(0, PREPEND))
        {
            return wantTokens(ntokens, 6, 7, out) ?
                processUpdate(in, pos, lineLength, end, out, StoreMode.PREPEND, false) : lineLength;
        }
        if (tokens.equals(0, BGET))
        {
            if (ntokens < 3)
            {
                out.put(ERROR);
                return lineLength;
            }
            return processGet(pos, lineLength, out, false, false) ? lineLength : 0;
        }
        if (tokens.equals(0, FLUSH_ALL))
        {
            if (ntokens >= 2 && ntokens <= 4)
            {
                processFlushAll(out);
            }
            else
            {
                out.put(ERROR);
            }
        }
        else if (tokens.equals(0, VERSION_CMD))
        {
            out.put(VERSION);
        }
        else if (tokens.equals(0, QUIT))
        {
            closeRequested = true;
        }
        else if (tokens.equals(0, LRU_CRAWLER))
        {
            processLruCrawler(out);
        }
        else if (tokens.equals(0, WATCH))
        {
            // memcached started with -W (watch disabled): we have no log stream to attach a watcher to.
            setNoreplyMaybe();
            reply(out, WATCH_NOT_ALLOWED);
        }
        else if (tokens.equals(0, VERBOSITY))
        {
            if (wantTokens(ntokens, 3, 4, out))
            {
                processVerbosity(out);
            }
        }
        else if (tokens.equals(0, LRU))
        {
            if (ntokens < 3)
            {
                out.put(ERROR);
            }
            else
            {
                processLru(out);
            }
        }
        else if (tokens.startsWith(ntokens - 2, HTTP))
        {
            // memcached hangs up on anything that looks like an HTTP request line.
            closeRequested = true;
        }
        else
        {
            out.put(ERROR);
        }
        return lineLength;
    }

    private static boolean wantTokens(final int ntokens, final int a, final int b, final ResponseBuffer out)
    {
        if (ntokens != a && ntokens != b)
        {
            out.put(ERROR);
            return false;
        }
        return true;
    }

    /** memcached's set_noreply_maybe: the last token (before the terminal one) is "noreply". */
    private boolean setNoreplyMaybe()
    {
        if (tokens.equals(tokens.ntokens() - 2, NOREPLY))
        {
            noreply = true;
        }
        return noreply;
    }

    /** memcached's out_string: every reply of a noreply command is dropped, errors included. */
    private void reply(final ResponseBuffer out, final byte[] line)
    {
        if (!noreply)
        {
            out.put(line);
        }
    }

    // ---- retrieval

    /**
     * get/gets/gat/gats/bget. Keys are answered one at a time straight into {@code out}; when {@code out} passes the
     * high-water mark between two keys, the command pauses: nothing is consumed, {@link #resumeAt} remembers where
     * the next key starts (relative to the line, so the transport may move the bytes), and the next call on the
     * same line carries on from there. Memory is thus bounded by the high-water mark plus one item however many
     * keys the line names, each key is looked up (and counted) exactly once, and END follows the last one.
     *
     * @return false when paused (the line stays unconsumed), true when the command was answered in full.
     */
    private boolean processGet(
        final int pos, final int lineLength, final ResponseBuffer out, final boolean returnCas, final boolean touch)
    {
        int keyToken = 1;
        int exptime = 0;
        if (touch)
        {
            if (!tokens.parseInt32(1))
            {
                out.put(INVALID_EXPTIME);
                return true;
            }
            exptime = noTouchSafe((int)tokens.value);
            keyToken = 2;
        }
        final DirectBuffer buffer = tokens.buffer();
        final int lineEnd = tokens.lineEnd();
        final boolean resuming = resumeAt > 0 && resumeLineLength == lineLength;
        int p = resuming ? pos + resumeAt : (keyToken < tokens.count() ? tokens.start(keyToken) : lineEnd);
        resumeAt = 0;
        if (!resuming && hasOverlongKey(buffer, p, lineEnd))
        {
            // memcached answers only the error, having looked up (and counted) the keys before the long one; the
            // lookups happen here without writing anything, so that output is never built only to be dropped.
            lookUpUntilOverlongKey(buffer, p, lineEnd, touch, exptime);
            out.put(BAD_FORMAT);
            return true;
        }
        valueWriter.out = out;
        valueWriter.returnCas = returnCas;
        while (p < lineEnd)
        {
            if (buffer.getByte(p) == ' ')
            {
                p++;
                continue;
            }
            if (out.readableBytes() > config.outputHighWaterMark)
            {
                valueWriter.out = null;
                resumeAt = p - pos;
                resumeLineLength = lineLength;
                return false;
            }
            final int keyStart = p;
            while (p < lineEnd && buffer.getByte(p) != ' ')
            {
                p++;
            }
            getOne(buffer, keyStart, p - keyStart, touch, exptime);
        }
        valueWriter.out = null;
        out.put(END);
        return true;
    }

    private static boolean hasOverlongKey(final DirectBuffer buffer, final int from, final int lineEnd)
    {
        int keyLength = 0;
        for (int p = from; p < lineEnd; p++)
        {
            if (buffer.getByte(p) == ' ')
            {
                keyLength = 0;
            }
            else if (++keyLength > ServerConfig.KEY_MAX_LENGTH)
            {
                return true;
            }
        }
        return false;
    }

    private void lookUpUntilOverlongKey(
        final DirectBuffer buffer, final int from, final int lineEnd, final boolean touch, final int exptime)
    {
        int p = from;
        while (p < lineEnd)
        {
            if (buffer.getByte(p) == ' ')
            {
                p++;
                continue;
            }
            final int keyStart = p;
            while (p < lineEnd && buffer.getByte(p) != ' ')
            {
                p++;
            }
            if (p - keyStart > ServerConfig.KEY_MAX_LENGTH)
            {
                return;
            }
            lookUp(buffer, keyStart, p - keyStart, touch, exptime, null);
        }
    }

    private void getOne(
        final DirectBuffer buffer, final int keyStart, final int keyLength, final boolean touch, final int exptime)
    {
        valueWriter.key(buffer, keyStart, keyLength);
        lookUp(buffer, keyStart, keyLength, touch, exptime, valueWriter);
    }

    /** One key of a get: the store lookup (handing a hit to {@code handler}, which may be null) and its counters. */
    private void lookUp(
        final DirectBuffer buffer, final int keyStart, final int keyLength, final boolean touch, final int exptime,
        final ItemHandler handler)
    {
        GetOptions options = null;
        if (touch)
        {
            options = getOptions.reset();
            options.touchExptime = exptime;
        }
        final boolean hit = store.get(buffer, keyStart, keyLength, options, handler);
        if (touch)
        {
            stats.cmdTouch++;
            if (hit)
            {
                stats.touchHits++;
            }
            else
            {
                stats.touchMisses++;
            }
        }
        else
        {
            stats.cmdGet++;
            if (hit)
            {
                stats.getHits++;
            }
            else
            {
                stats.getMisses++;
            }
        }
    }

    /** Store.NO_TOUCH is a legal int32 exptime on the wire; it is in the past either way. */
    static int noTouchSafe(final int exptime)
    {
        return exptime == Store.NO_TOUCH ? -1 : exptime;
    }

    /** Writes one get hit: {@code VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n}. */
    static final class ValueWriter implements ItemHandler
    {
        ResponseBuffer out;
        boolean returnCas;
        private DirectBuffer keyBuffer;
        private int keyOffset;
        private int keyLength;

        void key(final DirectBuffer buffer, final int offset, final int length)
        {
            keyBuffer = buffer;
            keyOffset = offset;
            keyLength = length;
        }

        @Override
        public void onItem(final long item)
        {
            final int valueLength = Item.valueLength(item);
            out.put(VALUE).put(keyBuffer, keyOffset, keyLength).put((byte)' ')
                .putUnsignedDecimal(Item.clientFlags(item) & 0xFFFF_FFFFL).put((byte)' ')
                .putUnsignedDecimal(valueLength);
            if (returnCas)
            {
                out.put((byte)' ').putUnsignedDecimal(Item.cas(item));
            }
            out.put(CRLF).putMemory(Item.valueAddress(item), valueLength).put(CRLF);
        }
    }

    // ---- storage

    private int processUpdate(
        final DirectBuffer in, final int pos, final int lineLength, final int end, final ResponseBuffer out,
        final StoreMode mode, final boolean handleCas)
    {
        setNoreplyMaybe();
        final int keyLength = tokens.length(1);
        if (keyLength > ServerConfig.KEY_MAX_LENGTH)
        {
            reply(out, BAD_FORMAT);
            return lineLength;
        }
        if (!tokens.parseUint32(2))
        {
            reply(out, BAD_FORMAT);
            return lineLength;
        }
        final int flags = (int)tokens.value;
        if (!tokens.parseInt32(3))
        {
            reply(out, BAD_FORMAT);
            return lineLength;
        }
        final int exptime = (int)tokens.value;
        if (!tokens.parseInt32(4))
        {
            reply(out, BAD_FORMAT);
            return lineLength;
        }
        final int valueLength = (int)tokens.value;
        long cas = Store.NO_CAS;
        if (handleCas)
        {
            if (!tokens.parseUint64(5))
            {
                reply(out, BAD_FORMAT);
                return lineLength;
            }
            cas = tokens.value;
        }
        if (valueLength < 0 || valueLength > Integer.MAX_VALUE - 2)
        {
            reply(out, BAD_FORMAT);
            return lineLength;
        }
        final int keyOffset = tokens.start(1);
        if (!store.fits(keyLength, valueLength))
        {
            reply(out, TOO_LARGE);
            stats.storeTooLarge++;
            swallowRemaining = valueLength + 2L;
            if (mode == StoreMode.SET)
            {
                // memcached: stale data must not outlive a failed set.
                store.delete(in, keyOffset, keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
            }
            return lineLength;
        }
        final long total = (long)lineLength + valueLength + 2;
        if (end - pos < total)
        {
            bytesNeeded = (int)Math.min(Integer.MAX_VALUE, total);
            return 0;
        }
        final int dataOffset = pos + lineLength;
        stats.cmdSet++;
        if (!endsWithCrlf(in, dataOffset + valueLength))
        {
            reply(out, BAD_DATA_CHUNK);
            return (int)total;
        }
        final StoreResult outcome = store.store(
            mode, in, keyOffset, keyLength, flags, exptime, in, dataOffset, valueLength, cas, Store.NO_CAS,
            result.reset());
        countCas(mode, outcome);
        switch (outcome)
        {
            case STORED:
                reply(out, STORED);
                break;
            case EXISTS:
                reply(out, EXISTS);
                break;
            case NOT_FOUND:
                reply(out, NOT_FOUND);
                break;
            case NOT_STORED:
                reply(out, NOT_STORED);
                break;
            case TOO_LARGE:
                stats.storeTooLarge++;
                reply(out, TOO_LARGE);
                break;
            case NO_MEMORY:
                stats.storeNoMemory++;
                reply(out, OUT_OF_MEMORY_STORING);
                if (mode == StoreMode.SET)
                {
                    store.delete(in, keyOffset, keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
                }
                break;
            default:
                reply(out, NOT_STORED);
                break;
        }
        return (int)total;
    }

    static boolean endsWithCrlf(final DirectBuffer in, final int index)
    {
        return in.getByte(index) == '\r' && in.getByte(index + 1) == '\n';
    }

    void countCas(final StoreMode mode, final StoreResult outcome)
    {
        if (mode != StoreMode.CAS)
        {
            return;
        }
        switch (outcome)
        {
            case STORED:
                stats.casHits++;
                break;
            case EXISTS:
                stats.casBadval++;
                break;
            case NOT_FOUND:
                stats.casMisses++;
                break;
            default:
                break;
        }
    }

    // ---- delete, incr/decr, touch

    private void processDelete(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens > 3)
        {
            final boolean holdIsZero = tokens.equals(2, ZERO);
            final boolean setsNoreply = setNoreplyMaybe();
            final boolean valid = (ntokens == 4 && (holdIsZero || setsNoreply)) ||
                (ntokens == 5 && holdIsZero && setsNoreply);
            if (!valid)
            {
                reply(out, DELETE_USAGE);
                return;
            }
        }
        final int keyLength = tokens.length(1);
        if (keyLength > ServerConfig.KEY_MAX_LENGTH)
        {
            reply(out, BAD_FORMAT);
            return;
        }
        final StoreResult outcome = store.delete(
            tokens.buffer(), tokens.start(1), keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
        if (outcome == StoreResult.DELETED)
        {
            stats.deleteHits++;
            reply(out, DELETED);
        }
        else
        {
            stats.deleteMisses++;
            reply(out, NOT_FOUND);
        }
    }

    private void processArithmetic(final ResponseBuffer out, final boolean incr)
    {
        setNoreplyMaybe();
        final int keyLength = tokens.length(1);
        if (keyLength > ServerConfig.KEY_MAX_LENGTH)
        {
            reply(out, BAD_FORMAT);
            return;
        }
        if (!tokens.parseUint64(2))
        {
            reply(out, INVALID_DELTA);
            return;
        }
        final long delta = tokens.value;
        final StoreResult outcome = store.incrDecr(
            tokens.buffer(), tokens.start(1), keyLength, incr, delta, false, 0, 0, Store.NO_CAS, result.reset());
        switch (outcome)
        {
            case STORED:
                if (incr)
                {
                    stats.incrHits++;
                }
                else
                {
                    stats.decrHits++;
                }
                if (!noreply)
                {
                    out.putUnsignedDecimal(result.value).put(CRLF);
                }
                break;
            case NON_NUMERIC:
                reply(out, NON_NUMERIC);
                break;
            case NO_MEMORY:
            case TOO_LARGE:
                reply(out, OUT_OF_MEMORY);
                break;
            default:
                if (incr)
                {
                    stats.incrMisses++;
                }
                else
                {
                    stats.decrMisses++;
                }
                reply(out, NOT_FOUND);
                break;
        }
    }

    private void processTouch(final ResponseBuffer out)
    {
        setNoreplyMaybe();
        final int keyLength = tokens.length(1);
        if (keyLength > ServerConfig.KEY_MAX_LENGTH)
        {
            reply(out, BAD_FORMAT);
            return;
        }
        if (!tokens.parseInt32(2))
        {
            reply(out, INVALID_EXPTIME);
            return;
        }
        final StoreResult outcome = store.touch(tokens.buffer(), tokens.start(1), keyLength, (int)tokens.value);
        stats.cmdTouch++;
        if (outcome == StoreResult.TOUCHED)
        {
            stats.touchHits++;
            reply(out, TOUCHED);
        }
        else
        {
            stats.touchMisses++;
            reply(out, NOT_FOUND);
        }
    }

    // ---- administrative commands

    private void processFlushAll(final ResponseBuffer out)
    {
        setNoreplyMaybe();
        stats.cmdFlush++;
        if (config.flushDisabled)
        {
            reply(out, FLUSH_NOT_ALLOWED);
            return;
        }
        int exptime = 0;
        if (tokens.ntokens() != (noreply ? 3 : 2))
        {
            if (!tokens.parseInt32(1))
            {
                reply(out, INVALID_EXPTIME);
                return;
            }
            exptime = (int)tokens.value;
        }
        store.flushAll(flushDelay(exptime));
        reply(out, OK);
    }

    /** flush_all's delay follows the exptime rules: up to 30 days relative, beyond that an absolute unix time. */
    private int flushDelay(final int exptime)
    {
        if (exptime <= 0)
        {
            return 0;
        }
        if (exptime <= MetaCommands.REALTIME_MAXDELTA)
        {
            return exptime;
        }
        final long nowUnix = store.clock().processStartUnixSeconds() + store.clock().now();
        return (int)Math.max(0, exptime - nowUnix);
    }

    private void processVerbosity(final ResponseBuffer out)
    {
        setNoreplyMaybe();
        if (!tokens.parseUint32(1))
        {
            reply(out, BAD_FORMAT);
            return;
        }
        final long level = tokens.value;
        ctx.verbosity((int)Math.min(level, MAX_VERBOSITY_LEVEL));
        reply(out, OK);
    }

    private void processShutdown(final ResponseBuffer out)
    {
        if (!config.shutdownEnabled)
        {
            out.put(SHUTDOWN_NOT_ENABLED);
            return;
        }
        final int ntokens = tokens.ntokens();
        if (ntokens == 2 || (ntokens == 3 && tokens.equals(1, GRACEFUL)))
        {
            closeRequested = true;
            ctx.requestShutdown();
            return;
        }
        out.put(INVALID_SHUTDOWN_MODE);
    }

    private void processMemLimit(final ResponseBuffer out)
    {
        setNoreplyMaybe();
        if (!tokens.parseUint32(1))
        {
            reply(out, ERROR);
            return;
        }
        final long megabytes = tokens.value;
        if (megabytes < 8)
        {
            reply(out, MEMLIMIT_TOO_SMALL);
        }
        else if (megabytes > 1_000_000_000L)
        {
            reply(out, MEMLIMIT_NOT_BYTES);
        }
        else
        {
            // memcached's slabs_adjust_mem_limit: a new limit for later allocations, nothing freed now.
            store.setMemoryLimit(megabytes * 1024 * 1024);
            if (ctx.verbosity() > 0)
            {
                System.err.println("maxbytes adjusted to " + megabytes + "m");
            }
            reply(out, OK);
        }
    }

    /**
     * slabs reassign|automove, as memcached's process_slabs_command parses them. We have no slab classes: reassign
     * answers what memcached answers without a slab mover ({@code -o no_slab_reassign}); automove only sets a
     * policy for that mover, so it is validated and answered OK with nothing to change.
     */
    private void processSlabs(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens == 5 && tokens.equals(1, REASSIGN))
        {
            out.put(SLAB_REASSIGN_DISABLED);
            return;
        }
        if (ntokens < 4 || !tokens.equals(1, AUTOMOVE))
        {
            out.put(ERROR);
            return;
        }
        setNoreplyMaybe();
        if (tokens.equals(2, RATIO))
        {
            reply(out, ntokens < 5 || !tokens.parseDouble(3) ? ERROR : OK);
            return;
        }
        if (!tokens.parseUint32(2))
        {
            reply(out, BAD_FORMAT);
            return;
        }
        reply(out, tokens.value <= 2 ? OK : ERROR);
    }

    /**
     * lru tune|mode|temp_ttl, as memcached's process_lru_command (with its LRU maintainer running, the default).
     * Our store keeps one LRU per segment with a second chance for items read since stored, which none of these
     * settings shape: each is validated exactly as memcached validates it and, when valid, answered OK as a no-op.
     */
    private void processLru(final ResponseBuffer out)
    {
        setNoreplyMaybe();
        final int ntokens = tokens.ntokens();
        if (tokens.equals(1, TUNE) && ntokens >= 7)
        {
            if (!tokens.parseUint32(2))
            {
                reply(out, ERROR);
                return;
            }
            final long pctHot = tokens.value;
            if (!tokens.parseUint32(3))
            {
                reply(out, ERROR);
                return;
            }
            final long pctWarm = tokens.value;
            if (!tokens.parseDouble(4))
            {
                reply(out, ERROR);
                return;
            }
            final double hotFactor = tokens.doubleValue;
            if (!tokens.parseDouble(5))
            {
                reply(out, ERROR);
                return;
            }
            final double warmFactor = tokens.doubleValue;
            // memcached adds the two as uint32_t, so the sum wraps.
            if (((pctHot + pctWarm) & 0xFFFF_FFFFL) > 80)
            {
                reply(out, LRU_PCTS_TOO_HIGH);
            }
            else if (warmFactor <= 0 || hotFactor <= 0)
            {
                reply(out, LRU_FACTORS_NOT_POSITIVE);
            }
            else
            {
                reply(out, OK);
            }
        }
        else if (tokens.equals(1, MODE) && ntokens >= 4)
        {
            reply(out, tokens.equals(2, FLAT) || tokens.equals(2, SEGMENTED) ? OK : ERROR);
        }
        else if (tokens.equals(1, TEMP_TTL) && ntokens >= 4)
        {
            reply(out, tokens.parseInt32(2) ? OK : ERROR);
        }
        else
        {
            reply(out, ERROR);
        }
    }

    /**
     * lru_crawler, as memcached's process_lru_crawler_command (which reads no noreply). We have no crawler thread
     * (expired items are dropped lazily, on lookup and at the LRU tail), so we answer as memcached does when its
     * crawler is off ({@code -o no_lru_crawler}) and cannot be started: crawl and metadump say the crawler is
     * disabled, enable says the thread failed to start, disable succeeds; sleep and tocrawl only tune the absent
     * crawler and are validated, then answered OK.
     */
    private void processLruCrawler(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens == 4)
        {
            if (tokens.equals(1, CRAWL) || tokens.equals(1, METADUMP))
            {
                out.put(LRU_CRAWLER_DISABLED);
            }
            else if (tokens.equals(1, TOCRAWL))
            {
                out.put(tokens.parseUint32(2) ? OK : BAD_FORMAT);
            }
            else if (tokens.equals(1, SLEEP))
            {
                if (!tokens.parseUint32(2))
                {
                    out.put(BAD_FORMAT);
                }
                else
                {
                    out.put(tokens.value > 1_000_000 ? LRU_CRAWLER_SLEEP_TOO_LONG : OK);
                }
            }
            else
            {
                out.put(ERROR);
            }
        }
        else if (ntokens == 3 && tokens.equals(1, ENABLE))
        {
            out.put(LRU_CRAWLER_NOT_STARTED);
        }
        else if (ntokens == 3 && tokens.equals(1, DISABLE))
        {
            out.put(OK);
        }
        else
        {
            out.put(ERROR);
        }
    }

    private void processStats(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens == 2)
        {
            writeStats(out, "");
            return;
        }
        if (tokens.equals(1, RESET_WORD))
        {
            ctx.stats().reset();
            store.resetStats();
            out.put(RESET);
            return;
        }
        if (tokens.equals(1, DETAIL))
        {
            if (ntokens >= 4 && (tokens.equals(2, ON) || tokens.equals(2, OFF)))
            {
                out.put(OK);
            }
            else if (ntokens >= 4 && tokens.equals(2, DUMP))
            {
                out.put(END);
            }
            else
            {
                out.put(STATS_DETAIL_USAGE);
            }
            return;
        }
        if (tokens.equals(1, CACHEDUMP))
        {
            out.put(CACHEDUMP_NOT_ALLOWED);
            return;
        }
        final DirectBuffer buffer = tokens.buffer();
        final byte[] name = new byte[tokens.length(1)];
        buffer.getBytes(tokens.start(1), name);
        writeStats(out, new String(name, StandardCharsets.US_ASCII));
    }

    private void writeStats(final ResponseBuffer out, final String group)
    {
        final int start = out.writeIndex();
        statsOut = out;
        if (statsSink == null)
        {
            statsSink = this::appendStat;
        }
        final boolean known = StatsReport.collect(ctx, group, statsSink);
        statsOut = null;
        if (!known)
        {
            out.truncate(start);
            out.put(ERROR);
            return;
        }
        out.put(END);
    }

    private void appendStat(final String name, final String value)
    {
        statsOut.put(STAT).put(TextReplies.bytes(name)).put((byte)' ').put(TextReplies.bytes(value)).put(CRLF);
    }

    // ---- hooks for MetaCommands

    void swallow(final long bytes)
    {
        swallowRemaining = bytes;
    }

    void needBytes(final int bytes)
    {
        bytesNeeded = bytes;
    }

    void noreply(final boolean quiet)
    {
        noreply = quiet;
    }

    boolean noreply()
    {
        return noreply;
    }

    GetOptions getOptions()
    {
        return getOptions;
    }

    MutationResult result()
    {
        return result;
    }
}
