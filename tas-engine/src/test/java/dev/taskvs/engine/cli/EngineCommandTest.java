package dev.taskvs.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(60)
class EngineCommandTest
{
    @Test
    void echoClientOnLoopbackShouldMoveBytesExactlyAndPingPong()
    {
        assertEquals(0, new CommandLine(new EngineCommand()).execute(
            "echo-client", "--nic", "loopback", "--bytes", "4194304"));
        assertEquals(0, new CommandLine(new EngineCommand()).execute(
            "echo-client", "--nic", "loopback", "--count", "2000"));
    }

    @Test
    void shouldGiveTheKernelSideTheSubnetsFirstAddress()
    {
        final EngineOptions options = new EngineOptions();
        new CommandLine(options).parseArgs("--ip", "10.211.5.7/24");
        assertEquals("10.211.5.1/24", options.kernelAddress());
    }

    @Test
    void shouldRejectUnknownOptions()
    {
        assertEquals(2, new CommandLine(new EngineCommand()).execute("echo-client", "--no-such-option"));
    }
}
