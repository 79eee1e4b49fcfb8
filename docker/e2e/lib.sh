# Shared by the end-to-end scripts (sourced, not run): timeline, failures, bounded waits, tools, the
# figures written to E2E_RESULTS. The caller sets E2E_NAME before sourcing it and, before its steps,
# STEP.
# shellcheck shell=bash

TIMELINE=()
FAILURES=()
SKIPPED=()
PASSED=0
SOFT_SEEN=0
# "END_MS STEP" of each step that ended, in order: a log line's time tells the step it came in
STEP_ENDS=()
STEP="setup"
T_START=$(date +%s)

# under set -e a failing command ends the run: say which one
trap 'say "command failed at line $LINENO: $BASH_COMMAND"' ERR

now_ms() { date +%s%3N; }
secs_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; } # FROM_MS TO_MS
secs_since() { secs_between "$1" "$(now_ms)"; }
say() { printf '%(%H:%M:%S)T %s: %s\n' -1 "$E2E_NAME" "$*" >&2; }
note() { TIMELINE+=("$(printf '%-40s %s' "$STEP" "$*")"); say "$STEP: $*"; }
# the run's end names the failure, with what the services logged since the fault: a CI log keeps
# only its end
FAILED=""
fail() { say "FAIL in $STEP: $*"; FAILED="$STEP: $*"; explain "$*"; exit 1; }
# a broken promise that does not stop the later steps; the run still fails at the end
soft_fail() { say "FAIL in $STEP: $*"; FAILURES+=("$STEP: $*"); }

# a step this machine cannot run: said in one line, counted apart, never as passed
skip() { SKIPPED+=("$STEP: $*"); note "NOT TESTED: $*"; }

