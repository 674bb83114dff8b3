package dev.taskvs.client.codec.text;

import dev.taskvs.client.codec.Ascii;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.ResponseKind;
import org.agrona.DirectBuffer;

/**
 * Decodes classic text-protocol responses strictly: every line must end in {@code \r\n}, every data block must be
 * followed by {@code \r\n}, and only the reply lines memcached 1.6 sends are accepted (protocol.txt "Error
 * strings", "Storage commands", "Retrieval command", "Deletion", "Increment/Decrement", "Touch", "Statistics").
 * <p>
 * A multi-line reply arrives as several units: each {@code VALUE} (with its data) or {@code STAT} line, then
 * {@code END}.
 */
public final class TextResponseDecoder implements ResponseDecoder
{
    /** Longest reply line accepted without its end; memcached's longest lines (STAT, errors) are far shorter. */
    public static final int MAX_LINE_LENGTH = 8192;

    private static final byte[] VALUE = Ascii.bytes("VALUE");
    private static final byte[] END = Ascii.bytes("END");
    private static final byte[] STORED = Ascii.bytes("STORED");
    private static final byte[] NOT_STORED = Ascii.bytes("NOT_STORED");
    private static final byte[] EXISTS = Ascii.bytes("EXISTS");
    private static final byte[] NOT_FOUND = Ascii.bytes("NOT_FOUND");
    private static final byte[] DELETED = Ascii.bytes("DELETED");
    private static final byte[] TOUCHED = Ascii.bytes("TOUCHED");
    private static final byte[] OK = Ascii.bytes("OK");
    private static final byte[] RESET = Ascii.bytes("RESET");
    private static final byte[] VERSION = Ascii.bytes("VERSION");
    private static final byte[] STAT = Ascii.bytes("STAT");
    private static final byte[] ERROR = Ascii.bytes("ERROR");
    private static final byte[] CLIENT_ERROR = Ascii.bytes("CLIENT_ERROR");
    private static final byte[] SERVER_ERROR = Ascii.bytes("SERVER_ERROR");

    private int pendingUnitLength;

    @Override
    public int pendingUnitLength()
    {
        return pendingUnitLength;
    }

