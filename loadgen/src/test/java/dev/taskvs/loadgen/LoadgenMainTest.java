package dev.taskvs.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.taskvs.loadgen.responder.Responder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line: option checking, the engine placeholder, and every output file. */
@Timeout(60)
class LoadgenMainTest
{
    @TempDir
    Path dir;

    private static final class Captured
    {
        int status;
        String out;
        String err;
    }

    private static Captured run(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Captured c = new Captured();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            c.status = LoadgenMain.run(args);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        c.out = out.toString(StandardCharsets.UTF_8);
        c.err = err.toString(StandardCharsets.UTF_8);
        return c;
    }

    @Test
    void badOptionsShouldNameTheOptionAndTheAcceptedRange()
    {
        final String[][] cases = {
            {"--connections", "0", "--connections = 0 is out of range: must be 1..1000000"},
            {"--pipeline", "5000", "--pipeline = 5000 is out of range: must be 1..4096"},
            {"--get-ratio", "1.5", "--get-ratio = 1.5 is out of range: must be 0..1"},
            {"--protocol", "udp", "--protocol udp is not one of: text, meta, binary"},
            {"--value-size", "10-5", "--value-size 10-5"},
            {"--key-dist", "pareto", "--key-dist pareto is not one of"},
            {"--server", "localhost:99999", "--server localhost:99999 is not HOST:PORT"},
            {"--duration", "soon", "--duration soon is not a duration"},
            {"--idle", "nap", "--idle nap is not one of: spin, hybrid, block"},
        };
        for (final String[] c : cases)
        {
            final Captured r = run(c[0], c[1]);
            assertEquals(2, r.status, String.join(" ", c));
            assertTrue(r.err.contains(c[2]), "for " + c[0] + " " + c[1] + " got: " + r.err);
        }
    }

    @Test
    void helpAndVersionShouldWork()
    {
        final Captured help = run("--help");
        assertEquals(0, help.status, help.err);
        assertTrue(help.out.contains("--rate") && help.out.contains("--value-size") && help.out.contains("responder"),
            help.out);
        assertTrue(help.err.isEmpty(), "no picocli warnings: " + help.err);
        final Captured version = run("--version");
        assertEquals(0, version.status);
        assertTrue(version.out.startsWith("loadgen "), version.out);
    }

