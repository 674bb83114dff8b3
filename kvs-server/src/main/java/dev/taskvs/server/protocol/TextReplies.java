package dev.taskvs.server.protocol;

import java.nio.charset.StandardCharsets;

/** The fixed lines the text and meta protocols answer with, as bytes, exactly as memcached 1.6.18 spells them. */
final class TextReplies
{
    static final byte[] CRLF = bytes("\r\n");
    static final byte[] ERROR = bytes("ERROR\r\n");
    static final byte[] END = bytes("END\r\n");
    static final byte[] STORED = bytes("STORED\r\n");
    static final byte[] NOT_STORED = bytes("NOT_STORED\r\n");
    static final byte[] EXISTS = bytes("EXISTS\r\n");
    static final byte[] NOT_FOUND = bytes("NOT_FOUND\r\n");
    static final byte[] DELETED = bytes("DELETED\r\n");
    static final byte[] TOUCHED = bytes("TOUCHED\r\n");
    static final byte[] OK = bytes("OK\r\n");
    static final byte[] RESET = bytes("RESET\r\n");
    static final byte[] VALUE = bytes("VALUE ");
    static final byte[] VERSION = bytes("VERSION " + dev.taskvs.server.ServerContext.VERSION + "\r\n");

    static final byte[] BAD_FORMAT = bytes("CLIENT_ERROR bad command line format\r\n");
    static final byte[] BAD_DATA_CHUNK = bytes("CLIENT_ERROR bad data chunk\r\n");
    static final byte[] DELETE_USAGE =
        bytes("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
    static final byte[] INVALID_EXPTIME = bytes("CLIENT_ERROR invalid exptime argument\r\n");
    static final byte[] INVALID_DELTA = bytes("CLIENT_ERROR invalid numeric delta argument\r\n");
    static final byte[] NON_NUMERIC = bytes("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    static final byte[] FLUSH_NOT_ALLOWED = bytes("CLIENT_ERROR flush_all not allowed\r\n");
    static final byte[] SHUTDOWN_NOT_ENABLED = bytes("ERROR: shutdown not enabled\r\n");
    static final byte[] INVALID_SHUTDOWN_MODE = bytes("CLIENT_ERROR invalid shutdown mode\r\n");
    static final byte[] STATS_DETAIL_USAGE = bytes("CLIENT_ERROR usage: stats detail on|off|dump\r\n");
    static final byte[] CACHEDUMP_NOT_ALLOWED = bytes("CLIENT_ERROR stats cachedump not allowed\r\n");
    static final byte[] WATCH_NOT_ALLOWED = bytes("CLIENT_ERROR watch commands not allowed\r\n");
    static final byte[] SLAB_REASSIGN_DISABLED = bytes("CLIENT_ERROR slab reassignment disabled\r\n");
    static final byte[] LRU_PCTS_TOO_HIGH = bytes("ERROR hot and warm pcts must not exceed 80\r\n");
    static final byte[] LRU_FACTORS_NOT_POSITIVE = bytes("ERROR hot/warm age factors must be greater than 0\r\n");
    static final byte[] LRU_CRAWLER_DISABLED = bytes("CLIENT_ERROR lru crawler disabled\r\n");
    static final byte[] LRU_CRAWLER_NOT_STARTED = bytes("ERROR failed to start lru crawler thread\r\n");
    static final byte[] LRU_CRAWLER_SLEEP_TOO_LONG = bytes("CLIENT_ERROR sleep must be one second or less\r\n");
    static final byte[] MEMLIMIT_TOO_SMALL = bytes("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n");
    static final byte[] MEMLIMIT_NOT_BYTES =
        bytes("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n");
    static final byte[] TOO_LARGE = bytes("SERVER_ERROR object too large for cache\r\n");
    static final byte[] OUT_OF_MEMORY_STORING = bytes("SERVER_ERROR out of memory storing object\r\n");
    static final byte[] OUT_OF_MEMORY = bytes("SERVER_ERROR out of memory\r\n");

    static final byte[] INVALID_FLAG = bytes("CLIENT_ERROR invalid flag\r\n");
    static final byte[] DUPLICATE_FLAG = bytes("CLIENT_ERROR duplicate flag\r\n");
    static final byte[] INVALID_OR_DUPLICATE_FLAG = bytes("CLIENT_ERROR invalid or duplicate flag\r\n");
    static final byte[] BAD_TOKEN = bytes("CLIENT_ERROR bad token in command line format\r\n");
    static final byte[] DECODING_KEY = bytes("CLIENT_ERROR error decoding key\r\n");
    static final byte[] OPAQUE_TOO_LONG = bytes("CLIENT_ERROR opaque token too long\r\n");
    static final byte[] MG_FLAGS_TOO_LONG = bytes("CLIENT_ERROR options flags are too long\r\n");
    static final byte[] FLAGS_TOO_LONG = bytes("CLIENT_ERROR options flags too long\r\n");
    static final byte[] M_TOKEN_LENGTH = bytes("CLIENT_ERROR incorrect length for M token\r\n");
    static final byte[] MS_INVALID_MODE = bytes("CLIENT_ERROR invalid mode for ms M token\r\n");
    static final byte[] MA_INVALID_MODE = bytes("CLIENT_ERROR invalid mode for ma M token\r\n");
    static final byte[] INVALID_INITIAL = bytes("CLIENT_ERROR invalid numeric initial value\r\n");
    static final byte[] INVALID_DELTA_VALUE = bytes("CLIENT_ERROR invalid numeric delta value\r\n");

    static final byte[] MN = bytes("MN\r\n");
    static final byte[] EN = bytes("EN");
    static final byte[] HD = bytes("HD");
    static final byte[] VA = bytes("VA ");
    static final byte[] NS = bytes("NS");
    static final byte[] EX = bytes("EX");
    static final byte[] NF = bytes("NF");
    static final byte[] ME = bytes("ME ");

    private TextReplies()
    {
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
