#!/usr/bin/env bash
# Core-scaling sweep of kvs-server on the TAS engine, for a many-core x86-64 Linux machine with no Java and no
# network: runs from the bundle scripts/scaling/prepare.sh builds (jre/ from jlink, server/, loadgen/).
#
#   ./run-scaling.sh OUTDIR
#
# For N in $SWEEP (default 1..8): kvs-server --stack tas --nic shm --threading dedicated with N fast-path lanes
# (N stack cores, each lane pinned to its own CPU and owning its own queue of the wire) and N app cores, confined
# with taskset to 2N CPUs (the slow path pinned beside the last app thread: it only opens and closes
# connections). The load generator runs on its own engine over the same shm wire, on the remaining CPUs, with
# LG_LANES lanes (default: a third of its CPUs, 1..8) and the rest load threads. The wire steers every segment to
# the queue of the lane that owns its flow, both ways, as a NIC's RSS does, so lanes never pass frames on.
# Each point: store preloaded, then a closed-loop run (WARMUP + DURATION). The whole sweep with the defaults
# takes about 5 minutes and stops starting points that would not finish within BUDGET_S (default 460 s).
#
# Results in OUTDIR: results.csv, results.json, summary.txt (machine, command, table), scaling.svg (requests/s
# against N), point-N/ (server log, loadgen output and JSON, threads.txt: each thread's share of a core).
# Everything is configurable from the environment:
#   SWEEP="1 2 3 4 5 6 7 8"  WARMUP=4s  DURATION=25s  CONNECTIONS=256  PIPELINE=8  VALUE_SIZE=64  GET_RATIO=0.9
#   KEYS=100000  IDLE=nap (the server engine's idle strategy: spin|yield|backoff|nap|park)  LG_LANES=<auto>
#   CPUS=<nproc>  MIN_LOADGEN_CPUS=4  BUDGET_S=460  SHM_DIR=/dev/shm  JAVA=<bundle>/jre/bin/java
#   SERVER_CP, LOADGEN_CP: class paths instead of the bundle's jars (the project's test runs it from its build).
#   DRY_RUN=1 prints each point's CPU plan and runs nothing (e.g. CPUS=16 DRY_RUN=1 on any machine).
# Needs: bash, taskset (util-linux), awk, timeout (coreutils), /dev/shm. No root.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
script_setup run-scaling "$0" "$@"

SWEEP="${SWEEP:-1 2 3 4 5 6 7 8}"
WARMUP="${WARMUP:-4s}"
DURATION="${DURATION:-25s}"
CONNECTIONS="${CONNECTIONS:-256}"
PIPELINE="${PIPELINE:-8}"
VALUE_SIZE="${VALUE_SIZE:-64}"
GET_RATIO="${GET_RATIO:-0.9}"
KEYS="${KEYS:-100000}"
IDLE="${IDLE:-nap}"
LG_LANES="${LG_LANES:-}"
CPUS="${CPUS:-$(nproc)}"
MIN_LOADGEN_CPUS="${MIN_LOADGEN_CPUS:-4}"
BUDGET_S="${BUDGET_S:-460}"
SHM_DIR="${SHM_DIR:-/dev/shm}"
SERVER_IP=10.211.9.1
LOADGEN_IP=10.211.9.2
PORT=11211

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
START=$(date +%s)
TICKS=$(getconf CLK_TCK)
WARMUP_S=$(secs "$WARMUP"); DURATION_S=$(secs "$DURATION")
# A point: ~3 s server start, ~5 s preload (a JVM), warm-up, measurement, ~3 s loadgen start and drain, stop.
POINT_S=$(awk "BEGIN{printf \"%d\", 14 + $WARMUP_S + $DURATION_S}")

# "N0;N1;..." segments received per lane and the frames steered between lanes, from the server's exit line;
# two empty fields when the server left no such line (killed, crashed).
lane_split() {
    awk -v lanes="$2" '/^engine counters: / { found = 1; sub(/^engine counters: /, ""); n = split($0, kv, ", ");
            for (i = 1; i <= n; i++) { if (match(kv[i], /^lane [0-9]+: segments received [0-9]+$/)) {
                    split(kv[i], w, " "); seg[w[2] + 0] = w[5] }
                else if (match(kv[i], /^lane [0-9]+: frames steered to another lane [0-9]+$/)) {
                    split(kv[i], w, " "); steered += w[8] } } }
        END { if (!found) { print "", ""; exit }
              out = ""; for (l = 0; l < lanes; l++) out = out (l ? ";" : "") (seg[l] == "" ? 0 : seg[l]);
              print out, steered + 0 }' "$1"
}

