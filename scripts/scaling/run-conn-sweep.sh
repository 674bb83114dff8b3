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
# The kernel configurations need a descriptor per connection in the server and in loadgen; where one process may
# not open as many as the largest count needs (the open-files hard limit, which only CAP_SYS_RESOURCE raises),
# every kernel point runs as shards, so that the curve changes with the connections alone: as many server
# processes as the largest count takes (ports P, P+1, ...; SERVER_CPUS threads split between them, rounded up) and
# as many loadgen processes, each driving its slice of the connections and of the 100,000 keys at its own server
# through loopback addresses of its own; requests/s and errors are summed, the latency percentiles the worst
# shard's, CPU the sum over the processes. PROCESS_FDS lowers the per-process limit (tests); MAX_SHARDS (8) caps
# the processes, above which the kernel points are skipped. Rounds (ROUNDS) run every configuration over every
# count, round after round, so drift touches all points alike; each round starts each server afresh (its store
# preloaded by the round's first run). Points that would not finish within BUDGET_S (default 470 s) are skipped.
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
#   BUDGET_S=470  SHM_DIR=/dev/shm  IDLE=nap  FLOW_ID_SEED=7 (0: ids in order)  PROCESS_FDS=<ulimit -n>  MAX_SHARDS=8
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
PROCESS_FDS="${PROCESS_FDS:-$FDS}"
(( PROCESS_FDS > FDS )) && PROCESS_FDS=$FDS
KERNEL_LIMIT=$(( LIMIT < PROCESS_FDS ? LIMIT : PROCESS_FDS ))
# Connections one kernel-socket process holds at most (room left for its other descriptors), and so how many
# server and loadgen processes a kernel point takes.
PER_PROCESS=$(( PROCESS_FDS - 1024 ))
MAX_SHARDS="${MAX_SHARDS:-8}"
# More than MAX_SHARDS when a process has no room for connections at all (the kernel points are then skipped).
shards_for() {
    if [[ "$2" == engine || "$2" == responder ]] || (( $1 <= PER_PROCESS )); then echo 1
    elif (( PER_PROCESS < 1 )); then echo $(( MAX_SHARDS + 1 ))
    else echo $(( ($1 + PER_PROCESS - 1) / PER_PROCESS )); fi
}
# Every kernel point runs in as many processes as the largest count takes, so that the kernel curves change with
# the connections alone, not with how many processes serve them.
# (At most MAX_SHARDS: counts beyond what they hold are skipped.)
kernel_shards=$(shards_for "$max_count" kernel)
(( kernel_shards > MAX_SHARDS )) && kernel_shards=$MAX_SHARDS

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

plan="server CPUs $server_cpus; loadgen CPUs $lg_cpus$([[ $shared == yes ]] && echo ' (shared with the server)'): on the engine $lg_lanes lanes and the slow path on $lg_stack and $lg_engine_threads load threads, on kernel sockets $lg_kernel_threads threads; engine server --stack-cores $engine_stack --app-cores $server_apps; memcached and kernel server -t $SERVER_CPUS$( (( kernel_shards > 1 )) && echo " in $kernel_shards processes of -t $(( (SERVER_CPUS + kernel_shards - 1) / kernel_shards )) (with as many loadgens)"); open files $FDS, so a kernel process holds at most $PER_PROCESS connections"
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
echo "config,connections,round,status,ops_per_sec,p50_us,p99_us,p999_us,errors,server_cpu_cores_busy,server_cpu_us_per_req,loadgen_cpu_cores_busy,loadgen_thread_busy_pct,loadgen_lanes_full_pct,processes" > "$CSV"
{
    echo "tas-kvs connection-scalability sweep"
    machine_lines
    [[ -x "$MEMCACHED" ]] && echo "memcached: $(LD_LIBRARY_PATH="$MEMCACHED_LIBS" "$MEMCACHED" -V 2>&1 | head -1) ($MEMCACHED)"
    echo "plan:     $plan"
    echo "command:  COUNTS=\"$COUNTS\" CONFIGS=\"$CONFIGS\" ROUNDS=$ROUNDS WARMUP=$WARMUP DURATION=$DURATION SERVER_CPUS=$SERVER_CPUS${SERVER_LANES:+ SERVER_LANES=$SERVER_LANES} CONNECT_RATE=$CONNECT_RATE IDLE=$IDLE FLOW_ID_SEED=$FLOW_ID_SEED ACK_DELAY_US=$ACK_DELAY_US CPUS=$CPUS${PROCESS_FDS:+ PROCESS_FDS=$PROCESS_FDS} MAX_SHARDS=$MAX_SHARDS $0 $OUT"
    echo
} > "$OUT/summary.txt"

