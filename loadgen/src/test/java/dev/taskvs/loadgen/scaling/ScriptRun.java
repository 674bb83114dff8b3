package dev.taskvs.loadgen.scaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a scripts/scaling script from this build's classes instead of a jlink bundle (the test JVM's java
 * and class path), with its output in a log file; the tests of both sweeps start them this way.
 */
final class ScriptRun
{
    final Path log;
    final boolean finished;
    final int exitValue;

    private ScriptRun(final Path log, final boolean finished, final int exitValue)
    {
        this.log = log;
        this.finished = finished;
        this.exitValue = exitValue;
    }

    static ScriptRun run(final String script, final Path dir, final Path out, final Map<String, String> env,
        final long timeoutSeconds) throws IOException, InterruptedException
    {
        final Path log = dir.resolve("log.txt");
        final String classPath = System.getProperty("java.class.path");
        final ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "scripts", "scaling", script).toString(),
            out.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("SERVER_CP", classPath);
        pb.environment().put("LOADGEN_CP", classPath);
        pb.environment().put("SHM_DIR", dir.toString());
        pb.environment().putAll(env);
        final Process process = pb.start();
        final boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished)
        {
            // SIGTERM first, so the script's trap stops its servers and removes the wire; then whatever is left of
            // what it started (a forcibly killed script leaves its servers running, holding their ports for the
            // next run), taken before the script dies and its children go to init.
            final List<ProcessHandle> started = process.descendants().toList();
            process.destroy();
            process.waitFor(15, TimeUnit.SECONDS);
            started.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return new ScriptRun(log, finished, finished ? process.exitValue() : -1);
    }

    String log() throws IOException
    {
        return Files.readString(log);
    }

    /** The rows of a results.csv as maps from column name to value. */
    static List<Map<String, String>> rows(final List<String> csv)
    {
        final String[] header = csv.get(0).split(",", -1);
        return csv.subList(1, csv.size()).stream().map(line ->
        {
            final String[] f = line.split(",", -1);
            if (f.length != header.length)
            {
                throw new AssertionError("a row with " + f.length + " fields under " + header.length + ": " + line);
            }
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++)
            {
                row.put(header[i], f[i]);
            }
            return row;
        }).toList();
    }
}
