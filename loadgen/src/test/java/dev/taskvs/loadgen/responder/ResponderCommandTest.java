package dev.taskvs.loadgen.responder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./kvs loadgen responder}'s options: bad combinations get one line naming the option and exit 2. */
class ResponderCommandTest
{
    private static String run(final int expectedStatus, final String... args)
    {
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(expectedStatus, new CommandLine(new ResponderCommand()).execute(args));
        }
        finally
        {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseAnUnknownStack()
    {
        assertTrue(run(2, "--stack", "dpdk").contains("--stack = dpdk is not one of kernel, tas"));
    }

    @Test
    void shouldRefuseTheInProcessWireAndKernelThreadsOnTheEngine()
    {
        assertTrue(run(2, "--stack", "tas", "--nic", "loopback").contains("--nic loopback is in-process only"));
        assertTrue(run(2, "--stack", "tas", "--nic", "shm", "-t", "2")
            .contains("--threads = 2 applies to --stack kernel"));
    }

    @Test
    void shouldRefuseFlowSlotsOutOfRange()
    {
        final String said = run(2, "--stack", "tas", "--nic", "shm", "--shm", "/dev/shm/responder-test.wire",
            "--max-flows", "0");
        assertTrue(said.contains("--max-flows = 0 is out of range: must be 1.."), said);
    }

    @Test
    void shouldSayWhyTheEngineCannotStart()
    {
        final String said = run(2, "--stack", "tas", "--nic", "shm", "--shm", "/dev/shm/responder-test.wire",
            "--ip", "300.1.2.3/24");
        assertTrue(said.startsWith("responder: "), said);
    }
}
