package dev.taskvs.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskvs.client.codec.Ascii;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseKind;
import dev.taskvs.client.codec.binary.BinaryProtocol;
import dev.taskvs.client.codec.meta.MetaCommand;
import dev.taskvs.client.codec.meta.MetaRequestEncoder;
import dev.taskvs.client.codec.text.TextCommand;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * The commands of the convenience clients, each written for all three protocols. Replies are mapped to one
 * meaning whatever the protocol (see {@link StoreResult}).
 */
final class Operations
{
    /** Binary incr/decr exptime that makes a missing counter a NOT_FOUND instead of creating it. */
    private static final int NO_AUTO_CREATE = 0xFFFF_FFFF;

    private Operations()
    {
    }

    static byte[] key(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** get, gets, gat, gats of one key. */
    static final class Get extends Operation<Item>
    {
        private static final byte[] META_FLAGS = Ascii.bytes("v f c");

        private final byte[] key;
        private final boolean withCas;
        private final boolean touch;
        private final int exptime;
        private Item item;

        Get(final byte[] key, final boolean withCas, final boolean touch, final int exptime)
        {
            this.key = key;
            this.withCas = withCas;
            this.touch = touch;
            this.exptime = exptime;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT:
                {
                    final TextCommand command = touch ?
                        (withCas ? TextCommand.GATS : TextCommand.GAT) : (withCas ? TextCommand.GETS : TextCommand.GET);
                    return codecs.text.retrieval(dst, index, command, exptime, key);
                }
                case META:
                {
                    final MetaRequestEncoder meta = codecs.meta;
                    int i = meta.begin(dst, index, MetaCommand.GET, key);
                    i = meta.flags(dst, i, META_FLAGS);
                    if (touch)
                    {
                        i = meta.flag(dst, i, 'T', exptime);
                    }
                    i = meta.flag(dst, i, 'O', opaque);
                    return meta.end(dst, i);
                }
                default:
                    return touch ?
                        codecs.binary.touch(dst, index, BinaryProtocol.GAT, key, exptime, opaque) :
                        codecs.binary.get(dst, index, BinaryProtocol.GET, key, opaque);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case VALUE:
                    item = itemOf(response, withCas);
                    if (protocol == Protocol.TEXT)
                    {
                        return false;
                    }
                    future.complete(item);
                    return true;
                case VA:
                    future.complete(itemOf(response, withCas));
                    return true;
                case END:
                    future.complete(item);
                    return true;
                case EN:
                case NOT_FOUND:
                    future.complete(null);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** get/gets of many keys: one text line; meta {@code mg ... q k} per key then {@code mn}; binary GetKQ then Noop. */
    static final class MultiGet extends Operation<Map<String, Item>>
    {
        private static final byte[] META_FLAGS = Ascii.bytes("v f c k q");

        private final List<String> keys;
        private final boolean withCas;
        private final Map<String, Item> items = new LinkedHashMap<>();
        private MemcachedException error;

        MultiGet(final List<String> keys, final boolean withCas)
        {
            this.keys = keys;
            this.withCas = withCas;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            int i = index;
            switch (codecs.protocol)
            {
                case TEXT:
                    i = codecs.text.beginRetrieval(dst, i, withCas ? TextCommand.GETS : TextCommand.GET, 0);
                    for (final String key : keys)
                    {
                        i = codecs.text.appendKey(dst, i, key(key));
                    }
                    return codecs.text.endLine(dst, i);
                case META:
                    for (final String key : keys)
                    {
                        i = codecs.meta.get(dst, i, key(key), META_FLAGS, opaque);
                    }
                    return codecs.meta.noop(dst, i);
                default:
                    for (final String key : keys)
                    {
                        i = codecs.binary.get(dst, i, BinaryProtocol.GETKQ, key(key), opaque);
                    }
                    return codecs.binary.noop(dst, i, opaque);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            final ResponseKind kind = response.kind();
            if (kind.isError() || kind == ResponseKind.NOT_FOUND && protocol == Protocol.BINARY)
            {
                if (protocol == Protocol.TEXT)
                {
                    return failOnError(response);
                }
                if (kind.isError() && error == null)
                {
                    error = errorOf(response);
                }
                return false;
            }
            switch (kind)
            {
                case VALUE:
                case VA:
                    items.put(response.keyAsString(), itemOf(response, withCas));
                    return false;
                case END:
                case MN:
                case NOOP:
                    if (error != null)
                    {
                        future.completeExceptionally(error);
                    }
                    else
                    {
                        future.complete(items);
                    }
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** set, add, replace, append, prepend, cas. */
    static final class Store extends Operation<StoreResult>
    {
        private final TextCommand command;
        private final byte[] key;
        private final byte[] value;
        private final int flags;
        private final int exptime;
        private final long cas;
        private final boolean quiet;

        Store(final TextCommand command, final byte[] key, final byte[] value, final int flags, final int exptime,
            final long cas)
        {
            this(command, key, value, flags, exptime, cas, false);
        }

        /** {@code quiet}: binary SetQ/AddQ/..., meta {@code q}; the text protocol's noreply is never used. */
        Store(final TextCommand command, final byte[] key, final byte[] value, final int flags, final int exptime,
            final long cas, final boolean quiet)
        {
            this.quiet = quiet;
            this.command = command;
            this.key = key;
            this.value = value;
            this.flags = flags;
            this.exptime = exptime;
            this.cas = cas;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT:
                    // noreply would leave an error reply unattributable: text stores always wait for the reply.
                    return codecs.text.storage(dst, index, command, key, flags, exptime, value, cas, false);
                case META:
                    return encodeMeta(codecs.meta, dst, index);
                default:
                    return encodeBinary(codecs, dst, index);
            }
        }

        private int encodeMeta(final MetaRequestEncoder meta, final ExpandableDirectByteBuffer dst, final int index)
        {
            int i = meta.begin(dst, index, MetaCommand.SET, key);
            i = meta.dataLength(dst, i, value.length);
            if (command != TextCommand.APPEND && command != TextCommand.PREPEND)
            {
                i = meta.unsignedFlag(dst, i, 'F', flags & 0xFFFF_FFFFL);
                i = meta.flag(dst, i, 'T', exptime);
            }
            switch (command)
            {
                case ADD: i = meta.modeFlag(dst, i, 'M', 'E'); break;
                case REPLACE: i = meta.modeFlag(dst, i, 'M', 'R'); break;
                case APPEND: i = meta.modeFlag(dst, i, 'M', 'A'); break;
                case PREPEND: i = meta.modeFlag(dst, i, 'M', 'P'); break;
                case CAS: i = meta.unsignedFlag(dst, i, 'C', cas); break;
                default: break;
            }
            if (quiet)
            {
                i = meta.flag(dst, i, 'q');
            }
            i = meta.flag(dst, i, 'O', opaque);
            i = meta.end(dst, i);
            dst.putBytes(i, value);
            return Ascii.putCrLf(dst, i + value.length);
        }

        private int encodeBinary(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (command)
            {
                case APPEND:
                    return codecs.binary.concat(
                        dst, index, quiet ? BinaryProtocol.APPENDQ : BinaryProtocol.APPEND, key, value, opaque, 0);
                case PREPEND:
                    return codecs.binary.concat(
                        dst, index, quiet ? BinaryProtocol.PREPENDQ : BinaryProtocol.PREPEND, key, value, opaque, 0);
                case ADD:
                    return codecs.binary.store(dst, index, quiet ? BinaryProtocol.ADDQ : BinaryProtocol.ADD, key,
                        flags, exptime, value, opaque, 0);
                case REPLACE:
                    return codecs.binary.store(dst, index, quiet ? BinaryProtocol.REPLACEQ : BinaryProtocol.REPLACE,
                        key, flags, exptime, value, opaque, 0);
                default:
                    return codecs.binary.store(dst, index, quiet ? BinaryProtocol.SETQ : BinaryProtocol.SET, key,
                        flags, exptime, value, opaque, command == TextCommand.CAS ? cas : 0);
            }
        }

        @Override
        boolean isQuiet()
        {
            return quiet;
        }

        @Override
        void completeQuietly()
        {
            future.complete(StoreResult.STORED);
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            final StoreResult result;
            switch (response.kind())
            {
                case STORED:
                case HD:
                    result = StoreResult.STORED;
                    break;
                case NOT_STORED:
                case NS:
                    result = StoreResult.NOT_STORED;
                    break;
                case EXISTS:
                case EX:
                    // Binary add on an existing key says KEY_EEXISTS where text says NOT_STORED.
                    result = command == TextCommand.ADD ? StoreResult.NOT_STORED : StoreResult.EXISTS;
                    break;
                case NOT_FOUND:
                case NF:
                    // Binary replace on a missing key says KEY_ENOENT where text says NOT_STORED.
                    result = command == TextCommand.CAS ? StoreResult.NOT_FOUND : StoreResult.NOT_STORED;
                    break;
                default:
                    return unexpected(response);
            }
            future.complete(result);
            return true;
        }
    }

    /** delete: true when deleted, false when not found. */
    static final class Delete extends Operation<Boolean>
    {
        private final byte[] key;

        Delete(final byte[] key)
        {
            this.key = key;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT:
                    return codecs.text.delete(dst, index, key, false);
                case META:
                {
                    final int i = codecs.meta.begin(dst, index, MetaCommand.DELETE, key);
                    return codecs.meta.end(dst, codecs.meta.flag(dst, i, 'O', opaque));
                }
                default:
                    return codecs.binary.delete(dst, index, BinaryProtocol.DELETE, key, opaque, 0);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case DELETED:
                case HD:
                    future.complete(Boolean.TRUE);
                    return true;
                case NOT_FOUND:
                case NF:
                    future.complete(Boolean.FALSE);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** incr/decr: the new value, or null when the key is missing (it is never created). */
    static final class Arithmetic extends Operation<Long>
    {
        private final boolean increment;
        private final byte[] key;
        private final long delta;

        Arithmetic(final boolean increment, final byte[] key, final long delta)
        {
            this.increment = increment;
            this.key = key;
            this.delta = delta;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT:
                    return codecs.text.arithmetic(
                        dst, index, increment ? TextCommand.INCR : TextCommand.DECR, key, delta, false);
                case META:
                {
                    final MetaRequestEncoder meta = codecs.meta;
                    int i = meta.begin(dst, index, MetaCommand.ARITHMETIC, key);
                    i = meta.flag(dst, i, 'v');
                    i = meta.unsignedFlag(dst, i, 'D', delta);
                    if (!increment)
                    {
                        i = meta.modeFlag(dst, i, 'M', 'D');
                    }
                    i = meta.flag(dst, i, 'O', opaque);
                    return meta.end(dst, i);
                }
                default:
                    return codecs.binary.arithmetic(dst, index,
                        increment ? BinaryProtocol.INCREMENT : BinaryProtocol.DECREMENT, key, delta, 0,
                        NO_AUTO_CREATE, opaque);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case NUMBER:
                    future.complete(response.number());
                    return true;
                case VA:
                {
                    final long value = Ascii.parseUnsignedLong(
                        response.buffer(), response.valueOffset(), response.valueLength());
                    if (!Ascii.isUnsignedDecimal(response.buffer(), response.valueOffset(), response.valueLength()))
                    {
                        return unexpected(response);
                    }
                    future.complete(value);
                    return true;
                }
                case NOT_FOUND:
                case NF:
                    future.complete(null);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** touch: true when touched, false when not found. */
    static final class Touch extends Operation<Boolean>
    {
        private final byte[] key;
        private final int exptime;

        Touch(final byte[] key, final int exptime)
        {
            this.key = key;
            this.exptime = exptime;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT:
                    return codecs.text.touch(dst, index, key, exptime, false);
                case META:
                {
                    int i = codecs.meta.begin(dst, index, MetaCommand.GET, key);
                    i = codecs.meta.flag(dst, i, 'T', exptime);
                    i = codecs.meta.flag(dst, i, 'O', opaque);
                    return codecs.meta.end(dst, i);
                }
                default:
                    return codecs.binary.touch(dst, index, BinaryProtocol.TOUCH, key, exptime, opaque);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case TOUCHED:
                case HD:
                    future.complete(Boolean.TRUE);
                    return true;
                case NOT_FOUND:
                case EN:
                    future.complete(Boolean.FALSE);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** flush_all, optionally delayed (meta has no flush of its own: it sends the classic command). */
    static final class Flush extends Operation<Void>
    {
        private final int delay;
        private final boolean delayed;

        Flush(final int delay, final boolean delayed)
        {
            this.delay = delay;
            this.delayed = delayed;
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            if (codecs.protocol == Protocol.BINARY)
            {
                return delayed ?
                    codecs.binary.flush(dst, index, BinaryProtocol.FLUSH, delay, opaque) :
                    codecs.binary.flush(dst, index, BinaryProtocol.FLUSH, opaque);
            }
            return delayed ? codecs.text.flushAll(dst, index, delay, false) : codecs.text.flushAll(dst, index, false);
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            if (response.kind() != ResponseKind.OK)
            {
                return unexpected(response);
            }
            future.complete(null);
            return true;
        }
    }

    /** version (classic {@code version} on meta connections). */
    static final class Version extends Operation<String>
    {
        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            return codecs.protocol == Protocol.BINARY ?
                codecs.binary.version(dst, index, opaque) : codecs.text.version(dst, index);
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            if (response.kind() != ResponseKind.VERSION)
            {
                return unexpected(response);
            }
            future.complete(response.messageAsString());
            return true;
        }
    }

    /** stats [group]: name to value, in the server's order. */
    static final class Stats extends Operation<Map<String, String>>
    {
        private final byte[] group;
        private final Map<String, String> stats = new LinkedHashMap<>();

        Stats(final String group)
        {
            this.group = key(group);
        }

        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            return codecs.protocol == Protocol.BINARY ?
                codecs.binary.stat(dst, index, group, opaque) : codecs.text.stats(dst, index, group);
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case STAT:
                    stats.put(response.keyAsString(), response.valueAsString());
                    return false;
                case END:
                case RESET:
                    future.complete(stats);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    /** A round trip that proves every earlier reply arrived: meta {@code mn}, binary Noop, text {@code version}. */
    static final class Noop extends Operation<Void>
    {
        @Override
        int encode(final Codecs codecs, final ExpandableDirectByteBuffer dst, final int index)
        {
            switch (codecs.protocol)
            {
                case TEXT: return codecs.text.version(dst, index);
                case META: return codecs.meta.noop(dst, index);
                default: return codecs.binary.noop(dst, index, opaque);
            }
        }

        @Override
        boolean onResponse(final Protocol protocol, final Response response)
        {
            if (failOnError(response))
            {
                return true;
            }
            switch (response.kind())
            {
                case VERSION:
                case MN:
                case NOOP:
                    future.complete(null);
                    return true;
                default:
                    return unexpected(response);
            }
        }
    }

    static Item itemOf(final Response response, final boolean withCas)
    {
        return new Item(response.valueBytes(), response.flags(), withCas ? response.cas() : 0);
    }
}