SERVER_PIDS=()
LG_PIDS=()
WIRE="$SHM_DIR/tas-kvs-connsweep-$$.wire"
# timeout runs loadgen in its own process group, out of reach of a terminal's Ctrl-C: stop it here.
cleanup() { local p; for p in "${LG_PIDS[@]}" "${SERVER_PIDS[@]}"; do stop_pid "$p"; done; rm -f "$WIRE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
    local config=$1 log=$2 port=$3 threads=${4:-$SERVER_CPUS} limit=${5:-$KERNEL_LIMIT} i pid
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
                -t "$threads" -m 256 -c "$limit" -b 4096 "${user[@]}" > "$log" 2>&1 &
            ;;
        kernel)
            taskset -c "$server_cpus" "$JAVA" "${JAVA_OPTS[@]}" "${SERVER_JAVA[@]}" -cp "$SERVER_CP" \
                dev.taskvs.server.KvsServerMain --stack kernel -p "$port" -l 0.0.0.0 -t "$threads" -m 256 -c "$limit" \
                -b 4096 > "$log" 2>&1 &
            ;;
    esac
    pid=$!
    SERVER_PIDS+=("$pid")
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        if [[ "$config" == engine || "$config" == responder ]]; then
            grep -q -e 'clients connect to' -e 'responder on the engine' "$log" 2>/dev/null && return 0
        else port_open "$port" && { sleep 0.2; kill -0 "$pid" 2>/dev/null; return; }; fi
        sleep 0.1
    done
    return 1
}

