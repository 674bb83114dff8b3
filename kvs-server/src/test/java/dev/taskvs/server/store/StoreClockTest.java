package dev.taskvs.server.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire exptime to server time conversion (memcached realtime()) and the two clocks. */
class StoreClockTest
{
    private static final int THIRTY_DAYS = 60 * 60 * 24 * 30;

    @Test
    void shouldStartSystemClockSoThatAlreadyExpiredLiesInThePast()
    {
        final SystemStoreClock clock = new SystemStoreClock();
        final int now = clock.now();
        assertTrue(now >= SystemStoreClock.START_SECONDS);
        assertTrue(clock.toServerTime(-1) < now, "negative exptime is already past");
        assertTrue(clock.toServerTime(1) > now, "one second is not already past");
        final long unixNow = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(clock.processStartUnixSeconds() + now - unixNow) <= 1);
    }

    @Test
    void shouldConvertRelativeAbsoluteNegativeAndZero()
    {
        final ManualStoreClock clock = new ManualStoreClock(1_700_000_000L, 100);
        assertEquals(0, clock.toServerTime(0));
        assertEquals(1, clock.toServerTime(-5));
        assertEquals(110, clock.toServerTime(10));
        assertEquals(100 + THIRTY_DAYS, clock.toServerTime(THIRTY_DAYS));
        assertEquals(1, clock.toServerTime(THIRTY_DAYS + 1), "absolute, long before the process started");
        assertEquals(1, clock.toServerTime(1_700_000_000L), "absolute, at process start");
        assertEquals(500, clock.toServerTime(1_700_000_500L));
        assertEquals(Integer.MAX_VALUE, clock.toServerTime(Long.MAX_VALUE));
        assertEquals(10, clock.toServerTime(10, 0), "against a now the caller read");
    }

    @Test
    void shouldOnlyMoveManualClockForward()
    {
        final ManualStoreClock clock = new ManualStoreClock();
        clock.advance(5);
        assertEquals(SystemStoreClock.START_SECONDS + 5, clock.now());
        assertEquals(ManualStoreClock.DEFAULT_PROCESS_START_UNIX_SECONDS + clock.now(), clock.unixNow());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
        assertThrows(IllegalArgumentException.class, () -> new ManualStoreClock(0, 1));
    }
}
