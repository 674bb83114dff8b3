package dev.taskvs.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Picks the key of each request: its popularity model. Instances are per worker thread (sequential keeps a
 * cursor); {@link #copy()} makes another for the next thread. {@link #next} never allocates.
 */
public interface KeyChooser
{
    /** A key index in {@code [0, keys)}. */
    int next(SplittableRandom random);

    /** A fresh chooser with the same parameters for another thread. */
    KeyChooser copy();

    /** How the chooser prints itself in reports: {@code uniform}, {@code zipf:0.99}, {@code sequential}. */
    String describe();

    /**
     * Parses {@code uniform}, {@code zipf} (skew 0.99), {@code zipf:S} (skew S in (0, 10]) or {@code sequential}.
     *
     * @throws IllegalArgumentException naming the option and the accepted values.
     */
    static KeyChooser parse(final String spec, final int keys)
    {
        final String s = spec.trim().toLowerCase();
        if (s.equals("uniform"))
        {
            return new UniformKeys(keys);
        }
        if (s.equals("sequential"))
        {
            return new SequentialKeys(keys, 0);
        }
        if (s.equals("zipf") || s.startsWith("zipf:"))
        {
            double skew = 0.99;
            if (s.startsWith("zipf:"))
            {
                try
                {
                    skew = Double.parseDouble(s.substring(5));
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("--key-dist " + spec + ": the zipf skew must be a number in " +
                        "(0, 10], e.g. zipf:0.99");
                }
            }
            if (!(skew > 0 && skew <= 10))
            {
                throw new IllegalArgumentException("--key-dist " + spec + ": the zipf skew " + skew +
                    " is out of range: must be in (0, 10]");
            }
            return new ZipfKeys(keys, skew);
        }
        throw new IllegalArgumentException("--key-dist " + spec + " is not one of: uniform, zipf, zipf:SKEW, " +
            "sequential");
    }

    /** Every key equally likely. */
    final class UniformKeys implements KeyChooser
    {
        private final int keys;

        public UniformKeys(final int keys)
        {
            this.keys = keys;
        }

        @Override
        public int next(final SplittableRandom random)
        {
            return random.nextInt(keys);
        }

        @Override
        public KeyChooser copy()
        {
            return this;
        }

        @Override
        public String describe()
        {
            return "uniform";
        }
    }

    /** Keys in order, wrapping around; each thread starts at its own offset. */
    final class SequentialKeys implements KeyChooser
    {
        private final int keys;
        private int cursor;

        public SequentialKeys(final int keys, final int start)
        {
            this.keys = keys;
            this.cursor = start % keys;
        }

        @Override
        public int next(final SplittableRandom random)
        {
            final int key = cursor;
            cursor = key + 1 == keys ? 0 : key + 1;
            return key;
        }

        @Override
        public KeyChooser copy()
        {
            return new SequentialKeys(keys, cursor + keys / 2);
        }

        @Override
        public String describe()
        {
            return "sequential";
        }
    }
}
