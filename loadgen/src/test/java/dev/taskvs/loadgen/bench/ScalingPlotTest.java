package dev.taskvs.loadgen.bench;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalingPlotTest
{
    private static final String HEADER = "stack_cores,app_cores,status,ops_per_sec,loadgen_thread_busy_pct";

    @Test
    void shouldReadMeasuredPointsAndMarkTheGeneratorBoundOnes()
    {
        final List<ScalingPlot.Point> points = ScalingPlot.read(List.of(HEADER,
            "1,1,ok,1000000,20.5",
            "2,2,loadgen failed,,",
            "3,3,ok,2900000,95.0",
            "4,4,skipped (time budget),,",
            "5,5,ok,3000000,",
            "6,6,ok,null,"));

        assertEquals(List.of(new ScalingPlot.Point(1, 1_000_000, false), new ScalingPlot.Point(3, 2_900_000, true),
            new ScalingPlot.Point(5, 3_000_000, false)), points);
    }

    @Test
    void shouldReadResultsWrittenBeforeTheGeneratorColumnExisted()
    {
        final List<ScalingPlot.Point> points = ScalingPlot.read(List.of("stack_cores,status,ops_per_sec",
            "1,ok,5", "2,ok,9"));

        assertEquals(2, points.size());
        assertFalse(points.get(1).generatorBound());
    }

    @Test
    void shouldDrawTheLinearLineFromTheFirstPoint()
    {
        final String svg = ScalingPlot.svg(List.of(new ScalingPlot.Point(1, 1_000_000, false),
            new ScalingPlot.Point(4, 3_900_000, false), new ScalingPlot.Point(8, 4_000_000, true)), "64 B, pipeline 8");

        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"), svg);
        assertTrue(svg.contains("(64 B, pipeline 8)") && svg.contains("linear from N=1"), svg);
        assertTrue(svg.contains(">8</text>"), "a tick per core up to 8: " + svg);
        // The linear line reaches 8M at N=8, so the axis goes to 10M.
        assertTrue(svg.contains(">10.00M</text>"), svg);
        assertEquals(2, svg.split("<polyline", -1).length - 1, "generator-bound points are marks, not a line: " + svg);
        assertEquals(3 + 1 + 3, svg.split("<circle", -1).length - 1, "measured, generator-bound, linear: " + svg);
    }

    @Test
    void shouldThinTheTicksOfALongSweep()
    {
        final String svg = ScalingPlot.svg(List.of(new ScalingPlot.Point(1, 1, false), new ScalingPlot.Point(64, 50, false)),
            "");

        assertTrue(svg.contains(">61</text>") && !svg.contains(">2</text>"), "every fourth core from 1: " + svg);
    }
}
