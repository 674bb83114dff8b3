package dev.taskvs.client.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/** Feeds a reply transcript to a decoder whole and split at every byte, and describes the units it decodes. */
public final class DecoderHarness
{
    private DecoderHarness()
    {
    }

    public static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One line per unit: the fields a caller would look at. */
    public static String describe(final Response r)
    {
        final StringBuilder sb = new StringBuilder(r.kind().name());
        if (r.keyLength() > 0)
        {
            sb.append(" key=").append(r.keyAsString());
        }
        if (r.valueLength() > 0)
        {
            sb.append(" value=").append(r.valueAsString());
        }
        if (r.flags() != 0)
        {
            sb.append(" flags=").append(Integer.toUnsignedString(r.flags()));
        }
        if (r.hasCas() && r.cas() != 0)
        {
            sb.append(" cas=").append(Long.toUnsignedString(r.cas()));
        }
        if (r.kind() == ResponseKind.NUMBER)
        {
            sb.append(" number=").append(Long.toUnsignedString(r.number()));
        }
        if (r.opaque() != Response.NO_OPAQUE)
        {
            sb.append(" opaque=").append(r.opaque());
        }
        if (r.status() != 0)
        {
            sb.append(" status=").append(r.status());
        }
        if (r.messageLength() > 0)
        {
            sb.append(" message=").append(r.messageAsString());
        }
        return sb.toString();
    }

    /** Decode everything in {@code wire}, delivered as two reads split at {@code split}. */
    public static List<String> decode(final ResponseDecoder decoder, final byte[] wire, final int split)
    {
        final List<String> units = new ArrayList<>();
        final Response response = new Response();
        int position = 0;
        for (final int available : new int[]{split, wire.length})
        {
            // Only the received prefix exists: a decoder that reads past it fails the bounds check.
            final UnsafeBuffer buffer = new UnsafeBuffer(Arrays.copyOf(wire, available));
            while (position < available)
            {
                final int consumed = decoder.decode(buffer, position, available - position, response);
                if (consumed == ResponseDecoder.MALFORMED)
                {
                    units.add("MALFORMED " + response.malformedReason());
                    return units;
                }
                if (consumed == 0)
                {
                    break;
                }
                units.add(describe(response));
                position += consumed;
            }
        }
        assertEquals(wire.length, position, "bytes left undecoded: " + units);
        return units;
    }

    /** Decode {@code wire} whole and split at every byte boundary; every way must give {@code expected}. */
    public static void assertDecodes(final ResponseDecoder decoder, final byte[] wire, final String... expected)
    {
        final List<String> whole = decode(decoder, wire, wire.length);
        assertEquals(Arrays.asList(expected), whole);
        for (int split = 0; split < wire.length; split++)
        {
            assertEquals(whole, decode(decoder, wire, split), "split at " + split);
        }
    }

    /** The transcript must be rejected as malformed. */
    public static void assertMalformed(final ResponseDecoder decoder, final byte[] wire)
    {
        final List<String> units = decode(decoder, wire, wire.length);
        assertTrue(units.get(units.size() - 1).startsWith("MALFORMED"), units.toString());
    }
}