    @Test
    void tasStackErrorsShouldBeOneClearLine()
    {
        final String[][] cases = {
            {"2", "--ip 10.211.0.300/24", "--ip 10.211.0.300/24 is not A.B.C.D/NN"},
            {"2", "--ip 10.211.0.2/40", "--ip 10.211.0.2/40 is not A.B.C.D/NN"},
            {"2", "--threading sideways", "--threading sideways is not one of: shared, dedicated, invoker"},
            {"2", "--nic dpdk", "--nic dpdk needs a device: --dpdk-args"},
            {"2", "--nic dpdk --dpdk-args=--vdev", "--dpdk-args: --vdev needs a value"},
            {"2", "--nic carrier-pigeon", "--nic carrier-pigeon is not one of"},
            {"2", "--threading invoker --threads 2", "--threading invoker runs the engine on the load thread"},
            {"3", "--nic tap --iface this-name-is-far-too-long", "--stack tas --nic tap this-name-is-far-too-long"},
        };
        for (final String[] c : cases)
        {
            final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--stack", "tas",
                "--server", "10.211.0.1:11211", "--no-progress", "-c", "2"));
            args.addAll(java.util.List.of(c[1].split(" ")));
            final Captured r = run(args.toArray(new String[0]));
            assertEquals(Integer.parseInt(c[0]), r.status, c[1] + ": " + r.err);
            assertEquals(1, r.err.strip().lines().count(), c[1] + ": " + r.err);
            assertTrue(r.err.startsWith("loadgen: ") && r.err.contains(c[2]), c[1] + ": " + r.err);
        }
    }

    @Test
    void tasStackOnTheLoopbackWireShouldRunAgainstItsInProcessResponder() throws Exception
    {
        final Path json = dir.resolve("tas.json");
        final Captured r = run("--stack", "tas", "--nic", "loopback", "--ip", "10.211.92.2/24", "--server",
            "10.211.92.1:11211", "-c", "4", "-d", "4", "--keys", "500", "--warmup", "200ms", "--duration", "500ms",
            "--json", json.toString());
        assertEquals(0, r.status, r.out + r.err);
        assertTrue(r.err.contains("stack tas: engine 10.211.92.2/24 over loopback to an in-process engine " +
            "responder at 10.211.92.1:11211"), r.err);
        assertTrue(r.out.contains("errors       none"), r.out);
        // How full the generator's own lanes ran over the measured window: what says whether they were its limit.
        assertTrue(r.out.matches("(?s).*\nengine lanes [0-9.]+% of receive polls full \\([0-9,]+ of [0-9,]+\\), " +
            "[0-9.]+ segments a poll of 32 at most\n.*"), r.out);
        final String j = Files.readString(json);
        assertTrue(j.contains("\"engine_lanes\"") && j.contains("\"burst_size\": 32") &&
            j.contains("\"full_burst_percent\"") && j.matches("(?s).*\"receive_bursts\": [1-9][0-9]*,.*"), j);
    }

    @Test
    void shouldWriteTheReportJsonHistogramLogAndPlot() throws Exception
    {
        try (Responder responder = Responder.start(new Responder.Options()))
        {
            final Path json = dir.resolve("out.json");
            final Path hgrm = dir.resolve("out.hgrm");
            final Path log = dir.resolve("out.hlog");
            final Path plot = dir.resolve("out.svg");
            final Captured r = run("--server", "127.0.0.1:" + responder.port(), "-c", "4", "-d", "2", "--keys",
                "500", "--rate", "4000", "--warmup", "200ms", "--duration", "1500ms", "--json", json.toString(),
                "--hgrm", hgrm.toString(), "--hdr-log", log.toString(), "--plot", plot.toString());
            assertEquals(0, r.status, r.out + r.err);
            assertTrue(r.out.contains("p99.99") && r.out.contains("scheduler lag") && r.out.contains("errors       none"),
                r.out);
            assertTrue(r.err.contains("ops/s"), "progress lines: " + r.err);
            final String j = Files.readString(json);
            for (final String key : new String[] {"\"ops_per_sec\"", "\"latency_us\"", "\"p50\"", "\"p90\"",
                "\"p99\"", "\"p999\"", "\"p9999\"", "\"max\"", "\"errors\": 0", "\"achieved_rate\"",
                "\"time_series\"", "\"configuration\""})
            {
                assertTrue(j.contains(key), key + " missing in " + j);
            }
            // Kernel sockets have no lanes to report.
            assertFalse(j.contains("engine_lanes") || r.out.contains("engine lanes"), j);
            assertTrue(Files.readString(hgrm).contains("Percentile"), "hgrm");
            assertTrue(Files.readString(log).contains("#[StartTime:"), "hdr log");
            final String svg = Files.readString(plot);
            assertTrue(svg.startsWith("<svg") && svg.contains("<polyline") && svg.contains("99.9%"), svg);
        }
    }

    @Test
    void sweepShouldStepTheRateAndPlotThroughputAgainstLatency() throws Exception
    {
        try (Responder responder = Responder.start(new Responder.Options()))
        {
            final Path json = dir.resolve("sweep.json");
            final Path plot = dir.resolve("sweep.html");
            final Captured r = run("--server", "127.0.0.1:" + responder.port(), "-c", "4", "--keys", "500",
                "--sweep", "--sweep-max", "6000", "--sweep-steps", "3", "--warmup", "100ms", "--duration", "400ms",
                "--no-progress", "--json", json.toString(), "--plot", plot.toString());
            assertEquals(0, r.status, r.out + r.err);
            assertTrue(r.out.contains("target req/s"), r.out);
            assertTrue(Files.readString(json).contains("\"steps\""));
            final String html = Files.readString(plot);
            assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("throughput (requests/s)"), html);
        }
    }
}
