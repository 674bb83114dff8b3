package dev.taskvs.loadgen.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkloadTest
{
    @Test
    void zipfShouldMatchTheZipfLawForTheHottestKeys()
    {
        final int keys = 1000;
        final double skew = 0.99;
        final ZipfKeys zipf = new ZipfKeys(keys, skew);
        final SplittableRandom random = new SplittableRandom(1);
        final int samples = 400_000;
        final int[] counts = new int[keys];
        for (int i = 0; i < samples; i++)
        {
            counts[zipf.next(random)]++;
        }
        for (int rank = 1; rank <= 10; rank++)
        {
            final double expected = zipf.probability(rank) * samples;
            final double observed = counts[rank - 1];
            assertEquals(expected, observed, 0.05 * expected + 50, "rank " + rank);
        }
        // The law itself: frequency ratio of rank 1 to rank 2 is 2^s, and the tail is thin but present.
        assertEquals(Math.pow(2, skew), (double)counts[0] / counts[1], 0.08);
        long tail = 0;
        for (int k = 500; k < keys; k++)
        {
            tail += counts[k];
        }
        double expectedTail = 0;
        for (int rank = 501; rank <= keys; rank++)
        {
            expectedTail += zipf.probability(rank) * samples;
        }
        assertEquals(expectedTail, tail, 0.05 * expectedTail);
    }

    @Test
    void zipfShouldStayInRangeForLargeKeySpacesAndSkewOne()
    {
        final ZipfKeys zipf = new ZipfKeys(50_000_000, 1.0);
        final SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++)
        {
            final int k = zipf.next(random);
            assertTrue(k >= 0 && k < 50_000_000);
        }
    }

    @Test
    void poissonGapsShouldHaveTheRequestedMeanAndUnitCoefficientOfVariation()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final double mean = 50_000;
        final int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            final double g = Arrivals.POISSON.gapNanos(random, mean);
            assertTrue(g >= 0);
            sum += g;
            sumSq += g * g;
        }
        final double m = sum / n;
        final double sd = Math.sqrt(sumSq / n - m * m);
        assertEquals(mean, m, 0.01 * mean);
        assertEquals(1.0, sd / m, 0.02);
        assertEquals(mean, Arrivals.FIXED.gapNanos(random, mean));
    }

    @Test
    void uniformAndSequentialKeysShouldCoverTheSpace()
    {
        final KeyChooser uniform = KeyChooser.parse("uniform", 10);
        final SplittableRandom random = new SplittableRandom(4);
        final int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            counts[uniform.next(random)]++;
        }
        for (final int c : counts)
        {
            assertEquals(10_000, c, 500);
        }
        final KeyChooser seq = KeyChooser.parse("sequential", 3);
        assertEquals(0, seq.next(random));
        assertEquals(1, seq.next(random));
        assertEquals(2, seq.next(random));
        assertEquals(0, seq.next(random));
        assertTrue(KeyChooser.parse("zipf:0.5", 10) instanceof ZipfKeys);
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> KeyChooser.parse("zipf:-1", 10));
        assertTrue(bad.getMessage().contains("--key-dist") && bad.getMessage().contains("(0, 10]"),
            bad.getMessage());
    }

    @Test
    void valueSizesShouldFollowTheirSpecs()
    {
        final SplittableRandom random = new SplittableRandom(5);
        assertEquals(64, ValueSizes.parse("64").size(random.nextLong()));
        final ValueSizes range = ValueSizes.parse("10-20");
        final ValueSizes weighted = ValueSizes.parse("64:9,256:1");
        int big = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final int r = range.size(random.nextLong());
            assertTrue(r >= 10 && r <= 20, "range gave " + r);
            if (weighted.size(random.nextLong()) == 256)
            {
                big++;
            }
        }
        assertEquals(10_000, big, 600);
        final ValueSizes normal = ValueSizes.parse("normal:200,20");
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += normal.size(random.nextLong());
        }
        assertEquals(200, sum / 100_000, 2);
        final int fb = ValueSizes.parse("fb_value").size(random.nextLong());
        assertTrue(fb >= 0 && fb <= ValueSizes.MAX_VALUE_SIZE);
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> ValueSizes.parse("20-10"));
        assertTrue(bad.getMessage().startsWith("--value-size 20-10"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ValueSizes.parse("2000000"));
    }

    @Test
    void valuesShouldVerifyAndEveryCorruptionShouldBeCaught()
    {
        final ValueContent content = new ValueContent(ValueSizes.parse("4-300"), 7);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[400]);
        for (int key = 0; key < 2000; key++)
        {
            final int version = key * 31;
            final int length = content.write(buffer, 0, key, version);
            assertEquals(content.length(key, version), length);
            assertEquals(ValueContent.OK, content.verify(key, buffer, 0, length));
            if (length >= ValueContent.HEADER_LENGTH)
            {
                assertEquals(ValueContent.WRONG_KEY, content.verify(key + 1, buffer, 0, length));
                assertTrue(content.verify(key, buffer, 0, length - 1) != ValueContent.OK);
            }
            final int at = length / 2;
            buffer.putByte(at, (byte)(buffer.getByte(at) ^ 1));
            assertTrue(content.verify(key, buffer, 0, length) != ValueContent.OK, "flip at " + at);
        }
    }

    @Test
    void keysShouldBePrecomputedAndMapBackToTheirIndex()
    {
        final KeySpace keys = new KeySpace(1000, 8);
        assertEquals("k0000999", keys.keyAsString(999));
        assertEquals(999, keys.indexOf(keys.buffer(), keys.offset(999), 8));
        assertEquals(-1, keys.indexOf(new UnsafeBuffer("x0000001".getBytes()), 0, 8));
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> new KeySpace(100_000, 4));
        assertTrue(bad.getMessage().contains("--key-size = 4") && bad.getMessage().contains("6..250"),
            bad.getMessage());
    }

    @Test
    void keysShouldReadBackToTheirIndexAtEveryKeySize()
    {
        for (final int keySize : new int[]{2, 7, 8, 9, 16, 17, 24, 40, 250})
        {
            final int count = keySize == 2 ? 10 : 3000;
            final KeySpace keys = new KeySpace(count, keySize);
            for (int i = 0; i < count; i++)
            {
                assertEquals(i, keys.indexOf(keys.buffer(), keys.offset(i), keySize), "size " + keySize + " key " + i);
            }
            // One wrong byte anywhere, in or past the eight-digit words: not a key.
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[keySize]);
            for (int p = 0; p < keySize; p++)
            {
                for (final byte bad : new byte[]{'/', ':', 'a', ' ', (byte)0xB0, '0' - 16})
                {
                    copy.putBytes(0, keys.buffer(), keys.offset(count - 1), keySize);
                    copy.putByte(p, bad);
                    assertEquals(-1, keys.indexOf(copy, 0, keySize), "size " + keySize + " byte " + p);
                }
            }
            assertEquals(-1, keys.indexOf(keys.buffer(), keys.offset(1), keySize - 1));
        }
        // In range of the digits but not of the space.
        final KeySpace keys = new KeySpace(1000, 17);
        final UnsafeBuffer big = new UnsafeBuffer("k0000000000001000".getBytes());
        assertEquals(-1, keys.indexOf(big, 0, 17));
        final UnsafeBuffer huge = new UnsafeBuffer("k9999999999999999".getBytes());
        assertEquals(-1, keys.indexOf(huge, 0, 17));
    }

    @Test
    void eightDigitsShouldConvertLikeParseLong()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        for (int round = 0; round < 100_000; round++)
        {
            final int value = random.nextInt(100_000_000);
            buffer.putStringWithoutLengthAscii(0, String.format("%08d", value));
            assertEquals(value, KeySpace.eightDigits(buffer.getLong(0, java.nio.ByteOrder.LITTLE_ENDIAN)));
        }
    }
}
