#!/usr/bin/env bash
# Runs the four measurements of issue 4 on this machine, one after the other, and prints a Markdown report;
# `image` adds the images under the stack's limits (bench/image.sh: size, start alone and joining 5,
# RSS idle and at 5000 in flight); it needs a Docker engine and the images, so it runs only when named.
# Every figure of the report is also written as one JSON line to $BENCH_LOG_DIR/results.jsonl (the format
# of docs/results/README.md: bench, key, what, value, unit, target, bound, params, commit, run, time,
# machine): the drivers and bench/image.sh write the figures of each measurement that ended well, this
# script adds the run's commit, run id (its UTC start) and machine to each line.
#   bench/run.sh [--write] [--loadgen wrk|vertx] [efficiency] [footprint] [propagation] [scale] [image]
#   --write     also appends results.jsonl to docs/results/bench.jsonl and runs docs/tables.sh, which
#               renders the docs' <!-- results:bench:... --> tables and figures from it (the Markdown
#               report itself is not put in any doc)
#   --loadgen   wrk (default, Debian's package) or vertx (disco.bench.LoadGenerator, a Vert.x client JVM)
# Needs slip/target/slip.jar and poule/target/poule.jar (mvn -B package -DskipTests at the top), wrk, jq,
# taskset and setsid.
# Every process it starts is ended on exit; all traffic goes to 127.0.0.1. Takes about 10 minutes.
# Environment knobs: BENCH_PIN=1 (server on CPU 0, generator on CPU 1), BENCH_REPS, BENCH_CONCURRENCY, BENCH_DURATION_S,
# BENCH_WARMUP_S, BENCH_SCALE_SLIPS, BENCH_SCALE_STAGGER_MS, BENCH_SCALE_LITE, BENCH_LOG_DIR, SLIP_JAR, POULE_JAR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
write=0
sections=()
image=0
export BENCH_LOADGEN=${BENCH_LOADGEN:-wrk}
while [ $# -gt 0 ]; do
  case "$1" in
    --write) write=1 ;;
    --loadgen) shift; BENCH_LOADGEN=${1:?--loadgen needs wrk or vertx} ;;
    efficiency|footprint|propagation|scale) sections+=("$1") ;;
    image) image=1 ;;
    *) echo "usage: bench/run.sh [--write] [--loadgen wrk|vertx] [efficiency|footprint|propagation|scale|image]..." >&2
       exit 2 ;;
  esac
  shift
done

export SLIP_JAR=${SLIP_JAR:-$root/slip/target/slip.jar}
export POULE_JAR=${POULE_JAR:-$root/poule/target/poule.jar}
export BENCH_JAR=$root/bench/target/bench.jar
export WRK_SCRIPT=$root/bench/src/main/wrk/report.lua
export BENCH_LOG_DIR=${BENCH_LOG_DIR:-$(mktemp -d /tmp/disco-bench.XXXXXX)}
export BENCH_PIN=${BENCH_PIN:-0}
mkdir -p "$BENCH_LOG_DIR"
# the figures as the drivers and bench/image.sh write them; results.jsonl: the same, stamped below
export BENCH_RESULTS=$BENCH_LOG_DIR/figures.jsonl
results=$BENCH_LOG_DIR/results.jsonl
: >"$BENCH_RESULTS"
run_id=$(date -u +%Y%m%dT%H%M%SZ)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

for jar in "$SLIP_JAR" "$POULE_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: build the services first (mvn -B package -DskipTests)" >&2; exit 2; }
done
for tool in java jq taskset setsid; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
if [ "$BENCH_LOADGEN" = wrk ] && ! command -v wrk >/dev/null; then
  echo "missing wrk: apt-get install -y wrk (or --loadgen vertx)" >&2
  exit 2
fi
if [ ! -f "$BENCH_JAR" ] || [ -n "$(find bench/src bench/pom.xml -newer "$BENCH_JAR" -type f | head -1)" ]; then
  mvn -B -q -f bench/pom.xml package >&2
fi

# 5000 connections on each side of loopback, plus the JVMs' own files
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 12000 ] || { echo "ulimit -n is $(ulimit -n): need 12000 for C=5000" >&2; exit 2; }

descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$child"
    echo "$child"
  done
}
cleanup() {
  local pids
  pids=$(descendants $$)
  [ -z "$pids" ] && return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 30); do
    pids=$(descendants $$)
    [ -z "$pids" ] && return 0
    sleep 0.5
  done
  kill -KILL $pids 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the machine, read once: the report's table and every JSON line's "machine"
