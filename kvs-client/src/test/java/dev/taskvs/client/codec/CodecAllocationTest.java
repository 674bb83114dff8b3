package dev.taskvs.client.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import dev.taskvs.client.codec.binary.BinaryProtocol;
import dev.taskvs.client.codec.binary.BinaryRequestEncoder;
import dev.taskvs.client.codec.binary.BinaryResponseDecoder;
import dev.taskvs.client.codec.meta.MetaRequestEncoder;
import dev.taskvs.client.codec.meta.MetaResponseDecoder;
import dev.taskvs.client.codec.text.TextRequestEncoder;
import dev.taskvs.client.codec.text.TextResponseDecoder;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The load generator's hot path: encode a get, decode the value reply; steady state must not allocate. */
class CodecAllocationTest
{
    private static final int ITERATIONS = 100_000;
    /** Slack for the JIT and the MXBean itself; a single allocation per iteration would be >= 1.6 MB. */
    private static final long MAX_ALLOCATED_BYTES = 64 * 1024;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer key = new UnsafeBuffer(DecoderHarness.ascii("key:000000012345"));
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
    private final Response response = new Response();

    private long allocatedBy(final Runnable loop)
    {
        loop.run(); // warm up: JIT, class loading, first-use allocations
        loop.run();
        final long tid = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(tid);
        loop.run();
        return threads.getThreadAllocatedBytes(tid) - before;
    }

    @Test
    void shouldEncodeTextGetAndDecodeValueWithoutAllocating()
    {
        final TextRequestEncoder encoder = new TextRequestEncoder();
        final TextResponseDecoder decoder = new TextResponseDecoder();
        final UnsafeBuffer reply = new UnsafeBuffer(DecoderHarness.ascii(
            "VALUE key:000000012345 0 64\r\n" + "x".repeat(64) + "\r\nEND\r\n"));
        final long[] checksum = new long[1];
        final long allocated = allocatedBy(() ->
        {
            for (int i = 0; i < ITERATIONS; i++)
            {
                final int length = encoder.get(out, 0, key, 0, key.capacity());
                int offset = decoder.decode(reply, 0, reply.capacity(), response);
                checksum[0] += length + response.valueLength() + response.kind().ordinal();
                offset += decoder.decode(reply, offset, reply.capacity() - offset, response);
                checksum[0] += offset + response.kind().ordinal();
            }
        });
        assertTrue(checksum[0] > 0);
        assertEquals(ResponseKind.END, response.kind());
        assertTrue(allocated < MAX_ALLOCATED_BYTES, "allocated " + allocated + " bytes");
    }

    @Test
    void shouldEncodeMetaGetAndDecodeValueWithoutAllocating()
    {
        final MetaRequestEncoder encoder = new MetaRequestEncoder();
        final MetaResponseDecoder decoder = new MetaResponseDecoder();
        final byte[] flags = DecoderHarness.ascii("v f c");
        final UnsafeBuffer reply = new UnsafeBuffer(DecoderHarness.ascii(
            "VA 64 f0 c12345 O777\r\n" + "x".repeat(64) + "\r\n"));
        final long[] checksum = new long[1];
        final long allocated = allocatedBy(() ->
        {
            for (int i = 0; i < ITERATIONS; i++)
            {
                final int length = encoder.get(out, 0, key, 0, key.capacity(), flags, i);
                checksum[0] += length + decoder.decode(reply, 0, reply.capacity(), response) + response.opaque();
            }
        });
        assertTrue(checksum[0] > 0);
        assertEquals(777, response.opaque());
        assertTrue(allocated < MAX_ALLOCATED_BYTES, "allocated " + allocated + " bytes");
    }

    @Test
    void shouldEncodeBinaryGetAndDecodeValueWithoutAllocating()
    {
        final BinaryRequestEncoder encoder = new BinaryRequestEncoder();
        final BinaryResponseDecoder decoder = new BinaryResponseDecoder();
        final ExpandableDirectByteBuffer reply = new ExpandableDirectByteBuffer(128);
        final int replyLength = BinaryRequestEncoder.header(reply, 0, BinaryProtocol.GET, 0, 4, 68, 5, 9) + 68;
        reply.putByte(0, BinaryProtocol.MAGIC_RESPONSE);
        final long[] checksum = new long[1];
        final long allocated = allocatedBy(() ->
        {
            for (int i = 0; i < ITERATIONS; i++)
            {
                final int length = encoder.get(out, 0, BinaryProtocol.GETK, key, 0, key.capacity(), i);
                checksum[0] += length + decoder.decode(reply, 0, replyLength, response) + response.cas();
            }
        });
        assertTrue(checksum[0] > 0);
        assertEquals(ResponseKind.VALUE, response.kind());
        assertEquals(64, response.valueLength());
        assertTrue(allocated < MAX_ALLOCATED_BYTES, "allocated " + allocated + " bytes");
    }

    @Test
    void shouldEncodeStoresWithoutAllocating()
    {
        final TextRequestEncoder text = new TextRequestEncoder();
        final MetaRequestEncoder meta = new MetaRequestEncoder();
        final BinaryRequestEncoder binary = new BinaryRequestEncoder();
        final long[] checksum = new long[1];
        final long allocated = allocatedBy(() ->
        {
            for (int i = 0; i < ITERATIONS; i++)
            {
                int n = text.set(out, 0, key, 0, key.capacity(), i, 30, value, 0, value.capacity());
                int m = meta.begin(out, n, dev.taskvs.client.codec.meta.MetaCommand.SET, key, 0, key.capacity());
                m = meta.dataLength(out, m, value.capacity());
                m = meta.flag(out, m, 'T', 30);
                m = meta.flag(out, m, 'O', i);
                m = meta.data(out, meta.end(out, m), value, 0, value.capacity());
                n = binary.store(out, m, BinaryProtocol.SETQ, key, 0, key.capacity(), i, 30, value, 0,
                    value.capacity(), i, 0);
                checksum[0] += n;
            }
        });
        assertTrue(checksum[0] > 0);
        assertTrue(allocated < MAX_ALLOCATED_BYTES, "allocated " + allocated + " bytes");
    }
}
