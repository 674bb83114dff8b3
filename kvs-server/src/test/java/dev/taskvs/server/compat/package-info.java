/**
 * Compatibility tests against real memcached 1.6.
 *
 * <ul>
 *   <li>{@link dev.taskvs.server.compat.SideBySideTest}: every scenario of {@link dev.taskvs.server.compat.Scenarios}
 *   on memcached and on our server, compared byte for byte after normalizing STAT values (general stats compare
 *   their name sets), VERSION strings, CAS numbers (first-seen ordinals, so equal/different is still checked) and
 *   clock tokens (meta {@code t}/{@code l}, {@code me} {@code exp}/{@code la}: within one second). Both transcripts
 *   of every scenario are written to {@code kvs-server/target/compat/<pair>/<family>_<name>.txt}; a failure names
 *   the first differing step with both normalized and raw bytes.</li>
 *   <li>{@link dev.taskvs.server.compat.MemcachedSelfCheckTest}: the same scenarios, memcached against memcached;
 *   it also fails when memcached does not meet a step's end condition in time (a wrong scenario).</li>
 *   <li>{@link dev.taskvs.server.compat.RealClientTest}: spymemcached and xmemcached, text and binary.</li>
 *   <li>{@link dev.taskvs.server.compat.BadInputTest} and {@link dev.taskvs.server.compat.ConnectionsTest}: bad
 *   input, idle connections, the connection limit, shutdown; memcached runs them as the control.</li>
 * </ul>
 *
 * The reference runs in Docker ({@code memcached:1.6}) when an engine answers, one container per scenario (slow;
 * {@code -Dcompat.noDocker=true} forces the local binary), otherwise {@code /usr/bin/memcached}
 * ({@code -Dcompat.memcached=PATH} to override). Our server runs in the test's JVM
 * ({@code dev.taskvs.server.KvsServer.start(ServerConfig)}).
 */
package dev.taskvs.server.compat;