# a step with a soft failure counts as failed
pass() {
  STEP_ENDS+=("$(now_ms) $STEP")
  if [ "${#FAILURES[@]}" -gt "$SOFT_SEEN" ]; then SOFT_SEEN=${#FAILURES[@]}; else PASSED=$((PASSED + 1)); fi
}

# WAITED = seconds until COMMAND succeeded; fails the step after TIMEOUT seconds
wait_until() { # TIMEOUT_S DESCRIPTION COMMAND...
  local timeout=$1 desc=$2 start deadline
  shift 2
  start=$(now_ms)
  deadline=$((start + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "$desc: not within ${timeout}s$(why_not "$@")"
    sleep "${POLL_S:-0.5}"
  done
  WAITED=$(secs_since "$start")
}

# what a condition that was waited on in vain last saw, as "; ..." (the condition's why_not_NAME)
why_not() { # COMMAND...
  declare -F "why_not_$1" >/dev/null || return 0
  local seen
  seen=$("why_not_$1" "${@:2}" 2>&1 | tr '\n' ' ') || true
  [ -z "$seen" ] || printf '; %s' "$seen"
}

# ---- the figures, one JSON line each in E2E_RESULTS ----------------------------------------------
# Written as they are measured (a run that fails midway keeps what it measured), appended: "run"
# (the start, UTC) and "commit" tell the runs apart. E2E_RESULTS defaults to
# target/e2e-results/$E2E_NAME.jsonl under the repo root, which every e2e script cds to.
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_RESULTS=${E2E_RESULTS:-$E2E_ROOT/target/e2e-results/$E2E_NAME.jsonl}
E2E_RUN=$(date -u -d "@$T_START" +%Y%m%dT%H%M%SZ)
E2E_COMMIT=$(git -C "$E2E_ROOT" rev-parse --short HEAD 2>/dev/null) || E2E_COMMIT=""
RESULTS_WRITTEN=0
# KEY names the figure across runs: kebab-case, unique within the e2e, with no variable part (a node
# number, a container id: those go in WHAT). VALUE a number; TARGET and BOUND numbers, or "" for
# none. A figure that cannot be written is said, and the run goes on.
result() { # KEY VALUE UNIT [TARGET] [BOUND] [WHAT]
  if mkdir -p "$(dirname "$E2E_RESULTS")" 2>/dev/null \
    && jq -nc --arg e2e "${E2E_NAME%-e2e}" --arg case "$STEP" --arg key "$1" --arg what "${6:-}" --arg value "$2" \
      --arg unit "$3" --arg target "${4:-}" --arg bound "${5:-}" --arg commit "$E2E_COMMIT" --arg run "$E2E_RUN" \
      --arg time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
      def num: if . == "" then null else tonumber end;
      { e2e: $e2e, case: $case, key: $key, what: (if $what == "" then null else $what end),
        value: ($value | tonumber), unit: $unit, target: ($target | num), bound: ($bound | num),
        commit: (if $commit == "" then null else $commit end), run: $run, time: $time }' \
      >>"$E2E_RESULTS" 2>/dev/null; then
    RESULTS_WRITTEN=$((RESULTS_WRITTEN + 1))
  else
    say "warning: figure $1 ($2 $3) not written to $E2E_RESULTS"
  fi
}

# a measured figure against its target and its bound. The target is the promise the README makes
# and the figure docs/RELIABILITY.md reports: a miss is listed at the end of the run. The bound is
# generous (a slow CI machine, a busy core): beyond it the behaviour is broken and the run fails.
# The figure is written to E2E_RESULTS as KEY, in seconds (no KEY: checked, not written; a case
# that checks several figures of one kind writes the slowest once, so that a key is one figure a run).
MISSED=()
check_limit() { # KEY FIGURE_S TARGET_S BOUND_S WHAT
  # shellcheck disable=SC2034
  local within
  within() { awk -v w="$1" -v l="$2" 'BEGIN { exit !(w <= l) }'; }
  [ -z "$1" ] || result "$1" "$2" s "$3" "$4" "$5"
  shift
  if within "$1" "$2"; then
    note "$4: $1 s (target $2 s)"
  elif within "$1" "$3"; then
    note "$4: $1 s, MISSED the $2 s target (bound $3 s)"
    MISSED+=("$STEP: $4 after $1 s, target $2 s")
    explain "$4"
  else
    note "$4: $1 s, beyond the $3 s bound"
    soft_fail "$4 after $1 s, beyond the $3 s bound"
    explain "$4"
  fi
}

# what the services logged about a missed figure, printed just before the timeline: a CI log keeps
# only its end, and by then the services' own logs are gone. The script defines explain_miss WHAT.
EXPLAINED=()
explain() { # WHAT
  declare -F explain_miss >/dev/null || return 0
  EXPLAINED+=("---- why: $STEP: $1" "$(explain_miss "$1" 2>&1)")
}

install_tools() { # TOOL...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 && continue
    say "installing $tool"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null; } \
      || fail "cannot install $tool"
  done
}

print_timeline() { # RC STEPS_TOTAL
  if [ "${#EXPLAINED[@]}" -gt 0 ]; then
    echo
    printf '%s\n' "${EXPLAINED[@]}"
  fi
  echo
  echo "$E2E_NAME timeline (total $(( $(date +%s) - T_START )) s):"
  printf '  %s\n' "${TIMELINE[@]}"
  if [ "${#MISSED[@]}" -gt 0 ]; then
    echo "missed targets (within their bounds):"
    printf '  %s\n' "${MISSED[@]}"
  fi
  [ -z "$FAILED" ] || echo "FAILED: $FAILED"
  if [ "${#FAILURES[@]}" -gt 0 ]; then
    echo "failed promises:"
    printf '  %s\n' "${FAILURES[@]}"
  fi
  if [ "${#SKIPPED[@]}" -gt 0 ]; then
    echo "not tested on this machine:"
    printf '  %s\n' "${SKIPPED[@]}"
  fi
  local failed=$(( $2 - PASSED - ${#SKIPPED[@]} ))
  [ "$1" -ne 0 ] || failed=0
  echo "figures: $RESULTS_WRITTEN of this run (run $E2E_RUN) in $E2E_RESULTS"
  echo "$E2E_NAME: $PASSED passed, ${#SKIPPED[@]} not tested, $failed failed"
}

# ---- poule, seen through its HTTP port (POULE_URL) -----------------------------------------------

# a cluster secret for this run, made as the README makes one: the stack file and compose read
# DISCO_SECRET_FILE, `docker run` takes SECRET_ARGS; the caller removes the file on exit
make_cluster_secret() {
  DISCO_SECRET_FILE=$(mktemp /tmp/disco-e2e-secret.XXXXXX)
  head -c 32 /dev/urandom | base64 >"$DISCO_SECRET_FILE"
  # compose and `docker run` mount the file itself: the containers' user must be able to read it
  chmod 644 "$DISCO_SECRET_FILE"
  export DISCO_SECRET_FILE
  # shellcheck disable=SC2034  # read by the caller
  SECRET_ARGS=(-v "$DISCO_SECRET_FILE:/run/secrets/cluster_secret:ro" -e CLUSTER_SECRET_FILE=/run/secrets/cluster_secret)
}

api() { curl -fsS --max-time 3 "$POULE_URL$1"; }
stats() { api /api/stats; }
errors() { stats | jq -er .errors; }

# the failed calls since ERRORS_BEFORE, also written as the figure KEY (target and bound 0)
errors_delta_zero() { # KEY ERRORS_BEFORE
  local key=$1 now
  shift
  now=$(errors) || fail "poule's stats do not answer"
  result "$key" "$((now - $1))" calls 0 0 "failed calls in poule"
  note "failed calls: $((now - $1)) (errors $1 -> $now)"
  [ "$now" -eq "$1" ] || fail "$((now - $1)) calls failed"
}

# the record of a host (a container's hostname) is gone from poule's view of the cluster
record_absent() { # HOSTNAME
  api /cluster | jq -e --arg h "$1" 'all(.records[]; .metadata.hostname != $h)'
}

# poule called HOSTNAME after SINCE_MS (epoch ms)
called_since() { # HOSTNAME SINCE_MS
  stats | jq -e --arg h "$1" --argjson since "$2" '(.perHost[$h].lastSeen // 0) >= $since'
}

# ---- the slip service of a swarm stack -----------------------------------------------------------
# The caller defines swarm (the docker command of a manager), slip_service (the service's name) and
# slip_containers (the healthy, running slip containers, one id per line, sorted).

# one look at the platform, as jq arguments: $c the cluster view, $s poule's stats, $ids the
# healthy slip containers
look() {
  local cluster s
  cluster=$(api /cluster) && s=$(stats) || return 1
  VIEW=(--argjson c "$cluster" --argjson s "$s" --argjson ids "$(slip_containers | jq -R . | jq -sc .)")
}

# N slip records UP, the same hosts as the healthy slip containers, N+1 full members (slips +
# poule; the watcher is a lite member) and a call to each of them answered since SINCE_MS
slips_serving() { # N SINCE_MS
  look || return 1
  jq -en "${VIEW[@]}" --argjson n "$1" --argjson since "$2" '
    ([$c.records[] | select(.name == "slip" and .status == "UP") | .metadata.hostname] | sort) as $r
    | ($r | length) == $n and $r == $ids
      and ([$c.members[] | select(.lite | not)] | length) == $n + 1
      and all($r[]; ($s.perHost[.].lastSeen // 0) >= $since)'
}
why_not_slips_serving() { # N SINCE_MS
  look || { echo "poule does not answer"; return 0; }
  jq -nr "${VIEW[@]}" --argjson n "$1" --argjson since "$2" '
    [$c.records[] | select(.name == "slip") | "\(.metadata.hostname)/\(.status)/\((.metadata.nodeId // "-")[0:8])"] as $r
    | "records \($r | join(" ")); healthy slips \($ids | join(" "));"
      + " full members \([$c.members[] | select(.lite | not)] | length) (want \($n + 1));"
      + " slips not called since: \([$c.records[] | select(.name == "slip") | .metadata.hostname | select(($s.perHost[.].lastSeen // 0) < $since)] | join(" "))"'
}

update_state() { swarm service inspect "$(slip_service)" --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}'; }
# waits for the slip update to reach STATE; fails at once on any other final state
wait_update() { # TIMEOUT_S STATE
  local deadline=$(( $(now_ms) + $1 * 1000 )) start state
  start=$(now_ms)
  while :; do
    state=$(update_state)
    [ "$state" = "$2" ] && break
    case "$state" in
      completed | paused | rollback_completed | rollback_paused)
        fail "update ended '$state' instead of '$2': $(swarm service inspect "$(slip_service)" --format '{{.UpdateStatus.Message}}')" ;;
    esac
    [ "$(now_ms)" -lt "$deadline" ] || fail "update not '$2' within $1 s (state '$state')"
    sleep 0.5
  done
  WAITED=$(secs_since "$start")
}

# every healthy slip on VERSION in its record and in poule's per-host figures
all_on_version() { # VERSION N
  look || return 1
  jq -en "${VIEW[@]}" --arg v "$1" --argjson n "$2" '
    ([$c.records[] | select(.name == "slip")] | length == $n and all(.[]; .metadata.version == $v))
    and ($ids | length) == $n
    and all($ids[]; $s.perHost[.].version == $v)'
}

# rolling update of N slips to 0.0.2 under poule's load: zero failed calls
rolling_update_step() { # N
  local E t took
  STEP="${STEP_PREFIX:-}rolling update to 0.0.2"
  E=$(errors)
  t=$(now_ms)
  swarm service update --detach --image disco/slip:0.0.2 "$(slip_service)" >/dev/null 2>&1
  wait_update 300 completed
  note "swarm update completed after $WAITED s"
  result update-swarm-completed "$WAITED" s "" "" "swarm's rolling update to 0.0.2 completed"
  wait_until 60 "every slip on 0.0.2" all_on_version 0.0.2 "$1"
  took=$(secs_since "$t")
  note "every slip host on 0.0.2 (records + calls) after $took s"
  result update-all-on-new-version "$took" s "" "" "every slip host on 0.0.2 (records + calls), after the update began"
  errors_delta_zero update-failed-calls "$E"
  pass
}

# update to 0.0.3, which never turns ready: swarm rolls back by itself and no call ever reaches it
rollback_step() { # N
  local E t deadline seen_003 s state tasks_003 image took
  STEP="${STEP_PREFIX:-}update to 0.0.3 (unready)"
  E=$(errors)
  t=$(now_ms)
  swarm service update --detach --image disco/slip:0.0.3 "$(slip_service)" >/dev/null 2>&1
  deadline=$(( $(now_ms) + 300000 ))
  seen_003=0
  while :; do
    # sampled every 0.5 s: a 0.0.3 host must never appear among poule's instances or called hosts
    if s=$(stats 2>/dev/null); then
      if jq -e '[.instances[].version, .perHost[].version] | any(. == "0.0.3")' <<<"$s" >/dev/null; then
        seen_003=1
        note "poule listed or called a 0.0.3 host: $(jq -c '[.instances[] | select(.version == "0.0.3")]' <<<"$s")"
      fi
    fi
    state=$(update_state)
    case "$state" in
      rollback_completed) break ;;
      completed) fail "swarm completed the update to 0.0.3 instead of rolling back" ;;
      paused | rollback_paused) fail "update state $state: $(swarm service inspect "$(slip_service)" --format '{{.UpdateStatus.Message}}')" ;;
    esac
    [ "$(now_ms)" -lt "$deadline" ] || fail "no rollback within 300 s (state '$state')"
    sleep 0.5
  done
  took=$(secs_since "$t")
  note "swarm rolled back by itself after $took s"
  result rollback-completed "$took" s "" "" "swarm rolled the update to the unready 0.0.3 back by itself"
  [ "$seen_003" = 0 ] || fail "calls were routed to a 0.0.3 host"
  tasks_003=$(swarm service ps --format '{{.Image}} {{.CurrentState}}' "$(slip_service)" | grep -c 'disco/slip:0.0.3' || true)
  result rollback-unready-tasks "$tasks_003" count "" "" "tasks of 0.0.3 started and failed"
  [ "$tasks_003" -ge 1 ] || fail "no 0.0.3 task was ever started: the rollback proves nothing"
  image=$(swarm service inspect "$(slip_service)" --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}')
  [ "${image%%@*}" = disco/slip:0.0.2 ] || fail "service image after rollback is $image"
  wait_until 60 "every slip back on 0.0.2" all_on_version 0.0.2 "$1"
  stats | jq -e '[.perHost[].version] | all(. != "0.0.3")' >/dev/null || fail "perHost lists a 0.0.3 host"
  note "$tasks_003 task(s) of 0.0.3 started and failed; none ever in poule's instances or perHost"
  errors_delta_zero rollback-failed-calls "$E"
  pass
}
