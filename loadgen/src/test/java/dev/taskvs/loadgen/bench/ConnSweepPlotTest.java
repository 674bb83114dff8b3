package dev.taskvs.loadgen.bench;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnSweepPlotTest
{
    private static final List<String> CSV = List.of(
        "config,connections,round,status,ops_per_sec,server_cpu_us_per_req",
        "engine,100,1,ok,700,1.0",
        "engine,1000,1,ok,600,1.2",
        "memcached,100,1,ok,90,9.0",
        "memcached,1000,1,skipped (ulimit -n 1024),,",
        "engine,100,2,ok,900,1.1",
        "engine,1000,2,ok,650,1.3",
        "engine,100,3,ok,800,1.4",
        "engine,1000,3,loadgen failed,,",
        "kernel,100,1,server failed,,",
        "engine,5000,1,ok,null,");

    @Test
    void shouldTakeTheMedianOfTheRoundsPerCountAndSkipWhatDidNotRun()
    {
        final Map<String, double[][]> series = ConnSweepPlot.medians(CSV, "ops_per_sec");

        assertEquals(List.of("engine", "memcached", "kernel"), List.copyOf(series.keySet()));
        assertEquals(2, series.get("engine").length, "the unreadable 5,000 run has nothing to draw");
        assertArrayEquals(new double[] {100, 800}, series.get("engine")[0]);
        assertArrayEquals(new double[] {1000, 625}, series.get("engine")[1]);
        assertEquals(1, series.get("memcached").length);
        assertEquals(0, series.get("kernel").length, "kept, empty, so the colours stay put");
        assertTrue(ConnSweepPlot.medians(List.of(), "ops_per_sec").isEmpty());
    }

    @Test
    void shouldLabelTheConfigurationsAsTheBenchDoes()
    {
        final String svg = ConnSweepPlot.plot(CSV, "server_cpu_us_per_req", "CPU", "us per request");

        assertTrue(svg.contains("kvs-server engine, shm") && svg.contains("memcached 1.6 (kernel)"), svg);
        assertEquals(3, svg.split("<polyline", -1).length - 1, svg);
    }
}
