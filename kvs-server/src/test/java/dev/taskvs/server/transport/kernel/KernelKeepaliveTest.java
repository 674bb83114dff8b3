package dev.taskvs.server.transport.kernel;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --keepalive-s on kernel sockets turns on the kernel's keepalive timer for each client, and only then. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelKeepaliveTest
{
    @Test
    void shouldArmTheKernelKeepaliveTimerOnlyWhenAsked() throws Exception
    {
        assertTrue(serverSideTimers(7).contains("keepalive"), "keepalive timer expected with --keepalive-s 7");
        assertFalse(serverSideTimers(0).contains("keepalive"), "no keepalive timer by default");
    }

    /** The server-side socket's timers as `ss -tno` prints them, e.g. "timer:(keepalive,6.9sec,0)". */
    private static String serverSideTimers(final int keepaliveSeconds) throws Exception
    {
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = "127.0.0.1";
        config.threads = 1;
        config.tas.keepaliveSeconds = keepaliveSeconds;
        try (KvsServer server = KvsServer.start(config);
            Socket client = new Socket("127.0.0.1", server.port()))
        {
            client.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().read(new byte[64]);
            final Process ss = new ProcessBuilder("ss", "-tnoH", "state", "established",
                "( sport = :" + server.port() + " )").redirectErrorStream(true).start();
            final String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(ss.waitFor(10, TimeUnit.SECONDS) && ss.exitValue() == 0, "ss failed: " + out);
            assertTrue(out.contains(":" + server.port()), "server socket not listed: " + out);
            return out;
        }
    }
}
