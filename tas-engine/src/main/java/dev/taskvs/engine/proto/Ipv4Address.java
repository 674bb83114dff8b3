package dev.taskvs.engine.proto;

/**
 * IPv4 addresses carried as an {@code int} whose most significant byte is the first octet, as on the wire.
 * Parsing and formatting are for configuration and logs, not the data path.
 */
public final class Ipv4Address
{
    /** 0.0.0.0. */
    public static final int ANY = 0;

    private Ipv4Address()
    {
    }

    /**
     * Parse dotted-quad text such as "10.211.0.2".
     *
     * @param text to parse.
     * @return the address.
     * @throws IllegalArgumentException naming the text when it is not an IPv4 address.
     */
    public static int parse(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address (want 4 octets): " + text);
        }
        int address = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not an IPv4 address (bad octet '" + part + "'): " + text, ex);
            }
            if (octet < 0 || octet > 255 || part.length() > 3)
            {
                throw new IllegalArgumentException("not an IPv4 address (octet " + part + " not 0..255): " + text);
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /**
     * Format as dotted-quad text.
     *
     * @param address to format.
     * @return the text.
     */
    public static String toString(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }
}
