#!/usr/bin/env bash
# Connection-scalability sweep (100 to 50,000 connections) for a many-core x86-64 Linux machine with no Java:
# runs from the bundle scripts/scaling/prepare.sh builds (jre/, server/, loadgen/, memcached/).
#
#   ./run-conn-sweep.sh OUTDIR
#
# The same closed loop as `./kvs bench --conn-sweep` (pipeline 1: every connection keeps one request in flight;
# 64 B values, 90 % gets, 100,000 keys of 16 B), but each server is confined to SERVER_CPUS CPUs (default 2) and
# the load generator gets all the others, so the generator is not the co-bottleneck it is on a 2-CPU machine.
# Configurations (CONFIGS):
#   engine     kvs-server --stack tas --nic shm --threading dedicated: SERVER_LANES fast-path lanes (default half
#              the server's CPUs, at least one) on the first server CPUs, as many app threads as CPUs are left and
#              the slow path beside the last of them (with 2 CPUs: the lane on the first, the app thread and the
#              slow path on the second); flow ids shuffled (--flow-id-seed: a fresh server hands them out lowest
#              first, in the generator's order, which a long-running one does not); loadgen on its own engine over
#              the shm wire, with a third of its CPUs as lanes (the wire steers each segment to the lane that owns
#              its flow). More server CPUs spread the connections over more lanes and app threads, as the TAS
#              paper's figure does (20 cores, at most 4,800 connections each).
#   memcached  memcached -t SERVER_CPUS (the bundle's copy, or MEMCACHED=path), loadgen on kernel sockets over
#              loopback.
#   kernel     kvs-server --stack kernel -t SERVER_CPUS, loadgen on kernel sockets over loopback.
#   responder  (only when named) loadgen's store-less responder on the engine, placed as the engine server: what
#              the generator drives at each count when the server costs next to nothing (its ceiling).
# Above 20,000 connections the kernel configurations' loadgen spreads them over 127.0.0.1-4 (an ephemeral port
# range each). Rounds (ROUNDS) run every configuration over every count, round after round, so drift touches all
# points alike; each round starts each server afresh (its store preloaded by the round's first run). Points that
# would not finish within BUDGET_S (default 470 s) are skipped, as are kernel points above the open-files limit.
#
# Results in OUTDIR: results.csv (one row per run), results.json, summary.txt (machine, command, the median of the
# rounds per point with the range, p99, server CPU per request and how busy loadgen's load threads were, and each
# configuration's change from the first count, and what backed each engine's flow state: resident memory and
# how much of it on huge pages, from the servers' and loadgen's "engine memory" lines), conn-sweep.svg and
# conn-sweep-cpu.svg, and run-*/ (server log, loadgen output and JSON, threads-N.txt: each server thread's share of
# a core over the measured window).
# Everything is configurable from the environment:
#   COUNTS="100 1000 5000 10000 20000 50000"  CONFIGS="engine memcached kernel"  ROUNDS=2  WARMUP=2s  DURATION=5s
#   SERVER_CPUS=2  SERVER_LANES=<half of SERVER_CPUS>  LG_LANES=<a third of loadgen's CPUs>  LG_THREADS=<the rest>
#   CONNECT_RATE=20000  CPUS=<nproc>
#   BUDGET_S=470  SHM_DIR=/dev/shm  IDLE=nap  FLOW_ID_SEED=7 (0: ids in order)
#   ACK_DELAY_US=200 (the engine servers' --ack-delay-us)  MEMCACHED=<bundle>/memcached/memcached
#   JAVA=<bundle>/jre/bin/java
#   SERVER_CP, LOADGEN_CP: class paths instead of the bundle's jars (the project's test runs it from its build).
#   SERVER_JAVA_OPTS: more JVM options for the Java servers (a flight recording, say).
#   DRY_RUN=1 prints the CPU plan and runs nothing.
# Needs: bash, taskset (util-linux), awk, timeout (coreutils), /dev/shm. Root only to raise the open-files limit.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
script_setup run-conn-sweep "$0" "$@"

