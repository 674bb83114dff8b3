package dev.taskvs.loadgen.scaling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/scaling/run-conn-sweep.sh for real, shrunk to this machine: the three configurations (the engine over
 * a shm wire, memcached and kvs-server on kernel sockets) at two small counts, one round, from this build's
 * classes instead of a jlink bundle. Every run must be ok without errors, and the summary, JSON and plots written.
 */
class ConnSweepScriptTest
{
    private static final Path SCRIPT = Path.of("..", "scripts", "scaling", "run-conn-sweep.sh");

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunEveryConfigurationAtEveryCountAndWriteTheResults(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out");
        final String classPath = System.getProperty("java.class.path");
        final ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), out.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log.txt").toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("SERVER_CP", classPath);
        pb.environment().put("LOADGEN_CP", classPath);
        pb.environment().put("MEMCACHED", System.getProperty("kvs.memcached", "/usr/bin/memcached"));
        pb.environment().put("COUNTS", "10 40");
        pb.environment().put("ROUNDS", "1");
        pb.environment().put("CPUS", "2");
        pb.environment().put("WARMUP", "1s");
        pb.environment().put("DURATION", "4s");
        pb.environment().put("SHM_DIR", dir.toString());
        final Process process = pb.start();
        final boolean finished = process.waitFor(170, TimeUnit.SECONDS);
        if (!finished)
        {
            process.destroyForcibly();
        }
        final String log = Files.readString(dir.resolve("log.txt"));
        assertTrue(finished, "the sweep did not finish:\n" + log);
        assertEquals(0, process.exitValue(), log);

        final List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 3 * 2, csv.size(), String.join("\n", csv));
        final String[] header = csv.get(0).split(",");
        for (final String line : csv.subList(1, csv.size()))
        {
            final String[] f = line.split(",", -1);
            assertEquals(header.length, f.length, line);
            final Map<String, String> run = new HashMap<>();
            for (int i = 0; i < header.length; i++)
            {
                run.put(header[i], f[i]);
            }
            assertEquals("ok", run.get("status"), line + "\n" + log);
            assertEquals("0", run.get("errors"), line + "\n" + log);
            assertTrue(Double.parseDouble(run.get("ops_per_sec")) > 500, line);
            assertTrue(Double.parseDouble(run.get("server_cpu_us_per_req")) > 0, line);
        }
        assertTrue(String.join("\n", csv).contains("memcached,40,1,ok") && String.join("\n", csv)
            .contains("engine,40,1,ok") && String.join("\n", csv).contains("kernel,40,1,ok"), String.join("\n", csv));

        final String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("command:") && summary.contains("memcached:") &&
            summary.matches("(?s).*engine:\n +10 connections: .*\n +40 connections: .*\n  change from 10 " +
            "connections: 40: [+-][0-9]+ % \\(CPU/req [+-][0-9]+ %\\)\n.*"), summary);
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"config\": \"memcached\""));
        assertTrue(Files.readString(out.resolve("conn-sweep.svg")).contains("memcached 1.6 (kernel)"));
        assertTrue(Files.readString(out.resolve("conn-sweep-cpu.svg")).contains("us per request"));
        try (var files = Files.list(dir))
        {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".wire")), "the wire file was left");
        }
    }
}
