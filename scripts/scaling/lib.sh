# Helpers shared by run-scaling.sh and run-conn-sweep.sh (sourced; needs TICKS set to getconf CLK_TCK).

# The common start of both scripts (arguments: a name for messages, the script's path, then its own arguments):
# BUNDLE (prepare.sh's bundle: the script's folder, or .runtime/scaling when run from the repository), JAVA,
# JAVA_OPTS, SERVER_CP, LOADGEN_CP, and OUT from its first argument (without one: the script's header as usage,
# exit 2); checks the tools.
script_setup() {
    local name=$1 script=$2 tool
    OUT="${3:-}"
    [[ -n "$OUT" ]] || { usage "$script"; exit 2; }
    BUNDLE="${BUNDLE:-$HERE}"
    if [[ ! -x "$BUNDLE/jre/bin/java" && -x "$HERE/../../.runtime/scaling/jre/bin/java" ]]; then
        BUNDLE="$(cd "$HERE/../../.runtime/scaling" && pwd)"   # run from the repository after prepare.sh
    fi
    JAVA="${JAVA:-$BUNDLE/jre/bin/java}"
    JAVA_OPTS=(-XX:+UseParallelGC -XX:AutoBoxCacheMax=262144 --add-exports java.base/jdk.internal.misc=ALL-UNNAMED)
    for tool in taskset awk timeout; do
        command -v "$tool" >/dev/null || { echo "$name: '$tool' is missing" >&2; exit 1; }
    done
    [[ -n "${DRY_RUN:-}" || -x "$JAVA" ]] || { echo "$name: no Java runtime at $JAVA (run scripts/scaling/prepare.sh first)" >&2; exit 1; }
    [[ -n "${DRY_RUN:-}" || -n "${SERVER_CP:-}" || -f "$BUNDLE/server/kvs-server.jar" ]] || { echo "$name: no server jar in $BUNDLE/server" >&2; exit 1; }
    SERVER_CP="${SERVER_CP:-$BUNDLE/server/kvs-server.jar:$BUNDLE/server/lib/*}"
    LOADGEN_CP="${LOADGEN_CP:-$BUNDLE/loadgen/loadgen.jar:$BUNDLE/loadgen/lib/*}"
}

secs() { local v="$1"; case "$v" in *ms) awk "BEGIN{print ${v%ms} / 1000}";; *s) echo "${v%s}";; *m) echo $(( ${v%m} * 60 ));; *) echo "$v";; esac; }

# CPU n of this machine, wrapping (so a tiny sweep also runs on a small machine).
cpu() { echo $(( $1 % CPUS )); }
cpu_list() { local from=$1 count=$2 i out=""; for ((i = 0; i < count; i++)); do out+="${out:+,}$(cpu $((from + i)))"; done; echo "$out"; }
dedupe() { tr ',' '\n' <<<"$1" | awk '!seen[$0]++' | paste -sd, -; }