SERVER_PID=""
LG_PID=""
# timeout runs loadgen in its own process group, out of reach of a terminal's Ctrl-C: stop it here.
cleanup() { [[ -n "$LG_PID" ]] && stop_pid "$LG_PID"; [[ -n "$SERVER_PID" ]] && stop_pid "$SERVER_PID"; rm -f "$SHM_DIR"/tas-kvs-scaling-$$.wire; }
trap cleanup EXIT
trap 'exit 130' INT TERM

CSV="$OUT/results.csv"
echo "stack_cores,app_cores,server_cpus,loadgen_cpus,loadgen_lanes,loadgen_threads,cpus_shared,ops_per_sec,p50_us,p99_us,p999_us,p9999_us,errors,server_cpu_cores_busy,server_cpu_us_per_req,status,server_lane_segments_in,server_frames_steered,loadgen_cpu_cores_busy,loadgen_thread_busy_pct" > "$CSV"

{
    echo "tas-kvs core-scaling sweep"
    machine_lines
    echo "command:  SWEEP=\"$SWEEP\" WARMUP=$WARMUP DURATION=$DURATION CONNECTIONS=$CONNECTIONS PIPELINE=$PIPELINE VALUE_SIZE=$VALUE_SIZE GET_RATIO=$GET_RATIO KEYS=$KEYS IDLE=$IDLE${LG_LANES:+ LG_LANES=$LG_LANES} CPUS=$CPUS MIN_LOADGEN_CPUS=$MIN_LOADGEN_CPUS $0 $OUT"
    echo
} > "$OUT/summary.txt"

