package dev.taskvs.server.compat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A script of exact request bytes, each with the condition that ends its response, over one or more connections
 * to one server. Running it on two servers gives two {@link Transcript}s to compare.
 */
public final class Conversation
{
    private static final Pattern CAS_PLACEHOLDER = Pattern.compile("\\{cas(?::([^}+\\-]+))?([+-]\\d+)?}");

    final List<Step> steps;

    private Conversation(final List<Step> steps)
    {
        this.steps = List.copyOf(steps);
    }

    public static Builder script()
    {
        return new Builder();
    }

    /** Runs the script against one server. */
    public Transcript run(final CacheServer server)
    {
        return ConversationRunner.run(server, this);
    }

    enum Action
    {
        SEND, CLOSE, POLL
    }

    static final class Step
    {
        final Action action;
        final int connection;
        final Function<ServerState, byte[]> request;
        final String label;
        final Expect expect;
        final Predicate<String> pollDone;
        final Duration pollDeadline;
        int chunk;

        Step(
            final Action action,
            final int connection,
            final Function<ServerState, byte[]> request,
            final String label,
            final Expect expect,
            final Predicate<String> pollDone,
            final Duration pollDeadline)
        {
            this.action = action;
            this.connection = connection;
            this.request = request;
            this.label = label;
            this.expect = expect;
            this.pollDone = pollDone;
            this.pollDeadline = pollDeadline;
        }
    }

    public static final class Builder
    {
        private final List<Step> steps = new ArrayList<>();
        private int connection;

        /** Later steps use connection {@code index} (opened at its first use). */
        public Builder on(final int index)
        {
            connection = index;
            return this;
        }

        /**
         * Sends text (ISO-8859-1 bytes) in which {@code {cas}}, {@code {cas:key}} and {@code {cas+N}} stand for the
         * CAS this server last reported (for that key), then reads the response.
         */
        public Builder send(final String text, final Expect expect)
        {
            steps.add(new Step(Action.SEND, connection, state -> resolve(text, state), label(text), expect, null,
                null));
            return this;
        }

        public Builder send(final byte[] bytes, final Expect expect)
        {
            steps.add(new Step(Action.SEND, connection, state -> bytes, label(bytes), expect, null, null));
            return this;
        }

        /** Sends binary packets in one write, then reads the response. */
        public Builder send(final Expect expect, final Bin.Packet... packets)
        {
            final StringBuilder label = new StringBuilder();
            for (final Bin.Packet packet : packets)
            {
                label.append(packet);
            }
            steps.add(new Step(Action.SEND, connection, state -> concat(packets, state), label.toString(), expect,
                null, null));
            return this;
        }

        /**
         * Like {@link #send(String, Expect)}, but the request goes out {@code chunk} bytes per write (with
         * TCP_NODELAY, one segment each), so the server sees a command and its data split across many reads.
         */
        public Builder dribble(final String text, final int chunk, final Expect expect)
        {
            send(text, expect);
            final Step step = steps.get(steps.size() - 1);
            step.chunk = chunk;
            return this;
        }

        /** Binary packets sent {@code chunk} bytes per write. */
        public Builder dribble(final int chunk, final Expect expect, final Bin.Packet... packets)
        {
            send(expect, packets);
            steps.get(steps.size() - 1).chunk = chunk;
            return this;
        }

        /** Reads a response without sending (the rest of an answer, or the server's close). */
        public Builder read(final Expect expect)
        {
            steps.add(new Step(Action.SEND, connection, null, "(read)", expect, null, null));
            return this;
        }

        /** The client closes the current connection. */
        public Builder close()
        {
            steps.add(new Step(Action.CLOSE, connection, null, "(client closes)", Expect.none(), null, null));
            return this;
        }

        /**
         * Sends {@code text} again and again until its response (as ISO-8859-1 text) satisfies {@code done} or the
         * deadline passes; only the last response is recorded. For waits that are inherent (expiry, delayed flush).
         */
        public Builder poll(final String text, final Expect expect, final Predicate<String> done,
            final Duration deadline)
        {
            steps.add(new Step(Action.POLL, connection, state -> resolve(text, state), "(poll) " + label(text),
                expect, done, deadline));
            return this;
        }

        public Conversation build()
        {
            return new Conversation(steps);
        }

        private static String label(final String text)
        {
            return Framing.escape(text.getBytes(StandardCharsets.ISO_8859_1), 160);
        }

        private static String label(final byte[] bytes)
        {
            return Framing.escape(bytes, 160);
        }
    }

    static byte[] resolve(final String text, final ServerState state)
    {
        final Matcher m = CAS_PLACEHOLDER.matcher(text);
        final StringBuilder out = new StringBuilder(text.length());
        while (m.find())
        {
            long cas = m.group(1) == null ? state.lastCas() : state.casOf(m.group(1));
            if (m.group(2) != null)
            {
                cas += Long.parseLong(m.group(2));
            }
            m.appendReplacement(out, Long.toUnsignedString(cas));
        }
        m.appendTail(out);
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(final Bin.Packet[] packets, final ServerState state)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Bin.Packet packet : packets)
        {
            out.writeBytes(packet.bytes(state));
        }
        return out.toByteArray();
    }

    /** n copies of a byte, as text (for long keys and values). */
    public static String repeat(final char c, final int n)
    {
        final char[] chars = new char[n];
        Arrays.fill(chars, c);
        return new String(chars);
    }
}
