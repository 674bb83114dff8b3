package dev.taskvs.server.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.taskvs.server.store.StoreResult.DELETED;
import static dev.taskvs.server.store.StoreResult.EXISTS;
import static dev.taskvs.server.store.StoreResult.NON_NUMERIC;
import static dev.taskvs.server.store.StoreResult.NOT_FOUND;
import static dev.taskvs.server.store.StoreResult.NOT_STORED;
import static dev.taskvs.server.store.StoreResult.STORED;
import static dev.taskvs.server.store.StoreResult.TOUCHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storage, retrieval, delete, touch and incr/decr semantics, as memcached 1.6.18 answers them. */
class OffHeapStoreCommandsTest
{
    private final StoreFixture fx = new StoreFixture();

    @AfterEach
    void close()
    {
        fx.close();
    }

    @Test
    void shouldStoreAndGetValueWithFlags()
    {
        assertEquals(STORED, fx.set("a", "hello", 0xFFFF_FFFF, 0));
        assertEquals("hello", fx.get("a"));
        assertEquals(0xFFFF_FFFF, fx.lastFlags);
        assertEquals(0, fx.lastExptime);
        assertNull(fx.get("b"));
    }

    @Test
    void shouldStoreEmptyValueAndBinaryKeys()
    {
        assertEquals(STORED, fx.set("empty", ""));
        assertEquals("", fx.get("empty"));
        assertEquals(STORED, fx.set("tab\tkey\u0001", "x"));
        assertEquals("x", fx.get("tab\tkey\u0001"));
    }

