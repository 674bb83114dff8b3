package dev.taskvs.server.compat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns response units into two renderings: the one compared (CAS values as first-seen ordinals, clock values as
 * placeholders, VERSION and STAT values dropped, general STAT names as a sorted set) and the one shown to a reader
 * (the bytes as they came, escaped).
 */
final class Renderer
{
    private static final Pattern META_CODE = Pattern.compile("^(HD|VA|EN|NS|EX|NF|MN)( .*)?$");
    private static final Pattern NUMERIC_SEGMENT = Pattern.compile("(^|:)\\d+(?=:)");

    private Renderer()
    {
    }

    /** Renders a whole step's units; consecutive STAT units (text or binary) collapse to their sorted names. */
    static void render(final List<byte[]> units, final boolean binary, final ServerState state,
        final StringBuilder compare, final StringBuilder display)
    {
        TreeSet<String> statNames = null;
        for (final byte[] unit : units)
        {
            final String statName = binary ? binaryStatName(unit) : textStatName(unit);
            if (statName != null)
            {
                if (statNames == null)
                {
                    statNames = new TreeSet<>();
                }
                statNames.add(NUMERIC_SEGMENT.matcher(statName).replaceAll("$1N"));
                display.append("  < ").append(binary ? binaryDisplay(unit) : Framing.escape(unit, 300)).append('\n');
                continue;
            }
            if (statNames != null)
            {
                compare.append("  < STAT names ").append(statNames).append('\n');
                statNames = null;
            }
            compare.append("  < ").append(binary ? binaryCompare(unit, state) : textCompare(unit, state)).append('\n');
            display.append("  < ").append(binary ? binaryDisplay(unit) : Framing.escape(unit, 300)).append('\n');
        }
        if (statNames != null)
        {
            compare.append("  < STAT names ").append(statNames).append('\n');
        }
    }

    private static String textStatName(final byte[] unit)
    {
        final String s = new String(unit, StandardCharsets.ISO_8859_1);
        if (!s.startsWith("STAT "))
        {
            return null;
        }
        final String line = Framing.stripEol(s);
        final int space = line.indexOf(' ', 5);
        return space < 0 ? line.substring(5) : line.substring(5, space);
    }

    private static String binaryStatName(final byte[] unit)
    {
        if (unit.length < 24 || Framing.u8(unit, 1) != Bin.STAT || Framing.u16(unit, 6) != 0)
        {
            return null;
        }
        final int keyLength = Framing.u16(unit, 2);
        final int extrasLength = Framing.u8(unit, 4);
        if (keyLength == 0 || unit.length < 24 + extrasLength + keyLength)
        {
            return null;
        }
        return new String(unit, 24 + extrasLength, keyLength, StandardCharsets.ISO_8859_1);
    }

    static String textCompare(final byte[] unit, final ServerState state)
    {
        final String s = new String(unit, StandardCharsets.ISO_8859_1);
        final int nl = s.indexOf('\n');
        final String headerLine = nl < 0 ? s : s.substring(0, nl + 1);
        final String rest = nl < 0 ? "" : s.substring(nl + 1);
        final String header = Framing.stripEol(headerLine);
        final String eol = headerLine.substring(header.length());
        final String normalized;
        if (header.startsWith("VALUE "))
        {
            normalized = valueLine(header, state);
        }
        else if (header.startsWith("VERSION "))
        {
            normalized = "VERSION <version>";
        }
        else if (header.startsWith("ME "))
        {
            normalized = metaDebugLine(header, state);
        }
        else if (META_CODE.matcher(header).matches())
        {
            normalized = metaLine(header, state);
        }
        else
        {
            normalized = header;
        }
        final byte[] out = (normalized + eol + rest).getBytes(StandardCharsets.ISO_8859_1);
        return Framing.escape(out, 300);
    }

    private static String valueLine(final String header, final ServerState state)
    {
        final String[] tokens = header.split(" ", -1);
        if (tokens.length == 5)
        {
            state.casForKey(tokens[1], tokens[4]);
            tokens[4] = state.casToken(tokens[4]);
        }
        return String.join(" ", tokens);
    }

