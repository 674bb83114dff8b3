package dev.taskvs.client;

/**
 * The outcome of a storage command, in the text protocol's terms whatever the protocol: binary and meta replies
 * are mapped so that {@code add} on an existing key and {@code replace} on a missing one are both
 * {@link #NOT_STORED}, as memcached's text protocol reports them.
 */
public enum StoreResult
{
    STORED,
    NOT_STORED,
    /** CAS mismatch. */
    EXISTS,
    /** CAS on a missing key. */
    NOT_FOUND
}
