package dev.taskvs.client.codec.meta;

import dev.taskvs.client.codec.Ascii;
import dev.taskvs.client.codec.Response;
import dev.taskvs.client.codec.ResponseDecoder;
import dev.taskvs.client.codec.ResponseKind;
import dev.taskvs.client.codec.text.TextResponseDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes meta-protocol responses strictly: {@code <RC> [<datalen>] <flags>*\r\n}, with the data block after
 * {@code VA}. The returned flags are parsed as they come back (in request order): {@code c} cas, {@code f} client
 * flags, {@code t} TTL, {@code s} size, {@code h} hit, {@code l} last access, {@code k} key, {@code O} opaque; every
 * flag letter is also recorded in a mask ({@link Response#hasMetaFlag}), so {@code W}, {@code X}, {@code Z} and
 * {@code b} are visible. Any other line is decoded as a classic text reply (errors, and the replies to classic
 * commands, which may share a meta connection).
 */
public final class MetaResponseDecoder implements ResponseDecoder
{
    public static final int MAX_LINE_LENGTH = 8192;

    private final TextResponseDecoder text = new TextResponseDecoder();
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
            if (length > MAX_LINE_LENGTH)
            {
                response.malformed("reply line longer than " + MAX_LINE_LENGTH);
                return MALFORMED;
            }
            return 0;
        }
        if (lf == offset || buffer.getByte(lf - 1) != Ascii.CR)
        {
            response.malformed("reply line not terminated by CRLF");
            return MALFORMED;
        }
        final int lineEnd = lf - 1;
        final int lineLength = lf + 1 - offset;
        response.reset();
        response.buffer(buffer);
        final int wordEnd = Ascii.indexOfSpaceOrEnd(buffer, offset, lineEnd);
        if (wordEnd - offset == 2)
        {
            final ResponseKind kind = returnCode(buffer.getByte(offset), buffer.getByte(offset + 1));
            if (kind == ResponseKind.VA)
            {
                return decodeValue(buffer, offset, wordEnd, lineEnd, lineLength, limit, response);
            }
            if (kind == ResponseKind.ME)
            {
                if (wordEnd < lineEnd)
                {
                    final int keyStart = wordEnd + 1;
                    final int keyEnd = Ascii.indexOfSpaceOrEnd(buffer, keyStart, lineEnd);
                    response.key(keyStart, keyEnd - keyStart);
                    response.message(keyStart, lineEnd - keyStart);
                }
                response.kind(kind);
                return lineLength;
            }
            if (kind != null)
            {
                if (!decodeFlags(buffer, wordEnd, lineEnd, response))
                {
                    return MALFORMED;
                }
                response.kind(kind);
                return lineLength;
            }
        }
        // Classic commands share the connection: their replies (OK, VERSION, STAT, END, errors) decode as text.
        final int consumed = text.decode(buffer, offset, length, response);
        pendingUnitLength = text.pendingUnitLength();
        return consumed;
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
        final int lengthStart = wordEnd + 1;
        final int lengthEnd = Ascii.indexOfSpaceOrEnd(buffer, lengthStart, lineEnd);
        final long dataLength = lengthStart < lineEnd ?
            Ascii.parseUnsignedLong(buffer, lengthStart, lengthEnd - lengthStart) : Ascii.invalid();
        if (!Ascii.isValid(dataLength) || dataLength > Integer.MAX_VALUE - lineLength - 2)
        {
            response.malformed("VA line with a bad data length");
            return MALFORMED;
        }
        final int unitLength = lineLength + (int)dataLength + 2;
        if (limit - offset < unitLength)
        {
            pendingUnitLength = unitLength;
            return 0;
        }
        final int dataStart = offset + lineLength;
        final int dataEnd = dataStart + (int)dataLength;
        if (buffer.getByte(dataEnd) != Ascii.CR || buffer.getByte(dataEnd + 1) != Ascii.LF)
        {
            response.malformed("data block not terminated by CRLF");
            return MALFORMED;
        }
        if (!decodeFlags(buffer, lengthEnd, lineEnd, response))
        {
            return MALFORMED;
        }
        response.value(dataStart, (int)dataLength);
        response.kind(ResponseKind.VA);
        return unitLength;
    }

    /** Parse {@code ( <flag><token>)*} from {@code start} (a space or the line end) to {@code lineEnd}. */
    private static boolean decodeFlags(
        final DirectBuffer buffer, final int start, final int lineEnd, final Response response)
    {
        if (start < lineEnd)
        {
            response.metaFlags(start + 1, lineEnd - start - 1);
        }
        int i = start;
        while (i < lineEnd)
        {
            final int flagStart = i + 1;
            final int flagEnd = Ascii.indexOfSpaceOrEnd(buffer, flagStart, lineEnd);
            if (flagEnd == flagStart)
            {
                response.malformed("empty meta flag");
                return false;
            }
            final byte flag = buffer.getByte(flagStart);
            final int tokenStart = flagStart + 1;
            final int tokenLength = flagEnd - tokenStart;
            response.metaFlag(flag);
            if (!decodeFlagToken(buffer, flag, tokenStart, tokenLength, response))
            {
                response.malformed("bad token for meta flag " + (char)flag);
                return false;
            }
            i = flagEnd;
        }
        return true;
    }

    private static boolean decodeFlagToken(
        final DirectBuffer buffer, final byte flag, final int tokenStart, final int tokenLength,
        final Response response)
    {
        switch (flag)
        {
            case 'c':
            {
                if (!Ascii.isUnsignedDecimal(buffer, tokenStart, tokenLength))
                {
                    return false;
                }
                response.cas(Ascii.parseUnsignedLong(buffer, tokenStart, tokenLength));
                return true;
            }
            case 'f':
            {
                final long flags = Ascii.parseUnsignedLong(buffer, tokenStart, tokenLength);
                if (!Ascii.isValid(flags) || flags < 0 || flags > 0xFFFF_FFFFL)
                {
                    return false;
                }
                response.flags((int)flags);
                return true;
            }
            case 't':
            {
                final long ttl = Ascii.parseSignedLong(buffer, tokenStart, tokenLength);
                response.ttl(ttl);
                return Ascii.isValid(ttl);
            }
            case 's':
            {
                final long size = Ascii.parseUnsignedLong(buffer, tokenStart, tokenLength);
                response.size(size);
                return Ascii.isValid(size);
            }
            case 'l':
            {
                final long lastAccess = Ascii.parseUnsignedLong(buffer, tokenStart, tokenLength);
                response.lastAccess(lastAccess);
                return Ascii.isValid(lastAccess);
            }
            case 'h':
            {
                if (tokenLength != 1)
                {
                    return false;
                }
                final byte hit = buffer.getByte(tokenStart);
                response.hit(hit - '0');
                return hit == '0' || hit == '1';
            }
            case 'k':
                response.key(tokenStart, tokenLength);
                return true;
            case 'O':
            {
                response.opaqueRegion(tokenStart, tokenLength);
                final long opaque = Ascii.parseUnsignedLong(buffer, tokenStart, tokenLength);
                if (Ascii.isValid(opaque) && opaque >= 0)
                {
                    response.opaque(opaque);
                }
                return true;
            }
            default:
                return true;
        }
    }

    private static ResponseKind returnCode(final byte first, final byte second)
    {
        switch (first)
        {
            case 'H': return second == 'D' ? ResponseKind.HD : null;
            case 'V': return second == 'A' ? ResponseKind.VA : null;
            case 'E': return second == 'N' ? ResponseKind.EN : second == 'X' ? ResponseKind.EX : null;
            case 'N': return second == 'S' ? ResponseKind.NS : second == 'F' ? ResponseKind.NF : null;
            case 'M': return second == 'N' ? ResponseKind.MN : second == 'E' ? ResponseKind.ME : null;
            default: return null;
        }
    }
}
