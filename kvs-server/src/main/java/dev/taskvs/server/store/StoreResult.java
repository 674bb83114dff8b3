package dev.taskvs.server.store;

/** Outcomes of store operations; the protocols map them to their own words and status codes. */
public enum StoreResult
{
    STORED, NOT_STORED, EXISTS, NOT_FOUND, DELETED, TOUCHED,
    /** incr/decr on a value that is not a decimal uint64. */
    NON_NUMERIC,
    /** Larger than the item size limit (-I). */
    TOO_LARGE,
    /** No memory could be found (eviction disabled with -M, or nothing left to evict). */
    NO_MEMORY
}
