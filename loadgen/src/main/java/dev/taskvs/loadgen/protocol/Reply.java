package dev.taskvs.loadgen.protocol;

/** How one decoded response unit bears on the request at the head of a connection's pipeline. */
public final class Reply
{
    /** A value for one of the request's keys; more units follow. */
    public static final int HIT = 0;
    /** A value that also completes the request (single-key meta and binary gets). */
    public static final int HIT_LAST = 1;
    /** The request is complete (text END, a miss, the multi-get terminator). */
    public static final int END = 2;
    /** The set was stored. */
    public static final int STORED = 3;
    /** The request completed with an error reply; {@link #errorKind} says which. */
    public static final int FAILED = 4;
    /** A unit no request of this kind can get: the stream is out of step and the connection must be reset. */
    public static final int UNEXPECTED = 5;

    private Reply()
    {
    }
}
