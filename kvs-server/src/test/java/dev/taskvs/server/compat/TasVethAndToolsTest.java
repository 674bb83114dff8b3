package dev.taskvs.server.compat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server on the engine reached by unchanged clients beyond the Java ones: the libmemcached tools
 * ({@code memccp}, {@code memccat}, {@code memcstat}) over a TAP device and over a veth pair whose kernel end sits
 * in a network namespace the test creates (the engine on AF_PACKET at the other end); and over a veth pair,
 * spymemcached and xmemcached in both protocols plus every side-by-side scenario (as {@link SideBySideTest} runs them over
 * TAP).
 */
class TasVethAndToolsTest
{
    private static final long TOOL_TIMEOUT_S = 20;

    @BeforeEach
    void needsRoot()
    {
        TasNet.require();
    }

    static List<Scenario> scenarios()
    {
        return Scenarios.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void answersAsMemcachedDoesOverVethAndAfPacket(final Scenario scenario)
    {
        SideBySide.check(scenario, flags -> TasEngineServer.startOnVeth(flags, false), "memcached-vs-tas-kvs-veth");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void javaClientsWorkOverVeth() throws Exception
    {
        try (TasEngineServer server = TasEngineServer.startOnVeth(ServerFlags.DEFAULTS, false))
        {
            for (final JavaClients.Kind kind : JavaClients.Kind.values())
            {
                for (final JavaClients.Protocol protocol : JavaClients.Protocol.values())
                {
                    try (JavaClients.Client c = kind.open(server, protocol))
                    {
                        final String key = "k-" + kind + "-" + protocol;
                        assertNull(c.get(key));
                        assertTrue(c.set(key, 0, "hello " + protocol));
                        assertEquals("hello " + protocol, c.get(key), kind + " " + protocol);
                        assertTrue(c.delete(key));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "namespace={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void libmemcachedToolsWork(final boolean vethInNamespace) throws Exception
    {
        try (TasEngineServer server = vethInNamespace ?
            TasEngineServer.startOnVeth(ServerFlags.DEFAULTS, true) : TasEngineServer.start(ServerFlags.DEFAULTS))
        {
            final TasNet net = server.net();
            final String servers = "--servers=" + net.engineIp + ":" + server.port();
            final Path dir = Files.createTempDirectory("kvs-tools");
            try
            {
                final Path file = dir.resolve("tools-value");
                final byte[] content = new byte[200_000];
                for (int i = 0; i < content.length; i++)
                {
                    content[i] = (byte)('a' + i % 26);
                }
                Files.write(file, content);
                for (final String mode : new String[] {"text", "binary"})
                {
                    final List<String> extra = "binary".equals(mode) ? List.of("--binary") : List.of();
                    run(net, concat(List.of("memccp", servers), extra, List.of(file.toString())));
                    final String value = run(net, concat(List.of("memccat", servers), extra, List.of("tools-value")));
                    // memccat ends the value with a newline of its own.
                    final String want = new String(content, StandardCharsets.US_ASCII);
                    assertTrue(want.equals(value) || (want + "\n").equals(value), "memccat " + mode + " printed " +
                        value.length() + " bytes, starting " + value.substring(0, Math.min(80, value.length())));
                }
                final String stats = run(net, List.of("memcstat", servers));
                assertTrue(stats.contains("curr_items: 1") && stats.contains("version:"), stats);
            }
            finally
            {
                try (var files = Files.walk(dir))
                {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static List<String> concat(final List<String> a, final List<String> b, final List<String> c)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    private static String run(final TasNet net, final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(net.onKernelSide(command.toArray(new String[0])))
            .redirectErrorStream(true).start();
        final byte[] output;
        try
        {
            output = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(TOOL_TIMEOUT_S, TimeUnit.SECONDS), command + " did not finish");
        }
        finally
        {
            process.destroyForcibly();
        }
        final String text = new String(output, StandardCharsets.US_ASCII);
        assertEquals(0, process.exitValue(), command + ": " + text);
        return text;
    }
}
