package dev.taskvs.server.transport.tas;

import java.nio.ByteBuffer;

import dev.taskvs.engine.app.TcpConnection;
import dev.taskvs.engine.proto.Ipv4Address;
import dev.taskvs.server.protocol.ProtocolSession;
import dev.taskvs.server.protocol.ResponseBuffer;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One client on the engine: its flow, its protocol session, and two pieces of memory that exist only while
 * needed: the overflow of responses that did not fit the TX ring, and the staging buffer of a request larger
 * than the RX ring. Owned by one {@link TasWorker}; {@code stats conns} reads a few fields racily.
 */
final class TasConnection
{
    final int id;
    final TcpConnection flow;
    final ProtocolSession session;
    final ResponseBuffer out = new ResponseBuffer(0);
    volatile long lastActiveNanos;
    volatile String state = "conn_new_cmd";
    boolean readPaused;
    boolean closing;
    boolean peerClosed;
    boolean inReadyList;
    /** Waits in its worker's batch, to be served after the poll. */
    boolean inBatch;
    boolean released;
    int index = -1;

    /** A request larger than the RX ring is gathered here: [stagedRead, stagedWrite) are pending. */
    private ByteBuffer stagingByteBuffer;
    /** Its view, made with the first big request: most connections never stage one. */
    UnsafeBuffer staging;
    int stagedRead;
    int stagedWrite;

    TasConnection(final int id, final TcpConnection flow, final ProtocolSession session)
    {
        this.id = id;
        this.flow = flow;
        this.session = session;
        lastActiveNanos = System.nanoTime();
    }

    String peerAddress()
    {
        return "tcp:" + Ipv4Address.toString(flow.remoteIp()) + ":" + flow.remotePort();
    }

    boolean isStaging()
    {
        return stagingByteBuffer != null;
    }

    int staged()
    {
        return stagedWrite - stagedRead;
    }

    /**
     * Moves every readable byte of the RX ring to the end of the staging buffer, growing it (in step with the
     * data, up to {@code maxCapacity}).
     *
     * @return false when the request exceeds {@code maxCapacity}.
     */
    boolean stageReadable(final int maxCapacity)
    {
        final int readable = flow.readable();
        if (readable == 0)
        {
            return true;
        }
        final int needed = staged() + readable;
        if (stagingByteBuffer == null || stagedWrite + readable > staging.capacity())
        {
            if (needed > maxCapacity)
            {
                return false;
            }
            final int capacity = stagingByteBuffer == null ? 0 : staging.capacity();
            if (needed > capacity)
            {
                final int target = (int)Math.min(maxCapacity, Math.max(BitUtil.findNextPositivePowerOfTwo(needed),
                    Math.max(needed, session.bytesNeeded())));
                final ByteBuffer bb = ByteBuffer.allocateDirect(Math.max(needed, target));
                final UnsafeBuffer view = new UnsafeBuffer(bb);
                if (stagingByteBuffer != null)
                {
                    view.putBytes(0, staging, stagedRead, staged());
                    BufferUtil.free(stagingByteBuffer);
                }
                stagingByteBuffer = bb;
                if (staging == null)
                {
                    staging = new UnsafeBuffer(bb);
                }
                else
                {
                    staging.wrap(bb);
                }
            }
            else
            {
                staging.putBytes(0, staging, stagedRead, staged());
            }
            stagedWrite = staged();
            stagedRead = 0;
        }
        stagedWrite += flow.read(staging, stagedWrite, readable);
        return true;
    }

    /** Done with the staging buffer once it drained: back to parsing in the RX ring. */
    void consumeStaged(final int bytes)
    {
        stagedRead += bytes;
        if (stagedRead == stagedWrite)
        {
            freeStaging();
        }
    }

    private void freeStaging()
    {
        if (stagingByteBuffer != null)
        {
            BufferUtil.free(stagingByteBuffer);
            stagingByteBuffer = null;
            staging.wrap(0, 0);
        }
        stagedRead = 0;
        stagedWrite = 0;
    }

    void release()
    {
        if (!released)
        {
            released = true;
            session.onClose();
            out.free();
            freeStaging();
        }
    }
}
