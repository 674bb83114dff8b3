package dev.taskvs.server.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.taskvs.server.store.StoreResult.DELETED;
import static dev.taskvs.server.store.StoreResult.EXISTS;
import static dev.taskvs.server.store.StoreResult.NOT_FOUND;
import static dev.taskvs.server.store.StoreResult.STORED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meta-protocol outcomes the store computes: N, R, T, u, h, l, t and the W/X/Z flags (memcached.md 2). */
class OffHeapStoreMetaTest
{
    private final StoreFixture fx = new StoreFixture();
    private final GetOptions settings = new GetOptions();

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldVivifyOnMissAndHandTheWinTokenToTheFirstCallerOnly()
    {
        // memcached 1.6.18: mg nokey N30 v c -> VA 0 c30 W, then VA 0 c30 Z
        fx.set("other", "x");
        settings.reset().vivifyExptime = 30;
        assertEquals("", fx.metaGet("nokey", settings));
        assertTrue(fx.options.won);
        assertFalse(fx.options.winTokenAlreadySent);
        assertFalse(fx.options.hitBefore);
        assertEquals(30, fx.options.ttlRemaining);
        final long cas = fx.lastCas;
        assertEquals(2, cas, "a vivified item takes a CAS like any store");

        assertEquals("", fx.metaGet("nokey", settings));
        assertFalse(fx.options.won);
        assertTrue(fx.options.winTokenAlreadySent);
        assertEquals(cas, fx.lastCas);
        assertEquals(2, fx.store.stats().currItems);
    }

    @Test
    void shouldNotVivifyWithoutTheFlag()
    {
        assertNull(fx.metaGet("nokey", settings.reset()));
        assertEquals(0, fx.store.stats().currItems);
    }

    @Test
    void shouldClearTheWinTokenWhenTheValueIsStored()
    {
        settings.reset().vivifyExptime = 30;
        fx.metaGet("k", settings);
        assertEquals(STORED, fx.set("k", "fresh"));
        assertEquals("fresh", fx.metaGet("k", settings.reset()));
        assertFalse(fx.options.winTokenAlreadySent);
        assertFalse(fx.options.won);
    }

    @Test
    void shouldServeStaleItemAfterInvalidateAndLetTheFirstReaderWin()
    {
        // memcached 1.6.18: md stale I T30; mg stale v c t -> VA 1 c40 t28 X W, then VA 1 c40 t26 Z X
        fx.set("stale", "v", 0, 100);
        final long before = fx.casOf("stale");
        assertEquals(DELETED, fx.delete("stale", Store.NO_CAS, true, 30));
        final long invalidatedCas = fx.result.cas;
        assertTrue(invalidatedCas > before, "md I assigns a new CAS");

        fx.clock.advance(2);
        assertEquals("v", fx.metaGet("stale", settings.reset()));
        assertTrue(fx.options.stale);
        assertTrue(fx.options.won);
        assertFalse(fx.options.winTokenAlreadySent);
        assertEquals(28, fx.options.ttlRemaining);
        assertEquals(invalidatedCas, fx.lastCas);

        fx.clock.advance(2);
        assertEquals("v", fx.metaGet("stale", settings.reset()));
        assertTrue(fx.options.stale);
        assertFalse(fx.options.won);
        assertTrue(fx.options.winTokenAlreadySent);
        assertEquals(26, fx.options.ttlRemaining);
    }

    @Test
    void shouldClearStalenessWhenANewValueIsStored()
    {
        fx.set("k", "old");
        fx.delete("k", Store.NO_CAS, true, Store.NO_TOUCH);
        fx.metaGet("k", settings.reset());
        assertTrue(fx.options.stale);
        fx.set("k", "new");
        assertEquals("new", fx.metaGet("k", settings.reset()));
        assertFalse(fx.options.stale);
        assertFalse(fx.options.won);
    }

    @Test
    void shouldLetTheNextReaderWinAgainAfterAnotherInvalidate()
    {
        fx.set("k", "v");
        fx.delete("k", Store.NO_CAS, true, Store.NO_TOUCH);
        fx.metaGet("k", settings.reset());
        assertTrue(fx.options.won);
        fx.delete("k", Store.NO_CAS, true, Store.NO_TOUCH);
        fx.metaGet("k", settings.reset());
        assertTrue(fx.options.won, "md I clears the token sent bit");
    }

    @Test
    void shouldInvalidateOnlyWithMatchingCas()
    {
        fx.set("k", "v");
        assertEquals(EXISTS, fx.delete("k", fx.casOf("k") + 1, true, Store.NO_TOUCH));
        assertEquals(NOT_FOUND, fx.delete("missing", Store.NO_CAS, true, Store.NO_TOUCH));
        fx.metaGet("k", settings.reset());
        assertFalse(fx.options.stale);
    }

    @Test
    void shouldWinRecacheWhenRemainingTtlIsBelowTheToken()
    {
        fx.set("k", "v", 0, 100);
        settings.reset().recacheBelowSeconds = 30;
        fx.metaGet("k", settings);
        assertFalse(fx.options.won, "100s left is not below 30");

        fx.clock.advance(75);
        fx.metaGet("k", settings);
        assertTrue(fx.options.won);
        assertEquals(25, fx.options.ttlRemaining);
        fx.metaGet("k", settings);
        assertFalse(fx.options.won);
        assertTrue(fx.options.winTokenAlreadySent);
    }

    @Test
    void shouldNeverWinRecacheForItemsWithoutExpiry()
    {
        fx.set("k", "v");
        settings.reset().recacheBelowSeconds = 30;
        fx.metaGet("k", settings);
        assertFalse(fx.options.won);
        assertEquals(-1, fx.options.ttlRemaining);
    }

    @Test
    void shouldReportHitBeforeAndLastAccessFromBeforeThisGet()
    {
        fx.set("k", "v");
        fx.clock.advance(4);
        fx.metaGet("k", settings.reset());
        assertFalse(fx.options.hitBefore);
        assertEquals(4, fx.options.secondsSinceLastAccess);

        fx.clock.advance(3);
        fx.metaGet("k", settings.reset());
        assertTrue(fx.options.hitBefore);
        assertEquals(3, fx.options.secondsSinceLastAccess);
    }

    @Test
    void shouldNotMarkTheItemWhenAskedNotToBump()
    {
        fx.set("k", "v");
        fx.clock.advance(5);
        settings.reset().noLruBump = true;
        fx.metaGet("k", settings);
        fx.metaGet("k", settings);
        assertFalse(fx.options.hitBefore);
        assertEquals(5, fx.options.secondsSinceLastAccess);
    }

    @Test
    void shouldTouchOnGetAndKeepCas()
    {
        fx.set("k", "v", 0, 10);
        final long cas = fx.casOf("k");
        settings.reset().touchExptime = 500;
        fx.metaGet("k", settings);
        assertEquals(500, fx.options.ttlRemaining);
        assertEquals(cas, fx.lastCas);
        fx.clock.advance(100);
        assertEquals("v", fx.get("k"));
    }
}
