#!/usr/bin/env bash
# Figures on a noisy machine: the "Done when" list of issue 17, as a table.
#
#   cargo build --release --workspace && runner/benches/noise.sh [N]
#
# N (default 10) is how many times cpu_lab is graded in each of the three
# settings. A "hog" is one busy loop pinned to CPU 1 with `taskset -c 1`.
# It prints the load (`uptime`) first: run it on a quiet machine for the
# figures that count. Needs taskset and python3. Takes about 10–15 min with N=10.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10}
R=./target/release/runner
STUDENT=./target/release/librunner_fixture_student.so
for f in "$R" "$STUDENT"; do
    [ -e "$f" ] || { echo "missing $f: cargo build --release --workspace" >&2; exit 2; }
done
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 2; }
TMP=$(mktemp -d)
HOG=
start_hog() { taskset -c 1 sh -c 'while :; do :; done' & HOG=$!; sleep 1; }
stop_hog() {
    if [ -n "$HOG" ]; then
        kill "$HOG" 2>/dev/null || true
        wait "$HOG" 2>/dev/null || true # its status is SIGTERM's
        HOG=
    fi
}
trap 'stop_hog; rm -rf "$TMP"' EXIT

echo "# $(date -u '+%F %T') UTC, $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"

# 1. cpu_bound, quiet and with the hog: which strategies are flagged, and the speedups.
speedups() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for s in doc["strategies"]:
    ci, n = s["speedup_ci"] or {}, s["noise"]
    flag = "NOISE" if n["disturbed"] else "-"
    print(f"| {sys.argv[2]} | {s['label']} | {ci.get('median', 0):.2f} [{ci.get('lo', 0):.2f}–{ci.get('hi', 0):.2f}] "
          f"| {n['others_cores_max']:.2f} | {flag} | {n['message'] or ''} |")
EOF
}
echo
echo "## cpu_bound.toml"
echo "| machine | strategy | speedup [interval] | others' cores (max) | flagged | why |"
echo "|---|---|---|---|---|---|"
$R scenarios/cpu_bound.toml --format json >"$TMP/quiet.json" || true
speedups "$TMP/quiet.json" quiet
start_hog
$R scenarios/cpu_bound.toml --format json >"$TMP/hog.json" || true
stop_hog
speedups "$TMP/hog.json" "hog on CPU 1"

# 2. repeat = "auto" on cpu_bound: rounds, what ended it, how long it took.
echo
echo "## cpu_bound.toml --repeat auto (target ±5 %, budget 30 s)"
start=$(date +%s.%N)
$R scenarios/cpu_bound.toml --repeat auto --format json >"$TMP/auto.json" || true
end=$(date +%s.%N)
python3 - "$TMP/auto.json" "$start" "$end" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
r = doc["scenario"]["rounds"]
widest = r["widest"]
print(f"rounds {r['measured']}, ended by {r['ended_by']}, widest ±{widest * 100:.1f} %" if widest is not None
      else f"rounds {r['measured']}, ended by {r['ended_by']}, no 95 % interval yet")
print(f"whole command {float(sys.argv[3]) - float(sys.argv[2]):.1f} s")
for s in doc["strategies"]:
    ci = s["speedup_ci"] or {}
    print(f"  {s['label']}: {ci.get('median', 0):.2f}× [{ci.get('lo', 0):.2f}–{ci.get('hi', 0):.2f}]"
          + ("  NOISE" if s["noise"]["disturbed"] else ""))
EOF

# 3. cpu_lab graded N times in each setting: the state of every check.
grade() { # name, extra args...
    local name=$1; shift
    for i in $(seq 1 "$N"); do
        "$@" --format json >"$TMP/$name-$i.json" 2>/dev/null || true
    done
    python3 - "$TMP" "$name" "$N" <<'EOF'
import json, sys, collections
tmp, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
states = collections.defaultdict(collections.Counter)
scores = []
for i in range(1, n + 1):
    doc = json.load(open(f"{tmp}/{name}-{i}.json"))
    scores.append(doc["score"]["earned"])
    for e in doc["expectations"]:
        states[e["name"]][e["state"]] += 1
        if e["state"] != "held" and sum(states[e["name"]].values()) - states[e["name"]]["held"] == 1:
            with open(f"{tmp}/examples.txt", "a") as out:
                why = e["inconclusive"] or e["error"] or ""
                out.write(f"- {name}, {e['name']}: {e['state']}: {why} — {'; '.join(e['values'])[:300]}\n")
for check, c in states.items():
    print(f"| {name} | {check} | {c['held']} | {c['failed']} | {c['inconclusive']} |")
print(f"| {name} | score | {' '.join(str(s) for s in scores)} | | |")
EOF
}
LAB=scenarios/assessments/cpu_lab.toml
echo
echo "## cpu_lab.toml × $N"
echo "| setting | check | held | failed | inconclusive |"
echo "|---|---|---|---|---|"
grade honest-quiet $R $LAB
RUNNER_FIXTURE_FLAW=serial grade serial-threads $R $LAB --plugin "cpu=$STUDENT"
start_hog
grade honest-hog $R $LAB
stop_hog
echo
[ -e "$TMP/examples.txt" ] && { echo "first non-held outcome of each check, per setting:"; cat "$TMP/examples.txt"; }
echo
echo "# done $(date -u '+%T') UTC; load: $(uptime | sed 's/.*load average: //')"
