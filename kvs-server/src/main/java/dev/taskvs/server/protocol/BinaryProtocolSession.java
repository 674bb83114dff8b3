package dev.taskvs.server.protocol;

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

import static dev.taskvs.client.codec.binary.BinaryProtocol.ADD;
import static dev.taskvs.client.codec.binary.BinaryProtocol.ADDQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.APPEND;
import static dev.taskvs.client.codec.binary.BinaryProtocol.APPENDQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.DECREMENT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.DECREMENTQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.DELETE;
import static dev.taskvs.client.codec.binary.BinaryProtocol.DELETEQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.FLUSH;
import static dev.taskvs.client.codec.binary.BinaryProtocol.FLUSHQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GAT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GATK;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GATKQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GATQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GETK;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GETKQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.GETQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.HEADER_LENGTH;
import static dev.taskvs.client.codec.binary.BinaryProtocol.INCREMENT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.INCREMENTQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.MAGIC_REQUEST;
import static dev.taskvs.client.codec.binary.BinaryProtocol.NOOP;
import static dev.taskvs.client.codec.binary.BinaryProtocol.PREPEND;
import static dev.taskvs.client.codec.binary.BinaryProtocol.PREPENDQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.QUIT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.QUITQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.REPLACE;
import static dev.taskvs.client.codec.binary.BinaryProtocol.REPLACEQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.SASL_AUTH;
import static dev.taskvs.client.codec.binary.BinaryProtocol.SASL_LIST_MECHS;
import static dev.taskvs.client.codec.binary.BinaryProtocol.SASL_STEP;
import static dev.taskvs.client.codec.binary.BinaryProtocol.SET;
import static dev.taskvs.client.codec.binary.BinaryProtocol.SETQ;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STAT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_AUTH_ERROR;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_DELTA_BADVAL;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_E2BIG;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_EINVAL;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_ENOMEM;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_KEY_EEXISTS;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_KEY_ENOENT;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_NOT_STORED;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_OK;
import static dev.taskvs.client.codec.binary.BinaryProtocol.STATUS_UNKNOWN_COMMAND;
import static dev.taskvs.client.codec.binary.BinaryProtocol.TOUCH;
import static dev.taskvs.client.codec.binary.BinaryProtocol.VERSION;
import static dev.taskvs.client.codec.binary.BinaryProtocol.isQuiet;

/**
 * memcached's binary protocol for one connection, as memcached 1.6.18's {@code proto_bin.c} serves it.
 * <p>
 * A request is dispatched once its header, extras and key are in the buffer (memcached's
 * {@code try_read_command_binary}); the storage commands also wait for their value. Validation follows
 * {@code dispatch_bin_command}: contradictory lengths answer Unknown command and close, an over-long key or a
 * wrong extras/key/body combination answers Invalid arguments and close, an unknown opcode answers Unknown command
 * and swallows {@code bodylen} bytes after the key (memcached's own count, which over-swallows by extras and key),
 * a value over the item size limit answers Too large and swallows the value, and a bad magic closes at once,
 * dropping responses not yet sent (memcached goes to {@code conn_closing} without writing).
 * <p>
 * Quiet opcodes: GetQ/GetKQ/GATQ/GATKQ leave out misses, every other quiet opcode leaves out its success;
 * errors are always sent. Responses carry the request's opcode and opaque.
 * <p>
 * The get and set paths allocate nothing: keys and values are passed to the store as regions of the receive
 * buffer, items are copied into the response from off-heap memory, and option/result objects are reused.
 */
public final class BinaryProtocolSession implements ProtocolSession
{
    /** Extras lengths that dispatch_bin_command requires per command family. */
    private static final int STORE_EXTRAS_LENGTH = 8;
    private static final int ARITHMETIC_EXTRAS_LENGTH = 20;
    private static final int TOUCH_EXTRAS_LENGTH = 4;
    private static final int FLUSH_EXTRAS_LENGTH = 4;
    private static final int FLAGS_LENGTH = 4;
    private static final int COUNTER_LENGTH = 8;

