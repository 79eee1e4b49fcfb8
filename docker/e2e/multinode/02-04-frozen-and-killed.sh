# Cases 2-4: a slip frozen 30 s, then 60 s (docker pause, frozen_case in the multinode lib), then a
# slip killed (docker kill). Each runs alone after the setup; the frozen windows they leave are
# what case 12 holds the cluster's operations to.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

case_frozen_30s() {
  err_trap_here
  frozen_case frozen-30s "2 slip frozen 30 s" 30
}

case_frozen_60s() {
  err_trap_here
  frozen_case frozen-60s "3 slip frozen 60 s" 60
}

case_slip_killed() {
  err_trap_here
  STEP="4 docker kill of a slip"
  settle
  E=$(errors)
  t0=$(date +%s)
  victim=$(remote_slip 3)
  i=$(node_of "$victim")
  t=$(now_ms)
  FAULT_MS=$t
  node_docker "$i" kill "$victim" >/dev/null
  POLL_S=0.1 wait_until 60 "record of killed $victim removed" record_absent "$victim"
  check_limit slip-killed-record-removed "$WAITED" 5 30 "record of killed $victim (node-$i) removed"
  wait_until 120 "replacement serving" slips_serving 3 "$t"
  note "replacement called after $WAITED s"
  result slip-killed-replacement-called "$WAITED" s "" "" "replacement of the killed slip in the records and called"
  errors_delta_zero slip-killed-failed-calls "$E"
  baseline_note slip-killed "$t0"
  pass
}