    private static String metaLine(final String header, final ServerState state)
    {
        final String[] tokens = header.split(" ", -1);
        final int firstFlag = tokens[0].equals("VA") ? 2 : 1;
        for (int i = firstFlag; i < tokens.length; i++)
        {
            final String token = tokens[i];
            if (token.isEmpty())
            {
                continue;
            }
            final char flag = token.charAt(0);
            final String value = token.substring(1);
            if (flag == 'c')
            {
                tokens[i] = "c" + state.casToken(value);
            }
            else if ((flag == 't' && !value.equals("-1")) || flag == 'l')
            {
                tokens[i] = flag + state.clock(value);
            }
        }
        return String.join(" ", tokens);
    }

    private static String metaDebugLine(final String header, final ServerState state)
    {
        final String[] tokens = header.split(" ", -1);
        for (int i = 2; i < tokens.length; i++)
        {
            final String token = tokens[i];
            final int eq = token.indexOf('=');
            if (eq < 0)
            {
                continue;
            }
            final String name = token.substring(0, eq);
            final String value = token.substring(eq + 1);
            switch (name)
            {
                case "exp":
                    tokens[i] = value.equals("-1") ? token : "exp=" + state.clock(value);
                    break;
                case "la":
                    tokens[i] = "la=" + state.clock(value);
                    break;
                case "cas":
                    tokens[i] = "cas=" + state.casToken(value);
                    break;
                case "cls":
                case "size":
                    tokens[i] = name + "=<server-specific>";
                    break;
                default:
                    break;
            }
        }
        return String.join(" ", tokens);
    }

    static String binaryCompare(final byte[] unit, final ServerState state)
    {
        return binary(unit, state);
    }

    static String binaryDisplay(final byte[] unit)
    {
        return binary(unit, null);
    }

    /** One packet as text; with a state, normalized for comparison. */
    private static String binary(final byte[] unit, final ServerState state)
    {
        if (unit.length < 24)
        {
            return "<short packet " + Bin.hex(unit) + ">";
        }
        final int magic = Framing.u8(unit, 0);
        final int opcode = Framing.u8(unit, 1);
        final int keyLength = Framing.u16(unit, 2);
        final int extrasLength = Framing.u8(unit, 4);
        final int dataType = Framing.u8(unit, 5);
        final int status = Framing.u16(unit, 6);
        final long bodyLength = Framing.u32(unit, 8);
        final long opaque = Framing.u32(unit, 12);
        final long cas = Framing.u64(unit, 16);
        final StringBuilder s = new StringBuilder(String.format("[magic=0x%02x op=0x%02x status=0x%04x", magic, opcode,
            status));
        if (dataType != 0)
        {
            s.append(" datatype=").append(dataType);
        }
        s.append(String.format(" opq=0x%08x", opaque));
        s.append(" cas=").append(state == null ? Long.toUnsignedString(cas) : state.casToken(cas));
        if (extrasLength + keyLength > bodyLength || 24 + bodyLength != unit.length)
        {
            return s.append(" malformed keylen=").append(keyLength).append(" extlen=").append(extrasLength)
                .append(" bodylen=").append(bodyLength).append(" body=").append(Bin.hex(unit)).append(']').toString();
        }
        int at = 24;
        if (extrasLength > 0)
        {
            final byte[] extras = java.util.Arrays.copyOfRange(unit, at, at + extrasLength);
            s.append(" ext=").append(Bin.hex(extras));
            at += extrasLength;
        }
        if (keyLength > 0)
        {
            s.append(" key=\"").append(Framing.escape(unit, at, keyLength, 300)).append('"');
            at += keyLength;
        }
        final int valueLength = unit.length - at;
        if (valueLength > 0)
        {
            if (state != null && opcode == Bin.VERSION && status == 0)
            {
                s.append(" val=<version>");
            }
            else if (state != null && opcode == Bin.STAT && status == 0)
            {
                s.append(" val=<stat value>");
            }
            else if ((opcode == Bin.INCREMENT || opcode == Bin.DECREMENT || opcode == Bin.INCREMENTQ
                || opcode == Bin.DECREMENTQ) && status == 0 && valueLength == 8)
            {
                s.append(" val=u64:").append(Long.toUnsignedString(Framing.u64(unit, at)));
            }
            else
            {
                s.append(" val=\"").append(Framing.escape(unit, at, valueLength, 300)).append('"');
            }
        }
        return s.append(']').toString();
    }
}
