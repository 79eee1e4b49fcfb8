#!/usr/bin/env bash
# End-to-end test of disco on a real multi-node swarm: 3 nested engines made by docker/nodes.sh, all
# managers, one overlay network. Deploys swarm-stack.yml (with the no-IPVS override and
# docker/e2e/multinode-override.yml: poule pinned on node-1, plus `baseline`, a plain HTTP client
# through Swarm's DNS) and injects the faults of a real network under poule's load. The cases, in
# the order of a full run, each in docker/e2e/multinode/NN-*.sh (shared code: multinode/lib.sh):
#   14 encrypted-overlay (where the kernel has Docker's IPsec algorithm; else said in one line)
#    1 deploy  2 frozen-30s  3 frozen-60s (docker pause)  4 slip-killed  5 update (0.0.2)
#    6 rollback (the unready 0.0.3)  7 frozen-again  8 poule-killed  9 drain  10 partition (30 s)
#   11 soak (E2E_SOAK_S, default 600)  12 held-threads (no thread held over 2 s; no operation on the
#      cluster map timed out while a slip was frozen, by the members' metrics)  13 node-loss
# Usage: docker/e2e/multinode-e2e.sh [CASE...]   (CASE: a number or a name above; -h: this text)
#   No CASE: every case in that order, as CI runs it. With CASEs: the setup (engine, images, nodes),
#   case 1 (the deploy and the baseline check) before the first case that needs the stack (all but
#   14), then the CASEs in the order given. Each runs alone after that, except: 6 needs 5 before it
#   (it rolls back to 0.0.2), 7 needs 4, 5 and 6 (frozen after the update and the kill); 12 judges
#   the logs of whatever ran before it; 13 leaves a node dead and must come last. A list that breaks
#   these is refused in one line, exit 2.
# Environment: E2E_SOAK_S, E2E_KEEP_NODES=1 (keeps the nodes: docker/nodes.sh down removes them),
#   E2E_NODES (3), E2E_POULE_PORT (18080), E2E_BASE_IMAGE, E2E_RSS_BOUND_MIB (400), E2E_FD_BOUND
#   (200), E2E_LOG_DIR (/tmp), E2E_RESULTS (default target/e2e-results/multinode-e2e.jsonl).
# Each case asserts zero failed calls in poule and records equal to the live slips; each figure is
# checked against its target (missed targets are listed) and a generous bound (beyond it: FAIL), and
# written to E2E_RESULTS as it is measured. The baseline's failures are reported beside poule's.
# Prints a timeline, removes the nodes. Traffic goes only to the node containers this test made.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

E2E_NAME=multinode-e2e
# shellcheck source=docker/e2e/lib.sh
. "$root/docker/e2e/lib.sh"
# shellcheck source=docker/e2e/multinode/lib.sh
. "$root/docker/e2e/multinode/lib.sh"
# shellcheck source=docker/e2e/multinode/01-deploy.sh
. "$root/docker/e2e/multinode/01-deploy.sh"
# shellcheck source=docker/e2e/multinode/02-04-frozen-and-killed.sh
. "$root/docker/e2e/multinode/02-04-frozen-and-killed.sh"
# shellcheck source=docker/e2e/multinode/05-07-update-rollback-frozen-again.sh
. "$root/docker/e2e/multinode/05-07-update-rollback-frozen-again.sh"
# shellcheck source=docker/e2e/multinode/08-poule-killed.sh
. "$root/docker/e2e/multinode/08-poule-killed.sh"
# shellcheck source=docker/e2e/multinode/09-drain.sh
. "$root/docker/e2e/multinode/09-drain.sh"
# shellcheck source=docker/e2e/multinode/10-partition-lib.sh
. "$root/docker/e2e/multinode/10-partition-lib.sh"
# shellcheck source=docker/e2e/multinode/10-partition.sh
. "$root/docker/e2e/multinode/10-partition.sh"
# shellcheck source=docker/e2e/multinode/11-soak.sh
. "$root/docker/e2e/multinode/11-soak.sh"
# shellcheck source=docker/e2e/multinode/12-held-threads.sh
. "$root/docker/e2e/multinode/12-held-threads.sh"
# shellcheck source=docker/e2e/multinode/13-node-loss.sh
. "$root/docker/e2e/multinode/13-node-loss.sh"
# shellcheck source=docker/e2e/multinode/14-encrypted-overlay.sh
. "$root/docker/e2e/multinode/14-encrypted-overlay.sh"
err_trap_here

