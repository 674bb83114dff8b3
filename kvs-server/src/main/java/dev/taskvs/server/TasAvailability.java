package dev.taskvs.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether {@code ./kvs server} with no --stack can run on the engine over a TAP device, and if not, why. */
final class TasAvailability
{
    private TasAvailability()
    {
    }

    /** @return null when a TAP device can likely be created, else the reason in a few words. */
    static String whyNot(final ServerConfig config)
    {
        if (!"tap".equals(config.tas.nic))
        {
            return null;
        }
        final Path tun = Path.of("/dev/net/tun");
        if (!Files.exists(tun))
        {
            return "no /dev/net/tun";
        }
        if (!Files.isReadable(tun) || !Files.isWritable(tun))
        {
            return "/dev/net/tun is not readable and writable by this user";
        }
        if (!isRoot())
        {
            return "creating a TAP device needs root (CAP_NET_ADMIN); run as root or use --stack kernel";
        }
        if (Files.exists(Path.of("/sys/class/net", config.tas.iface)))
        {
            return "network device " + config.tas.iface + " exists already (another server?); pick --iface";
        }
        return null;
    }

    private static boolean isRoot()
    {
        try
        {
            final String status = Files.readString(Path.of("/proc/self/status"));
            for (final String line : status.split("\n"))
            {
                if (line.startsWith("Uid:"))
                {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return false;
        }
        return false;
    }
}
