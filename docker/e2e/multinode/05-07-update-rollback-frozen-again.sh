# Cases 5-7: the rolling update to 0.0.2 and the rollback of the unready 0.0.3, across nodes
# (rolling_update_step and rollback_step of docker/e2e/lib.sh), then a slip frozen 30 s again.
# 5 runs alone after the setup; 6 needs 5 before it (it rolls back to 0.0.2); 7 is the frozen case
# after the update and the kill, and needs 4, 5 and 6 before it. The runner checks.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

case_update() {
  err_trap_here
  t0=$(date +%s)
  STEP_PREFIX="5 " rolling_update_step 3
  baseline_note update "$t0"
}

case_rollback() {
  err_trap_here
  t0=$(date +%s)
  STEP_PREFIX="6 " rollback_step 3
  baseline_note rollback "$t0"
}

case_frozen_again() {
  err_trap_here
  frozen_case frozen-again "7 frozen 30 s after update + kill" 30
}
