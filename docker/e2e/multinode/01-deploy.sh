# Case 1: the deploy of the stack across the nodes: slips on every node, one cluster within 10 s of
# the last healthy task, the baseline client's calls succeed. The runner runs it before the first
# case that needs the stack (every case but 14), once, whether it is named or not.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

# control: the comparison means something only if the plain client succeeds while nothing is wrong
baseline_succeeds() { baseline_since "$(($(date +%s) - 3))"; [ "$BASELINE_CALLS" -gt "$BASELINE_FAILED" ]; }

case_deploy() {
  err_trap_here
  STEP="1 deploy across $NODES nodes"
  t=$(now_ms)
  SLIP_VERSION=0.0.1 POULE_PORT=$PORT swarm stack deploy -c swarm-stack.yml -c docker/swarm-test-override.yml \
    -c docker/e2e/multinode-override.yml "$STACK" >/dev/null || fail "docker stack deploy failed"
  wait_until 300 "3 slips healthy" slip_count_is 3
  healthy=$(now_ms)
  FAULT_MS=$healthy
  took=$(secs_since "$t")
  note "3 slip tasks healthy after $took s"
  wait_until 120 "poule healthy and answering" stats
  wait_until 120 "poule-bus answering" on_bus stats
  wait_until 120 "one cluster of 3 slips + poule + watcher in every view" one_cluster 3
  check_limit deploy-one-cluster "$(secs_since "$healthy")" 10 60 "one cluster after the last slip turned healthy"
  # written after the figure above, which it would otherwise lengthen
  result deploy-slips-healthy "$took" s "" "" "3 slip tasks healthy after the deploy began"
  note "$(look_began "$healthy")"
  result deploy-one-cluster-look-began "$(secs_between "$healthy" "$LOOK_MS")" s "" "" \
    "the look that saw one cluster began, after the last slip turned healthy"
  # a member that started a cluster of its own and merged or joined anew later: what the fresh
  # stack's discovery through the overlay is there to avoid (README, "Joining")
  merged=0
  for i in $LIVE_NODES; do
    for id in $(node_docker "$i" ps -q --filter "label=com.docker.stack.namespace=$STACK"); do
      merged=$((merged + $(node_docker "$i" logs "$id" 2>&1 | grep -cE "Merged back into the cluster|leaving and joining anew" || true)))
    done
  done
  note "members that formed a cluster of their own first and merged or joined anew: $merged"
  result deploy-merged-or-rejoined "$merged" count "" "" "members that formed a cluster of their own first and merged or joined anew"
  wait_until 120 "poule calls all 3 slips" slips_serving 3 "$t"
  on_bus wait_until 120 "poule-bus calls all 3 slips over the event bus" slips_serving 3 "$t"
  nodes_with_slips=$(slip_tasks | awk '{ print $2 }' | sort -u | wc -l)
  [ "$nodes_with_slips" -eq "$NODES" ] || fail "slips on $nodes_with_slips nodes only: $(slip_tasks | tr '\n' ' ')"
  note "slips on every node: $(slip_tasks | awk '{ print $2 }' | tr '\n' ' ')"
  remote_calls=$(stats | jq '[.instances[] | select(.swarmNode != "node-1")] | length')
  [ "$remote_calls" -ge 2 ] || fail "poule (node-1) lists $remote_calls slips on other nodes"
  stats | jq -r '.perHost | to_entries | map("\(.key)=\(.value.calls)") | "calls per host: " + join(" ")' >&2
  E0=$(errors)
  result deploy-startup-failed-calls "$E0" calls "" "" "failed calls in poule during start-up (before any case)"
  [ "$E0" -eq 0 ] || note "warning: $E0 failed calls during start-up (before any case)"
  wait_until 30 "the baseline client's calls succeed" baseline_succeeds
  pass
}
