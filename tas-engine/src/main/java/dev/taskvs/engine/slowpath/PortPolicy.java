package dev.taskvs.engine.slowpath;

import java.util.BitSet;

/** Which local ports may accept connections: a set of ranges such as "7000-7100,11211". */
public final class PortPolicy
{
    private final BitSet allowed;
    private final String text;

    private PortPolicy(final BitSet allowed, final String text)
    {
        this.allowed = allowed;
        this.text = text;
    }

    /**
     * @param text comma-separated ports and ranges {@code low-high}, within 1..65535.
     * @return the policy.
     */
    public static PortPolicy parse(final String text)
    {
        final BitSet allowed = new BitSet(65536);
        for (final String part : text.split(","))
        {
            final String item = part.trim();
            if (item.isEmpty())
            {
                continue;
            }
            final int dash = item.indexOf('-');
            final int low = Integer.parseInt(dash < 0 ? item : item.substring(0, dash).trim());
            final int high = dash < 0 ? low : Integer.parseInt(item.substring(dash + 1).trim());
            if (low < 1 || high > 65535 || low > high)
            {
                throw new IllegalArgumentException("port range must lie within 1..65535: " + item);
            }
            allowed.set(low, high + 1);
        }
        return new PortPolicy(allowed, text);
    }

    public boolean allows(final int port)
    {
        return port > 0 && port < 65536 && allowed.get(port);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
