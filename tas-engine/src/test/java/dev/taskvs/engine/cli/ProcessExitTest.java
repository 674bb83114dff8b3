package dev.taskvs.engine.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessExitTest
{
    @Test
    void passesTheCommandsExitCode()
    {
        assertEquals(3, ProcessExit.run("cmd", () -> 3, new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void turnsAnErrorThatEscapesTheCommandIntoAnExitCodeAndAMessage()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int code = ProcessExit.run("loadgen", () ->
        {
            throw new NoSuchMethodError("TcpEngine.memoryReport()");
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(ProcessExit.INTERNAL_ERROR, code);
        final String err = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.startsWith("loadgen: internal error, exiting: java.lang.NoSuchMethodError: " +
            "TcpEngine.memoryReport()"), err);
    }
}
