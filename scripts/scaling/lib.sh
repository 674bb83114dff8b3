# Helpers shared by run-scaling.sh and run-conn-sweep.sh (sourced; needs TICKS set to getconf CLK_TCK).

secs() { local v="$1"; case "$v" in *ms) awk "BEGIN{print ${v%ms} / 1000}";; *s) echo "${v%s}";; *m) echo $(( ${v%m} * 60 ));; *) echo "$v";; esac; }

# CPU n of this machine, wrapping (so a tiny sweep also runs on a small machine).
cpu() { echo $(( $1 % CPUS )); }
cpu_list() { local from=$1 count=$2 i out=""; for ((i = 0; i < count; i++)); do out+="${out:+,}$(cpu $((from + i)))"; done; echo "$out"; }
dedupe() { tr ',' '\n' <<<"$1" | awk '!seen[$0]++' | paste -sd, -; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# "tid name ticks" for every thread of a process, in one awk (thread names may hold spaces: they become '_').
thread_ticks() {
    awk '{ r = 0; for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { r = i; break }
           l = index($0, "("); name = substr($0, l + 1, r - l - 1); gsub(/ /, "_", name)
           split(substr($0, r + 2), f, " "); split(FILENAME, p, "/"); print p[5], name, f[12] + f[13] }' \
        /proc/"$1"/task/[0-9]*/stat 2>/dev/null
}
# Per-thread share of a core between two thread_ticks snapshots, busiest first; threads under 1 % are left out.
thread_busy() {
    awk -v hz="$TICKS" -v wall="$3" 'NR == FNR { t0[$1] = $3; next }
        ($1 in t0) { b = ($3 - t0[$1]) / hz / wall * 100; if (b >= 1) printf "%6.1f%%  %s\n", b, $2 }' "$1" "$2" | sort -rn
}
# The pid of a process's first child (loadgen's JVM under timeout), empty when it has none.
child_of() {
    local p
    for p in /proc/[0-9]*/stat; do
        [[ "$(awk '{print $4}' "$p" 2>/dev/null)" == "$1" ]] && { p="${p#/proc/}"; echo "${p%/stat}"; return; }
    done
}
# Cores busy between two tick readings over wall seconds; empty when a reading is missing.
cores_busy() {
    awk -v t0="$1" -v t1="$2" -v w0="$3" -v w1="$4" -v hz="$TICKS" \
        'BEGIN { wall = w1 - w0; if (wall > 0 && t0 > 0 && t1 >= t0) printf "%.2f\n", (t1 - t0) / hz / wall; else print "" }'
}

# The first "KEY": number at the top level of a loadgen JSON (top-level keys come before nested ones), and
# a percentile from its top-level "latency_us" block.
json_top() { grep -m1 "^  \"$2\":" "$1" | sed 's/.*: *//; s/,$//'; }
json_latency() {
    awk -v key="\"$2\":" '/^  "latency_us": \{/ {inb = 1; next} inb && /^  \}/ {exit} inb && index($0, key) {gsub(/[ ,]/, ""); split($0, a, ":"); print a[2]; exit}' "$1"
}
# How busy loadgen's load threads were, its own figure from the JSON: near 100 % means the generator limits.
json_generator_busy() { grep -m1 '"cpu_percent_per_thread":' "$1" | sed 's/.*: *//; s/,$//'; }

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
