#!/usr/bin/env bash
# Side-by-side on loopback, kernel sockets: memcached -t 2 against ./kvs server -t 2, each driven by ./kvs loadgen
# with the same settings; then loadgen against its own minimal responder (the generator's ceiling).
# Each server is started once per value size and measured RUNS times in a row; medians go to stdout.
#   loadgen/bench/side-by-side.sh [OUTDIR]        (RUNS=3 DURATION=10s WARMUP=2s by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/loadgen/target/bench}"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
PORT="${PORT:-21299}"
LOADGEN_ARGS=(--connections 64 --pipeline 8 --threads 1 --keys 100000 --key-size 16 --get-ratio 0.9
    --warmup "$WARMUP" --duration "$DURATION" --no-progress)
mkdir -p "$OUT"
cd "$ROOT"
./kvs build >/dev/null

wait_port() {
    for _ in $(seq 1 100); do
        (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}

start_server() {
    case "$1" in
        memcached)
            local user=()
            [[ "$(id -u)" == 0 ]] && user=(-u root)
            memcached -p "$PORT" -U 0 -l 127.0.0.1 -t 2 -m 64 -c 4096 "${user[@]}" &
            ;;
        kvs)
            ./kvs server -p "$PORT" -l 127.0.0.1 -t 2 -m 64 -c 4096 >/dev/null &
            ;;
        responder)
            ./kvs loadgen responder -p "$PORT" --value-size "$2" >/dev/null &
            ;;
    esac
    SERVER_PID=$!
    wait_port "$PORT"
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

for size in 64 256; do
    for server in memcached kvs; do
        start_server "$server" "$size"
        for run in $(seq 1 "$RUNS"); do
            ./kvs loadgen --server "127.0.0.1:$PORT" --value-size "$size" "${LOADGEN_ARGS[@]}" \
                --json "$OUT/$server-$size-$run.json" >"$OUT/$server-$size-$run.txt"
        done
        stop_server
    done
done
start_server responder 64
for run in $(seq 1 "$RUNS"); do
    ./kvs loadgen --server "127.0.0.1:$PORT" --value-size 64 "${LOADGEN_ARGS[@]}" --no-preload \
        --json "$OUT/responder-64-$run.json" >"$OUT/responder-64-$run.txt"
done
stop_server

python3 - "$OUT" "$RUNS" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(name, size):
    rs = [json.load(open(f"{out}/{name}-{size}-{i}.json")) for i in range(1, runs + 1)]
    med = lambda f: statistics.median(f(r) for r in rs)
    return {"ops": med(lambda r: r["ops_per_sec"]), "p50": med(lambda r: r["latency_us"]["p50"]),
            "p99": med(lambda r: r["latency_us"]["p99"]), "p999": med(lambda r: r["latency_us"]["p999"]),
            "errors": sum(r["errors"] for r in rs), "all": [round(r["ops_per_sec"]) for r in rs],
            "cpu": med(lambda r: r["generator"]["cpu_percent_per_thread"])}
print("| server | value | ops/s (median) | runs | p50 us | p99 us | p99.9 us | errors | loadgen cpu |")
print("|---|---|---|---|---|---|---|---|---|")
rows = {}
for size in (64, 256):
    for name in ("memcached", "kvs"):
        m = rows[(name, size)] = load(name, size)
        print(f"| {name} | {size} B | {m['ops']:,.0f} | {m['all']} | {m['p50']:.0f} | {m['p99']:.0f} | "
              f"{m['p999']:.0f} | {m['errors']} | {m['cpu']:.0f}% |")
r = load("responder", 64)
print(f"| responder | 64 B | {r['ops']:,.0f} | {r['all']} | {r['p50']:.0f} | {r['p99']:.0f} | {r['p999']:.0f} | "
      f"{r['errors']} | {r['cpu']:.0f}% |")
for size in (64, 256):
    print(f"kvs/memcached at {size} B: {rows[('kvs', size)]['ops'] / rows[('memcached', size)]['ops']:.2f}")
PY
