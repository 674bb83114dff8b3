package dev.taskvs.server.compat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.ToLongFunction;

/**
 * Binary-protocol request packets for scenarios: a 24-byte header (magic 0x80, big-endian) then extras, key and
 * value. The CAS field may come from what the server answered earlier in the conversation.
 */
public final class Bin
{
    public static final int GET = 0x00;
    public static final int SET = 0x01;
    public static final int ADD = 0x02;
    public static final int REPLACE = 0x03;
    public static final int DELETE = 0x04;
    public static final int INCREMENT = 0x05;
    public static final int DECREMENT = 0x06;
    public static final int QUIT = 0x07;
    public static final int FLUSH = 0x08;
    public static final int GETQ = 0x09;
    public static final int NOOP = 0x0A;
    public static final int VERSION = 0x0B;
    public static final int GETK = 0x0C;
    public static final int GETKQ = 0x0D;
    public static final int APPEND = 0x0E;
    public static final int PREPEND = 0x0F;
    public static final int STAT = 0x10;
    public static final int SETQ = 0x11;
    public static final int ADDQ = 0x12;
    public static final int REPLACEQ = 0x13;
    public static final int DELETEQ = 0x14;
    public static final int INCREMENTQ = 0x15;
    public static final int DECREMENTQ = 0x16;
    public static final int QUITQ = 0x17;
    public static final int FLUSHQ = 0x18;
    public static final int APPENDQ = 0x19;
    public static final int PREPENDQ = 0x1A;
    public static final int VERBOSITY = 0x1B;
    public static final int TOUCH = 0x1C;
    public static final int GAT = 0x1D;
    public static final int GATQ = 0x1E;
    public static final int SASL_LIST_MECHS = 0x20;
    public static final int GATK = 0x23;
    public static final int GATKQ = 0x24;

    private Bin()
    {
    }

    public static Packet op(final int opcode)
    {
        return new Packet(opcode);
    }

    public static Packet get(final int opcode, final String key)
    {
        return op(opcode).key(key);
    }

    /** set/add/replace (or their quiet forms) with flags and exptime extras. */
    public static Packet store(final int opcode, final String key, final int flags, final int exptime, final String value)
    {
        return op(opcode).key(key).extras(ByteBuffer.allocate(8).putInt(flags).putInt(exptime).array()).value(value);
    }

    /** incr/decr (or quiet forms) with delta, initial and exptime extras. */
    public static Packet arith(final int opcode, final String key, final long delta, final long initial, final int exptime)
    {
        return op(opcode).key(key)
            .extras(ByteBuffer.allocate(20).putLong(delta).putLong(initial).putInt(exptime).array());
    }

    /** touch/gat/gatq/gatk/gatkq with an exptime extra. */
    public static Packet touch(final int opcode, final String key, final int exptime)
    {
        return op(opcode).key(key).extras(ByteBuffer.allocate(4).putInt(exptime).array());
    }

    /** A single request packet; immutable builder. */
    public static final class Packet
    {
        final int magic;
        final int opcode;
        final byte[] extras;
        final byte[] key;
        final byte[] value;
        final int opaque;
        final int dataType;
        final int vbucket;
        final ToLongFunction<ServerState> cas;
        final String casLabel;
        final Integer bodyLengthOverride;
        final Integer keyLengthOverride;

        Packet(final int opcode)
        {
            this(0x80, opcode, new byte[0], new byte[0], new byte[0], 0, 0, 0, s -> 0L, "", null, null);
        }

        private Packet(
            final int magic,
            final int opcode,
            final byte[] extras,
            final byte[] key,
            final byte[] value,
            final int opaque,
            final int dataType,
            final int vbucket,
            final ToLongFunction<ServerState> cas,
            final String casLabel,
            final Integer bodyLengthOverride,
            final Integer keyLengthOverride)
        {
            this.magic = magic;
            this.opcode = opcode;
            this.extras = extras;
            this.key = key;
            this.value = value;
            this.opaque = opaque;
            this.dataType = dataType;
            this.vbucket = vbucket;
            this.cas = cas;
            this.casLabel = casLabel;
            this.bodyLengthOverride = bodyLengthOverride;
            this.keyLengthOverride = keyLengthOverride;
        }