cores=$(nproc)
cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
memory_gib=$(free -g | awk '/^Mem:/{print $2}')
kernel=$(uname -sr)
load_avg=$(cut -d" " -f1-3 /proc/loadavg)
java_version=$(java -version 2>&1 | head -2 | tail -1)
machine=$(jq -cn --arg cpu "$cpu_model" --argjson cores "$cores" --argjson memory "${memory_gib:-null}" \
  --arg kernel "$kernel" --arg java "$java_version" --arg load "$load_avg" \
  '{cpu: $cpu, cores: $cores, memoryGiB: $memory, kernel: $kernel, java: $java,
    loadAverage: ($load | split(" ") | map(tonumber))}')

out=$BENCH_LOG_DIR/report.md
{
  echo "## Latest run"
  echo
  echo "Measured by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $cores cores, $cpu_model |"
  echo "| memory | $memory_gib GiB |"
  echo "| kernel | $kernel |"
  echo "| load average at start | $load_avg |"
  echo "| Java | $java_version |"
  if [ "$BENCH_LOADGEN" = wrk ]; then
    echo "| load generator | $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2 || true) |"
  else
    echo "| load generator | disco.bench.LoadGenerator (Vert.x 5.0.7 HttpClient) |"
  fi
  echo "| pinning | $([ "$BENCH_PIN" = 1 ] && echo 'measurement 1: server on CPU 0, load generator on CPU 1 (taskset); 2-4: none' || echo 'none: the JVMs and wrk share both cores') |"
  echo
  echo "The load generator runs on the same 2-core machine as the server and competes with it for CPU;"
  echo "the server's and the generator's CPU use are reported next to each load."
  echo
} >"$out"
# footprint also starts slip as ./disco does, with its JVM flags and its AppCDS archive (made now if
# stale), and scale starts every slip and its poule that way
if [ "${#sections[@]}" -eq 0 ] || [[ " ${sections[*]} " == *" footprint "* ]] || [[ " ${sections[*]} " == *" scale "* ]]; then
  if [ "$SLIP_JAR" = "$root/slip/target/slip.jar" ]; then
    ./disco archives >&2
    BENCH_DISCO_FLAGS=$(./disco java-flags slip/target/slip.jar)
    export BENCH_DISCO_FLAGS
    if [ "$POULE_JAR" = "$root/poule/target/poule.jar" ]; then
      BENCH_DISCO_POULE_FLAGS=$(./disco java-flags poule/target/poule.jar)
      export BENCH_DISCO_POULE_FLAGS
    fi
  else
    echo "SLIP_JAR is not ./disco's jar: footprint measures no start with ./disco's flags, scale starts slips with none" >&2
  fi
fi
status=0
# no section named: the four of issue 4 (the driver's default); only `image` named: that one alone
if [ "${#sections[@]}" -gt 0 ] || [ "$image" = 0 ]; then
  java -Xmx256m -jar "$BENCH_JAR" "${sections[@]}" >>"$out" &
  driver=$!
  wait "$driver" || status=$?
fi
if [ "$image" = 1 ]; then
  "$root/bench/image.sh" >>"$out" || status=$?
fi

cat "$out"
# each line stamped with the run: the format's order first, anything else a driver wrote (better, samples) after
if ! jq -c --arg commit "$commit" --arg run "$run_id" --argjson machine "$machine" \
  '{bench, key, what, value, unit, target, bound, params, commit: $commit, run: $run, time, machine: $machine} + .' \
  "$BENCH_RESULTS" >"$results"; then
  echo "$BENCH_RESULTS: a line that is no JSON object, none recorded" >&2
  : >"$results"
  status=1
fi
echo "figures as JSON lines: $results ($(wc -l <"$results") lines, run $run_id)" >&2
if [ "$write" = 1 ]; then
  if [ ! -s "$results" ]; then
    echo "--write: no measurement ended well, nothing to record" >&2
    status=1
  else
    history=$root/docs/results/bench.jsonl
    mkdir -p "$(dirname "$history")"
    cat "$results" >>"$history"
    echo "appended to $history: $(jq -r .bench "$results" | uniq | paste -sd, -) of run $run_id" >&2
    "$root/docs/tables.sh" >&2 || status=$?
  fi
fi
echo "logs of every process: $BENCH_LOG_DIR" >&2
exit "$status"
