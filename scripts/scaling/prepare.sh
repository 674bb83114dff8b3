#!/usr/bin/env bash
# Builds a self-contained bundle for the core-scaling sweep on a machine with no Java and no network:
# a jlink runtime, the kvs-server and loadgen jars with their dependencies, memcached with its libraries, and
# run-scaling.sh (core scaling), run-conn-sweep.sh (connection scalability) and run-conn-ab.sh (two builds in
# that sweep, alternated).
#
#   scripts/scaling/prepare.sh [DEST]      # DEST defaults to .runtime/scaling (ignored by git)
#
# Then copy DEST (or the tarball DEST.tar.gz next to it) to the 16-core machine and run
#   ./run-scaling.sh OUTDIR        # and/or ./run-conn-sweep.sh OUTDIR
# there. Needs here: a JDK 17 with jlink and jdeps, Maven (offline is fine once dependencies are cached).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${1:-$ROOT/.runtime/scaling}"
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
JLINK="$JAVA_HOME/bin/jlink"
JDEPS="$JAVA_HOME/bin/jdeps"

echo "prepare: packaging kvs-server and loadgen (mvn -o -DskipTests package) ..." >&2
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl kvs-server,loadgen -am package) >&2

SERVER_JAR=$(ls "$ROOT"/kvs-server/target/kvs-server-*.jar | grep -v -e sources -e javadoc | head -1)
LOADGEN_JAR=$(ls "$ROOT"/loadgen/target/loadgen-*.jar | grep -v -e sources -e javadoc | head -1)

# The modules the code needs, as jdeps finds them, plus what the JVM flags and tools need at run time:
# java.management/jdk.management (ThreadMXBean CPU and allocation figures), jdk.unsupported (sun.misc.Unsafe
# for Agrona and jnr), jdk.zipfs (nothing today, cheap insurance for jar-in-jar loaders), jdk.jfr (flight
# recordings of a run there: SERVER_JAVA_OPTS=-XX:StartFlightRecording=...).
MODULES=$("$JDEPS" --multi-release 17 --ignore-missing-deps --print-module-deps -q \
    "$SERVER_JAR" "$LOADGEN_JAR" "$ROOT"/kvs-server/target/lib/*.jar "$ROOT"/loadgen/target/lib/*.jar)
MODULES=$(tr , "\n" <<<"$MODULES,java.management,jdk.management,jdk.unsupported,jdk.zipfs,jdk.jfr" | awk '!seen[$0]++' | paste -sd, -)
echo "prepare: jlink modules: $MODULES" >&2

rm -rf "$DEST"
mkdir -p "$DEST/server/lib" "$DEST/loadgen/lib"
"$JLINK" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output "$DEST/jre"
cp "$SERVER_JAR" "$DEST/server/kvs-server.jar"
cp "$ROOT"/kvs-server/target/lib/*.jar "$DEST/server/lib/"
cp "$LOADGEN_JAR" "$DEST/loadgen/loadgen.jar"
cp "$ROOT"/loadgen/target/lib/*.jar "$DEST/loadgen/lib/"
# The DPDK shim travels inside tas-engine's jar; the shm wire used by the sweep does not load it.
cp "$ROOT/scripts/scaling/run-scaling.sh" "$ROOT/scripts/scaling/run-conn-sweep.sh" "$ROOT/scripts/scaling/run-conn-ab.sh" \
    "$ROOT/scripts/scaling/lib.sh" "$DEST/"
chmod +x "$DEST/run-scaling.sh" "$DEST/run-conn-sweep.sh" "$DEST/run-conn-ab.sh"
# memcached for run-conn-sweep.sh, with the libraries it links beyond glibc (libevent, libsasl2, OpenSSL): the
# target machine need not have them. The project's scripts install memcached here when it is missing.
MEMCACHED_BIN="$(command -v memcached || true)"
if [[ -z "$MEMCACHED_BIN" ]]; then
    "$ROOT/scripts/install-test-deps.sh" >&2 || true
    MEMCACHED_BIN="$(command -v memcached || true)"
fi
if [[ -n "$MEMCACHED_BIN" ]]; then
    mkdir -p "$DEST/memcached/lib"
    cp "$MEMCACHED_BIN" "$DEST/memcached/memcached"
    # glibc's own libraries stay the target's: mixing two glibcs breaks at load time.
    ldd "$MEMCACHED_BIN" | awk '$3 ~ /^\// && $1 !~ /^(libc|libm|libpthread|libdl|librt|libresolv|libutil|ld-linux)[.-]/ {print $3}' \
        | while read -r lib; do cp -L "$lib" "$DEST/memcached/lib/"; done
else
    echo "prepare: no memcached here: run-conn-sweep.sh will need MEMCACHED= on the target" >&2
fi
{
    echo "tas-kvs scaling bundle"
    echo "built:   $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) ($(uname -m), glibc $(ldd --version 2>&1 | head -1 | awk '{print $NF}'))"
    echo "commit:  $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- . 2>/dev/null || echo ' (uncommitted changes)')"
    echo "java:    $("$DEST/jre/bin/java" -version 2>&1 | head -1)"
    echo "modules: $MODULES"
    [[ -x "$DEST/memcached/memcached" ]] && echo "memcached: $("$DEST/memcached/memcached" -V 2>&1 | head -1) ($(ls "$DEST/memcached/lib" | paste -sd' ' -))"
    true
} > "$DEST/BUNDLE.txt"

tar -C "$(dirname "$DEST")" -czf "$DEST.tar.gz" "$(basename "$DEST")"
echo "prepare: $DEST ($(du -sh "$DEST" | cut -f1)), $DEST.tar.gz ($(du -sh "$DEST.tar.gz" | cut -f1))" >&2
cat "$DEST/BUNDLE.txt" >&2
