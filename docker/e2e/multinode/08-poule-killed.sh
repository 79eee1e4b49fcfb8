# Case 8: poule killed; Swarm starts a new one, which takes up the full slip set and the full load.
# Runs alone after the setup.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

full_load() {
  local new
  new=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" --filter status=running | head -n 1)
  [ -n "$new" ] && [ "$new" != "$old" ] || return 1
  stats | jq -e --argjson n 3 '(.instances | length) == $n and .inFlight == .concurrency' >/dev/null || return 1
  record_absent "$old"
}

case_poule_killed() {
  err_trap_here
  STEP="8 poule killed"
  old=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)
  [ -n "$old" ] || fail "no poule container on node-1"
  t=$(now_ms)
  node_docker 1 kill "$old" >/dev/null
  wait_until 120 "a new poule with 3 slips and full load" full_load
  started=$(node_docker 1 inspect -f '{{.State.StartedAt}}' "$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)")
  since_start=$(awk -v a="$(date -d "$started" +%s%3N)" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  note "swarm started a new poule; full slip set, 10 in flight, no record of the old one after $WAITED s"
  result poule-killed-full-load-seen "$WAITED" s "" "" \
    "a new poule with the full slip set, 10 in flight, no record of the old one, after the kill"
  check_limit poule-killed-full-load "$since_start" 30 60 "full load after the new poule's start"
  E=$(errors)
  result poule-killed-failed-calls "$E" calls 0 0 "failed calls counted by the new poule"
  [ "$E" -eq 0 ] || fail "the new poule counts $E failed calls"
  pass
}
