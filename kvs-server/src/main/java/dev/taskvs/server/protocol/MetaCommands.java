package dev.taskvs.server.protocol;

import static dev.taskvs.server.protocol.TextReplies.*;

import java.util.Arrays;

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
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The meta commands ({@code mg ms md ma me}; {@code mn} is answered by the session) as memcached 1.6.18 serves
 * them: flags are single characters with an optional token, parsed by {@link #preparse} with 1.6.18's rules
 * (its flag set: no {@code E}, no ms {@code S}, no md {@code x}) and echoed back in request order; {@code q}
 * hides the nominal answer (mg: EN; ms, md, ma: HD) but never an error.
 * <p>
 * Shares the connection's tokens, store options and result objects with its {@link TextProtocolSession}; no
 * allocation per command.
 */
final class MetaCommands
{
    /** memcached's REALTIME_MAXDELTA: exptimes above it are absolute unix times. */
    static final int REALTIME_MAXDELTA = 60 * 60 * 24 * 30;

    /** memcached's MFLAG_MAX_OPT_LENGTH: more tokens than this and the command is refused. */
    private static final int MAX_OPT_TOKENS = 20;
    /** memcached's MFLAG_MAX_OPAQUE_LENGTH, counted with the leading 'O'. */
    private static final int MAX_OPAQUE_LENGTH = 32;
    /** Item header size memcached reports in {@code me ... size=} (sizeof(item) plus the CAS field, 64-bit). */
    private static final int ITEM_HEADER_SIZE = 48 + 8;

    private static final byte[] EXP = TextReplies.bytes(" exp=");
    private static final byte[] LA = TextReplies.bytes(" la=");
    private static final byte[] CAS_EQ = TextReplies.bytes(" cas=");
    private static final byte[] FETCH_YES = TextReplies.bytes(" fetch=yes");
    private static final byte[] FETCH_NO = TextReplies.bytes(" fetch=no");
    private static final byte[] CLS = TextReplies.bytes(" cls=");
    private static final byte[] SIZE = TextReplies.bytes(" size=");

    private final TextProtocolSession session;
    private final WorkerStats stats;
    private final Store store;
    private final TextTokens tokens;
    private final boolean[] seen = new boolean[128];
    private final UnsafeBuffer decodedKey = new UnsafeBuffer(new byte[ServerConfig.KEY_MAX_LENGTH]);
    private final MetaGetWriter metaGetWriter = new MetaGetWriter();
    private final ItemInspector inspector = new ItemInspector();

    // ---- memcached's struct _meta_flags, reset by preparse
    private byte[] errstr;
    private boolean hasError;
    private boolean noUpdate;
    private boolean vivify;
    private boolean value;
    private boolean setStale;
    private boolean quiet;
    private boolean hasCas;
    private boolean newTtl;
    private boolean hasRecache;
    private boolean keyBinary;
    private byte mode;
    private int exptime;
    private int vivifyExptime;
    private int recacheTime;
    private int clientFlags;
    private long reqCas;
    private long delta;
    private long initial;

    // the key: the token itself, or its base64 decoding
    private DirectBuffer keyBuffer;
    private int keyOffset;
    private int keyLength;

    MetaCommands(
        final TextProtocolSession session, final ServerContext ctx, final WorkerStats stats, final TextTokens tokens)
    {
        this.session = session;
        this.stats = stats;
        this.store = ctx.store();
        this.tokens = tokens;
    }

    // ---- flag parsing

    /** memcached's _meta_flag_preparse from token {@code start} on; false on error ({@link #errstr} says which). */
    private boolean preparse(final int start)
    {
        Arrays.fill(seen, false);
        hasError = noUpdate = vivify = value = setStale = quiet = hasCas = newTtl = hasRecache = keyBinary = false;
        mode = 0;
        exptime = vivifyExptime = recacheTime = clientFlags = 0;
        reqCas = 0;
        delta = 1;
        initial = 0;
        errstr = BAD_FORMAT;
        keyBuffer = tokens.buffer();
        keyOffset = tokens.start(1);
        keyLength = tokens.length(1);
        for (int i = start; i < tokens.count(); i++)
        {
            final int o = tokens.byteAt(i, 0) & 0xFF;
            if (o >= 127 || seen[o])
            {
                errstr = DUPLICATE_FLAG;
                return false;
            }
            seen[o] = true;
            switch (o)
            {
                case 'b':
                    keyLength = TextBase64.decode(
                        tokens.buffer(), tokens.start(1), tokens.length(1), decodedKey, decodedKey.capacity());
                    keyBuffer = decodedKey;
                    keyOffset = 0;
                    if (keyLength == 0)
                    {
                        errstr = DECODING_KEY;
                        hasError = true;
                    }
                    keyBinary = true;
                    break;
                case 'N':
                    vivify = true;
                    if (tokens.parseInt32(i, 1))
                    {
                        vivifyExptime = TextProtocolSession.noTouchSafe((int)tokens.value);
                    }
                    else
                    {
                        badToken();
                    }
                    break;
                case 'T':
                    if (tokens.parseInt32(i, 1))
                    {
                        exptime = TextProtocolSession.noTouchSafe((int)tokens.value);
                        newTtl = true;
                    }
                    else
                    {
                        badToken();
                    }
                    break;
                case 'R':
                    if (tokens.parseInt32(i, 1))
                    {
                        recacheTime = (int)tokens.value;
                        hasRecache = true;
                    }
                    else
                    {
                        badToken();
                    }
                    break;
                case 'l':
                case 'O':
                case 'P':
                case 'L':
                case 'k':
                case 's':
                case 't':
                case 'c':
                case 'f':
                case 'h':
                    break;
                case 'v':
                    value = true;
                    break;
                case 'u':
                    noUpdate = true;
                    break;
                case 'q':
                    quiet = true;
                    break;
                case 'F':
                    if (tokens.parseUint32(i, 1))
                    {
                        clientFlags = (int)tokens.value;
                    }
                    else
                    {
                        hasError = true;
                    }
                    break;
                case 'C':
                    if (tokens.parseUint64(i, 1))
                    {
                        reqCas = tokens.value;
                        hasCas = true;
                    }
                    else
                    {
                        badToken();
                    }
                    break;
                case 'M':
                    if (tokens.length(i) != 2)
                    {
                        errstr = M_TOKEN_LENGTH;
                        hasError = true;
                    }
                    else
                    {
                        mode = tokens.byteAt(i, 1);
                    }
                    break;
                case 'J':
                    if (tokens.parseUint64(i, 1))
                    {
                        initial = tokens.value;
                    }
                    else
                    {
                        errstr = INVALID_INITIAL;
                        hasError = true;
                    }
                    break;
                case 'D':
                    if (tokens.parseUint64(i, 1))
                    {
                        delta = tokens.value;
                    }
                    else
                    {
                        errstr = INVALID_DELTA_VALUE;
                        hasError = true;
                    }
                    break;
                case 'I':
                    setStale = true;
                    break;
                default:
                    errstr = INVALID_FLAG;
                    return false;
            }
        }
        return !hasError;
    }

    private void badToken()
    {
        errstr = BAD_TOKEN;
        hasError = true;
    }

    /** True when an O token is longer than memcached allows (it checks while writing the answer). */
    private boolean opaqueTooLong(final int start)
    {
        for (int i = start; i < tokens.count(); i++)
        {
            if (tokens.byteAt(i, 0) == 'O' && tokens.length(i) > MAX_OPAQUE_LENGTH)
            {
                return true;
            }
        }
        return false;
    }

    /** Appends the O and k flags in request order (the answers that carry no item). */
    private void putOpaqueAndKey(final ResponseBuffer out, final int start)
    {
        for (int i = start; i < tokens.count(); i++)
        {
            final byte flag = tokens.byteAt(i, 0);
            if (flag == 'O')
            {
                putToken(out, i);
            }
            else if (flag == 'k')
            {
                putKey(out);
            }
        }
    }

    private void putToken(final ResponseBuffer out, final int i)
    {
        out.put((byte)' ').put(tokens.buffer(), tokens.start(i), tokens.length(i));
    }

    private void putKey(final ResponseBuffer out)
    {
        out.put((byte)' ').put((byte)'k');
        if (keyBinary)
        {
            TextBase64.encode(keyBuffer, keyOffset, keyLength, out);
            out.put((byte)' ').put((byte)'b');
        }
        else
        {
            out.put(keyBuffer, keyOffset, keyLength);
        }
    }

    private static void putFlag(final ResponseBuffer out, final char flag)
    {
        out.put((byte)' ').put((byte)flag);
    }

    // ---- mg

    void get(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 3)
        {
            out.put(ERROR);
            return;
        }
        if (tokens.length(1) > ServerConfig.KEY_MAX_LENGTH)
        {
            out.put(BAD_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS)
        {
            out.put(MG_FLAGS_TOO_LONG);
            return;
        }
        if (!preparse(2))
        {
            out.put(errstr);
            return;
        }
        if (opaqueTooLong(2))
        {
            out.put(OPAQUE_TOO_LONG);
            return;
        }
        final GetOptions options = session.getOptions().reset();
        options.touchExptime = newTtl ? exptime : Store.NO_TOUCH;
        options.vivifyExptime = vivify ? vivifyExptime : Store.NO_TOUCH;
        options.recacheBelowSeconds = hasRecache ? Math.max(0, recacheTime) : -1;
        options.noLruBump = noUpdate;
        metaGetWriter.out = out;
        final boolean hit = store.get(keyBuffer, keyOffset, keyLength, options, metaGetWriter);
        metaGetWriter.out = null;
        if (newTtl)
        {
            stats.cmdTouch++;
        }
        else
        {
            stats.cmdGet++;
        }
        if (hit)
        {
            if (newTtl)
            {
                stats.touchHits++;
            }
            else
            {
                stats.getHits++;
            }
            return;
        }
        if (newTtl)
        {
            stats.touchMisses++;
        }
        else
        {
            stats.getMisses++;
        }
        if (!quiet)
        {
            out.put(EN);
            putOpaqueAndKey(out, 2);
            out.put(CRLF);
        }
    }

    /** Writes an mg hit: the status line with the requested flags in order, then the value when asked. */
    private final class MetaGetWriter implements ItemHandler
    {
        ResponseBuffer out;

        @Override
        public void onItem(final long item)
        {
            final GetOptions options = session.getOptions();
            final int valueLength = Item.valueLength(item);
            if (value)
            {
                out.put(VA).putUnsignedDecimal(valueLength);
            }
            else
            {
                out.put(HD);
            }
            for (int i = 2; i < tokens.count(); i++)
            {
                switch (tokens.byteAt(i, 0))
                {
                    case 's':
                        putFlag(out, 's');
                        out.putUnsignedDecimal(valueLength);
                        break;
                    case 't':
                        putFlag(out, 't');
                        putTtl(out, Item.exptime(item));
                        break;
                    case 'c':
                        putFlag(out, 'c');
                        out.putUnsignedDecimal(Item.cas(item));
                        break;
                    case 'f':
                        putFlag(out, 'f');
                        out.putUnsignedDecimal(Item.clientFlags(item) & 0xFFFF_FFFFL);
                        break;
                    case 'l':
                        putFlag(out, 'l');
                        out.putUnsignedDecimal(options.secondsSinceLastAccess);
                        break;
                    case 'h':
                        putFlag(out, 'h');
                        out.put((byte)(options.hitBefore ? '1' : '0'));
                        break;
                    case 'O':
                        putToken(out, i);
                        break;
                    case 'k':
                        putKey(out);
                        break;
                    default:
                        break;
                }
            }
            // memcached's order: Z (a win was already handed out), X (stale), then W (this caller won).
            if (options.winTokenAlreadySent)
            {
                putFlag(out, 'Z');
            }
            if (options.stale)
            {
                putFlag(out, 'X');
            }
            if (options.won)
            {
                putFlag(out, 'W');
            }
            out.put(CRLF);
            if (value)
            {
                out.putMemory(Item.valueAddress(item), valueLength).put(CRLF);
            }
        }
    }

    /** Remaining TTL as memcached prints it: -1 for never, else seconds left (as an unsigned 32-bit number). */
    private void putTtl(final ResponseBuffer out, final int itemExptime)
    {
        if (itemExptime == 0)
        {
            out.put((byte)'-').put((byte)'1');
        }
        else
        {
            out.putUnsignedDecimal((itemExptime - store.clock().now()) & 0xFFFF_FFFFL);
        }
    }

    // ---- ms

    /** @return bytes consumed: the line (and the data block, or a swallow of it), or 0 until the data is here. */
    int set(final DirectBuffer in, final int pos, final int lineLength, final int end, final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 3)
        {
            out.put(ERROR);
            return lineLength;
        }
        if (tokens.length(1) > ServerConfig.KEY_MAX_LENGTH || ntokens == 3)
        {
            out.put(BAD_FORMAT);
            return lineLength;
        }
        if (ntokens > MAX_OPT_TOKENS)
        {
            out.put(FLAGS_TOO_LONG);
            return lineLength;
        }
        if (!tokens.parseInt32(2) || tokens.value < 0 || tokens.value > Integer.MAX_VALUE - 2)
        {
            out.put(BAD_FORMAT);
            return lineLength;
        }
        final int valueLength = (int)tokens.value;
        if (!preparse(3))
        {
            return failSet(out, errstr, valueLength, lineLength);
        }
        session.noreply(quiet);
        if (opaqueTooLong(3))
        {
            return failSet(out, OPAQUE_TOO_LONG, valueLength, lineLength);
        }
        StoreMode storeMode;
        switch (mode)
        {
            case 0:
            case 'S':
                storeMode = StoreMode.SET;
                break;
            case 'E':
                storeMode = StoreMode.ADD;
                break;
            case 'A':
                storeMode = StoreMode.APPEND;
                break;
            case 'P':
                storeMode = StoreMode.PREPEND;
                break;
            case 'R':
                storeMode = StoreMode.REPLACE;
                break;
            default:
                return failSet(out, MS_INVALID_MODE, valueLength, lineLength);
        }
        if (hasCas && (storeMode == StoreMode.SET || storeMode == StoreMode.REPLACE))
        {
            storeMode = StoreMode.CAS;
        }
        final MutationResult result = session.result();
        if (!store.fits(keyLength, valueLength))
        {
            stats.storeTooLarge++;
            // memcached: avoid stale data persisting because the new value could not be stored.
            store.delete(keyBuffer, keyOffset, keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
            return failSet(out, TOO_LARGE, valueLength, lineLength);
        }
        final long total = (long)lineLength + valueLength + 2;
        if (end - pos < total)
        {
            session.needBytes((int)Math.min(Integer.MAX_VALUE, total));
            return 0;
        }
        final int dataOffset = pos + lineLength;
        stats.cmdSet++;
        if (!TextProtocolSession.endsWithCrlf(in, dataOffset + valueLength))
        {
            out.put(BAD_DATA_CHUNK);
            return (int)total;
        }
        final StoreResult outcome = store.store(
            storeMode, keyBuffer, keyOffset, keyLength, clientFlags, newTtl ? exptime : 0,
            in, dataOffset, valueLength, hasCas ? reqCas : Store.NO_CAS, Store.NO_CAS, result.reset());
        session.countCas(storeMode, outcome);
        switch (outcome)
        {
            case STORED:
                if (!quiet)
                {
                    out.put(HD);
                    putSetFlags(out, result.cas);
                }
                break;
            case EXISTS:
                out.put(EX);
                putSetFlags(out, result.cas);
                break;
            case NOT_FOUND:
                out.put(NF);
                putSetFlags(out, result.cas);
                break;
            case NOT_STORED:
                out.put(NS);
                putSetFlags(out, result.cas);
                break;
            case TOO_LARGE:
                stats.storeTooLarge++;
                out.put(TOO_LARGE);
                break;
            default:
                stats.storeNoMemory++;
                out.put(OUT_OF_MEMORY_STORING);
                store.delete(keyBuffer, keyOffset, keyLength, Store.NO_CAS, false, Store.NO_TOUCH, result.reset());
                break;
        }
        return (int)total;
    }

    private int failSet(final ResponseBuffer out, final byte[] error, final int valueLength, final int lineLength)
    {
        out.put(error);
        session.swallow(valueLength + 2L);
        return lineLength;
    }

    /** ms answers carry O, k and c (the new CAS; 0 when nothing was stored) in request order. */
    private void putSetFlags(final ResponseBuffer out, final long cas)
    {
        for (int i = 3; i < tokens.count(); i++)
        {
            switch (tokens.byteAt(i, 0))
            {
                case 'O':
                    putToken(out, i);
                    break;
                case 'k':
                    putKey(out);
                    break;
                case 'c':
                    putFlag(out, 'c');
                    out.putUnsignedDecimal(cas);
                    break;
                default:
                    break;
            }
        }
        out.put(CRLF);
    }

    // ---- md

    void delete(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 3)
        {
            out.put(ERROR);
            return;
        }
        if (tokens.length(1) > ServerConfig.KEY_MAX_LENGTH)
        {
            out.put(BAD_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS)
        {
            out.put(FLAGS_TOO_LONG);
            return;
        }
        if (!preparse(2))
        {
            out.put(INVALID_OR_DUPLICATE_FLAG);
            return;
        }
        if (opaqueTooLong(2))
        {
            out.put(OPAQUE_TOO_LONG);
            return;
        }
        final StoreResult outcome = store.delete(
            keyBuffer, keyOffset, keyLength, hasCas ? reqCas : Store.NO_CAS, setStale,
            setStale && newTtl ? exptime : Store.NO_TOUCH, session.result().reset());
        switch (outcome)
        {
            case DELETED:
                if (!setStale)
                {
                    stats.deleteHits++;
                }
                if (quiet)
                {
                    return;
                }
                out.put(HD);
                break;
            case EXISTS:
                stats.deleteMisses++;
                out.put(EX);
                break;
            default:
                stats.deleteMisses++;
                out.put(NF);
                break;
        }
        putOpaqueAndKey(out, 2);
        out.put(CRLF);
    }

    // ---- ma

    void arithmetic(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 3)
        {
            out.put(ERROR);
            return;
        }
        if (tokens.length(1) > ServerConfig.KEY_MAX_LENGTH)
        {
            out.put(BAD_FORMAT);
            return;
        }
        if (ntokens > MAX_OPT_TOKENS)
        {
            out.put(FLAGS_TOO_LONG);
            return;
        }
        if (!preparse(2))
        {
            out.put(INVALID_OR_DUPLICATE_FLAG);
            return;
        }
        final boolean incr;
        switch (mode)
        {
            case 0:
            case 'I':
            case '+':
                incr = true;
                break;
            case 'D':
            case '-':
                incr = false;
                break;
            default:
                out.put(MA_INVALID_MODE);
                return;
        }
        if (opaqueTooLong(2))
        {
            out.put(OPAQUE_TOO_LONG);
            return;
        }
        final MutationResult result = session.result().reset();
        final StoreResult outcome = store.incrDecr(
            keyBuffer, keyOffset, keyLength, incr, delta, vivify, initial, vivify ? vivifyExptime : 0,
            hasCas ? reqCas : Store.NO_CAS, result);
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
                arithmeticHit(out, result);
                return;
            case NON_NUMERIC:
                out.put(NON_NUMERIC);
                return;
            case NO_MEMORY:
            case TOO_LARGE:
                out.put(OUT_OF_MEMORY);
                return;
            case EXISTS:
                out.put(EX);
                break;
            case NOT_STORED:
                out.put(NS);
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
                out.put(NF);
                break;
        }
        putOpaqueAndKey(out, 2);
        out.put(CRLF);
    }

    private void arithmeticHit(final ResponseBuffer out, final MutationResult result)
    {
        final long number = result.value;
        final long cas = result.cas;
        if (quiet)
        {
            if (newTtl)
            {
                store.touch(keyBuffer, keyOffset, keyLength, exptime);
            }
            return;
        }
        if (value)
        {
            out.put(VA).putUnsignedDecimal(ResponseBuffer.unsignedDigits(number));
        }
        else
        {
            out.put(HD);
        }
        for (int i = 2; i < tokens.count(); i++)
        {
            switch (tokens.byteAt(i, 0))
            {
                case 'c':
                    putFlag(out, 'c');
                    out.putUnsignedDecimal(cas);
                    break;
                case 't':
                    putFlag(out, 't');
                    putTtl(out, inspect() ? inspector.exptime : 0);
                    break;
                case 'T':
                    // applied where it stands, as memcached does: a 't' before it shows the old TTL
                    store.touch(keyBuffer, keyOffset, keyLength, exptime);
                    break;
                case 'O':
                    putToken(out, i);
                    break;
                case 'k':
                    putKey(out);
                    break;
                default:
                    break;
            }
        }
        out.put(CRLF);
        if (value)
        {
            out.putUnsignedDecimal(number).put(CRLF);
        }
    }

    // ---- me

    void debug(final ResponseBuffer out)
    {
        final int ntokens = tokens.ntokens();
        if (ntokens < 3 || tokens.length(1) > ServerConfig.KEY_MAX_LENGTH)
        {
            out.put(BAD_FORMAT);
            return;
        }
        keyBinary = false;
        keyBuffer = tokens.buffer();
        keyOffset = tokens.start(1);
        keyLength = tokens.length(1);
        if (ntokens >= 4 && tokens.length(2) == 1 && tokens.byteAt(2, 0) == 'b')
        {
            keyLength = TextBase64.decode(
                tokens.buffer(), tokens.start(1), tokens.length(1), decodedKey, decodedKey.capacity());
            if (keyLength == 0)
            {
                out.put(BAD_FORMAT);
                return;
            }
            keyBuffer = decodedKey;
            keyOffset = 0;
            keyBinary = true;
        }
        stats.cmdMeta++;
        if (!inspect())
        {
            out.put(EN).put(CRLF);
            return;
        }
        final GetOptions options = session.getOptions();
        out.put(ME);
        if (keyBinary)
        {
            TextBase64.encode(keyBuffer, keyOffset, keyLength, out);
        }
        else
        {
            out.put(keyBuffer, keyOffset, keyLength);
        }
        // memcached prints exp as current_time - exptime (negative while the item lives), not the TTL.
        out.put(EXP).putDecimal(inspector.exptime == 0 ? -1 : store.clock().now() - (long)inspector.exptime);
        out.put(LA).putUnsignedDecimal(options.secondsSinceLastAccess);
        out.put(CAS_EQ).putUnsignedDecimal(inspector.cas);
        out.put(options.hitBefore ? FETCH_YES : FETCH_NO);
        final long size = itemTotalSize(keyLength, inspector.valueLength, inspector.clientFlags);
        out.put(CLS).putUnsignedDecimal(StatsReport.slabClassOf(size));
        out.put(SIZE).putUnsignedDecimal(size).put(CRLF);
    }

    /** memcached's ITEM_ntotal: header, key and its NUL, value and its CRLF, and the client flags if nonzero. */
    static long itemTotalSize(final int keyLength, final int valueLength, final int clientFlags)
    {
        return ITEM_HEADER_SIZE + keyLength + 1L + valueLength + 2 + (clientFlags != 0 ? 4 : 0);
    }

    /** Looks the key up without bumping it, capturing what {@code me} and {@code ma t} print. */
    private boolean inspect()
    {
        final GetOptions options = session.getOptions().reset();
        options.noLruBump = true;
        return store.get(keyBuffer, keyOffset, keyLength, options, inspector);
    }

    private static final class ItemInspector implements ItemHandler
    {
        int exptime;
        long cas;
        int valueLength;
        int clientFlags;

        @Override
        public void onItem(final long item)
        {
            exptime = Item.exptime(item);
            cas = Item.cas(item);
            valueLength = Item.valueLength(item);
            clientFlags = Item.clientFlags(item);
        }
    }
}
