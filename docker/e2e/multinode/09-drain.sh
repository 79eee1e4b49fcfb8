# Case 9: the node with the most slips (not poule's) drained: its slips stop and serve elsewhere.
# Runs alone after the setup.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

moved_off() { ! slip_tasks | grep -q " node-$D\$" && slip_count_is 3; }

case_drain() {
  err_trap_here
  begin_node_case "9 drain a node"
  D=$TARGET
  moving=$(slip_tasks | awk -v n="node-$D" '$2 == n' | wc -l)
  t=$(now_ms)
  swarm node update --availability drain "node-$D" >/dev/null
  wait_until 180 "no slip on node-$D, 3 slips serving elsewhere" moved_off
  wait_until 60 "records equal the live slips" slips_serving 3 "$t"
  took=$(secs_since "$t")
  note "node-$D drained: its $moving slip(s) stopped and serve elsewhere after $took s"
  result drain-moved-slips "$moving" count "" "" "slips on the drained node"
  result drain-serving-elsewhere "$took" s "" "" "the drained node's slips stopped and serving elsewhere, after the drain"
  swarm node update --availability active "node-$D" >/dev/null
  errors_delta_zero drain-failed-calls "$E"
  baseline_note drain "$t0"
  pass
}
