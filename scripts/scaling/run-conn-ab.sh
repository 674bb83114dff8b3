#!/usr/bin/env bash
# Two builds side by side in the connection sweep, alternated in one run on one machine (lent machines of one kind
# differ by up to 2x between instances: only numbers from the same run compare):
#
#   A_JARS=/path/to/old/tas-engine.jar ./run-conn-ab.sh OUTDIR
#
# B is the bundle (or SERVER_CP and LOADGEN_CP as given); A is the same with A_JARS (jars or class folders,
# colon-separated) ahead on both class paths, so that their classes replace B's: carry the jars of the build to
# compare against, e.g. an older tas-engine jar. PAIRS times (default 2) A then B, each a run-conn-sweep.sh with one
# round and the rest of the environment (CONFIGS default engine, COUNTS default "1000 10000 50000").
# OUTDIR gets A-i/ and B-i/ (each sweep's own files), A-i.log and B-i.log, and ab-summary.txt: per configuration
# and count, A's and B's requests/s and server CPU per request, their medians, and B over A.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
script_setup run-conn-ab "$0" "$@"

[[ -n "${A_JARS:-}" ]] || { echo "run-conn-ab: set A_JARS to the jars of build A (see the header)" >&2; exit 2; }
PAIRS="${PAIRS:-2}"
export CONFIGS="${CONFIGS:-engine}" COUNTS="${COUNTS:-1000 10000 50000}" ROUNDS=1 JAVA BUNDLE
B_SERVER_CP="$SERVER_CP"
B_LOADGEN_CP="$LOADGEN_CP"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
START=$(date +%s)

for ((i = 1; i <= PAIRS; i++)); do
    for v in A B; do
        prefix=""; [[ $v == A ]] && prefix="$A_JARS:"
        SERVER_CP="$prefix$B_SERVER_CP" LOADGEN_CP="$prefix$B_LOADGEN_CP" "$HERE/run-conn-sweep.sh" "$OUT/$v-$i" \
            > "$OUT/$v-$i.log" 2>&1 || echo "run-conn-ab: $v, pair $i: the sweep failed (see $OUT/$v-$i.log)" >&2
        echo "run-conn-ab: $v, pair $i of $PAIRS done, $(( $(date +%s) - START )) s" >&2
    done
done

{
    echo "tas-kvs connection sweep, A against B"
    machine_lines
    echo "A:        $A_JARS ahead of B's class paths"
    echo "B:        $B_SERVER_CP (server), $B_LOADGEN_CP (loadgen)"
    echo "command:  A_JARS=\"$A_JARS\" PAIRS=$PAIRS CONFIGS=\"$CONFIGS\" COUNTS=\"$COUNTS\" $0 $OUT"
    echo
    # Runs in the order they were made (A-1, B-1, A-2, ...): requests/s and CPU per request of each.
    for ((i = 1; i <= PAIRS; i++)); do for v in A B; do
        [[ -f "$OUT/$v-$i/results.csv" ]] && awk -v v="$v" 'BEGIN { FS = "," } NR > 1 && $4 == "ok" { print v, $1, $2, $5, $11 }' "$OUT/$v-$i/results.csv"
    done; done | awk '
        function median(list,    n, a, i, j, t) { n = split(list, a, " ");
            for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return n == 0 ? 0 : (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        { key = $2 " " $3; if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
          ops[$1, key] = ops[$1, key] sprintf(" %.0f", $4); cpu[$1, key] = cpu[$1, key] " " $5 }
        END { for (k = 1; k <= nk; k++) { key = keys[k]; ma = median(ops["A", key]); mb = median(ops["B", key])
              split(key, kc, " ")
              printf "%s, %s connections: requests/s A%s, B%s; medians %.0f and %.0f, B/A %s; CPU us/req A%s, B%s\n",
                  kc[1], kc[2], ops["A", key], ops["B", key], ma, mb, (ma > 0 ? sprintf("%.2f", mb / ma) : "-"),
                  cpu["A", key], cpu["B", key] } }'
    echo "total time: $(( $(date +%s) - START )) s"
} | tee "$OUT/ab-summary.txt"
grep -q "B/A [0-9]" "$OUT/ab-summary.txt" || { echo "run-conn-ab: no pair of runs succeeded" >&2; exit 1; }
