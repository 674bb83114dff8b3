package dev.taskvs.engine.nic.dpdk;

/**
 * Child JVM of {@link DpdkEnvironmentTest}: starts EAL with one device on its command line and reports how that
 * went. Exits {@link #EXIT_REFUSED} when {@link Dpdk#init} refused with a {@link DpdkException}, 0 when it
 * started.
 */
public final class DpdkInitProbeMain
{
    public static final int EXIT_REFUSED = 3;

    private DpdkInitProbeMain()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            final Dpdk dpdk = Dpdk.init(new Dpdk.Context().device(args[0]));
            System.out.println("started with ports " + dpdk.portNames());
            System.exit(0);
        }
        catch (final DpdkException ex)
        {
            System.out.println("refused: " + ex.getMessage());
            System.exit(EXIT_REFUSED);
        }
    }
}