    @Override
    public int decode(final DirectBuffer buffer, final int offset, final int length, final Response response)
    {
        pendingUnitLength = 0;
        final int limit = offset + length;
        final int lf = Ascii.indexOfLf(buffer, offset, limit);
        if (lf < 0)
        {
            return length > MAX_LINE_LENGTH ? malformed(response, "reply line longer than " + MAX_LINE_LENGTH) : 0;
        }
        if (lf == offset || buffer.getByte(lf - 1) != Ascii.CR)
        {
            return malformed(response, "reply line not terminated by CRLF");
        }
        final int lineEnd = lf - 1;
        final int lineLength = lf + 1 - offset;
        response.reset();
        response.buffer(buffer);
        final int wordEnd = Ascii.indexOfSpaceOrEnd(buffer, offset, lineEnd);
        final int wordLength = wordEnd - offset;
        final byte first = buffer.getByte(offset);
        switch (first)
        {
            case 'V':
                if (Ascii.regionEquals(buffer, offset, wordLength, VALUE))
                {
                    return decodeValue(buffer, offset, wordEnd, lineEnd, lineLength, limit, response);
                }
                if (Ascii.regionEquals(buffer, offset, wordLength, VERSION) && wordEnd < lineEnd)
                {
                    response.message(wordEnd + 1, lineEnd - wordEnd - 1);
                    return simple(response, ResponseKind.VERSION, lineLength);
                }
                break;
            case 'E':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, END))
                {
                    return simple(response, ResponseKind.END, lineLength);
                }
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, EXISTS))
                {
                    return simple(response, ResponseKind.EXISTS, lineLength);
                }
                if (Ascii.regionEquals(buffer, offset, wordLength, ERROR))
                {
                    // "ERROR Too many open connections" carries a message; a plain ERROR does not.
                    messageAfter(response, wordEnd, lineEnd);
                    return simple(response, ResponseKind.ERROR, lineLength);
                }
                break;
            case 'S':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, STORED))
                {
                    return simple(response, ResponseKind.STORED, lineLength);
                }
                if (Ascii.regionEquals(buffer, offset, wordLength, STAT))
                {
                    return decodeStat(buffer, wordEnd, lineEnd, lineLength, response);
                }
                if (Ascii.regionEquals(buffer, offset, wordLength, SERVER_ERROR))
                {
                    messageAfter(response, wordEnd, lineEnd);
                    return simple(response, ResponseKind.SERVER_ERROR, lineLength);
                }
                break;
            case 'N':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, NOT_FOUND))
                {
                    return simple(response, ResponseKind.NOT_FOUND, lineLength);
                }
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, NOT_STORED))
                {
                    return simple(response, ResponseKind.NOT_STORED, lineLength);
                }
                break;
            case 'D':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, DELETED))
                {
                    return simple(response, ResponseKind.DELETED, lineLength);
                }
                break;
            case 'T':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, TOUCHED))
                {
                    return simple(response, ResponseKind.TOUCHED, lineLength);
                }
                break;
            case 'O':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, OK))
                {
                    return simple(response, ResponseKind.OK, lineLength);
                }
                break;
            case 'R':
                if (wordEnd == lineEnd && Ascii.regionEquals(buffer, offset, wordLength, RESET))
                {
                    return simple(response, ResponseKind.RESET, lineLength);
                }
                break;
            case 'C':
                if (Ascii.regionEquals(buffer, offset, wordLength, CLIENT_ERROR))
                {
                    messageAfter(response, wordEnd, lineEnd);
                    return simple(response, ResponseKind.CLIENT_ERROR, lineLength);
                }
                break;
            default:
                if (first >= '0' && first <= '9' && wordEnd == lineEnd)
                {
                    return decodeNumber(buffer, offset, wordLength, lineLength, response);
                }
                break;
        }
        return malformed(response, "unknown reply line");
    }

    private int decodeValue(
        final DirectBuffer buffer,
        final int offset,
        final int wordEnd,
        final int lineEnd,
        final int lineLength,
        final int limit,
        final Response response)
    {
        // VALUE <key> <flags> <bytes>[ <cas>]
        final int keyStart = wordEnd + 1;
        final int keyEnd = Ascii.indexOfSpaceOrEnd(buffer, keyStart, lineEnd);
        final int flagsStart = keyEnd + 1;
        final int flagsEnd = Ascii.indexOfSpaceOrEnd(buffer, flagsStart, lineEnd);
        final int bytesStart = flagsEnd + 1;
        final int bytesEnd = Ascii.indexOfSpaceOrEnd(buffer, bytesStart, lineEnd);
        if (keyEnd <= keyStart || flagsEnd <= flagsStart || bytesEnd <= bytesStart || bytesStart > lineEnd)
        {
            return malformed(response, "VALUE line with missing fields");
        }
        final long flags = Ascii.parseUnsignedLong(buffer, flagsStart, flagsEnd - flagsStart);
        final long bytes = Ascii.parseUnsignedLong(buffer, bytesStart, bytesEnd - bytesStart);
        if (!Ascii.isValid(flags) || flags > 0xFFFF_FFFFL || !Ascii.isValid(bytes) ||
            bytes > Integer.MAX_VALUE - lineLength - 2)
        {
            return malformed(response, "VALUE line with a bad flags or length field");
        }
        if (bytesEnd < lineEnd)
        {
            final int casStart = bytesEnd + 1;
            if (!Ascii.isUnsignedDecimal(buffer, casStart, lineEnd - casStart))
            {
                return malformed(response, "VALUE line with a bad cas field");
            }
            response.cas(Ascii.parseUnsignedLong(buffer, casStart, lineEnd - casStart));
        }
        final int unitLength = lineLength + (int)bytes + 2;
        if (limit - offset < unitLength)
        {
            pendingUnitLength = unitLength;
            return 0;
        }
        final int dataStart = offset + lineLength;
        final int dataEnd = dataStart + (int)bytes;
        if (buffer.getByte(dataEnd) != Ascii.CR || buffer.getByte(dataEnd + 1) != Ascii.LF)
        {
            return malformed(response, "data block not terminated by CRLF");
        }
        response.key(keyStart, keyEnd - keyStart);
        response.flags((int)flags);
        response.value(dataStart, (int)bytes);
        response.kind(ResponseKind.VALUE);
        return unitLength;
    }

    private static int decodeStat(
        final DirectBuffer buffer, final int wordEnd, final int lineEnd, final int lineLength,
        final Response response)
    {
        // STAT <name> <value>; the value may hold spaces (e.g. "STAT version 1.6.18" does not, settings may).
        final int nameStart = wordEnd + 1;
        final int nameEnd = Ascii.indexOfSpaceOrEnd(buffer, nameStart, lineEnd);
        if (nameStart >= lineEnd || nameEnd == nameStart)
        {
            return malformed(response, "STAT line without a name");
        }
        response.key(nameStart, nameEnd - nameStart);
        if (nameEnd < lineEnd)
        {
            response.value(nameEnd + 1, lineEnd - nameEnd - 1);
        }
        return simple(response, ResponseKind.STAT, lineLength);
    }

    private static int decodeNumber(
        final DirectBuffer buffer, final int offset, final int digits, final int lineLength, final Response response)
    {
        if (!Ascii.isUnsignedDecimal(buffer, offset, digits))
        {
            return malformed(response, "incr/decr reply out of range");
        }
        response.number(Ascii.parseUnsignedLong(buffer, offset, digits));
        return simple(response, ResponseKind.NUMBER, lineLength);
    }

    private static void messageAfter(final Response response, final int wordEnd, final int lineEnd)
    {
        if (wordEnd < lineEnd)
        {
            response.message(wordEnd + 1, lineEnd - wordEnd - 1);
        }
    }

    private static int simple(final Response response, final ResponseKind kind, final int lineLength)
    {
        response.kind(kind);
        return lineLength;
    }

    private static int malformed(final Response response, final String reason)
    {
        response.malformed(reason);
        return MALFORMED;
    }
}
