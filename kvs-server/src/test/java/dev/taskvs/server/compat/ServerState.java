package dev.taskvs.server.compat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one server said during one conversation that later steps or the comparison need: every CAS value mapped to
 * its first-seen ordinal (so "same CAS" and "different CAS" still compare across servers), the last CAS and the
 * last CAS per key (for requests that send it back), and the clock-valued tokens (TTLs, seconds since access).
 */
public final class ServerState
{
    private final Map<Long, Integer> casOrdinals = new HashMap<>();
    private final Map<String, Long> casByKey = new HashMap<>();
    private long lastCas;
    final List<Long> clocks = new ArrayList<>();

    /** The ordinal placeholder for a CAS value: 0 stays 0 ("no CAS"), others become #1, #2, ... by first sight. */
    String casToken(final long cas)
    {
        if (cas == 0)
        {
            return "0";
        }
        lastCas = cas;
        final Integer ordinal = casOrdinals.computeIfAbsent(cas, c -> casOrdinals.size() + 1);
        return "#cas" + ordinal;
    }

    String casToken(final String text)
    {
        try
        {
            return casToken(Long.parseUnsignedLong(text));
        }
        catch (final NumberFormatException ex)
        {
            return text;
        }
    }

    void casForKey(final String key, final String cas)
    {
        try
        {
            casByKey.put(key, Long.parseUnsignedLong(cas));
        }
        catch (final NumberFormatException ignored)
        {
            // A malformed CAS is shown as it is by the renderer.
        }
    }

    public long lastCas()
    {
        return lastCas;
    }

    public long casOf(final String key)
    {
        final Long cas = casByKey.get(key);
        if (cas == null)
        {
            throw new IllegalStateException("no CAS seen yet for key " + key);
        }
        return cas;
    }

    /** Records a clock-valued token and returns its placeholder. */
    String clock(final String text)
    {
        try
        {
            clocks.add(Long.parseLong(text));
            return "#clock";
        }
        catch (final NumberFormatException ex)
        {
            return text;
        }
    }
}