for n in $SWEEP; do
    elapsed=$(( $(date +%s) - START ))
    if (( elapsed + POINT_S > BUDGET_S )); then
        echo "run-scaling: skipping N=$n and after: ${elapsed}s used, a point takes ~${POINT_S}s, budget ${BUDGET_S}s" | tee -a "$OUT/summary.txt" >&2
        echo "$n,$n,,,,,,,,,,,,,,skipped (time budget),,,," >> "$CSV"
        continue
    fi
    dir="$OUT/point-$n"; mkdir -p "$dir"
    server_cpus=$(dedupe "$(cpu_list 0 $((2 * n)))")
    # N lanes on CPUs 0..N-1, then the slow path on the last of the server's CPUs (beside an app thread).
    stack_cores="$(cpu_list 0 "$n"),$(cpu $((2 * n - 1)))"
    free=$(( CPUS - 2 * n ))
    if (( free >= MIN_LOADGEN_CPUS )); then
        lg_cpus=$(cpu_list $((2 * n)) "$free"); shared=no; lg_count=$free
    else
        lg_count=$(( MIN_LOADGEN_CPUS < CPUS ? MIN_LOADGEN_CPUS : CPUS ))
        lg_cpus=$(cpu_list $((CPUS - lg_count)) "$lg_count"); shared=yes
    fi
    # The load generator's lanes on its first CPUs, its slow path on the next (cycling within its own CPUs when
    # it has fewer than lanes + 1); load threads float over them all.
    lg_lanes=${LG_LANES:-$(( lg_count / 3 < 1 ? 1 : (lg_count / 3 > 8 ? 8 : lg_count / 3) ))}
    IFS=, read -ra lg_cpu_array <<<"$lg_cpus"
    lg_stack=""
    for ((i = 0; i <= lg_lanes; i++)); do lg_stack+="${lg_stack:+,}${lg_cpu_array[i % ${#lg_cpu_array[@]}]}"; done
    (( lg_lanes + 1 > ${#lg_cpu_array[@]} )) && shared=yes
    lg_threads=$(( lg_count - lg_lanes - 1 > 1 ? lg_count - lg_lanes - 1 : 1 ))
    if [[ -n "${DRY_RUN:-}" ]]; then
        echo "N=$n: server taskset $server_cpus --stack-cores $stack_cores --app-cores $n --shm-peer-queues $lg_lanes;" \
            "loadgen taskset $lg_cpus --stack-cores $lg_stack -t $lg_threads$([[ $shared == yes ]] && echo ' (shared)')"
        continue
    fi
    wire="$SHM_DIR/tas-kvs-scaling-$$.wire"
    rm -f "$wire"
    echo "run-scaling: N=$n: server on CPUs $server_cpus ($n lanes and the slow path on $stack_cores, $n app cores), loadgen on $lg_cpus ($lg_lanes lanes and the slow path on $lg_stack, $lg_threads load threads)$([[ $shared == yes ]] && echo ', sharing CPUs with the server')" >&2

    taskset -c "$server_cpus" "$JAVA" "${JAVA_OPTS[@]}" -cp "$SERVER_CP" \
        dev.taskvs.server.KvsServerMain --stack tas --nic shm --shm "$wire" --ip "$SERVER_IP/24" -p "$PORT" \
        --threading dedicated --idle "$IDLE" --stack-cores "$stack_cores" --app-cores "$n" -m 1024 -c 4096 \
        --shm-peer-queues "$lg_lanes" -v \
        > "$dir/server.log" 2>&1 &
    SERVER_PID=$!
    for ((i = 0; i < 300; i++)); do
        grep -q 'clients connect to' "$dir/server.log" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'clients connect to' "$dir/server.log"; then
        echo "run-scaling: N=$n: the server did not start (see $dir/server.log)" | tee -a "$OUT/summary.txt" >&2
        stop_pid "$SERVER_PID"; SERVER_PID=""
        echo "$n,$n,${server_cpus//,/;},${lg_cpus//,/;},$lg_lanes,$lg_threads,$shared,,,,,,,,,server failed,,,," >> "$CSV"
        continue
    fi

    lg=(taskset -c "$lg_cpus" "$JAVA" "${JAVA_OPTS[@]}" -cp "$LOADGEN_CP"
        dev.taskvs.loadgen.LoadgenMain --stack tas --nic shm --shm "$wire" --ip "$LOADGEN_IP/24"
        --server "$SERVER_IP:$PORT" --threading dedicated --idle hybrid --stack-cores "$lg_stack"
        -t "$lg_threads" -d "$PIPELINE" --value-size "$VALUE_SIZE" -g "$GET_RATIO" -n "$KEYS")
    timeout --foreground 60 "${lg[@]}" -c "$lg_threads" --preload-only --no-progress > "$dir/preload.log" 2>&1 || echo "run-scaling: N=$n: preload failed (see $dir/preload.log)" >&2

    timeout $(( POINT_S + 30 )) "${lg[@]}" -c "$CONNECTIONS" --no-preload -w "$WARMUP" -D "$DURATION" --json "$dir/loadgen.json" \
        > "$dir/loadgen.log" 2>&1 &
    LG_PID=$!
    lg_java=$(child_of "$LG_PID")
    # Server and loadgen CPU over whole seconds of the measured phase, between two of loadgen's progress lines:
    # whether the generator, not the server, is what runs out of CPUs.
    c0=""; c1=""; g0=""; g1=""; w0=0; w1=0
    : > "$dir/.server-threads-0"; : > "$dir/.server-threads-1"; : > "$dir/.loadgen-threads-0"; : > "$dir/.loadgen-threads-1"
    if await_run_lines "$dir/loadgen.log" 1 "$LG_PID" "$POINT_S"; then
        c0=$(cpu_ticks "$SERVER_PID"); g0=$(cpu_ticks "$lg_java"); w0=$(date +%s.%N)
        thread_ticks "$SERVER_PID" > "$dir/.server-threads-0"; thread_ticks "$lg_java" > "$dir/.loadgen-threads-0"
        if await_run_lines "$dir/loadgen.log" $(( 1 + $(window_lines "$DURATION_S") )) "$LG_PID" "$POINT_S"; then
            c1=$(cpu_ticks "$SERVER_PID"); g1=$(cpu_ticks "$lg_java"); w1=$(date +%s.%N)
            thread_ticks "$SERVER_PID" > "$dir/.server-threads-1"; thread_ticks "$lg_java" > "$dir/.loadgen-threads-1"
        fi
    fi
    # Which threads were busy: a lane or app thread near 100 % is the point's bottleneck.
    window=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print (b > a ? b - a : 1) }')
    { echo "share of a core per thread over the measured window (${window} s)"; echo "server:"
      thread_busy "$dir/.server-threads-0" "$dir/.server-threads-1" "$window"; echo "loadgen:"
      thread_busy "$dir/.loadgen-threads-0" "$dir/.loadgen-threads-1" "$window"; } > "$dir/threads.txt"
    rm -f "$dir"/.server-threads-? "$dir"/.loadgen-threads-?
    wait "$LG_PID"; lg_rc=$?; LG_PID=""
    stop_pid "$SERVER_PID"; SERVER_PID=""
    rm -f "$wire"

    json="$dir/loadgen.json"
    if [[ $lg_rc -ne 0 || ! -s "$json" ]]; then
        echo "run-scaling: N=$n: loadgen failed (rc $lg_rc, see $dir/loadgen.log)" | tee -a "$OUT/summary.txt" >&2
        echo "$n,$n,${server_cpus//,/;},${lg_cpus//,/;},$lg_lanes,$lg_threads,$shared,,,,,,,,,loadgen failed,,,," >> "$CSV"
        continue
    fi
    ops=$(json_top "$json" ops_per_sec); errors=$(json_top "$json" errors)
    p50=$(json_latency "$json" p50); p99=$(json_latency "$json" p99)
    p999=$(json_latency "$json" p999); p9999=$(json_latency "$json" p9999)
    busy=$(cores_busy "$c0" "$c1" "$w0" "$w1")
    per_req=$(per_request_us "$busy" "$ops")
    # Segments each server lane received over the whole run (from its counters at exit) and frames a lane had
    # to pass to another: the wire's steering should make that 0.
    read -r lane_in steered < <(lane_split "$dir/server.log" "$n")
    lg_busy=$(cores_busy "$g0" "$g1" "$w0" "$w1")
    lg_thread_busy=$(json_generator_busy "$json")
    echo "$n,$n,${server_cpus//,/;},${lg_cpus//,/;},$lg_lanes,$lg_threads,$shared,$ops,$p50,$p99,$p999,$p9999,$errors,$busy,$per_req,ok,$lane_in,$steered,$lg_busy,$lg_thread_busy" >> "$CSV"
    printf 'run-scaling: N=%s: %.0f requests/s, p50 %s us, p99 %s us, server %s cores busy, %s us CPU per request, loadgen %s cores busy (load threads %s%%)\n' \
        "$n" "$ops" "$p50" "$p99" "$busy" "$per_req" "$lg_busy" "$lg_thread_busy" >&2
done

# results.json from the CSV, and the table in summary.txt.
csv_to_json "$CSV" "server_cpus,loadgen_cpus,cpus_shared,status,server_lane_segments_in" > "$OUT/results.json"

{
    echo "N = fast-path lanes (stack cores) = app cores; server on 2N CPUs (its slow path beside the last app thread),"
    echo "loadgen on the rest (shared when fewer than $MIN_LOADGEN_CPUS remain). The shm wire has a queue per lane on each"
    echo "side and steers every segment to the lane that owns its flow."
    echo
    awk 'BEGIN { FS = "," } NR == 1 { next }
        { if (base == "" && $8 != "") base = $8;
          printf "N=%-2s server CPUs %-22s loadgen CPUs %-22s %s lanes %-2s %12s req/s  x%-5s p50 %8s us  p99 %8s us  p99.99 %8s us  server %5s cores, %7s us CPU/req  loadgen %5s cores, threads %s%% busy  errors %s  %s%s\n",
            $1, $3, $4, ($7 == "yes" ? "(shared)" : "        "), $5, ($8 == "" ? "-" : sprintf("%.0f", $8)),
            ($8 == "" || base == "" ? "-" : sprintf("%.2f", $8 / base)), $9, $10, $12, $14, $15, $19, $20, $13, $16,
            ($17 == "" ? "" : "  server lanes in " $17 ", steered " $18) \
            ($20 != "" && $20 + 0 >= 95 ? "  GENERATOR-BOUND" : "") }' "$CSV"
    echo
    echo "GENERATOR-BOUND: loadgen's load threads were busy 95 % or more, so the point measures the load generator,"
    echo "not the server. Lanes and app threads poll, so their CPU (threads.txt) reads near 100 % either way."
    echo
    echo "total time: $(( $(date +%s) - START )) s"
} | tee -a "$OUT/summary.txt"

# The plot: requests/s against N beside the linear line from the first point (loadgen's jar draws it).
"$JAVA" -cp "$LOADGEN_CP" dev.taskvs.loadgen.bench.ScalingPlot "$CSV" "$OUT/scaling.svg" \
    "$VALUE_SIZE B values, pipeline $PIPELINE, $CONNECTIONS connections" \
    || echo "run-scaling: could not draw $OUT/scaling.svg" >&2
