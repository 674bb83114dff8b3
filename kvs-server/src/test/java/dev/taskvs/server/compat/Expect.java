package dev.taskvs.server.compat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * When the response to one step is complete: after a number of units, at a unit that ends it (END, MN, a binary
 * Noop), at the server's close, or at once. The reference server must meet it within the deadline; a candidate that
 * does not is reported with what it did send.
 */
public final class Expect
{
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(3);

    enum Kind
    {
        COUNT, UNTIL, EOF, NONE
    }

    final Kind kind;
    final boolean binary;
    final int count;
    final Predicate<byte[]> last;
    final String description;
    final Duration deadline;

    private Expect(
        final Kind kind,
        final boolean binary,
        final int count,
        final Predicate<byte[]> last,
        final String description,
        final Duration deadline)
    {
        this.kind = kind;
        this.binary = binary;
        this.count = count;
        this.last = last;
        this.description = description;
        this.deadline = deadline;
    }

    /** One text line (or one VALUE/VA unit). */
    public static Expect line()
    {
        return lines(1);
    }

    /** {@code n} text units. */
    public static Expect lines(final int n)
    {
        return new Expect(Kind.COUNT, false, n, null, n + " line(s)", DEFAULT_DEADLINE);
    }

    /** Text units up to {@code END}, or up to an error line, whichever comes first. */
    public static Expect end()
    {
        return new Expect(Kind.UNTIL, false, 0, unit -> isLine(unit, "END") || isError(unit), "END or error",
            DEFAULT_DEADLINE);
    }

    /** Text units up to the line {@code line} (without CRLF), inclusive. */
    public static Expect until(final String line)
    {
        return new Expect(Kind.UNTIL, false, 0, unit -> isLine(unit, line), "until " + line, DEFAULT_DEADLINE);
    }

    /** Everything until the server closes the connection. */
    public static Expect eof()
    {
        return new Expect(Kind.EOF, false, 0, null, "close", DEFAULT_DEADLINE);
    }

    /** Everything until the server closes the connection, read as binary packets. */
    public static Expect binaryEof()
    {
        return new Expect(Kind.EOF, true, 0, null, "close", DEFAULT_DEADLINE);
    }

    /** Nothing is read (the next step's response shows whether something was sent). */
    public static Expect none()
    {
        return new Expect(Kind.NONE, false, 0, null, "nothing", DEFAULT_DEADLINE);
    }

    /** {@code n} binary packets. */
    public static Expect packets(final int n)
    {
        return new Expect(Kind.COUNT, true, n, null, n + " packet(s)", DEFAULT_DEADLINE);
    }

    /** Binary packets up to a response with this opcode, inclusive. */
    public static Expect untilOpcode(final int opcode)
    {
        return new Expect(Kind.UNTIL, true, 0, unit -> unit.length >= 24 && Framing.u8(unit, 1) == opcode,
            String.format("until opcode 0x%02x", opcode), DEFAULT_DEADLINE);
    }

    /** Binary STAT packets up to the closing one with an empty key. */
    public static Expect statsEnd()
    {
        return new Expect(Kind.UNTIL, true, 0,
            unit -> unit.length >= 24 && (Framing.u16(unit, 2) == 0 || Framing.u8(unit, 1) != 0x10),
            "until the empty STAT", DEFAULT_DEADLINE);
    }

    public Expect within(final Duration newDeadline)
    {
        return new Expect(kind, binary, count, last, description, newDeadline);
    }

    boolean done(final List<byte[]> units)
    {
        switch (kind)
        {
            case NONE:
                return true;
            case COUNT:
                return units.size() >= count;
            case UNTIL:
                return !units.isEmpty() && last.test(units.get(units.size() - 1));
            default:
                return false;
        }
    }

    static boolean isLine(final byte[] unit, final String line)
    {
        return new String(unit, StandardCharsets.ISO_8859_1).equals(line + "\r\n");
    }

    static boolean isError(final byte[] unit)
    {
        final String s = new String(unit, StandardCharsets.ISO_8859_1);
        return s.startsWith("ERROR") || s.startsWith("CLIENT_ERROR") || s.startsWith("SERVER_ERROR");
    }

    @Override
    public String toString()
    {
        return description;
    }
}
