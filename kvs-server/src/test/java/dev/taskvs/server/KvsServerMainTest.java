package dev.taskvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.taskvs.engine.SynCookieMode;
import dev.taskvs.engine.slowpath.cc.CongestionControlKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The command line's engine options reach the server's configuration as the engine's own tools take them. */
@Timeout(30)
class KvsServerMainTest
{
    @Test
    void shouldTakeTheEnginesCongestionControl()
    {
        assertEquals(CongestionControlKind.DCTCP_RATE, parse().toConfig().tas.cc);
        assertEquals(CongestionControlKind.TIMELY, parse("--cc", "TIMELY").toConfig().tas.cc);
        assertEquals(CongestionControlKind.CONST_RATE, parse("--cc", "CONST_RATE").toConfig().tas.cc);
    }

    @Test
    void shouldTakeTheSynCookieMode()
    {
        assertEquals(SynCookieMode.ON_OVERFLOW, parse().toConfig().tas.synCookies);
        assertEquals(SynCookieMode.OFF, parse("--syn-cookies", "OFF").toConfig().tas.synCookies);
        assertEquals(SynCookieMode.ALWAYS, parse("--syn-cookies", "ALWAYS").toConfig().tas.synCookies);
    }

    @Test
    void shouldRefuseAnUnknownCongestionControlWithoutStarting()
    {
        final StringWriter err = new StringWriter();
        final CommandLine command = new CommandLine(new KvsServerMain()).setErr(new PrintWriter(err));
        assertEquals(2, command.execute("--cc", "CUBIC", "--stack", "kernel"));
        assertTrue(err.toString().contains("--cc") && err.toString().contains("TIMELY"), err.toString());
    }

    @Test
    void shouldGiveTheKernelSideOfATapDeviceTheSubnetsFirstAddressUnlessTold()
    {
        assertEquals("10.211.7.1/24", parse("--ip", "10.211.7.9/24").toConfig().tas.kernelAddress());
        assertEquals("10.211.7.5/24", parse("--ip", "10.211.7.9/24", "--kernel-ip", "10.211.7.5").toConfig()
            .tas.kernelAddress());
    }

    private static KvsServerMain parse(final String... args)
    {
        final KvsServerMain main = new KvsServerMain();
        new CommandLine(main).parseArgs(args);
        return main;
    }
}
