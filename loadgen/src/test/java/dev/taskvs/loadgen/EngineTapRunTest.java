package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import dev.taskvs.client.Protocol;
import dev.taskvs.engine.nic.LinuxNet;
import dev.taskvs.engine.nic.tap.TapPacketIo;
import dev.taskvs.engine.sched.ThreadingMode;
import dev.taskvs.loadgen.report.RunResult;
import dev.taskvs.loadgen.stack.EngineStack;
import dev.taskvs.server.KvsServer;
import dev.taskvs.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loadgen on its engine against kernel-socket servers (real memcached and kvs-server in-process) through a TAP
 * device the test creates: the engine is 10.211.91.2/24, the kernel side 10.211.91.1, where both servers listen.
 * Every value is verified, 0 errors. Needs root and /dev/net/tun (skipped otherwise); the device goes away in
 * {@link #stopServers()}.
 */
@Timeout(120)
class EngineTapRunTest
{
    private static final String KERNEL_IP = "10.211.91.1";
    private static final String ENGINE_IP = "10.211.91.2";

    private static String device;
    private static TapPacketIo tap;
    private static MemcachedProcess memcached;
    private static KvsServer kvs;

    @BeforeAll
    static void startServers() throws Exception
    {
        // Never skip: CI runs as root, and a missing TAP device is a broken machine, not a reason to pass.
        if (!"root".equals(System.getProperty("user.name")) || !Files.exists(Path.of("/dev/net/tun")))
        {
            throw new IllegalStateException("EngineTapRunTest needs root and /dev/net/tun (run ./kvs test as root)");
        }
        device = "lgt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        tap = new TapPacketIo(new TapPacketIo.Context().interfaceName(device));
        LinuxNet.requireQuietInterface(device);
        LinuxNet.addAddress(null, device, KERNEL_IP + "/24");
        LinuxNet.linkUp(null, device);
        memcached = MemcachedProcess.start("-l", KERNEL_IP);
        final ServerConfig config = new ServerConfig();
        config.port = 0;
        config.listenAddress = KERNEL_IP;
        config.threads = 1;
        config.maxConnections = 1024;
        kvs = KvsServer.start(config);
    }

    @AfterAll
    static void stopServers()
    {
        try
        {
            if (memcached != null)
            {
                memcached.close();
            }
            if (kvs != null)
            {
                kvs.close();
            }
        }
        finally
        {
            if (tap != null)
            {
                tap.close(); // the only descriptor of a non-persistent TAP: the device goes with it
                try
                {
                    LinuxNet.run("ip", "link", "del", device);
                }
                catch (final RuntimeException alreadyGone)
                {
                    // expected
                }
            }
        }
    }

    private static LoadgenConfig config(final InetSocketAddress server)
    {
        final LoadgenConfig c = TestRuns.config(server);
        c.stack = "tas";
        c.engine = new EngineStack.Settings()
            .context(EngineStackTest.engineContext("loadgen", ENGINE_IP + "/24", ThreadingMode.SHARED))
            .nic(() -> tap, "tap " + device);
        // The TAP belongs to the test: the stack must not close it after a run.
        c.engine.keepNic = true;
        c.connections = 8;
        c.pipeline = 8;
        return c;
    }

    private static InetSocketAddress memcachedAddress()
    {
        return new InetSocketAddress(KERNEL_IP, memcached.address().getPort());
    }

    @Test
    void againstMemcachedInTextAndBinary() throws Exception
    {
        for (final Protocol protocol : new Protocol[] {Protocol.TEXT, Protocol.BINARY})
        {
            final LoadgenConfig c = config(memcachedAddress());
            c.protocol = protocol;
            c.multiget = 4;
            final RunResult result = TestRuns.run(c);
            assertEquals(0, result.errorsTotal(), protocol + ": " + result.errors);
            assertTrue(result.measuredCompleted > 300, protocol + ": completed " + result.measuredCompleted);
            assertEquals(result.keysRequested, result.hits, protocol + ": every key was preloaded");
        }
    }

    @Test
    void againstKvsServerOnKernelSockets() throws Exception
    {
        final LoadgenConfig c = config(new InetSocketAddress(KERNEL_IP, kvs.port()));
        c.multiget = 2;
        c.valueSize = "64:9,256:1";
        final RunResult result = TestRuns.run(c);
        assertEquals(0, result.errorsTotal(), result.errors.toString());
        assertTrue(result.measuredCompleted > 300, "completed " + result.measuredCompleted);
        assertEquals(result.keysRequested, result.hits);
    }

    @Test
    void openLoopAgainstMemcached() throws Exception
    {
        final LoadgenConfig c = config(memcachedAddress());
        c.rate = 3000;
        c.pipeline = 4;
        final RunResult result = TestRuns.run(c);
        assertEquals(0, result.errorsTotal(), result.errors.toString());
        assertTrue(result.achievedRate() > 0.8 * c.rate, "achieved " + result.achievedRate());
    }
}
