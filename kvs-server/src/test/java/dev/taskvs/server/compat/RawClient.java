package dev.taskvs.server.compat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A blocking text-protocol connection with a read deadline, for seeding data and checking a server's health. */
final class RawClient implements AutoCloseable
{
    static final int READ_TIMEOUT_MS = 5000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(final CacheServer server) throws IOException
    {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server.address(), 2000);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(final String text) throws IOException
    {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One line without its CRLF, or null at end of stream. */
    String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n')
            {
                final String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    byte[] readExactly(final int n) throws IOException
    {
        final byte[] bytes = in.readNBytes(n);
        if (bytes.length != n)
        {
            throw new IOException("stream ended after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    /** Sends one get for all keys and returns what came back, key to value. */
    Map<String, String> getAll(final Iterable<String> keys) throws IOException
    {
        final StringBuilder request = new StringBuilder("get");
        keys.forEach(k -> request.append(' ').append(k));
        send(request.append("\r\n").toString());
        final Map<String, String> values = new LinkedHashMap<>();
        while (true)
        {
            final String line = readLine();
            if (line == null || line.equals("END"))
            {
                return values;
            }
            final String[] tokens = line.split(" ");
            if (!tokens[0].equals("VALUE") || tokens.length < 4)
            {
                throw new IOException("unexpected line in a get response: " + line);
            }
            final byte[] data = readExactly(Integer.parseInt(tokens[3]) + 2);
            values.put(tokens[1], new String(data, 0, data.length - 2, StandardCharsets.ISO_8859_1));
        }
    }

    /** Whether the server closed this connection (a read returns end of stream, or the connection was reset). */
    boolean closedByServer()
    {
        try
        {
            return in.read() < 0;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Best effort.
        }
    }
}
