package dev.taskvs.server.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Plays a {@link Conversation} against one server over raw sockets and records its {@link Transcript}. */
final class ConversationRunner
{
    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final int READ_SLICE_MS = 100;

    private ConversationRunner()
    {
    }

    static Transcript run(final CacheServer server, final Conversation conversation)
    {
        final ServerState state = new ServerState();
        final Transcript transcript = new Transcript(server.name());
        final Map<Integer, Connection> connections = new HashMap<>();
        try
        {
            int index = 0;
            for (final Conversation.Step step : conversation.steps)
            {
                index++;
                final Connection connection = connections.computeIfAbsent(step.connection,
                    i -> Connection.open(server));
                state.clocks.clear();
                final StringBuilder compare = new StringBuilder();
                final StringBuilder display = new StringBuilder();
                final String head = String.format("#%d [c%d] > %s%n", index, step.connection, step.label);
                compare.append(head);
                display.append(head);
                final boolean timeout;
                switch (step.action)
                {
                    case CLOSE:
                        connection.close();
                        connections.remove(step.connection);
                        timeout = false;
                        break;
                    case POLL:
                        timeout = poll(connection, step, state, compare, display);
                        break;
                    default:
                        if (step.request != null)
                        {
                            final byte[] request = step.request.apply(state);
                            if (step.chunk > 0)
                            {
                                for (int at = 0; at < request.length; at += step.chunk)
                                {
                                    connection.write(Arrays.copyOfRange(request, at,
                                        Math.min(request.length, at + step.chunk)));
                                }
                            }
                            else
                            {
                                connection.write(request);
                            }
                        }
                        timeout = read(connection, step.expect, state, compare, display);
                        break;
                }
                transcript.add(compare.toString(), display.toString(), state.clocks, timeout);
            }
        }
        finally
        {
            connections.values().forEach(Connection::close);
        }
        return transcript;
    }

    private static boolean poll(
        final Connection connection,
        final Conversation.Step step,
        final ServerState state,
        final StringBuilder compare,
        final StringBuilder display)
    {
        final long deadline = System.nanoTime() + step.pollDeadline.toNanos();
        while (true)
        {
            connection.write(step.request.apply(state));
            final Reply reply = connection.read(step.expect);
            final String text = new String(reply.bytes(), StandardCharsets.ISO_8859_1);
            if (reply.outcome != Outcome.DONE || step.pollDone.test(text) || System.nanoTime() > deadline)
            {
                final boolean timeout = reply.outcome == Outcome.TIMEOUT || !step.pollDone.test(text);
                if (reply.outcome == Outcome.DONE && !step.pollDone.test(text))
                {
                    compare.append("  <poll condition not met within ").append(step.pollDeadline).append(">\n");
                    display.append("  <poll condition not met within ").append(step.pollDeadline).append(">\n");
                }
                record(reply, step.expect, state, compare, display);
                return timeout;
            }
            Thread.onSpinWait();
            connection.pause(20);
        }
    }

    private static boolean read(
        final Connection connection,
        final Expect expect,
        final ServerState state,
        final StringBuilder compare,
        final StringBuilder display)
    {
        final Reply reply = connection.read(expect);
        record(reply, expect, state, compare, display);
        return reply.outcome == Outcome.TIMEOUT && expect.kind != Expect.Kind.NONE;
    }

    private static void record(
        final Reply reply,
        final Expect expect,
        final ServerState state,
        final StringBuilder compare,
        final StringBuilder display)
    {
        Renderer.render(reply.units, expect.binary || reply.binary, state, compare, display);
        if (reply.partial.length > 0)
        {
            final String partial = "  <partial " + Framing.escape(reply.partial, 300) + ">\n";
            compare.append(partial);
            display.append(partial);
        }
        final String end;
        switch (reply.outcome)
        {
            case CLOSED:
                end = "  <closed by server>\n";
                break;
            case TIMEOUT:
                end = expect.kind == Expect.Kind.EOF
                    ? "  <still open after " + expect.deadline.toMillis() + " ms>\n"
                    : "  <timeout after " + expect.deadline.toMillis() + " ms waiting for " + expect + ">\n";
                break;
            default:
                end = "";
                break;
        }
        compare.append(end);
        display.append(end);
    }

