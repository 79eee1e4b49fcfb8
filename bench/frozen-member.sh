#!/usr/bin/env bash
# A frozen slip (SIGSTOP: process alive, sockets open, no heartbeat): time until the survivors remove
# its record, failed calls meanwhile, and after SIGCONT the time until poule calls it again (it
# was expelled, forms a cluster of its own, and merges back through Hazelcast's split-brain handler).
#   bench/frozen-member.sh [ROUNDS=2]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap stop_all EXIT
trap "exit 130" INT TERM
rounds=${1:-2}

start poule poule
P=$(port poule)
for s in s1 s2 s3; do start $s slip; port $s >/dev/null; done
stats() { curl -s -m 2 "http://127.0.0.1:$P/api/stats"; }
# while a member is frozen, reading the map can wait on its partitions: no answer is not an answer
records() { curl -sf -m 5 "http://127.0.0.1:$P/cluster" | jq -c '[.records[].metadata.hostname]' || echo unknown; }
for _ in $(seq 1 200); do [ "$(stats | jq '.instances|length')" = 3 ] && break; sleep 0.1; done

for round in $(seq 1 "$rounds"); do
  victim=s$(( (round - 1) % 3 + 1 ))
  errors0=$(stats | jq .errors)
  kill -STOP "$(pid $victim)"; t0=$(now_ms)
  removed=""
  for _ in $(seq 1 400); do
    current=$(records)
    [ "$current" != unknown ] && ! grep -q "\"$victim\"" <<<"$current" && { removed=$(( $(now_ms) - t0 )); break; }
    sleep 0.05
  done
  kill -CONT "$(pid $victim)"; t1=$(now_ms)
  back=""
  for _ in $(seq 1 240); do
    seen=$(stats | jq ".perHost.\"$victim\".lastSeen // 0")
    [ "$seen" -gt "$t1" ] && { back=$(( seen - t1 )); break; }
    sleep 0.5
  done
  echo "round $round ($victim): record removed after ${removed:-"> 20000"} ms; called again ${back:-"not within 120000"} ms after SIGCONT; failed calls $(( $(stats | jq .errors) - errors0 ))"
done
