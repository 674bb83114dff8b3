package dev.taskvs.engine.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class NapIdleStrategyTest
{
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Long> naps = new ArrayList<>();
    private final NapIdleStrategy strategy = new NapIdleStrategy(
        50_000, 20_000, 100_000, now::get, nanos ->
        {
            naps.add(nanos);
            now.addAndGet(nanos);
        });

    @Test
    void shouldSpinAfterWorkThenNapLongerTheLongerItIsIdleUpToTheCap()
    {
        strategy.idle(0);
        now.addAndGet(49_999);
        strategy.idle(0);
        assertEquals(List.of(), naps, "within the spin time it only polls");

        now.addAndGet(1);
        strategy.idle(0);
        assertEquals(List.of(20_000L), naps, "first nap at the minimum (50 us idle / 4 is below it)");

        now.addAndGet(200_000);
        strategy.idle(0);
        assertEquals(67_500L, naps.get(1), "a quarter of the 270 us idle so far (50 spun, 20 napped, 200 more)");

        now.addAndGet(10_000_000);
        strategy.idle(0);
        assertEquals(100_000L, naps.get(2), "never past the cap");
        assertEquals(3, strategy.naps());
    }

    @Test
    void shouldStartSpinningAgainAfterWork()
    {
        strategy.idle(0);
        now.addAndGet(1_000_000);
        strategy.idle(0);
        assertEquals(1, naps.size());

        strategy.idle(5);
        strategy.idle(0);
        now.addAndGet(10_000);
        strategy.idle(0);
        assertEquals(1, naps.size(), "work resets the idle time: 10 us later it still spins");

        strategy.reset();
        now.addAndGet(60_000);
        strategy.idle(0);
        assertEquals(1, naps.size(), "reset too");
    }

    @Test
    void shouldLowerTheTimerSlackOfTheThreadThatNaps() throws Exception
    {
        final long runners = TimerSlack.currentThread();
        final AtomicReference<Long> before = new AtomicReference<>();
        final AtomicReference<Long> after = new AtomicReference<>();
        final AtomicReference<Boolean> reported = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            final NapIdleStrategy real = new NapIdleStrategy(0, 1_000, 1_000, System::nanoTime, nanos -> { });
            // A new thread inherits its creator's slack; start from Linux's default for a normal thread.
            TimerSlack.setForCurrentThread(50_000);
            before.set(TimerSlack.currentThread());
            real.idle(0);
            after.set(TimerSlack.currentThread());
            reported.set(real.timerSlackSet());
        });
        thread.start();
        thread.join();

        assertEquals(50_000L, before.get());
        assertEquals(NapIdleStrategy.TIMER_SLACK_NS, after.get());
        assertTrue(reported.get());
        assertEquals(runners, TimerSlack.currentThread(), "other threads keep theirs");
    }

    @Test
    void shouldRejectNonsenseSettingsAndBeMadeByName()
    {
        assertThrows(IllegalArgumentException.class, () -> new NapIdleStrategy(-1, 1, 1, now::get, n -> { }));
        assertThrows(IllegalArgumentException.class, () -> new NapIdleStrategy(0, 0, 1, now::get, n -> { }));
        assertThrows(IllegalArgumentException.class, () -> new NapIdleStrategy(0, 10, 9, now::get, n -> { }));
        assertThrows(IllegalArgumentException.class, () -> TimerSlack.setForCurrentThread(0));
        assertEquals("nap", IdleStrategies.create("nap").alias());
    }
}