    @Test
    void shouldReadKeysFromAnyOffsetOfHeapOrDirectBuffers()
    {
        final UnsafeBuffer heap = StoreFixture.buffer("xxkey-one-longer-than-eight-bytesyy");
        final UnsafeBuffer value = StoreFixture.buffer("v1");
        assertEquals(STORED, fx.store.store(StoreMode.SET, heap, 2, heap.capacity() - 4, 0, 0, value, 0, 2,
            Store.NO_CAS, Store.NO_CAS, fx.result));

        final UnsafeBuffer direct = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(64));
        direct.putStringWithoutLengthAscii(5, "key-one-longer-than-eight-bytes");
        final boolean[] hit = new boolean[1];
        assertTrue(fx.store.get(direct, 5, 31, null, (item) -> hit[0] = Item.valueLength(item) == 2));
        assertTrue(hit[0]);
    }

    @Test
    void shouldReplaceValueOfDifferentAndSameSize()
    {
        fx.set("k", "one");
        fx.set("k", "three");
        assertEquals("three", fx.get("k"));
        fx.set("k", "seven", 7, 0);
        assertEquals("seven", fx.get("k"));
        assertEquals(7, fx.lastFlags);
        assertEquals(1, fx.store.stats().currItems);
        assertEquals(3, fx.store.stats().totalItems);
        assertEquals(Item.HEADER_LENGTH + 1 + 5, fx.store.stats().bytes);
    }

    @Test
    void shouldAddOnlyWhenMissing()
    {
        assertEquals(STORED, fx.store(StoreMode.ADD, "k", "1", 0, 0, Store.NO_CAS));
        assertEquals(NOT_STORED, fx.store(StoreMode.ADD, "k", "2", 0, 0, Store.NO_CAS));
        assertEquals("1", fx.get("k"));
    }

    @Test
    void shouldReplaceOnlyWhenPresent()
    {
        assertEquals(NOT_STORED, fx.store(StoreMode.REPLACE, "k", "1", 0, 0, Store.NO_CAS));
        assertNull(fx.get("k"));
        fx.set("k", "1");
        assertEquals(STORED, fx.store(StoreMode.REPLACE, "k", "22", 0, 0, Store.NO_CAS));
        assertEquals("22", fx.get("k"));
    }

    @Test
    void shouldAppendAndPrependKeepingFlagsAndExptime()
    {
        assertEquals(NOT_STORED, fx.store(StoreMode.APPEND, "k", "x", 0, 0, Store.NO_CAS));
        assertEquals(NOT_STORED, fx.store(StoreMode.PREPEND, "k", "x", 0, 0, Store.NO_CAS));
        fx.set("k", "mid", 5, 100);
        final int exptime = fx.clock.now() + 100;
        assertEquals(STORED, fx.store(StoreMode.APPEND, "k", "-end", 99, 99, Store.NO_CAS));
        assertEquals(STORED, fx.store(StoreMode.PREPEND, "k", "start-", 99, 0, Store.NO_CAS));
        assertEquals("start-mid-end", fx.get("k"));
        assertEquals(5, fx.lastFlags);
        assertEquals(exptime, fx.lastExptime);
    }

    @Test
    void shouldAssignCasFromOneAndNewCasOnEveryStore()
    {
        fx.set("a", "1");
        assertEquals(1, fx.result.cas);
        assertEquals(1, fx.casOf("a"));
        fx.set("b", "1");
        assertEquals(2, fx.casOf("b"));
        fx.store(StoreMode.APPEND, "a", "2", 0, 0, Store.NO_CAS);
        assertEquals(3, fx.casOf("a"));
        fx.incr("a", 1);
        assertEquals(4, fx.result.cas);
        assertEquals(4, fx.casOf("a"));
        fx.touch("a", 100);
        assertEquals(4, fx.casOf("a"), "touch keeps the CAS");
    }

    @Test
    void shouldCompareAndSwap()
    {
        assertEquals(NOT_FOUND, fx.store(StoreMode.CAS, "k", "x", 0, 0, 1));
        fx.set("k", "v1");
        final long cas = fx.casOf("k");
        assertEquals(EXISTS, fx.store(StoreMode.CAS, "k", "x", 0, 0, cas + 1));
        assertEquals(EXISTS, fx.store(StoreMode.CAS, "k", "x", 0, 0, 0), "cas with unique 0 never matches");
        assertEquals(STORED, fx.store(StoreMode.CAS, "k", "v2", 3, 0, cas));
        assertEquals("v2", fx.get("k"));
        assertEquals(EXISTS, fx.store(StoreMode.CAS, "k", "v3", 0, 0, cas), "the old unique is spent");
    }

    @Test
    void shouldTreatSetWithCasAsCasLikeTheBinaryProtocol()
    {
        assertEquals(NOT_FOUND, fx.store(StoreMode.SET, "k", "x", 0, 0, 5));
        fx.set("k", "v");
        assertEquals(EXISTS, fx.store(StoreMode.SET, "k", "x", 0, 0, fx.casOf("k") + 1));
        assertEquals(STORED, fx.store(StoreMode.SET, "k", "x", 0, 0, fx.casOf("k")));
    }

    @Test
    void shouldRefuseAppendWithWrongCas()
    {
        fx.set("k", "v");
        assertEquals(EXISTS, fx.store(StoreMode.APPEND, "k", "x", 0, 0, fx.casOf("k") + 1));
        assertEquals(STORED, fx.store(StoreMode.APPEND, "k", "x", 0, 0, fx.casOf("k")));
        assertEquals("vx", fx.get("k"));
    }

    @Test
    void shouldUseNewCasWhenGiven()
    {
        fx.store(StoreMode.SET, "k", "v", 0, 0, Store.NO_CAS, 12345);
        assertEquals(12345, fx.result.cas);
        assertEquals(12345, fx.casOf("k"));
        fx.set("other", "v");
        assertEquals(2, fx.casOf("other"), "the counter still advanced");
    }

    @Test
    void shouldReadZeroCasWhenCasDisabled()
    {
        final StoreConfig config = new StoreConfig();
        config.casDisabled = true;
        try (StoreFixture noCas = new StoreFixture(config))
        {
            noCas.set("k", "v");
            assertEquals(0, noCas.result.cas);
            assertEquals(0, noCas.casOf("k"));
            assertEquals(EXISTS, noCas.store(StoreMode.CAS, "k", "x", 0, 0, 1));
        }
    }

    @Test
    void shouldDeleteWithAndWithoutCas()
    {
        assertEquals(NOT_FOUND, fx.delete("k"));
        fx.set("k", "v");
        assertEquals(EXISTS, fx.delete("k", fx.casOf("k") + 1, false, Store.NO_TOUCH));
        assertEquals(DELETED, fx.delete("k", fx.casOf("k"), false, Store.NO_TOUCH));
        assertNull(fx.get("k"));
        assertEquals(NOT_FOUND, fx.delete("k"));
        assertEquals(0, fx.store.stats().bytes);
        assertEquals(0, fx.store.stats().currItems);
    }

    @Test
    void shouldTouchExistingItemsOnly()
    {
        assertEquals(NOT_FOUND, fx.touch("k", 10));
        fx.set("k", "v");
        assertEquals(TOUCHED, fx.touch("k", 10));
        fx.get("k");
        assertEquals(fx.clock.now() + 10, fx.lastExptime);
    }

    @Test
    void shouldIncrementAndDecrement()
    {
        assertEquals(NOT_FOUND, fx.incr("n", 1));
        fx.set("n", "10");
        assertEquals(STORED, fx.incr("n", 5));
        assertEquals(15, fx.result.value);
        assertEquals(STORED, fx.decr("n", 3));
        assertEquals(12, fx.result.value);
        assertEquals("12", fx.get("n"));
    }

    @Test
    void shouldWrapIncrementAt2To64()
    {
        fx.set("n", "18446744073709551615");
        assertEquals(STORED, fx.incr("n", 1));
        assertEquals(0, fx.result.value);
        assertEquals("0" + " ".repeat(19), fx.get("n"), "shorter result is padded in place to the old length");
    }

    @Test
    void shouldHandle2To63Boundaries()
    {
        fx.set("n", "9223372036854775807");
        fx.incr("n", 1);
        assertEquals("9223372036854775808", Long.toUnsignedString(fx.result.value));
        assertEquals("9223372036854775808", fx.get("n"));
        fx.decr("n", 1);
        assertEquals("9223372036854775807", fx.get("n"));
    }

    @Test
    void shouldFloorDecrementAtZero()
    {
        fx.set("n", "3");
        assertEquals(STORED, fx.decr("n", 5));
        assertEquals(0, fx.result.value);
        assertEquals("0", fx.get("n"));
        fx.set("big", "18446744073709551615");
        fx.decr("big", -1L);
        assertEquals(0, fx.result.value, "delta is unsigned: 2^64-1 - (2^64-1) = 0");
    }

    @Test
    void shouldPadShorterNumberWithSpacesInPlace()
    {
        fx.set("n", "100");
        final long bytes = fx.store.stats().bytes;
        fx.decr("n", 1);
        assertEquals(99, fx.result.value);
        assertEquals("99 ", fx.get("n"));
        assertEquals(bytes, fx.store.stats().bytes, "rewritten in place");
        fx.incr("n", 1);
        assertEquals("100", fx.get("n"));
    }

    @Test
    void shouldGrowIntoNewItemWhenNumberGetsLonger()
    {
        fx.set("n", "99", 42, 1000);
        final int exptime = fx.clock.now() + 1000;
        final long cas = fx.casOf("n");
        fx.incr("n", 1);
        assertEquals("100", fx.get("n"));
        assertEquals(42, fx.lastFlags);
        assertEquals(exptime, fx.lastExptime);
        assertTrue(fx.lastCas > cas);
        assertEquals(Item.HEADER_LENGTH + 1 + 3, fx.store.stats().bytes);
    }

    @ParameterizedTest
    @CsvSource({
        "' 12', 13, '13 '",
        "'007', 8, '8  '",
        "'\t5', 6, '6 '",
        "'+4', 5, '5 '",
        "'99 ', 100, '100'",
        "'12 ab', 13, '13   '",
        "'   ', 1, '1  '",
        "'-0', 1, '1 '",
        "'0', 1, '1'",
    })
    void shouldAcceptNumbersAsStrtoullDoes(final String stored, final long expected, final String readBack)
    {
        fx.set("n", stored);
        assertEquals(STORED, fx.incr("n", 1));
        assertEquals(expected, fx.result.value);
        assertEquals(readBack, fx.get("n"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "hi", "12ab", "-5", "18446744073709551616", "99999999999999999999", "", "1.5", "x1" })
    void shouldRefuseNonNumericValues(final String stored)
    {
        fx.set("n", stored);
        final long cas = fx.casOf("n");
        assertEquals(NON_NUMERIC, fx.incr("n", 1));
        assertEquals(NON_NUMERIC, fx.decr("n", 1));
        assertEquals(stored, fx.get("n"));
        assertEquals(cas, fx.lastCas);
    }

    @Test
    void shouldRefuseIncrementWithWrongCas()
    {
        fx.set("n", "1");
        final MutationResult result = new MutationResult();
        final UnsafeBuffer key = StoreFixture.buffer("n");
        final long cas = fx.casOf("n");
        assertEquals(EXISTS, fx.store.incrDecr(key, 0, 1, true, 1, false, 0, 0, cas + 1, result));
        assertEquals(STORED, fx.store.incrDecr(key, 0, 1, true, 1, false, 0, 0, cas, result));
        assertEquals(2, result.value);
    }

    @Test
    void shouldAutoCreateCounterWithInitialValueNotPlusDelta()
    {
        assertEquals(STORED, fx.incrCreate("c", 5, 100, 0));
        assertEquals(100, fx.result.value);
        assertEquals("100", fx.get("c"));
        assertEquals(0, fx.lastFlags);
        assertEquals(STORED, fx.incrCreate("c", 5, 100, 0));
        assertEquals(105, fx.result.value);
    }

    @Test
    void shouldAutoCreateCounterWithExptime()
    {
        fx.incrCreate("c", 1, 0, 10);
        assertEquals("0", fx.get("c"));
        fx.clock.advance(10);
        assertNull(fx.get("c"));
    }

    @Test
    void shouldAnswerFitsAndMaxValueLengthForTheItemSizeLimit()
    {
        assertTrue(fx.store.fits(250, 1_048_000));
        assertEquals(1024 * 1024 - Item.HEADER_LENGTH - 10, fx.store.maxValueLength(10));
        assertTrue(fx.store.fits(10, fx.store.maxValueLength(10)));
        assertEquals(false, fx.store.fits(10, fx.store.maxValueLength(10) + 1));
        assertEquals(false, fx.store.fits(1, 1_048_576));
    }

    @Test
    void shouldRejectUseAfterClose()
    {
        fx.set("k", "v");
        fx.close();
        assertEquals(0, fx.store.stats().bytes);
        assertThrows(IllegalStateException.class, () -> fx.get("k"));
        fx.close();
    }
}
