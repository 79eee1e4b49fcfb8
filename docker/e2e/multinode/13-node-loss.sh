# Case 13: the engine of the node with the most slips (not poule's) killed (SIGKILL of its node
# container): its members and records removed within 5 s, Swarm reschedules. Runs alone after the
# setup; it leaves a node dead, so it is the last case of any run (the runner checks).
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

members_gone() { [ "$(api /cluster | jq '.members | length')" -eq $(( members_before - lost_members )) ]; }
node_down() { [ "$(swarm node inspect "node-$L" --format '{{.Status.State}}')" = down ]; }

case_node_loss() {
  err_trap_here
  begin_node_case "13 a node's engine killed"
  L=$TARGET
  lost=$(slip_tasks | awk -v n="node-$L" '$2 == n { print $1 }')
  members_before=$(api /cluster | jq '.members | length')
  # poule and the baseline are pinned on node-1: every running task of the stack there is a member
  lost_members=$(node_docker "$L" ps -q --filter "label=com.docker.stack.namespace=$STACK" --filter status=running | wc -l)
  # Swarm reschedules only once its raft leader has marked the node down: when the node lost was the
  # leader, the others elect a new one first, and it waits for every node's heartbeat anew (measured on
  # these nodes: rescheduled slips healthy 18-23 s after the loss of another node, 50 s after the
  # leader's, which was marked down only after 43 s)
  role=""
  [ "$(swarm node ls --format '{{.Hostname}} {{.ManagerStatus}}' | awk '$2 == "Leader" { print $1 }')" != "node-$L" ] \
    || role=", node-$L was the swarm's raft leader"
  t=$(now_ms)
  FAULT_MS=$t
  docker kill "disco-node-$L" >/dev/null
  LIVE_NODES=$(seq 1 "$NODES" | grep -vx "$L")
  POLL_S=0.1 wait_until 60 "node-$L's members removed" members_gone
  check_limit node-loss-members-removed "$WAITED" 5 30 "node-$L's $lost_members member(s) removed"
  # shellcheck disable=SC2086
  POLL_S=0.1 wait_until 60 "node-$L's records removed" all_absent $lost
  check_limit node-loss-records-removed "$(secs_since "$t")" 5 30 "node-$L's records removed"
  result node-loss-lost-members "$lost_members" count "" "" "members on the lost node"
  wait_until 120 "swarm marks node-$L down" node_down
  down_s=$(secs_since "$t")
  wait_until 180 "swarm reschedules: 3 slips on the remaining nodes" slip_count_is 3
  took=$(secs_since "$t")
  note "3 slips healthy on the remaining nodes after $took s (swarm marked the node down after $down_s s$role)"
  result node-loss-marked-down "$down_s" s "" "" "Swarm marked the lost node down, after the kill"
  result node-loss-rescheduled "$took" s "" "" "3 slips healthy on the remaining nodes, after the kill"
  wait_until 60 "new slips called" slips_serving 3 "$t"
  took=$(secs_since "$t")
  note "new slips in the records and called after $took s"
  result node-loss-slips-serving "$took" s "" "" "new slips in the records and called, after the kill"
  errors_delta_zero node-loss-failed-calls "$E"
  baseline_note node-loss "$t0"
  pass
}