COUNTS="${COUNTS:-100 1000 5000 10000 20000 50000}"
CONFIGS="${CONFIGS:-engine memcached kernel}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-2s}"
DURATION="${DURATION:-5s}"
SERVER_CPUS="${SERVER_CPUS:-2}"
CONNECT_RATE="${CONNECT_RATE:-20000}"
CPUS="${CPUS:-$(nproc)}"
BUDGET_S="${BUDGET_S:-470}"
SHM_DIR="${SHM_DIR:-/dev/shm}"
IDLE="${IDLE:-nap}"
FLOW_ID_SEED="${FLOW_ID_SEED:-7}"
ACK_DELAY_US="${ACK_DELAY_US:-200}"
MEMCACHED="${MEMCACHED:-}"
read -ra SERVER_JAVA <<<"${SERVER_JAVA_OPTS:-}"
SERVER_IP=10.211.8.1
LOADGEN_IP=10.211.8.2

# The bundle's memcached brings the libraries it was linked against (libevent, libsasl2, OpenSSL); it needs a
# glibc at least as new as the build machine's, so a system memcached is the fallback when it does not run here.
if [[ -z "$MEMCACHED" ]]; then
    if [[ -x "$BUNDLE/memcached/memcached" ]] && LD_LIBRARY_PATH="$BUNDLE/memcached/lib" "$BUNDLE/memcached/memcached" -V >/dev/null 2>&1; then
        MEMCACHED="$BUNDLE/memcached/memcached"
    else
        MEMCACHED="$(command -v memcached || true)"
    fi
fi
MEMCACHED_LIBS="$(dirname "${MEMCACHED:-/nonexistent}")/lib"

max_count=0; for n in $COUNTS; do (( n > max_count )) && max_count=$n; done
# Kernel configurations need a descriptor per connection in the server and in loadgen: raise the soft limit to
# the hard one, and the hard one where allowed (root with CAP_SYS_RESOURCE).
want_fds=$(( max_count + 4096 ))
(( $(ulimit -Hn) < want_fds )) && ulimit -Hn "$want_fds" 2>/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null
FDS=$(ulimit -n)
# The servers' connection limit (-c): the largest count plus room; for the kernel servers no more than the
# descriptors allow (memcached sets its open-files limit to -c and exits when it cannot).
LIMIT=$(( max_count + 1000 ))
KERNEL_LIMIT=$(( LIMIT < FDS ? LIMIT : FDS ))

# CPUs: the server on the first SERVER_CPUS, loadgen on the rest (all of them, shared, when fewer than 2 remain).
server_cpus=$(dedupe "$(cpu_list 0 "$SERVER_CPUS")")
lg_count=$(( CPUS - SERVER_CPUS ))
if (( lg_count >= 2 )); then lg_cpus=$(cpu_list "$SERVER_CPUS" "$lg_count"); shared=no
else lg_count=$CPUS; lg_cpus=$(cpu_list 0 "$CPUS"); shared=yes; fi
IFS=, read -ra lg_cpu_array <<<"$lg_cpus"
lg_lanes=${LG_LANES:-$(( lg_count / 3 < 1 ? 1 : (lg_count / 3 > 8 ? 8 : lg_count / 3) ))}
lg_stack=""
for ((i = 0; i <= lg_lanes; i++)); do lg_stack+="${lg_stack:+,}${lg_cpu_array[i % ${#lg_cpu_array[@]}]}"; done
lg_engine_threads=${LG_THREADS:-$(( lg_count - lg_lanes - 1 > 1 ? lg_count - lg_lanes - 1 : 1 ))}
# On kernel sockets loadgen's threads also carry the kernel's TCP work for what they send (loopback).
lg_kernel_threads=${LG_THREADS:-$(( lg_count > 2 ? lg_count - 1 : 1 ))}
# The engine server: its lanes on the first server CPUs, its app threads on the rest, the slow path on the last
# (beside an app thread); one CPU runs them all.
server_lanes=${SERVER_LANES:-$(( SERVER_CPUS / 2 < 1 ? 1 : SERVER_CPUS / 2 ))}
server_apps=$(( SERVER_CPUS - server_lanes < 1 ? 1 : SERVER_CPUS - server_lanes ))
engine_stack="$(cpu_list 0 "$server_lanes"),$(cpu $(( SERVER_CPUS - 1 )))"