        private Packet with(
            final byte[] newExtras,
            final byte[] newKey,
            final byte[] newValue,
            final int newOpaque,
            final ToLongFunction<ServerState> newCas,
            final String newCasLabel)
        {
            return new Packet(magic, opcode, newExtras, newKey, newValue, newOpaque, dataType, vbucket, newCas,
                newCasLabel, bodyLengthOverride, keyLengthOverride);
        }

        public Packet key(final String newKey)
        {
            return with(extras, newKey.getBytes(StandardCharsets.ISO_8859_1), value, opaque, cas, casLabel);
        }

        public Packet extras(final byte[] newExtras)
        {
            return with(newExtras, key, value, opaque, cas, casLabel);
        }

        public Packet value(final String newValue)
        {
            return value(newValue.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Packet value(final byte[] newValue)
        {
            return with(extras, key, newValue, opaque, cas, casLabel);
        }

        public Packet opaque(final int newOpaque)
        {
            return with(extras, key, value, newOpaque, cas, casLabel);
        }

        public Packet cas(final long fixed)
        {
            return with(extras, key, value, opaque, s -> fixed, " cas=" + fixed);
        }

        /** The CAS the server last reported in this conversation, plus {@code delta}. */
        public Packet lastCas(final long delta)
        {
            return with(extras, key, value, opaque, s -> s.lastCas() + delta,
                " cas=last" + (delta == 0 ? "" : (delta > 0 ? "+" : "") + delta));
        }

        public Packet magic(final int newMagic)
        {
            return new Packet(newMagic, opcode, extras, key, value, opaque, dataType, vbucket, cas, casLabel,
                bodyLengthOverride, keyLengthOverride);
        }

        public Packet dataType(final int newDataType)
        {
            return new Packet(magic, opcode, extras, key, value, opaque, newDataType, vbucket, cas, casLabel,
                bodyLengthOverride, keyLengthOverride);
        }

        /** Declares this total body length in the header whatever the body holds (malformed-packet tests). */
        public Packet bodyLength(final int declared)
        {
            return new Packet(magic, opcode, extras, key, value, opaque, dataType, vbucket, cas, casLabel, declared,
                keyLengthOverride);
        }

        /** Declares this key length in the header whatever the key is (malformed-packet tests). */
        public Packet keyLength(final int declared)
        {
            return new Packet(magic, opcode, extras, key, value, opaque, dataType, vbucket, cas, casLabel,
                bodyLengthOverride, declared);
        }

        byte[] bytes(final ServerState state)
        {
            final int body = extras.length + key.length + value.length;
            final ByteBuffer out = ByteBuffer.allocate(24 + body);
            out.put((byte)magic)
                .put((byte)opcode)
                .putShort((short)(keyLengthOverride != null ? keyLengthOverride : key.length))
                .put((byte)extras.length)
                .put((byte)dataType)
                .putShort((short)vbucket)
                .putInt(bodyLengthOverride != null ? bodyLengthOverride : body)
                .putInt(opaque)
                .putLong(cas.applyAsLong(state))
                .put(extras)
                .put(key)
                .put(value);
            return out.array();
        }

        @Override
        public String toString()
        {
            final StringBuilder s = new StringBuilder(String.format("[op=0x%02x", opcode));
            if (magic != 0x80)
            {
                s.append(String.format(" magic=0x%02x", magic));
            }
            if (key.length > 0)
            {
                s.append(" key=").append(Framing.escape(key, 40));
            }
            if (extras.length > 0)
            {
                s.append(" ext=").append(hex(extras));
            }
            if (value.length > 0)
            {
                s.append(" val=").append(Framing.escape(value, 40));
            }
            if (opaque != 0)
            {
                s.append(String.format(" opq=0x%08x", opaque));
            }
            s.append(casLabel);
            if (bodyLengthOverride != null)
            {
                s.append(" bodylen=").append(bodyLengthOverride);
            }
            if (keyLengthOverride != null)
            {
                s.append(" keylen=").append(keyLengthOverride);
            }
            return s.append(']').toString();
        }
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder s = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            s.append(String.format("%02x", b & 0xFF));
        }
        return s.toString();
    }
}