# ---- the cases -----------------------------------------------------------------------------------

# in the order of a full run; case N runs the function case_NAME (its name, dashes as underscores)
CASES=(14 1 2 3 4 5 6 7 8 9 10 11 12 13)
declare -A CASE_NAME=([1]=deploy [2]=frozen-30s [3]=frozen-60s [4]=slip-killed [5]=update [6]=rollback
  [7]=frozen-again [8]=poule-killed [9]=drain [10]=partition [11]=soak [12]=held-threads [13]=node-loss
  [14]=encrypted-overlay)
declare -A NEEDS=([6]="5" [7]="4 5 6") # the cases a case needs before it in the same run
NO_STACK=14                            # the one case that needs no stack deployed
LAST=13                                # leaves a node dead

refuse() { say "$*"; exit 2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
case_function() { echo "case_${CASE_NAME[$1]//-/_}"; } # N
case_number() { # ARG: a case's number or name
  local n
  for n in "${CASES[@]}"; do
    if [ "$1" = "$n" ] || [ "$1" = "${CASE_NAME[$n]}" ]; then echo "$n"; return 0; fi
  done
  return 1
}
in_run() { [[ " ${RUN[*]} " == *" $1 "* ]]; } # N

for this_case in "${CASES[@]}"; do
  declare -F "$(case_function "$this_case")" >/dev/null || refuse "case $this_case: no function $(case_function "$this_case")"
done
RUN=()
if [ $# -eq 0 ]; then
  RUN=("${CASES[@]}")
fi
for arg in "$@"; do
  case $arg in -h | --help) usage; exit 0 ;; esac
  this_case=$(case_number "${arg#0}") \
    || refuse "no case '$arg': $(for n in "${CASES[@]}"; do printf '%s %s, ' "$n" "${CASE_NAME[$n]}"; done | sed 's/, $//')"
  if in_run "$this_case"; then
    [ "$this_case" = 1 ] || refuse "case $arg given twice"
    continue
  fi
  if [ "$this_case" != 1 ] && [ "$this_case" != "$NO_STACK" ] && ! in_run 1; then RUN+=(1); fi
  RUN+=("$this_case")
done
for idx in "${!RUN[@]}"; do
  this_case=${RUN[$idx]}
  for need in ${NEEDS[$this_case]:-}; do
    [[ " ${RUN[*]:0:idx} " == *" $need "* ]] || refuse "case $this_case (${CASE_NAME[$this_case]}) cannot run alone:" \
      "it needs case(s) ${NEEDS[$this_case]} before it, e.g. $0 ${NEEDS[$this_case]} $this_case"
  done
  [ "$this_case" != "$LAST" ] || [ "$idx" -eq $((${#RUN[@]} - 1)) ] \
    || refuse "case $LAST (${CASE_NAME[$LAST]}) leaves a node dead: it must be the last case"
done
STEPS_TOTAL=${#RUN[@]}
[ $# -eq 0 ] || say "the setup, then case(s) ${RUN[*]}"

trap on_exit EXIT
trap 'exit 130' INT TERM

setup
for this_case in "${RUN[@]}"; do
  timeouts_before_case
  "$(case_function "$this_case")"
  timeouts_after_case "$this_case"
done

[ "${#FAILURES[@]}" -eq 0 ] || { say "${#FAILURES[@]} promise(s) broken"; exit 1; }
say "all steps passed"
