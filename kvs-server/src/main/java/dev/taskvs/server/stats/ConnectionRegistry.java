package dev.taskvs.server.stats;

/** Lists live connections for {@code stats conns}; implemented by each transport. Not on the data path. */
public interface ConnectionRegistry
{
    ConnectionRegistry NONE = visitor -> { };

    void forEach(ConnectionVisitor visitor);

    @FunctionalInterface
    interface ConnectionVisitor
    {
        /**
         * @param id                 a small number naming the connection (memcached prints the fd)
         * @param address            peer address as memcached prints it, e.g. "tcp:127.0.0.1:53210"
         * @param listenAddress      local listening address, e.g. "tcp:0.0.0.0:11211"
         * @param state              "conn_parse_cmd", "conn_nread", "conn_listening", ...
         * @param secondsSinceLastCmd seconds since the last command on it
         */
        void visit(int id, String address, String listenAddress, String state, int secondsSinceLastCmd);
    }
}