plan="server CPUs $server_cpus; loadgen CPUs $lg_cpus$([[ $shared == yes ]] && echo ' (shared with the server)'): on the engine $lg_lanes lanes and the slow path on $lg_stack and $lg_engine_threads load threads, on kernel sockets $lg_kernel_threads threads; engine server --stack-cores $engine_stack --app-cores $server_apps; memcached and kernel server -t $SERVER_CPUS; open files $FDS"
if [[ -n "${DRY_RUN:-}" ]]; then echo "$plan"; exit 0; fi
for config in $CONFIGS; do
    [[ "$config" == memcached && ! -x "$MEMCACHED" ]] && { echo "run-conn-sweep: no memcached (set MEMCACHED)" >&2; exit 1; }
    [[ "$config" =~ ^(engine|memcached|kernel|responder)$ ]] || { echo "run-conn-sweep: unknown configuration $config" >&2; exit 2; }
done

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
START=$(date +%s)
TICKS=$(getconf CLK_TCK)
WARMUP_S=$(secs "$WARMUP"); DURATION_S=$(secs "$DURATION")
# A run: ~2 s loadgen start, the connects, warm-up, measurement, up to 3 s of closing.
point_s() { awk -v n="$1" -v r="$CONNECT_RATE" -v w="$WARMUP_S" -v d="$DURATION_S" 'BEGIN { printf "%d", 5 + n / r + w + d + 1 }'; }

CSV="$OUT/results.csv"
echo "config,connections,round,status,ops_per_sec,p50_us,p99_us,p999_us,errors,server_cpu_cores_busy,server_cpu_us_per_req,loadgen_cpu_cores_busy,loadgen_thread_busy_pct,loadgen_lanes_full_pct" > "$CSV"
{
    echo "tas-kvs connection-scalability sweep"
    machine_lines
    [[ -x "$MEMCACHED" ]] && echo "memcached: $(LD_LIBRARY_PATH="$MEMCACHED_LIBS" "$MEMCACHED" -V 2>&1 | head -1) ($MEMCACHED)"
    echo "plan:     $plan"
    echo "command:  COUNTS=\"$COUNTS\" CONFIGS=\"$CONFIGS\" ROUNDS=$ROUNDS WARMUP=$WARMUP DURATION=$DURATION SERVER_CPUS=$SERVER_CPUS${SERVER_LANES:+ SERVER_LANES=$SERVER_LANES} CONNECT_RATE=$CONNECT_RATE IDLE=$IDLE FLOW_ID_SEED=$FLOW_ID_SEED ACK_DELAY_US=$ACK_DELAY_US CPUS=$CPUS $0 $OUT"
    echo
} > "$OUT/summary.txt"

