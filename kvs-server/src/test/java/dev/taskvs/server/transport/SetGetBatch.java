package dev.taskvs.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pipelined batch of set + get pairs and its exact replies, sent over a real socket: the workload of the
 * transports' allocation tests, so each transport is measured on the same requests.
 */
public final class SetGetBatch
{
    /** set/get pairs per batch by default. */
    public static final int PAIRS = 50;

    private final int pairs;
    public final byte[] requests;
    public final byte[] replies;
    private final byte[] received;

    public SetGetBatch()
    {
        this(PAIRS);
    }

    /** @param pairs set/get pairs per batch. */
    public SetGetBatch(final int pairs)
    {
        this.pairs = pairs;
        this.requests = requests(pairs);
        this.replies = replies(pairs);
        this.received = new byte[replies.length];
    }

    /** Requests answered per {@link #roundTrip}. */
    public int requestsPerRoundTrip()
    {
        return pairs * 2;
    }

    /** Sends the batch, reads its replies and checks them byte for byte. */
    public void roundTrip(final OutputStream out, final InputStream in) throws IOException
    {
        out.write(requests);
        int read = 0;
        while (read < received.length)
        {
            final int n = in.read(received, read, received.length - read);
            if (n < 0)
            {
                throw new IOException("server closed after " + read + " bytes");
            }
            read += n;
        }
        assertEquals(new String(replies, StandardCharsets.US_ASCII), new String(received, StandardCharsets.US_ASCII));
    }

    /** The id of the live thread whose name contains {@code name}. */
    public static long threadId(final String name)
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().contains(name))
            {
                return t.getId();
            }
        }
        throw new AssertionError("no thread named " + name + ": " + Thread.getAllStackTraces().keySet());
    }

    private static byte[] requests(final int pairs)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs; i++)
        {
            sb.append("set key:").append(i).append(" 7 0 8\r\nvalue-").append(i % 10).append(i % 10).append("\r\n");
            sb.append("get key:").append(i).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] replies(final int pairs)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs; i++)
        {
            sb.append("STORED\r\n");
            sb.append("VALUE key:").append(i).append(" 7 8\r\nvalue-").append(i % 10).append(i % 10)
                .append("\r\nEND\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
