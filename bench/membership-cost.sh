#!/usr/bin/env bash
# What holding data costs a scale event: time from `java -jar` to ready for the slips added to a
# cluster of poule + 8 slips, when slips are data members and when they are lite members.
#   bench/membership-cost.sh [ADDED=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap stop_all EXIT
trap "exit 130" INT TERM
added=${1:-3}

for lite in false true; do
  CLUSTER=bench-$$-$lite
  start poule poule
  port poule >/dev/null
  for n in $(seq 1 8); do start "s$lite$n" slip CLUSTER_LITE=$lite; port "s$lite$n" >/dev/null; done
  sleep 5
  times=()
  for n in $(seq 1 "$added"); do
    t0=$(now_ms)
    start "x$lite$n" slip CLUSTER_LITE=$lite
    port "x$lite$n" >/dev/null
    times+=("$(( $(now_ms) - t0 )) ms")
    sleep 3
  done
  echo "slips as $( [ $lite = true ] && echo lite || echo data ) members: added slips ready after ${times[*]}"
  stop_all
done