# A process's user + system CPU ticks; empty when it is gone (the name may hold spaces: fields after its ')').
cpu_ticks() { [[ -n "$1" ]] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }
# "tid name ticks" for every thread of a process (thread names may hold spaces: they become '_'). Through cat:
# mawk stops at the first file it cannot open, and a thread may exit between the glob and the read.
thread_ticks() {
    [[ -n "$1" ]] || return 0
    cat /proc/"$1"/task/[0-9]*/stat 2>/dev/null | awk '{ r = 0; for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { r = i; break }
           l = index($0, "("); name = substr($0, l + 1, r - l - 1); gsub(/ /, "_", name)
           split(substr($0, r + 2), f, " "); print $1, name, f[12] + f[13] }'
}
# Per-thread share of a core between two thread_ticks snapshots, busiest first; threads under 1 % are left out.
thread_busy() {
    awk -v hz="$TICKS" -v wall="$3" 'NR == FNR { t0[$1] = $3; next }
        ($1 in t0) { b = ($3 - t0[$1]) / hz / wall * 100; if (b >= 1) printf "%6.1f%%  %s\n", b, $2 }' "$1" "$2" | sort -rn
}
# The pid of a process's first child (loadgen's JVM under timeout), waiting up to 5 s for it; empty if none.
child_of() {
    local i kids
    for ((i = 0; i < 50; i++)); do
        # /proc/PID/task/PID/children needs CONFIG_PROC_CHILDREN; pgrep is the fallback.
        kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null || pgrep -P "$1" 2>/dev/null | head -1)
        kill -0 "$1" 2>/dev/null || return 0
        [[ -n "$kids" ]] && { echo "${kids%% *}"; return 0; }
        sleep 0.1
    done
}
# Cores busy between two tick readings over wall seconds; empty when a reading is missing.
cores_busy() {
    [[ -n "$1" && -n "$2" ]] || { echo ""; return 0; }
    awk -v t0="$1" -v t1="$2" -v w0="$3" -v w1="$4" -v hz="$TICKS" \
        'BEGIN { wall = w1 - w0; if (wall > 0 && t1 >= t0) printf "%.2f\n", (t1 - t0) / hz / wall; else print "" }'
}
# Waits until loadgen's log holds COUNT progress lines of its measured phase ("[  5.0s] run   ..."), one a second;
# false when loadgen exits first or after TIMEOUT_S seconds. CPU read between two of these covers whole seconds
# of the measurement, however long the JVM's start, the connects and the preload took.
await_run_lines() {
    local log=$1 count=$2 pid=$3 timeout_s=$4 i
    for ((i = 0; i < timeout_s * 20; i++)); do
        (( $(grep -c '^\[ *[0-9.]*s\] run ' "$log" 2>/dev/null) >= count )) && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
# Seconds of the measured phase to read CPU over, from its first progress line. A D-second run prints D-1 of them
# (none at its end), and a stalled second can lose the last: the window stops one line short (at least one second).
window_lines() { awk -v d="$1" 'BEGIN { n = int(d) - 3; print (n < 1 ? 1 : n) }'; }
# CPU microseconds per request from cores busy and requests/s; empty when either is missing.
per_request_us() { awk -v b="$1" -v o="$2" 'BEGIN { if (b != "" && o > 0) printf "%.3f\n", b * 1e6 / o; else print "" }'; }
# The script's header comment (from line 2 to the first line that is not a comment) as its usage.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$1" >&2; }

# The first "KEY": number at the top level of a loadgen JSON (top-level keys come before nested ones), and
# a percentile from its top-level "latency_us" block.
json_top() { grep -m1 "^  \"$2\":" "$1" | sed 's/.*: *//; s/,$//'; }
json_latency() {
    awk -v key="\"$2\":" '/^  "latency_us": \{/ {inb = 1; next} inb && /^  \}/ {exit} inb && index($0, key) {gsub(/[ ,]/, ""); split($0, a, ":"); print a[2]; exit}' "$1"
}
# How busy loadgen's load threads were, its own figure from the JSON: near 100 % means the generator limits.
json_generator_busy() { grep -m1 '"cpu_percent_per_thread":' "$1" | sed 's/.*: *//; s/,$//'; }
# The share of the generator's engine lanes' receive polls that were full over the measured window (blank on
# kernel sockets): near 100, the lanes, not the server, were the limit.
json_lanes_full() { grep -m1 '"full_burst_percent":' "$1" | sed 's/.*: *//; s/,$//'; }
# From a log's last "engine counters:" line, a lane counter summed over the lanes (the counter's label after "lane N: ").
lane_counter_sum() { grep -h "engine counters: " "$1" 2>/dev/null | tail -1 | tr ',' '\n' \
    | awk -v label="$2" '{ line = $0; sub(/^.*engine counters: /, "", line); sub(/^ +/, "", line); v = line; sub(/.* /, "", v)
        sub(/^lane [0-9]+: /, "", line); sub(/ [0-9]+$/, "", line); if (line == label) s += v } END { print s + 0 }'; }

# results.json from a results.csv: numbers stay numbers, except in the columns named in $2 (comma-separated).
csv_to_json() {
    awk -v text=",$2," 'BEGIN { FS = "," } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; print "["; next }
        { printf "%s  {", (NR > 2 ? ",\n" : "");
          for (i = 1; i <= NF; i++) { v = $i;
              if (v ~ /^-?[0-9]+(\.[0-9]+)?$/ && index(text, "," h[i] ",") == 0) out = v; else out = "\"" v "\"";
              printf "%s\"%s\": %s", (i > 1 ? ", " : ""), h[i], out } printf "}" }
        END { print "\n]" }' "$1"
}

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
}

# The machine, for a summary's head.
machine_lines() {
    echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host:     $(uname -n), $(uname -srm)"
    echo "cpu:      $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) CPUs online, using $CPUS"
    echo "memory:   $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "java:     $("$JAVA" -version 2>&1 | head -1) ($JAVA)"
    [[ -f "$BUNDLE/BUNDLE.txt" ]] && sed 's/^/bundle:   /' "$BUNDLE/BUNDLE.txt"
    return 0
}
