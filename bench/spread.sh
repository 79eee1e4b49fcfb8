#!/usr/bin/env bash
# How evenly poule spreads its calls over the slips: `./disco up N` (3 slips) on loopback, then poule's
# own count of calls per slip in each second (the samples of its /api/events stream) over D seconds;
# per second, the busiest slip's calls over the least busy one's. Prints the median and the worst of
# those ratios (1.00 is perfectly even), and with --write records them in docs/results/bench.jsonl as
# the measurement `spread` (key calls-per-slip-ratio, stat median and max).
#   bench/spread.sh [--write] [SLIPS] [SECONDS]        (defaults 3 and 60; needs curl and jq)
# SPREAD_LABEL names the build measured (a param of the figures, e.g. to put two builds side by side)
# and SPREAD_RUN gives the run id (the two builds of one comparison share it); SPREAD_RESULTS the file.
# Stops everything it started (./disco down), and ends by itself after SECONDS plus the start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
write=0
[ "${1:-}" = --write ] && { write=1; shift; }
slips=${1:-3}
seconds=${2:-60}
port=${SPREAD_PORT:-18280}
log=$(mktemp /tmp/disco-spread.XXXXXX)
trap './disco down >/dev/null 2>&1 || true; rm -f "$log"' EXIT
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done

./disco down >/dev/null 2>&1 || true
DASHBOARD_PORT=$port WATCHER_PORT=$((port + 1)) ./disco up "$slips" >"$log" 2>&1 &
for _ in $(seq 1 600); do grep -q "following the cluster" "$log" && break; sleep 1; done
grep -q "following the cluster" "$log" || { tail -n 20 "$log" >&2; echo "./disco up did not start" >&2; exit 1; }
sleep 5 # every slip in the pool and called
since=$(date +%s%3N)
# the stream's first message holds the last five minutes: only the seconds from now on count
# curl ends the stream at --max-time, with its status 28: that is the end of the window, not a failure
samples=$({ curl -sN --max-time "$seconds" "http://127.0.0.1:$port/api/events" || [ $? = 28 ]; } | sed -n 's/^data: //p' \
  | jq -cs --argjson n "$slips" --argjson since "$since" '[.[].samples[]] | unique_by(.t) | map(select(.t > $since))
      | map(.calls | [.[]] | select(length == $n) | (max / (if min == 0 then 0.5 else min end)))')
ratios=$(jq -r 'sort | "\(length) \(.[length / 2 | floor]) \(max)"' <<<"$samples")
read -r count median worst <<<"$ratios"
[ "$count" -gt 0 ] || { echo "no second with all $slips slips called" >&2; exit 1; }
printf 'poule over %s slips, %s seconds sampled: busiest over least busy slip per second, median %.2f, worst %.2f\n' \
  "$slips" "$count" "$median" "$worst"
if [ "$write" = 1 ]; then
  run=${SPREAD_RUN:-$(date -u +%Y%m%dT%H%M%SZ)}
  commit=$(git rev-parse --short HEAD)
  for stat in median max; do
    value=$([ "$stat" = median ] && echo "$median" || echo "$worst")
    jq -nc --arg run "$run" --arg commit "$commit" --arg stat "$stat" --argjson value "$value" --argjson slips "$slips" \
      --arg build "${SPREAD_LABEL:-}" \
      --argjson seconds "$seconds" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" --argjson cores "$(nproc)" \
      '{bench: "spread", key: "calls-per-slip-ratio", what: "busiest slip over least busy slip, calls in the same second",
        value: ($value * 100 | round / 100), unit: "ratio", target: null, bound: null,
        params: ({slips: $slips, seconds: $seconds, stat: $stat} + (if $build == "" then {} else {build: $build} end)),
        commit: $commit, run: $run,
        time: (now | todate), machine: {cpu: $cpu, cores: $cores}}' >>"${SPREAD_RESULTS:-docs/results/bench.jsonl}"
  done
  echo "recorded in ${SPREAD_RESULTS:-docs/results/bench.jsonl}" >&2
fi
