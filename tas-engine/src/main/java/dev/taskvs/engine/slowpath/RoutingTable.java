package dev.taskvs.engine.slowpath;

import dev.taskvs.engine.proto.Ipv4Address;

/**
 * Next hop for a destination: the destination itself inside the local subnet, else the gateway, else none.
 * Longest prefix wins among the static routes added (the local subnet is one of them).
 */
public final class RoutingTable
{
    private static final int MAX_ROUTES = 64;

    private final int[] networks = new int[MAX_ROUTES];
    private final int[] masks = new int[MAX_ROUTES];
    private final int[] prefixes = new int[MAX_ROUTES];
    private final int[] nextHops = new int[MAX_ROUTES];
    private int count;

    /**
     * @param localIp      our address.
     * @param prefixLength of the local subnet.
     * @param gateway      default gateway, or {@link Ipv4Address#ANY} for none.
     */
    public RoutingTable(final int localIp, final int prefixLength, final int gateway)
    {
        add(localIp, prefixLength, Ipv4Address.ANY);
        if (gateway != Ipv4Address.ANY)
        {
            add(0, 0, gateway);
        }
    }

    /**
     * @param network      destination network.
     * @param prefixLength its prefix.
     * @param nextHop      gateway, or {@link Ipv4Address#ANY} for directly connected.
     */
    public void add(final int network, final int prefixLength, final int nextHop)
    {
        if (count == MAX_ROUTES)
        {
            throw new IllegalStateException("routing table full at " + MAX_ROUTES + " routes");
        }
        final int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        networks[count] = network & mask;
        masks[count] = mask;
        prefixes[count] = prefixLength;
        nextHops[count] = nextHop;
        count++;
    }

    /**
     * @param destination address.
     * @return the address to resolve with ARP, or {@link Ipv4Address#ANY} when there is no route.
     */
    public int nextHop(final int destination)
    {
        int best = -1;
        for (int i = 0; i < count; i++)
        {
            if ((destination & masks[i]) == networks[i] && (best < 0 || prefixes[i] > prefixes[best]))
            {
                best = i;
            }
        }
        if (best < 0)
        {
            return Ipv4Address.ANY;
        }
        return nextHops[best] == Ipv4Address.ANY ? destination : nextHops[best];
    }
}