    /** Incr/decr expiration meaning "do not create a missing counter" (protocol-binary.xml, Increment). */
    private static final int NO_AUTO_CREATE = 0xFFFF_FFFF;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] DETAIL_DUMP_NAME = bytes("detailed");
    private static final byte[] DETAIL_DUMP_VALUE = bytes("END\r\n");

    private final ServerContext ctx;
    private final WorkerStats stats;
    private final Store store;
    private final int requestsPerEvent;
    private final int outputHighWaterMark;
    private final boolean flushDisabled;
    private final byte[] version;

    private final BinaryRequest request = new BinaryRequest();
    private final GetOptions touchOptions = new GetOptions();
    private final MutationResult result = new MutationResult();
    private final ItemHandler hitWriter = this::writeHit;

    // What writeHit needs to know about the request being answered; set before each store.get.
    private ResponseBuffer hitOut;
    private byte hitOpcode;
    private int hitOpaque;
    private boolean hitReturnsKey;
    private boolean hitReturnsValue;

    private long swallowRemaining;
    private int bytesNeeded;
    private boolean closeRequested;

    public BinaryProtocolSession(final ServerContext ctx, final WorkerStats stats)
    {
        this.ctx = ctx;
        this.stats = stats;
        this.store = ctx.store();
        final ServerConfig config = ctx.config();
        this.requestsPerEvent = config.requestsPerEvent;
        this.outputHighWaterMark = config.outputHighWaterMark;
        this.flushDisabled = config.flushDisabled;
        this.version = bytes(ServerContext.VERSION);
    }

    @Override
    public int process(final DirectBuffer in, final int offset, final int length, final ResponseBuffer out)
    {
        final int end = offset + length;
        int position = offset;
        int handled = 0;
        bytesNeeded = 0;

        while (!closeRequested)
        {
            if (swallowRemaining > 0)
            {
                final int swallowed = (int)Math.min(swallowRemaining, end - position);
                position += swallowed;
                swallowRemaining -= swallowed;
                if (swallowRemaining > 0)
                {
                    break;
                }
                continue;
            }

            final int available = end - position;
            if (available < HEADER_LENGTH)
            {
                bytesNeeded = available == 0 ? 0 : HEADER_LENGTH;
                break;
            }
            if (out.readableBytes() > outputHighWaterMark)
            {
                break;
            }
            if (handled == requestsPerEvent)
            {
                stats.connYields++;
                break;
            }

            final int consumed = processRequest(in, position, available, out);
            if (consumed == 0)
            {
                break;
            }
            position += consumed;
            handled++;
        }

        return position - offset;
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

    /**
     * Handles the request at {@code position}.
     *
     * @return bytes consumed; 0 when the request is incomplete ({@link #bytesNeeded} says how much is needed) or
     * the connection is being closed.
     */
    private int processRequest(final DirectBuffer in, final int position, final int available, final ResponseBuffer out)
    {
        final BinaryRequest request = this.request.wrap(in, position);
        if (request.magic() != MAGIC_REQUEST)
        {
            closeOnBadMagic(out);
            return 0;
        }

        final int headLength = request.headLength();
        if (available < headLength)
        {
            bytesNeeded = expectedPacketLength(request);
            return 0;
        }

        final int keyLength = request.keyLength();
        final long bodyLength = request.bodyLength();
        if (keyLength + request.extrasLength() > bodyLength)
        {
            failAndClose(out, request, STATUS_UNKNOWN_COMMAND);
            return headLength;
        }
        if (keyLength > ServerConfig.KEY_MAX_LENGTH)
        {
            failAndClose(out, request, STATUS_EINVAL);
            return headLength;
        }

        switch (request.opcode())
        {
            case GET: case GETQ: case GETK: case GETKQ:
                return processGet(request, out);
            case TOUCH: case GAT: case GATQ: case GATK: case GATKQ:
                return processTouch(request, out);
            case SET: case SETQ: case ADD: case ADDQ: case REPLACE: case REPLACEQ:
                return processUpdate(request, available, out);
            case APPEND: case APPENDQ: case PREPEND: case PREPENDQ:
                return processAppendPrepend(request, available, out);
            case DELETE: case DELETEQ:
                return processDelete(request, out);
            case INCREMENT: case INCREMENTQ: case DECREMENT: case DECREMENTQ:
                return processArithmetic(request, out);
            case NOOP:
                return processNoop(request, out);
            case VERSION:
                return processVersion(request, out);
            case QUIT: case QUITQ:
                return processQuit(request, out);
            case FLUSH: case FLUSHQ:
                return processFlush(request, out);
            case STAT:
                return processStat(request, out);
            case SASL_LIST_MECHS:
                return processSaslListMechs(request, out);
            case SASL_AUTH: case SASL_STEP:
                return processSaslAuth(request, out);
            default:
                return processUnknown(request, out);
        }
    }

    /**
     * What to ask the transport for while a request's head is still incomplete: the whole packet for a storage
     * command whose value will be read (so the receive buffer grows once), else the head that dispatch needs.
     */
    private int expectedPacketLength(final BinaryRequest request)
    {
        switch (request.opcode())
        {
            case SET: case SETQ: case ADD: case ADDQ: case REPLACE: case REPLACEQ:
            case APPEND: case APPENDQ: case PREPEND: case PREPENDQ:
                final long valueLength = request.valueLength();
                if (valueLength >= 0 && request.keyLength() <= ServerConfig.KEY_MAX_LENGTH &&
                    fits(request.keyLength(), valueLength))
                {
                    return HEADER_LENGTH + (int)request.bodyLength();
                }
                return request.headLength();
            default:
                return request.headLength();
        }
    }

    private int processGet(final BinaryRequest request, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (request.extrasLength() != 0 || keyLength == 0 || request.bodyLength() != keyLength)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final byte opcode = request.opcode();
        prepareHit(out, request, opcode == GETK || opcode == GETKQ, true);
        stats.cmdGet++;
        if (store.get(request.buffer(), request.keyOffset(), keyLength, null, hitWriter))
        {
            stats.getHits++;
        }
        else
        {
            stats.getMisses++;
            writeMiss(request, out, opcode == GETQ || opcode == GETKQ, opcode == GETK || opcode == GETKQ);
        }
        return request.headLength();
    }

    /** Touch, GAT, GATQ, GATK, GATKQ: counted as touches, as memcached's process_bin_get_or_touch does. */
    private int processTouch(final BinaryRequest request, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (request.extrasLength() != TOUCH_EXTRAS_LENGTH || keyLength == 0)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final byte opcode = request.opcode();
        final boolean returnsKey = opcode == GATK || opcode == GATKQ;
        final GetOptions options = touchOptions.reset();
        options.touchExptime = wireExptime(request.extrasInt(0));
        prepareHit(out, request, returnsKey, opcode != TOUCH);
        stats.cmdTouch++;
        if (store.get(request.buffer(), request.keyOffset(), keyLength, options, hitWriter))
        {
            stats.touchHits++;
        }
        else
        {
            stats.touchMisses++;
            writeMiss(request, out, opcode == GATQ || opcode == GATKQ, returnsKey);
        }
        // memcached does not check the body length here: bytes past the key are read as the next request.
        return request.headLength();
    }

    private void prepareHit(
        final ResponseBuffer out, final BinaryRequest request, final boolean returnsKey, final boolean returnsValue)
    {
        hitOut = out;
        hitOpcode = request.opcode();
        hitOpaque = request.opaque();
        hitReturnsKey = returnsKey;
        hitReturnsValue = returnsValue;
    }

    /** Called by the store under the item's lock: flags as extras, the key if asked, the value unless Touch. */
    private void writeHit(final long item)
    {
        final ResponseBuffer out = hitOut;
        final int keyLength = hitReturnsKey ? Item.keyLength(item) : 0;
        final int valueLength = hitReturnsValue ? Item.valueLength(item) : 0;
        BinaryResponseWriter.header(
            out, hitOpcode, keyLength, FLAGS_LENGTH, STATUS_OK, FLAGS_LENGTH + keyLength + valueLength, hitOpaque,
            Item.cas(item));
        out.putIntBE(Item.clientFlags(item));
        if (keyLength > 0)
        {
            out.putMemory(Item.keyAddress(item), keyLength);
        }
        if (valueLength > 0)
        {
            out.putMemory(Item.valueAddress(item), valueLength);
        }
    }

    /** GetK/GATK misses carry the key (and no error text); plain misses say "Not found"; quiet ones say nothing. */
    private static void writeMiss(
        final BinaryRequest request, final ResponseBuffer out, final boolean quiet, final boolean returnsKey)
    {
        if (quiet)
        {
            return;
        }
        if (returnsKey)
        {
            final int keyLength = request.keyLength();
            BinaryResponseWriter.header(
                out, request.opcode(), keyLength, 0, STATUS_KEY_ENOENT, keyLength, request.opaque(), 0);
            out.put(request.buffer(), request.keyOffset(), keyLength);
        }
        else
        {
            BinaryResponseWriter.error(out, request.opcode(), request.opaque(), STATUS_KEY_ENOENT);
        }
    }

    /** Set, Add, Replace and their quiet forms; a non-zero request CAS turns any of them into compare-and-swap. */
    private int processUpdate(final BinaryRequest request, final int available, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (request.extrasLength() != STORE_EXTRAS_LENGTH || keyLength == 0)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final byte opcode = request.opcode();
        final long valueLength = request.valueLength();
        if (!fits(keyLength, valueLength))
        {
            // As process_bin_update: refuse, swallow the value, and for Set drop the old item so that a failed
            // write never leaves stale data behind.
            if (opcode == SET || opcode == SETQ)
            {
                store.delete(request.buffer(), request.keyOffset(), keyLength, Store.NO_CAS, false, Store.NO_TOUCH,
                    result.reset());
            }
            return refuseTooLarge(request, out, valueLength);
        }
        final int packetLength = HEADER_LENGTH + (int)request.bodyLength();
        if (available < packetLength)
        {
            bytesNeeded = packetLength;
            return 0;
        }

        final long cas = request.cas();
        final StoreMode mode = cas != Store.NO_CAS ? StoreMode.CAS : updateMode(opcode);
        stats.cmdSet++;
        final StoreResult outcome = store.store(
            mode, request.buffer(), request.keyOffset(), keyLength,
            request.extrasInt(0), wireExptime(request.extrasInt(4)),
            request.buffer(), request.valueOffset(), (int)valueLength,
            cas, Store.NO_CAS, result.reset());
        countCas(mode, outcome);

        switch (outcome)
        {
            case STORED:
                if (!isQuiet(opcode))
                {
                    BinaryResponseWriter.ok(out, opcode, request.opaque(), result.cas);
                }
                break;
            case EXISTS:
                error(request, out, STATUS_KEY_EEXISTS);
                break;
            case NOT_FOUND:
                error(request, out, STATUS_KEY_ENOENT);
                break;
            case TOO_LARGE:
                stats.storeTooLarge++;
                error(request, out, STATUS_E2BIG);
                break;
            case NO_MEMORY:
                stats.storeNoMemory++;
                if (opcode == SET || opcode == SETQ)
                {
                    store.delete(request.buffer(), request.keyOffset(), keyLength, Store.NO_CAS, false,
                        Store.NO_TOUCH, result.reset());
                }
                error(request, out, STATUS_ENOMEM);
                break;
            default:
                // complete_update_bin: a refused Add means the key exists, a refused Replace that it does not.
                error(request, out, mode == StoreMode.ADD ? STATUS_KEY_EEXISTS :
                    mode == StoreMode.REPLACE ? STATUS_KEY_ENOENT : STATUS_NOT_STORED);
                break;
        }
        return packetLength;
    }

    private int processAppendPrepend(final BinaryRequest request, final int available, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (request.extrasLength() != 0 || keyLength == 0)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final long valueLength = request.valueLength();
        if (!fits(keyLength, valueLength))
        {
            return refuseTooLarge(request, out, valueLength);
        }
        final int packetLength = HEADER_LENGTH + (int)request.bodyLength();
        if (available < packetLength)
        {
            bytesNeeded = packetLength;
            return 0;
        }

        final byte opcode = request.opcode();
        final StoreMode mode = opcode == APPEND || opcode == APPENDQ ? StoreMode.APPEND : StoreMode.PREPEND;
        stats.cmdSet++;
        // A non-zero CAS makes the append conditional on the current item's CAS (do_store_item).
        final StoreResult outcome = store.store(
            mode, request.buffer(), request.keyOffset(), keyLength, 0, 0,
            request.buffer(), request.valueOffset(), (int)valueLength,
            request.cas(), Store.NO_CAS, result.reset());

        switch (outcome)
        {
            case STORED:
                if (!isQuiet(opcode))
                {
                    BinaryResponseWriter.ok(out, opcode, request.opaque(), result.cas);
                }
                break;
            case EXISTS:
                error(request, out, STATUS_KEY_EEXISTS);
                break;
            case TOO_LARGE:
                stats.storeTooLarge++;
                error(request, out, STATUS_E2BIG);
                break;
            case NO_MEMORY:
                stats.storeNoMemory++;
                error(request, out, STATUS_ENOMEM);
                break;
            default:
                error(request, out, STATUS_NOT_STORED);
                break;
        }
        return packetLength;
    }

    private int processDelete(final BinaryRequest request, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (keyLength == 0 || request.extrasLength() != 0 || request.bodyLength() != keyLength)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final StoreResult outcome = store.delete(
            request.buffer(), request.keyOffset(), keyLength, request.cas(), false, Store.NO_TOUCH, result.reset());
        switch (outcome)
        {
            case DELETED:
                stats.deleteHits++;
                if (!isQuiet(request.opcode()))
                {
                    BinaryResponseWriter.ok(out, request.opcode(), request.opaque(), 0);
                }
                break;
            case EXISTS:
                error(request, out, STATUS_KEY_EEXISTS);
                break;
            default:
                stats.deleteMisses++;
                error(request, out, STATUS_KEY_ENOENT);
                break;
        }
        return request.headLength();
    }

    /**
     * Increment/Decrement: extras are delta(8), initial(8), expiration(4). A missing counter is created with the
     * initial value (and that value is returned, not initial + delta) unless the expiration is 0xffffffff.
     */
    private int processArithmetic(final BinaryRequest request, final ResponseBuffer out)
    {
        final int keyLength = request.keyLength();
        if (keyLength == 0 || request.extrasLength() != ARITHMETIC_EXTRAS_LENGTH ||
            request.bodyLength() != keyLength + ARITHMETIC_EXTRAS_LENGTH)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final byte opcode = request.opcode();
        final boolean incr = opcode == INCREMENT || opcode == INCREMENTQ;
        final long delta = request.extrasLong(0);
        final long initial = request.extrasLong(8);
        final int expiration = request.extrasInt(16);
        final DirectBuffer buffer = request.buffer();
        final int keyOffset = request.keyOffset();

        StoreResult outcome = store.incrDecr(
            buffer, keyOffset, keyLength, incr, delta, false, 0, 0, request.cas(), result.reset());
        if (outcome == StoreResult.STORED)
        {
            if (incr)
            {
                stats.incrHits++;
            }
            else
            {
                stats.decrHits++;
            }
        }
        else if (outcome == StoreResult.NOT_FOUND)
        {
            if (expiration == NO_AUTO_CREATE)
            {
                if (incr)
                {
                    stats.incrMisses++;
                }
                else
                {
                    stats.decrMisses++;
                }
            }
            else
            {
                outcome = store.incrDecr(
                    buffer, keyOffset, keyLength, incr, delta, true, initial, wireExptime(expiration), Store.NO_CAS,
                    result.reset());
            }
        }

        switch (outcome)
        {
            case STORED:
                if (!isQuiet(opcode))
                {
                    BinaryResponseWriter.header(
                        out, opcode, 0, 0, STATUS_OK, COUNTER_LENGTH, request.opaque(), result.cas);
                    out.putLongBE(result.value);
                }
                break;
            case NOT_FOUND:
                error(request, out, STATUS_KEY_ENOENT);
                break;
            case EXISTS:
                error(request, out, STATUS_KEY_EEXISTS);
                break;
            case NON_NUMERIC:
                error(request, out, STATUS_DELTA_BADVAL);
                break;
            case NO_MEMORY:
                error(request, out, STATUS_ENOMEM);
                break;
            default:
                error(request, out, STATUS_NOT_STORED);
                break;
        }
        return request.headLength();
    }

    private int processNoop(final BinaryRequest request, final ResponseBuffer out)
    {
        if (!hasNoBody(request))
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        BinaryResponseWriter.ok(out, request.opcode(), request.opaque(), 0);
        return HEADER_LENGTH;
    }

    private int processVersion(final BinaryRequest request, final ResponseBuffer out)
    {
        if (!hasNoBody(request))
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        BinaryResponseWriter.okWithValue(out, request.opcode(), request.opaque(), version);
        return HEADER_LENGTH;
    }

    /** Quit answers then closes; QuitQ closes silently. */
    private int processQuit(final BinaryRequest request, final ResponseBuffer out)
    {
        if (!hasNoBody(request))
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        if (request.opcode() == QUIT)
        {
            BinaryResponseWriter.ok(out, request.opcode(), request.opaque(), 0);
        }
        closeRequested = true;
        return HEADER_LENGTH;
    }

    /** Flush with an optional 4-byte expiration (the delay); refused with Auth failure under -F, as memcached. */
    private int processFlush(final BinaryRequest request, final ResponseBuffer out)
    {
        final int extrasLength = request.extrasLength();
        if (request.keyLength() != 0 || request.bodyLength() != extrasLength ||
            (extrasLength != 0 && extrasLength != FLUSH_EXTRAS_LENGTH))
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        if (flushDisabled)
        {
            error(request, out, STATUS_AUTH_ERROR);
            return request.headLength();
        }

        store.flushAll(extrasLength == FLUSH_EXTRAS_LENGTH ? wireExptime(request.extrasInt(0)) : 0);
        stats.cmdFlush++;
        if (!isQuiet(request.opcode()))
        {
            BinaryResponseWriter.ok(out, request.opcode(), request.opaque(), 0);
        }
        return request.headLength();
    }

    /**
     * Stat: one packet per statistic, then an empty one. The key names the group as process_bin_stat reads it:
     * "reset", "settings" and "detail" match as prefixes, "items", "slabs" and "sizes" exactly; anything else
     * (including "conns", which only the text protocol serves) is Not found. Off the data path: may allocate.
     */
    private int processStat(final BinaryRequest request, final ResponseBuffer out)
    {
        if (request.extrasLength() != 0)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }

        final String group = request.buffer().getStringWithoutLengthAscii(request.keyOffset(), request.keyLength());
        final byte opcode = request.opcode();
        final int opaque = request.opaque();
        if (group.isEmpty())
        {
            collectStats(null, out, opcode, opaque);
        }
        else if (group.startsWith("reset"))
        {
            ctx.stats().reset();
            store.resetStats();
        }
        else if (group.startsWith("settings"))
        {
            collectStats("settings", out, opcode, opaque);
        }
        else if (group.startsWith("detail"))
        {
            final String action = group.substring("detail".length());
            if (action.startsWith(" dump"))
            {
                BinaryResponseWriter.stat(out, opcode, opaque, DETAIL_DUMP_NAME, DETAIL_DUMP_VALUE);
            }
            else if (!action.startsWith(" on") && !action.startsWith(" off"))
            {
                error(request, out, STATUS_KEY_ENOENT);
                return request.headLength();
            }
        }
        else if (group.equals("items") || group.equals("slabs") || group.equals("sizes"))
        {
            final int mark = out.writeIndex();
            if (!collectStats(group, out, opcode, opaque))
            {
                out.truncate(mark);
                error(request, out, STATUS_KEY_ENOENT);
                return request.headLength();
            }
        }
        else
        {
            error(request, out, STATUS_KEY_ENOENT);
            return request.headLength();
        }

        BinaryResponseWriter.stat(out, opcode, opaque, EMPTY, EMPTY);
        // memcached does not check the body length: bytes past the key are read as the next request.
        return request.headLength();
    }

    private boolean collectStats(final String group, final ResponseBuffer out, final byte opcode, final int opaque)
    {
        return StatsReport.collect(ctx, group, (name, value) ->
            BinaryResponseWriter.stat(out, opcode, opaque, bytes(name), bytes(value)));
    }

    /** Without SASL configured memcached answers Unknown command (bin_list_sasl_mechs). */
    private int processSaslListMechs(final BinaryRequest request, final ResponseBuffer out)
    {
        if (!hasNoBody(request))
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        error(request, out, STATUS_UNKNOWN_COMMAND);
        return HEADER_LENGTH;
    }

    /** Without SASL configured memcached answers Unknown command and swallows the mechanism data. */
    private int processSaslAuth(final BinaryRequest request, final ResponseBuffer out)
    {
        if (request.extrasLength() != 0 || request.keyLength() == 0)
        {
            return failAndClose(out, request, STATUS_EINVAL);
        }
        error(request, out, STATUS_UNKNOWN_COMMAND);
        swallowRemaining = request.bodyLength() - request.keyLength();
        return request.headLength();
    }

    /**
     * Any other opcode (Verbosity 0x1b included, which memcached 1.6 does not serve in binary): Unknown command,
     * then memcached swallows {@code bodylen} bytes counted from the end of the key, not from the end of the
     * header, so a request with extras or a key eats the start of the next one. Kept for byte-exact behaviour.
     */
    private int processUnknown(final BinaryRequest request, final ResponseBuffer out)
    {
        error(request, out, STATUS_UNKNOWN_COMMAND);
        swallowRemaining = request.bodyLength();
        return request.headLength();
    }

    private int refuseTooLarge(final BinaryRequest request, final ResponseBuffer out, final long valueLength)
    {
        stats.storeTooLarge++;
        error(request, out, STATUS_E2BIG);
        swallowRemaining = valueLength;
        return request.headLength();
    }

    private void countCas(final StoreMode mode, final StoreResult outcome)
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

    private boolean fits(final int keyLength, final long valueLength)
    {
        return valueLength <= Integer.MAX_VALUE - HEADER_LENGTH - keyLength &&
            store.fits(keyLength, (int)valueLength);
    }

    /** Errors are sent whether the opcode is quiet or not. */
    private static void error(final BinaryRequest request, final ResponseBuffer out, final short status)
    {
        BinaryResponseWriter.error(out, request.opcode(), request.opaque(), status);
    }

    /** memcached's handle_binary_protocol_error and the bad-length check: answer, then close after the write. */
    private int failAndClose(final ResponseBuffer out, final BinaryRequest request, final short status)
    {
        error(request, out, status);
        closeRequested = true;
        return request.headLength();
    }

    /**
     * A bad magic sends memcached straight to conn_closing: nothing more is answered and responses still waiting
     * to be written are dropped with the connection.
     */
    private void closeOnBadMagic(final ResponseBuffer out)
    {
        out.truncate(out.readIndex());
        closeRequested = true;
    }

    private static boolean hasNoBody(final BinaryRequest request)
    {
        return request.extrasLength() == 0 && request.keyLength() == 0 && request.bodyLength() == 0;
    }

    private static StoreMode updateMode(final byte opcode)
    {
        switch (opcode)
        {
            case ADD: case ADDQ: return StoreMode.ADD;
            case REPLACE: case REPLACEQ: return StoreMode.REPLACE;
            default: return StoreMode.SET;
        }
    }

    /**
     * Binary expirations are unsigned 32-bit (memcached converts them with ntohl into a time_t), so values of 2^31
     * and above are far-future absolute times, not the "already expired" a negative text exptime means.
     */
    private static int wireExptime(final int raw)
    {
        return raw < 0 ? Integer.MAX_VALUE : raw;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
