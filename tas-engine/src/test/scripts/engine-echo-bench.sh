#!/usr/bin/env bash
# One flow between two engines through ./kvs engine: bulk echo throughput (MB/s each way) and 64-byte echo round
# trips per second, the median of RUNS runs of each, per backend (loopback, shm, memif) and threading mode.
#   tas-engine/src/test/scripts/engine-echo-bench.sh [backends: loopback,shm,memif] [modes: shared-spin,shared,dedicated]
# Environment: RUNS (3), BYTES (67108864), COUNT (20000). loopback runs both engines in one JVM; shm and memif
# run an echo-server JVM and an echo-client JVM (memif: DPDK net_memif server and client ports, --no-huge, one
# socket file; no kernel in the path). Every run is bounded by `timeout`; files go to a temporary directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
KVS="$ROOT/kvs"
RUNS="${RUNS:-3}"
BYTES="${BYTES:-67108864}"
COUNT="${COUNT:-20000}"
BACKENDS="${1:-loopback,shm,memif}"
MODES="${2:-shared-spin,shared,dedicated}"
WORK="$(mktemp -d /tmp/engine-bench.XXXXXX)"
SERVER_PID=""
trap '[[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT


median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# mode -> engine options
mode_options() {
    case "$1" in
        shared-spin) echo "--threading shared --idle spin" ;;
        shared) echo "--threading shared --idle backoff" ;;
        dedicated) echo "--threading dedicated --idle backoff" ;;
        *) echo "unknown mode $1" >&2; exit 2 ;;
    esac
}

# backend, run number -> NIC options for the server and the client (two lines)
nic_options() {
    case "$1" in
        shm) echo "--nic shm --shm $WORK/wire$2"; echo "--nic shm --shm $WORK/wire$2" ;;
        memif)
            local devargs="id=0,socket=$WORK/memif$2.sock,socket-abstract=no"
            echo "--nic dpdk --dpdk-args --vdev=net_memif0,role=server,$devargs"
            echo "--nic dpdk --dpdk-args --vdev=net_memif0,role=client,$devargs" ;;
    esac
}

# backend, mode, client workload options... -> one number per line (MB/s or round trips/s)
one_run() {
    # A fresh wire file or memif socket per run: a socket left by a killed memif server fails the next one.
    local backend="$1" mode="$2" run="$2-$3"; shift 3
    local opts; opts="$(mode_options "$mode")"
    local out="$WORK/client.out"
    if [[ "$backend" == loopback ]]; then
        # shellcheck disable=SC2086
        timeout 120 "$KVS" engine echo-client --nic loopback $opts "$@" >"$out" 2>&1 || true
    else
        local server client
        server="$(nic_options "$backend" "$run" | sed -n 1p)"
        client="$(nic_options "$backend" "$run" | sed -n 2p)"
        # shellcheck disable=SC2086
        timeout 150 "$KVS" engine echo-server $server $opts --ip 10.211.0.1/24 --port 7000 >"$WORK/server.out" 2>&1 &
        SERVER_PID=$!
        for _ in $(seq 300); do
            grep -q '^echo server on' "$WORK/server.out" 2>/dev/null && break
            kill -0 "$SERVER_PID" 2>/dev/null || { echo "server failed: $(tail -3 "$WORK/server.out")" >&2; break; }
            sleep 0.1
        done
        # shellcheck disable=SC2086
        timeout 120 "$KVS" engine echo-client $client $opts --ip 10.211.0.2/24 --connect 10.211.0.1 --port 7000 \
            "$@" >"$out" 2>&1 || true
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        rm -f "$WORK/wire$run" "$WORK/memif$run.sock"
    fi
    if grep -q 'byte-exact: true' "$out"; then
        sed -n 's/.*: \([0-9.]*\) MB\/s each way.*/\1/p' "$out"
    elif grep -q 'round trips of' "$out"; then
        sed -n 's/.*s: \([0-9]*\) per second.*/\1/p' "$out"
    else
        echo "FAILED: $backend $mode $*: $(tail -3 "$out" | tr '\n' ' ')" >&2
        echo "nan"
    fi
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), RUNS=$RUNS BYTES=$BYTES COUNT=$COUNT"
printf '%-9s %-12s %-28s %-34s\n' backend mode "bulk MB/s each way (runs)" "64 B round trips/s (runs)"
for backend in ${BACKENDS//,/ }; do
    for mode in ${MODES//,/ }; do
        bulk=(); rtt=()
        for run in $(seq "$RUNS"); do
            bulk+=("$(one_run "$backend" "$mode" "b$run" --bytes "$BYTES")")
            rtt+=("$(one_run "$backend" "$mode" "r$run" --count "$COUNT" --message-size 64)")
        done
        printf '%-9s %-12s %-28s %-34s\n' "$backend" "$mode" \
            "$(printf '%s\n' "${bulk[@]}" | median) (${bulk[*]})" "$(printf '%s\n' "${rtt[@]}" | median) (${rtt[*]})"
    done
done
