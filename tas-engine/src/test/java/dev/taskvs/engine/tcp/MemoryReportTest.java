package dev.taskvs.engine.tcp;

import dev.taskvs.engine.mem.Smaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine says what backs its flow state, so a run on another machine shows whether it got huge pages. */
@Timeout(60)
class MemoryReportTest
{
    private static final Pattern REPORT = Pattern.compile("flow records ([0-9.]+) of ([0-9.]+) MiB resident, " +
        "([0-9.]+) on huge pages; rings ([0-9.]+) of ([0-9.]+) MiB resident, ([0-9.]+) on huge pages");

    @Test
    void reportsResidentAndHugePageMemoryOfRecordsAndRings() throws Exception
    {
        try (EnginePair pair = new EnginePair())
        {
            final ConnectionLifecycleTest.Tracker client = new ConnectionLifecycleTest.Tracker();
            final ConnectionLifecycleTest.Tracker server = new ConnectionLifecycleTest.Tracker();
            ConnectionLifecycleTest.connectMany(pair, client, server, 300);
            final String report = pair.b.memoryReport();
            final Matcher m = REPORT.matcher(report);
            assertTrue(m.matches(), report);
            final double recordsResident = Double.parseDouble(m.group(1));
            final double recordsMapped = Double.parseDouble(m.group(2));
            final double ringsResident = Double.parseDouble(m.group(4));
            final double ringsMapped = Double.parseDouble(m.group(5));
            final double ringsHuge = Double.parseDouble(m.group(6));
            assertTrue(recordsResident > 0 && recordsResident <= recordsMapped, report);
            // 300 flows' rings are touched as their chunks are handed out: more than one chunk resident.
            assertTrue(ringsResident > 0.25 && ringsResident <= ringsMapped, report);
            if (!Smaps.thpMode().equals("never"))
            {
                assertTrue(ringsHuge >= 2.0, report);
            }
        }
    }
}