SERVER_PID=""
LG_PID=""
WIRE="$SHM_DIR/tas-kvs-connsweep-$$.wire"
# timeout runs loadgen in its own process group, out of reach of a terminal's Ctrl-C: stop it here.
cleanup() { [[ -n "$LG_PID" ]] && stop_pid "$LG_PID"; [[ -n "$SERVER_PID" ]] && stop_pid "$SERVER_PID"; rm -f "$WIRE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
    local config=$1 log=$2 port=$3 i
    case "$config" in
        engine)
            rm -f "$WIRE"
            taskset -c "$server_cpus" "$JAVA" "${JAVA_OPTS[@]}" "${SERVER_JAVA[@]}" -cp "$SERVER_CP" \
                dev.taskvs.server.KvsServerMain --stack tas --nic shm --shm "$WIRE" --ip "$SERVER_IP/24" -p "$port" \
                --threading dedicated --idle "$IDLE" --stack-cores "$engine_stack" --app-cores "$server_apps" -m 256 -c "$LIMIT" \
                --buffer-kb 4 --flow-id-seed "$FLOW_ID_SEED" --ack-delay-us "$ACK_DELAY_US" \
                --shm-peer-queues "$lg_lanes" -v > "$log" 2>&1 &
            ;;
        responder)
            rm -f "$WIRE"
            taskset -c "$server_cpus" "$JAVA" "${JAVA_OPTS[@]}" "${SERVER_JAVA[@]}" -cp "$LOADGEN_CP" \
                dev.taskvs.loadgen.LoadgenMain responder --stack tas --nic shm --shm "$WIRE" --ip "$SERVER_IP/24" \
                -p "$port" --threading dedicated --idle "$IDLE" --stack-cores "$engine_stack" --buffer-kb 4 \
                --flow-id-seed "$FLOW_ID_SEED" --ack-delay-us "$ACK_DELAY_US" --max-flows $(( 2 * LIMIT + 1024 )) \
                --shm-peer-queues "$lg_lanes" > "$log" 2>&1 &
            ;;
        memcached)
            local user=(); [[ $(id -u) -eq 0 ]] && user=(-u root)
            LD_LIBRARY_PATH="$MEMCACHED_LIBS" taskset -c "$server_cpus" "$MEMCACHED" -p "$port" -U 0 -l 0.0.0.0 \
                -t "$SERVER_CPUS" -m 256 -c "$KERNEL_LIMIT" -b 4096 "${user[@]}" > "$log" 2>&1 &
            ;;
        kernel)
            taskset -c "$server_cpus" "$JAVA" "${JAVA_OPTS[@]}" "${SERVER_JAVA[@]}" -cp "$SERVER_CP" \
                dev.taskvs.server.KvsServerMain --stack kernel -p "$port" -l 0.0.0.0 -t "$SERVER_CPUS" -m 256 -c "$KERNEL_LIMIT" \
                -b 4096 > "$log" 2>&1 &
            ;;
    esac
    SERVER_PID=$!
    for ((i = 0; i < 300; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || return 1
        if [[ "$config" == engine || "$config" == responder ]]; then
            grep -q -e 'clients connect to' -e 'responder on the engine' "$log" 2>/dev/null && return 0
        else port_open "$port" && { sleep 0.2; kill -0 "$SERVER_PID" 2>/dev/null; return; }; fi
        sleep 0.1
    done
    return 1
}

# loadgen's arguments for a configuration and count, into the array LG_ARGS (no more threads than connections).
loadgen_target() {
    local config=$1 n=$2 port=$3 i threads
    if [[ "$config" == engine || "$config" == responder ]]; then
        threads=$(( lg_engine_threads < n ? lg_engine_threads : n ))
        LG_ARGS=(--stack tas --nic shm --shm "$WIRE" --ip "$LOADGEN_IP/24" --server "$SERVER_IP:$port"
            --threading dedicated --idle hybrid --stack-cores "$lg_stack" -t "$threads")
    else
        threads=$(( lg_kernel_threads < n ? lg_kernel_threads : n ))
        LG_ARGS=(--stack kernel -t "$threads")
        for ((i = 1; i <= (n > 20000 ? 4 : 1); i++)); do LG_ARGS+=(--server "127.0.0.$i:$port"); done
    fi
}

for ((round = 1; round <= ROUNDS; round++)); do
    for config in $CONFIGS; do
        port=$(( 21000 + round * 10 + ${#config} ))
        dir="$OUT/run-$config-r$round"; mkdir -p "$dir"
        first=yes
        for n in $COUNTS; do
            if [[ "$config" != engine && "$config" != responder ]] && (( n + 1024 > FDS )); then
                echo "$config,$n,$round,skipped (ulimit -n $FDS),,,,,,,,,," >> "$CSV"; continue
            fi
            elapsed=$(( $(date +%s) - START ))
            if (( elapsed + $(point_s "$n") > BUDGET_S )); then
                echo "$config,$n,$round,skipped (time budget),,,,,,,,,," >> "$CSV"; continue
            fi
            if [[ -n "$SERVER_PID" ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
                echo "run-conn-sweep: $config round $round: the server exited (see $dir/server.log); starting it again" | tee -a "$OUT/summary.txt" >&2
                SERVER_PID=""; first=yes
            fi
            if [[ -z "$SERVER_PID" ]]; then
                if ! start_server "$config" "$dir/server.log" "$port"; then
                    echo "run-conn-sweep: $config round $round: the server did not start (see $dir/server.log)" | tee -a "$OUT/summary.txt" >&2
                    stop_pid "$SERVER_PID"; SERVER_PID=""
                    echo "$config,$n,$round,server failed,,,,,,,,,," >> "$CSV"; continue
                fi
            fi
            preload=(); [[ $first == no ]] && preload=(--no-preload)
            json="$dir/loadgen-$n.json"
            loadgen_target "$config" "$n" "$port"
            # Computed here, not in the background command: a command substitution there would be a child of
            # loadgen's timeout for a moment, and child_of could take it for loadgen.
            lg_timeout=$(( $(point_s "$n") + 60 ))
            timeout "$lg_timeout" taskset -c "$lg_cpus" "$JAVA" "${JAVA_OPTS[@]}" -cp "$LOADGEN_CP" \
                dev.taskvs.loadgen.LoadgenMain "${LG_ARGS[@]}" --connections "$n" \
                --pipeline 1 --keys 100000 --key-size 16 --get-ratio 0.9 --value-size 64 -w "$WARMUP" -D "$DURATION" \
                --connect-rate "$CONNECT_RATE" --connect-timeout 10s --json "$json" "${preload[@]}" \
                > "$dir/loadgen-$n.log" 2>&1 &
            LG_PID=$!
            lg_java=$(child_of "$LG_PID")
            # CPU over whole seconds of the measured phase, between two of loadgen's progress lines.
            c0=""; c1=""; g0=""; g1=""; w0=0; w1=0
            if await_run_lines "$dir/loadgen-$n.log" 1 "$LG_PID" "$(point_s "$n")"; then
                c0=$(cpu_ticks "$SERVER_PID"); g0=$(cpu_ticks "$lg_java"); w0=$(date +%s.%N)
                thread_ticks "$SERVER_PID" > "$dir/.threads-0"
                if await_run_lines "$dir/loadgen-$n.log" $(( 1 + $(window_lines "$DURATION_S") )) "$LG_PID" "$(point_s "$n")"; then
                    c1=$(cpu_ticks "$SERVER_PID"); g1=$(cpu_ticks "$lg_java"); w1=$(date +%s.%N)
                    thread_ticks "$SERVER_PID" > "$dir/.threads-1"
                    thread_busy "$dir/.threads-0" "$dir/.threads-1" "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')" \
                        > "$dir/threads-$n.txt"
                fi
                rm -f "$dir/.threads-0" "$dir/.threads-1"
            fi
            wait "$LG_PID"; lg_rc=$?; LG_PID=""
            if [[ $lg_rc -ne 0 || ! -s "$json" ]]; then
                echo "run-conn-sweep: $config, $n connections, round $round: loadgen failed (rc $lg_rc, see $dir/loadgen-$n.log)" | tee -a "$OUT/summary.txt" >&2
                echo "$config,$n,$round,loadgen failed,,,,,,,,,," >> "$CSV"; continue
            fi
            first=no
            ops=$(json_top "$json" ops_per_sec); errors=$(json_top "$json" errors)
            p50=$(json_latency "$json" p50); p99=$(json_latency "$json" p99); p999=$(json_latency "$json" p999)
            busy=$(cores_busy "$c0" "$c1" "$w0" "$w1")
            per_req=$(per_request_us "$busy" "$ops")
            lg_busy=$(cores_busy "$g0" "$g1" "$w0" "$w1"); lg_threads_busy=$(json_generator_busy "$json")
            lg_full=$(json_lanes_full "$json")
            echo "$config,$n,$round,ok,$ops,$p50,$p99,$p999,$errors,$busy,$per_req,$lg_busy,$lg_threads_busy,$lg_full" >> "$CSV"
            grep -h "^engine memory: " "$dir/loadgen-$n.log" | sed "s/^engine memory: /  $config, $n connections, round $round, loadgen: /" >> "$OUT/.memory"
            printf 'run-conn-sweep: %s, %s connections, round %s of %s: %.0f requests/s, p99 %s us, server %s us CPU per request, loadgen threads %s%% busy%s, errors %s\n' \
                "$config" "$n" "$round" "$ROUNDS" "$ops" "$p99" "$per_req" "$lg_threads_busy" \
                "${lg_full:+, loadgen lanes $lg_full % full}" "$errors" >&2
        done
        [[ -n "$SERVER_PID" ]] && { stop_pid "$SERVER_PID"; SERVER_PID=""; }
        rm -f "$WIRE"
        # What backed the engine's flow state (huge pages or not), as the server said at exit after the round.
        grep -h "engine memory: " "$dir/server.log" 2>/dev/null | sed "s/^.*engine memory: /  $config, round $round, server at exit: /" >> "$OUT/.memory"
        # How near the server's lanes were to being the limit, over the round (its counters at exit): full receive
        # polls (frames left waiting), and retries on a full transmit ring (the generator's side not taking frames).
        if [[ "$config" == engine || "$config" == responder ]] && grep -q "engine counters: " "$dir/server.log" 2>/dev/null; then
            awk -v c="$config" -v r="$round" -v b="$(lane_counter_sum "$dir/server.log" "receive bursts (polls that found frames)")" \
                -v f="$(lane_counter_sum "$dir/server.log" "full receive bursts (frames were left waiting)")" \
                -v t="$(lane_counter_sum "$dir/server.log" "transmit ring full (retried)")" \
                -v s="$(lane_counter_sum "$dir/server.log" "segments sent")" \
                'BEGIN { printf "  %s, round %d: receive polls %.1f %% full (%d of %d), %.2f retries on a full transmit ring per segment sent\n",
                    c, r, (b > 0 ? 100 * f / b : 0), f, b, (s > 0 ? t / s : 0) }' >> "$OUT/.lanes"
        fi
    done
done

csv_to_json "$CSV" "config,status" > "$OUT/results.json"

# Per configuration and count: the median over the rounds (range), and the medians of p99, CPU per request and
# loadgen's busy share; then each configuration's change from its first count. (Plain awk: no asort.)
{
    echo "Closed loop, pipeline 1, 64 B values, 90 % gets; median of $ROUNDS round(s) (lowest-highest), then medians"
    echo "of p99, the server's CPU per request, how busy loadgen's load threads were and, on the engine, how many of"
    echo "loadgen's lanes' receive polls were full (near 100 %: the generator's lanes were the limit)."
    echo
    awk 'BEGIN { FS = "," }
        function median(list,    n, a, i, j, t) { n = split(list, a, " ");
            for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            if (n == 0) return ""; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        function lo(list,    n, a, i, m) { n = split(list, a, " "); m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 < m) m = a[i] + 0; return m }
        function hi(list,    n, a, i, m) { n = split(list, a, " "); m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
        NR == 1 { next }
        { key = $1 SUBSEP $2
          if (!($1 in seenc)) { seenc[$1] = 1; configs[++nc] = $1 }
          if (!(key in seenk)) { seenk[key] = 1; counts[$1, ++nk[$1]] = $2 }
          if ($4 == "ok") { ops[key] = ops[key] " " $5; p99[key] = p99[key] " " $7; errs[key] += $9
                            if ($11 != "") cpu[key] = cpu[key] " " $11; if ($13 != "") lg[key] = lg[key] " " $13
                            if ($14 != "") full[key] = full[key] " " $14 }
          else if (!(key in why)) why[key] = $4 }
        END {
          for (c = 1; c <= nc; c++) { cf = configs[c]; printf "%s:\n", cf; base = ""; basecpu = ""; change = ""
            for (k = 1; k <= nk[cf]; k++) { n = counts[cf, k]; key = cf SUBSEP n
              if (ops[key] == "") { printf "  %7s connections: %s\n", n, why[key]; continue }
              m = median(ops[key]); mc = median(cpu[key]); ml = median(lg[key]); mf = median(full[key])
              printf "  %7s connections: %10.0f requests/s (%.0f-%.0f)  p99 %9.1f us  server %s us/req  loadgen threads %s busy%s  errors %d%s\n",
                  n, m, lo(ops[key]), hi(ops[key]), median(p99[key]), (mc == "" ? "-" : sprintf("%6.3f", mc)),
                  (ml == "" ? "-" : sprintf("%5.1f%%", ml)), (mf == "" ? "" : sprintf("  lanes full %5.1f%%", mf)),
                  errs[key], (key in why ? "  (a round: " why[key] ")" : "")
              if (base == "") { base = m; basecpu = mc; basen = n }
              else change = change sprintf("%s %s: %+.0f %%%s", (change == "" ? "" : ","), n, (base > 0 ? 100 * (m / base - 1) : 0),
                  (basecpu > 0 && mc != "" ? sprintf(" (CPU/req %+.0f %%)", 100 * (mc / basecpu - 1)) : "")) }
            if (change != "") printf "  change from %s connections:%s\n", basen, change
            print "" } }' "$CSV"
    if [[ -s "$OUT/.lanes" ]]; then
        echo "The engine servers' lanes over each round (their counters at exit):"
        cat "$OUT/.lanes"
        echo
    fi
    if [[ -s "$OUT/.memory" ]]; then
        echo "The engines' flow state (resident, and on huge pages; THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)):"
        cat "$OUT/.memory"
        echo
    fi
    echo "total time: $(( $(date +%s) - START )) s"
} | tee -a "$OUT/summary.txt"
rm -f "$OUT/.memory" "$OUT/.lanes"

"$JAVA" -cp "$LOADGEN_CP" dev.taskvs.loadgen.bench.ConnSweepPlot "$CSV" "$OUT" \
    || echo "run-conn-sweep: could not draw the plots" >&2

# A sweep where nothing ran is a failure.
grep -q '^[a-z]*,[0-9]*,[0-9]*,ok,' "$CSV" || { echo "run-conn-sweep: no run succeeded" >&2; exit 1; }
