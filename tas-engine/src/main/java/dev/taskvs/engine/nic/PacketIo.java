package dev.taskvs.engine.nic;

/**
 * Burst packet I/O of Ethernet frames (without FCS): the one interface between the engine and a NIC
 * backend (loopback, shm, TAP, AF_PACKET, DPDK).
 * <p>
 * Buffer ownership, so that backends with rings can be zero-copy:
 * <ul>
 *   <li><b>Receive.</b> {@link #receive} appends views of received frames to a batch. The frames stay the
 *   backend's memory (ring slots, mbufs) and stay valid until {@link #release} hands them back. Frames are
 *   released in the order they were received; a caller that wants to keep bytes longer copies them.</li>
 *   <li><b>Transmit.</b> {@link #allocate} appends empty frames to a batch; they are the backend's memory
 *   (for rings: the slots the frames will be sent from). The caller writes each frame, sets its length with
 *   {@link FrameBatch#length(int, int)} and passes the batch to {@link #transmit}, which sends the frames in
 *   order, skips those left at length 0, and clears the batch. Batches are transmitted in the order they
 *   were allocated.</li>
 * </ul>
 * Neither call blocks: an empty receive returns 0 and an allocate with no room returns fewer frames than asked.
 * One thread drives an instance (receive and transmit may be split over two threads only where a backend says
 * so). Errors on the data path are counted, not thrown; setup and close throw.
 */
public interface PacketIo extends AutoCloseable
{
    /**
     * Receive up to {@link FrameBatch#remaining()} frames without blocking.
     *
     * @param rx batch to append the received frames to.
     * @return the number of frames appended.
     */
    int receive(FrameBatch rx);

    /**
     * Hand back every frame of a batch filled by {@link #receive}, and clear it.
     *
     * @param rx the batch.
     */
    void release(FrameBatch rx);

    /**
     * Allocate frames to transmit, each with {@link #maxFrameLength()} bytes of room and length 0.
     *
     * @param tx    batch to append the frames to.
     * @param count how many frames are wanted.
     * @return how many were appended: fewer than asked when the backend's transmit room or the batch runs out.
     */
    int allocate(FrameBatch tx, int count);

    /**
     * Send the frames of a batch filled by {@link #allocate}, in order, and clear the batch. A frame left at
     * length 0 is withdrawn and not sent.
     *
     * @param tx the batch.
     * @return the number of frames handed to the wire.
     */
    int transmit(FrameBatch tx);

    /** @return this endpoint's MAC address in the low 48 bits. */
    long macAddress();

    /** @return the IP MTU: the largest IPv4 datagram carried, without the Ethernet header. */
    int mtu();

    /** @return the largest frame the backend receives or sends, Ethernet header included. */
    int maxFrameLength();

    /** @return a short name for logs, such as "tap:t0". */
    String name();

    /**
     * Whether this wire delivers every frame intact between two endpoints that both know it (memory wires):
     * then neither end computes or checks IPv4 and TCP checksums, as Linux does on its loopback device
     * (CHECKSUM_UNNECESSARY). A NIC, a kernel device or a fault injector says false.
     *
     * @return true when checksums are neither written nor verified on this wire.
     */
    default boolean checksumOffload()
    {
        return false;
    }

    /** Release the backend's resources; frames obtained from it are invalid afterwards. */
    @Override
    void close();
}
