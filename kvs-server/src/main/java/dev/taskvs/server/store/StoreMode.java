package dev.taskvs.server.store;

/** The storage commands, as memcached names them. */
public enum StoreMode
{
    SET, ADD, REPLACE, APPEND, PREPEND, CAS
}