    enum Outcome
    {
        DONE, CLOSED, TIMEOUT
    }

    static final class Reply
    {
        final List<byte[]> units;
        final byte[] partial;
        final Outcome outcome;
        final boolean binary;

        Reply(final List<byte[]> units, final byte[] partial, final Outcome outcome, final boolean binary)
        {
            this.units = units;
            this.partial = partial;
            this.outcome = outcome;
            this.binary = binary;
        }

        byte[] bytes()
        {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            units.forEach(out::writeBytes);
            out.writeBytes(partial);
            return out.toByteArray();
        }
    }

    /** One client connection with the bytes received but not yet consumed by a step. */
    static final class Connection
    {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private byte[] buffer = new byte[64 * 1024];
        private int start;
        private int end;
        private boolean eof;
        private boolean binary;
        private boolean closedByClient;

        private Connection(final Socket socket) throws IOException
        {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Connection open(final CacheServer server)
        {
            try
            {
                final Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(server.address(), CONNECT_TIMEOUT_MS);
                return new Connection(socket);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot connect to " + server + ": " + ex, ex);
            }
        }

        void write(final byte[] bytes)
        {
            if (bytes.length > 0 && start == end && !binary)
            {
                binary = (bytes[0] & 0xFF) == 0x80;
            }
            if (closedByClient || eof)
            {
                return;
            }
            try
            {
                out.write(bytes);
                out.flush();
            }
            catch (final IOException ex)
            {
                // The server may close (or reset) while we write: the read that follows reports the close.
                eof = eof || socket.isClosed();
            }
        }

        Reply read(final Expect expect)
        {
            final boolean asBinary = expect.binary || binary;
            final List<byte[]> units = new ArrayList<>();
            final long deadline = System.nanoTime() + expect.deadline.toNanos();
            while (true)
            {
                while (!expect.done(units))
                {
                    final int length = asBinary
                        ? Framing.binaryUnit(buffer, start, end - start)
                        : Framing.textUnit(buffer, start, end - start);
                    if (length < 0)
                    {
                        break;
                    }
                    units.add(Arrays.copyOfRange(buffer, start, start + length));
                    start += length;
                }
                if (expect.kind != Expect.Kind.EOF && expect.done(units))
                {
                    return new Reply(units, new byte[0], Outcome.DONE, asBinary);
                }
                if (eof || closedByClient)
                {
                    return new Reply(units, takeRest(), Outcome.CLOSED, asBinary);
                }
                final long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0)
                {
                    return new Reply(units, takeRest(), Outcome.TIMEOUT, asBinary);
                }
                fill((int)Math.min(remainingMs, READ_SLICE_MS));
            }
        }

        private byte[] takeRest()
        {
            final byte[] rest = Arrays.copyOfRange(buffer, start, end);
            start = end;
            return rest;
        }

        private void fill(final int timeoutMs)
        {
            if (start == end)
            {
                start = 0;
                end = 0;
            }
            if (end == buffer.length)
            {
                if (start > 0)
                {
                    System.arraycopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
            }
            try
            {
                socket.setSoTimeout(Math.max(1, timeoutMs));
                final int n = in.read(buffer, end, buffer.length - end);
                if (n < 0)
                {
                    eof = true;
                }
                else
                {
                    end += n;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // Nothing yet; the caller checks its deadline.
            }
            catch (final IOException ex)
            {
                // A reset reads as a close: what the server sent before it is already in the buffer.
                eof = true;
            }
        }

        /** Waits a little between poll attempts without holding a lock or spinning the CPU. */
        void pause(final int millis)
        {
            try
            {
                Thread.sleep(millis);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        void close()
        {
            closedByClient = true;
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // Closing is best effort.
            }
        }
    }
}