# A configuration's servers in SHARDS processes (ports PORT, PORT+1, ...; logs server.log, or server-shard1.log,
# server-shard2.log, ...), the server CPUs' threads split between them.
# False when one does not start.
start_servers() {
    local config=$1 dir=$2 port=$3 shards=$4 s threads limit log
    threads=$(( (SERVER_CPUS + shards - 1) / shards ))
    limit=$(( shards == 1 ? KERNEL_LIMIT : (PER_PROCESS + 1024 < KERNEL_LIMIT ? PER_PROCESS + 1024 : KERNEL_LIMIT) ))
    for ((s = 0; s < shards; s++)); do
        log="$dir/server.log"; (( shards > 1 )) && log="$dir/server-shard$(( s + 1 )).log"
        start_server "$config" "$log" $(( port + s )) "$threads" "$limit" || return 1
    done
}
# The larger of two numbers (awk: bash has no floating point).
num_max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0 ? b : a) }'; }
stop_servers() { local p; for p in "${SERVER_PIDS[@]}"; do stop_pid "$p"; done; SERVER_PIDS=(); }
servers_alive() { local p; for p in "${SERVER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || return 1; done; }
# CPU ticks (user + system) summed over processes; empty when one cannot be read.
cpu_ticks_all() {
    local p t sum=0
    for p in "$@"; do t=$(cpu_ticks "$p"); [[ -n "$t" ]] || { echo ""; return 0; }; sum=$(( sum + t )); done
    echo "$sum"
}

# loadgen's arguments for a configuration and count, into the array LG_ARGS (no more threads than connections).
# With SHARDS (kernel configurations), for shard K (0, 1, ...) of that many loadgen processes: N is its slice of
# the connections, the load threads are split as the servers' are, and it connects to four loopback addresses of
# its own (127.0.0.4K+1 to 4K+4): the kernel's ephemeral ports (about 28,000) are a range per destination address,
# and the connections of the last minute's points hold theirs in TIME_WAIT.
loadgen_target() {
    local config=$1 n=$2 port=$3 shards=${4:-1} shard=${5:-0} i threads
    if [[ "$config" == engine || "$config" == responder ]]; then
        threads=$(( lg_engine_threads < n ? lg_engine_threads : n ))
        LG_ARGS=(--stack tas --nic shm --shm "$WIRE" --ip "$LOADGEN_IP/24" --server "$SERVER_IP:$port"
            --threading dedicated --idle hybrid --stack-cores "$lg_stack" -t "$threads")
    else
        threads=$(( (lg_kernel_threads + shards - 1) / shards ))
        threads=$(( threads < n ? threads : n ))
        LG_ARGS=(--stack kernel -t "$threads")
        if (( shards > 1 )); then for ((i = 1; i <= 4; i++)); do LG_ARGS+=(--server "127.0.0.$(( 4 * shard + i )):$port"); done
        else for ((i = 1; i <= (n > 20000 ? 4 : 1); i++)); do LG_ARGS+=(--server "127.0.0.$i:$port"); done; fi
    fi
}

for ((round = 1; round <= ROUNDS; round++)); do
    for config in $CONFIGS; do
        port=$(( 21000 + round * 10 + ${#config} ))
        dir="$OUT/run-$config-r$round"; mkdir -p "$dir"
        first=yes
        for n in $COUNTS; do
            shards=$kernel_shards; [[ "$config" == engine || "$config" == responder ]] && shards=1
            if (( $(shards_for "$n" "$config") > shards )); then
                echo "$config,$n,$round,skipped (more than $MAX_SHARDS processes at ulimit -n $PROCESS_FDS),,,,,,,,,,," >> "$CSV"; continue
            fi
            elapsed=$(( $(date +%s) - START ))
            if (( elapsed + $(point_s "$n") > BUDGET_S )); then
                echo "$config,$n,$round,skipped (time budget),,,,,,,,,,," >> "$CSV"; continue
            fi
            if (( ${#SERVER_PIDS[@]} > 0 )) && ! servers_alive; then
                echo "run-conn-sweep: $config round $round: the server exited (see $dir/server*.log); starting it again" | tee -a "$OUT/summary.txt" >&2
                stop_servers; first=yes
            fi
            if (( ${#SERVER_PIDS[@]} == 0 )); then
                if ! start_servers "$config" "$dir" "$port" "$shards"; then
                    echo "run-conn-sweep: $config round $round: the server did not start (see $dir/server*.log)" | tee -a "$OUT/summary.txt" >&2
                    stop_servers
                    echo "$config,$n,$round,server failed,,,,,,,,,,," >> "$CSV"; continue
                fi
            fi
            preload=(); [[ $first == no ]] && preload=(--no-preload)
            # Computed here, not in the background command: a command substitution there would be a child of
            # loadgen's timeout for a moment, and child_of could take it for loadgen.
            lg_timeout=$(( $(point_s "$n") + 60 ))
            # One loadgen, or one per server shard with its slice of the connections and keys (loadgen-N.json and
            # loadgen-N.log for the first, loadgen-N-shardK.* for the others).
            LG_PIDS=(); jsons=(); lg_javas=()
            # Never a loadgen without connections: with fewer connections than servers, some servers stay idle.
            loadgens=$(( shards < n ? shards : n ))
            for ((k = 0; k < loadgens; k++)); do
                part=$(( n / loadgens + (k < n % loadgens ? 1 : 0) ))
                name="loadgen-$n"; (( k > 0 )) && name="loadgen-$n-shard$(( k + 1 ))"
                loadgen_target "$config" "$part" $(( port + k )) "$shards" "$k"
                timeout "$lg_timeout" taskset -c "$lg_cpus" "$JAVA" "${JAVA_OPTS[@]}" -cp "$LOADGEN_CP" \
                    dev.taskvs.loadgen.LoadgenMain "${LG_ARGS[@]}" --connections "$part" \
                    --pipeline 1 --keys $(( 100000 / loadgens )) --key-size 16 --get-ratio 0.9 --value-size 64 -w "$WARMUP" \
                    -D "$DURATION" --connect-rate $(( CONNECT_RATE / loadgens )) --connect-timeout 10s --json "$dir/$name.json" \
                    "${preload[@]}" > "$dir/$name.log" 2>&1 &
                LG_PIDS+=("$!"); jsons+=("$dir/$name.json")
            done
            LG_PID=${LG_PIDS[0]}
            for p in "${LG_PIDS[@]}"; do lg_javas+=("$(child_of "$p")"); done
            # CPU over whole seconds of the measured phase, between two of the first loadgen's progress lines.
            c0=""; c1=""; g0=""; g1=""; w0=0; w1=0
            if await_run_lines "$dir/loadgen-$n.log" 1 "$LG_PID" "$(point_s "$n")"; then
                c0=$(cpu_ticks_all "${SERVER_PIDS[@]}"); g0=$(cpu_ticks_all "${lg_javas[@]}"); w0=$(date +%s.%N)
                for p in "${SERVER_PIDS[@]}"; do thread_ticks "$p"; done > "$dir/.threads-0"
                if await_run_lines "$dir/loadgen-$n.log" $(( 1 + $(window_lines "$DURATION_S") )) "$LG_PID" "$(point_s "$n")"; then
                    c1=$(cpu_ticks_all "${SERVER_PIDS[@]}"); g1=$(cpu_ticks_all "${lg_javas[@]}"); w1=$(date +%s.%N)
                    for p in "${SERVER_PIDS[@]}"; do thread_ticks "$p"; done > "$dir/.threads-1"
                    thread_busy "$dir/.threads-0" "$dir/.threads-1" "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')" \
                        > "$dir/threads-$n.txt"
                fi
                rm -f "$dir/.threads-0" "$dir/.threads-1"
            fi
            lg_rc=0
            for p in "${LG_PIDS[@]}"; do wait "$p" || lg_rc=$?; done
            LG_PIDS=(); LG_PID=""
            missing=no; for j in "${jsons[@]}"; do [[ -s "$j" ]] || missing=yes; done
            if [[ $lg_rc -ne 0 || $missing == yes ]]; then
                echo "run-conn-sweep: $config, $n connections, round $round: loadgen failed (rc $lg_rc, see $dir/loadgen-$n*.log)" | tee -a "$OUT/summary.txt" >&2
                echo "$config,$n,$round,loadgen failed,,,,,,,,,,," >> "$CSV"; continue
            fi
            first=no
            # Over the shards: requests/s and errors summed, percentiles the worst shard's, loadgen's busy share the
            # mean (one shard: its own figures).
            ops=0; errors=0; p50=0; p99=0; p999=0; lg_threads_busy=0
            for j in "${jsons[@]}"; do
                ops=$(awk -v a="$ops" -v b="$(json_top "$j" ops_per_sec)" 'BEGIN { printf "%.3f", a + b }')
                e=$(json_top "$j" errors); errors=$(( errors + ${e:-0} ))
                p50=$(num_max "$p50" "$(json_latency "$j" p50)"); p99=$(num_max "$p99" "$(json_latency "$j" p99)")
                p999=$(num_max "$p999" "$(json_latency "$j" p999)")
                lg_threads_busy=$(awk -v a="$lg_threads_busy" -v b="$(json_generator_busy "$j")" -v k="${#jsons[@]}" 'BEGIN { printf "%.3f", a + b / k }')
            done
            busy=$(cores_busy "$c0" "$c1" "$w0" "$w1")
            per_req=$(per_request_us "$busy" "$ops")
            lg_busy=$(cores_busy "$g0" "$g1" "$w0" "$w1")
            lg_full=$(json_lanes_full "${jsons[0]}")
            echo "$config,$n,$round,ok,$ops,$p50,$p99,$p999,$errors,$busy,$per_req,$lg_busy,$lg_threads_busy,$lg_full,$shards" >> "$CSV"
            grep -h "^engine memory: " "$dir/loadgen-$n.log" | sed "s/^engine memory: /  $config, $n connections, round $round, loadgen: /" >> "$OUT/.memory"
            printf 'run-conn-sweep: %s, %s connections, round %s of %s: %.0f requests/s, p99 %s us, server %s us CPU per request, loadgen threads %s%% busy%s%s, errors %s\n' \
                "$config" "$n" "$round" "$ROUNDS" "$ops" "$p99" "$per_req" "$lg_threads_busy" \
                "${lg_full:+, loadgen lanes $lg_full % full}" "$( (( shards > 1 )) && echo ", $shards server and $shards loadgen processes")" "$errors" >&2
        done
        stop_servers
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
                            if ($14 != "") full[key] = full[key] " " $14; if ($15 + 0 > procs[key] + 0) procs[key] = $15 }
          else if (!(key in why)) why[key] = $4 }
        END {
          for (c = 1; c <= nc; c++) { cf = configs[c]; printf "%s:\n", cf; base = ""; basecpu = ""; change = ""
            for (k = 1; k <= nk[cf]; k++) { n = counts[cf, k]; key = cf SUBSEP n
              if (ops[key] == "") { printf "  %7s connections: %s\n", n, why[key]; continue }
              m = median(ops[key]); mc = median(cpu[key]); ml = median(lg[key]); mf = median(full[key])
              printf "  %7s connections: %10.0f requests/s (%.0f-%.0f)  p99 %9.1f us  server %s us/req  loadgen threads %s busy%s  errors %d%s%s\n",
                  n, m, lo(ops[key]), hi(ops[key]), median(p99[key]), (mc == "" ? "-" : sprintf("%6.3f", mc)),
                  (ml == "" ? "-" : sprintf("%5.1f%%", ml)), (mf == "" ? "" : sprintf("  lanes full %5.1f%%", mf)),
                  errs[key], (procs[key] > 1 ? sprintf("  (%d server and %d loadgen processes)", procs[key], procs[key]) : ""),
                  (key in why ? "  (a round: " why[key] ")" : "")
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
