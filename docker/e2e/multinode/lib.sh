# The multi-node e2e's shared part (sourced by docker/e2e/multinode-e2e.sh after docker/e2e/lib.sh,
# not run): its settings, the node helpers, the looks at the cluster, the baseline client, what the
# cases share (begin_node_case, settle, frozen_case), the explanation of a miss, the clean-up
# (on_exit, which the runner installs as the EXIT trap) and `setup` (engine + images, the nodes, the
# images loaded into them). The deploy and its baseline check are case 1 (01-deploy.sh): the runner
# runs it before the first case that needs the stack, after case 14 in a full run as before.
# Expects `root` (the repo root, the current directory) and E2E_NAME set, docker/e2e/lib.sh sourced.
#
# Globals that cross cases (the cases were one script: their variables stay global, none is local):
#   FROZEN_WINDOWS  each frozen slip's case (2, 3, 7) appends its window; case 12 reads them
#   TIMEOUTS_DIR    the members' operation timeouts per case (the runner) and around each freeze
#                   (frozen_case), from their metrics; case 12 judges them
#   STEP_ENDS       (docker/e2e/lib.sh) each pass appends the step's end; case 12 places log lines
#   LIVE_NODES      the nodes still up: case 13 removes the node it kills; every look reads it
#   E, t0, TARGET   poule's error count, the start (s) and the target node, set by begin_node_case
#                   (and by cases 4, 5, 6, 8, 11 themselves) for the checks at the case's end
#   FAULT_MS        the last fault's time (ms): explain_miss reads the services' logs from it
#   PAUSED, OVERLAY_LOOKS, CALL_WATCH  a frozen slip, background looks: on_exit undoes them
#   LOOK_MS, WAITED the last look's start (look_began), the last wait's length (wait_until)
#   i, id, t, victim, ...  scratch, global as they were at the script's top level
# Bash runs the ERR trap ("command failed at line N") in a function's own commands only when the
# function sets it: `setup` and every case begin with err_trap_here. (set -E would also report the
# commands that fail harmlessly in command substitutions.)
# shellcheck shell=bash disable=SC2034,SC2154  # settings read by the case files; root set by the runner

NODES=${E2E_NODES:-3}
STACK=disco
PORT=${E2E_POULE_PORT:-18080}
SOAK_S=${E2E_SOAK_S:-600}
export BASE_IMAGE=${E2E_BASE_IMAGE:-disco/jre-base:17-jlink}
export BASELINE_CLIENT="$root/docker/e2e/baseline-client.sh"
# poule-bus (docker/e2e/multinode-override.yml): the second poule, calling over the event bus
export POULE_BUS_PORT=${E2E_POULE_BUS_PORT:-$((PORT + 2))}

# the ERR trap of docker/e2e/lib.sh, with the file: the code is in several now
err_trap_here() { trap 'say "command failed at line $LINENO of ${BASH_SOURCE[0]##*/}: $BASH_COMMAND"' ERR; }

# ---- the nodes -----------------------------------------------------------------------------------

node_docker() { # I DOCKER-ARGS...
  local i=$1
  shift
  DOCKER_HOST="unix:///run/disco-nodes/node-$i/docker.sock" timeout 60 docker "$@"
}
# pause_task I CONTAINER: docker pause, tried again when runc could not freeze the container in time
# ("unable to freeze", seen once in a nested engine under load; runc thaws it then, so it runs on)
pause_task() {
  local try out
  for try in 1 2 3; do
    out=$(node_docker "$1" pause "$2" 2>&1) && return 0
    say "docker pause of $2 failed (try $try of 3): $out"
    grep -q 'unable to freeze' <<<"$out" || break
    sleep 1
  done
  fail "docker pause of $2: $out"
}
# the swarm's control plane through node 1; raft may have no leader for a few seconds after a
# partition heals (the cut-off manager comes back with a higher term): retry then, fail otherwise
swarm() {
  local try out
  for try in $(seq 1 20); do
    if out=$(node_docker 1 "$@" 2>&1); then
      [ -z "$out" ] || printf '%s\n' "$out"
      return 0
    fi
    grep -qiE "does not have a leader|rpc error|deadline exceeded" <<<"$out" || break
    sleep 2
  done
  printf '%s\n' "$out" >&2
  return 1
}
node_ip() { docker/nodes.sh ip "$1"; }
# nodes still up (node loss removes one): their numbers
LIVE_NODES=$(seq 1 "$NODES")
# "FROM_MS TO_MS CONTAINER WOKE_MS IPS" of each frozen slip's case, from the pause to the case's end,
# IPS the container's addresses joined by commas: no cluster operation may time out in one (issue 7),
# and step 12 tells a thread held by the freeze (FROM_MS to WOKE_MS) from one that waited
FROZEN_WINDOWS=()
POULE_URL="http://$(node_ip 1):$PORT"
BUS_URL="http://$(node_ip 1):$POULE_BUS_PORT"
# lib.sh's helpers, asked of poule-bus
on_bus() { POULE_URL=$BUS_URL "$@"; }

SLIP_SERVICE="${STACK}_slip"
slip_service() { echo "$SLIP_SERVICE"; }

# the running tasks of the stack on every live node: "ID node-I SERVICE STATUS", one per line, every
# node asked at once. A look at the cluster times a figure: asked one after another, node by node
# and service by service, then a `docker exec` per slip, a look takes seconds, and a figure it times
# would measure the look more than the cluster
stack_tasks() {
  local i
  for i in $LIVE_NODES; do
    # a node whose engine does not answer is named on stderr: a wait that fails says so
    node_docker "$i" ps --filter "label=com.docker.stack.namespace=$STACK" --filter status=running \
      --format "{{.ID}} node-$i {{.Label \"com.docker.swarm.service.name\"}} {{.Status}}" 2>/dev/null \
      || echo "node-$i: docker ps failed ($?)" >&2 &
  done | sort
}
# of those tasks: the healthy slips, "ID node-I", one per line
healthy_slips() { awk -v s="$SLIP_SERVICE" '$3 == s && /\(healthy\)/ { print $1, $2 }'; }
# of those tasks: how many members besides the slips run (poule, poule-bus and the watcher, two of
# one for a while when swarm replaced the ones of a node it had lost and has not stopped the old ones)
other_members_in() {
  awk -v p="${STACK}_poule" -v b="${STACK}_poule-bus" -v w="${STACK}_watcher" '$3 == p || $3 == b || $3 == w' | wc -l
}
slip_tasks() { stack_tasks | healthy_slips; }
slip_containers() { slip_tasks | awk '{ print $1 }'; }
slip_count_is() { [ "$(slip_tasks | wc -l)" -eq "$1" ]; }
# the node other than poule's node-1 with the most slips (its number)
busiest_remote_node() {
  slip_tasks | awk '$2 != "node-1" { n[$2]++ } END { for (k in n) print n[k], k }' | sort -rn | head -n 1 \
    | awk '{ sub("node-", "", $2); print $2 }'
}
# the node (its number) a slip container runs on
node_of() { slip_tasks | awk -v id="$1" '$1 == id { sub("node-", "", $2); print $2 }'; }
# a healthy slip away from poule's node-1, on node WANTED if it has one
remote_slip() { # [WANTED]
  slip_tasks | awk -v want="node-${1:-}" '$2 != "node-1" { if ($2 == want) { print $1; found = 1; exit } last = $1 }
    END { if (!found && last != "") print last }'
}

other_members() { stack_tasks | other_members_in; }
# COMMAND run in the network of task ID on node I. From this host through nsenter, in a few
# milliseconds, when the task's cgroup lists its processes (docker/nodes.sh puts node I's containers
# under /disco-nodes/node-I; cgroup v2, or any v1 controller); else through `docker exec` in the
# node's engine, up to a second of runc's work each, asked at once or not. The command
# must exist in both places.
in_task() { # I ID COMMAND...
  local procs pid=""
  for procs in /sys/fs/cgroup/disco-nodes/node-"$1"/"$2"*/cgroup.procs \
    /sys/fs/cgroup/*/disco-nodes/node-"$1"/"$2"*/cgroup.procs; do
    [ -r "$procs" ] && read -r pid <"$procs" && break
  done
  if [ -n "$pid" ]; then
    nsenter -t "$pid" -n "${@:3}"
  else
    node_docker "$1" exec "$2" "${@:3}"
  fi
}
# GET PATH from inside task ID on node I, the body only: plain bash, as the images have no curl
task_get() { # I ID PATH
  # shellcheck disable=SC2016
  in_task "$1" "$2" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1
    printf "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" "$0" >&3
    timeout 2 cat <&3' "$3" | sed '1,/^\r$/d'
}
# what poule and each slip given on stdin ("ID node-I" lines) see of the cluster, through the jq
# FILTER: one "NAME VIEW" line each, all read at once (a view that could not be read is empty)
view_lines() { # FILTER
  local id node
  {
    echo "poule $(api /cluster | jq -c "$1")" &
    while read -r id node; do
      echo "$id@$node $(task_get "${node#node-}" "$id" /cluster | jq -c "$1")" &
    done
  } 2>/dev/null | sort
}
# A look at the views below sets LOOK_MS to the moment poule's view was read and found whole: the
# slips' views are read after it (in_task), so a figure timed by the look that saw one cluster lies
# between LOOK_MS and the look's end. A look whose first view, poule's, is not whole ends there.
LOOK_MS=0
# every slip and poule sees exactly the N healthy slips plus the other running members
one_cluster() { # N
  local expected poule_sees tasks
  LOOK_MS=$(now_ms)
  poule_sees=$(api /cluster | jq '.members | length') || return 1
  tasks=$(stack_tasks)
  expected=$(( $1 + $(other_members_in <<<"$tasks") ))
  [ "$poule_sees" -eq "$expected" ] || return 1
  healthy_slips <<<"$tasks" | view_lines '.members | length' | awk -v want="$expected" '$2 != want { bad = 1 } END { exit bad }'
}
# the note of a figure timed from FROM_MS by the look that saw one cluster: when that look began
look_began() { # FROM_MS
  awk -v l="$LOOK_MS" -v f="$1" 'BEGIN { printf "the look that saw it began %.1f s after", (l - f) / 1000 }'
}
# the epoch ms of each log line on stdin: its leading time of day, else Hazelcast's "Current time:
# DATE TIME"; nothing for a line that has neither. The logs are this run's, in UTC as the containers
# keep time
lines_ms() {
  awk -v now="$(now_ms)" '{
    if (!match($0, /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]/) &&
        !match($0, /Current time: [0-9-]+ [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]/)) next
    split(substr($0, RSTART + RLENGTH - 12, 12), t, /[:.]/)
    ms = int(now / 86400000) * 86400000 + ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4]
    if (ms > now + 60000) ms -= 86400000
    printf "%.0f\n", ms
  }'
}
line_ms() { lines_ms <<<"$1"; } # LINE
# when the last of poule's and the slips' views changed between FROM_MS and TO_MS, as each logs
# it ("Member joined/left ..., N members now", "Merged back ..."), in epoch ms; nothing when none did.
# A look that found one view at TO_MS means no view changed after that moment: the cluster was one
# from then on, however long the look itself took (5.8 s once, right after a heal)
last_view_change() { # FROM_MS TO_MS
  local i id since
  since=$(awk -v t="$1" 'BEGIN { printf "%.3f", t / 1000 - 1 }')
  # the nodes at once: one after the other, this took 6 s after a heal
  {
    for i in $LIVE_NODES; do
      for id in $(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=$SLIP_SERVICE" --filter status=running) \
        $(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" --filter status=running); do
        node_docker "$i" logs --since "$since" "$id" 2>&1 | grep -E "Member (joined|left) .*members now|Merged back into the cluster" || true
      done &
    done
    wait
  } | lines_ms | awk -v f="$1" -v t="$2" '$1 >= f && $1 <= t' | sort -n | tail -n 1
}
# after a heal: poule and every healthy slip see the same members, and that view holds a watcher and
# at least the healthy slips and poule. Unlike one_cluster it does not count: the tasks Swarm
# replaced while the node was away stay members while they drain (up to 25 s) after the merge.
one_view() {
  local poule_view slips
  LOOK_MS=$(now_ms)
  poule_view=$(api /cluster) || return 1
  slips=$(slip_tasks)
  jq -e --argjson n "$(grep -c . <<<"$slips")" \
    '([.members[] | select(.lite | not)] | length) >= $n + 1 and any(.members[]; .lite)' <<<"$poule_view" >/dev/null || return 1
  [ "$(grep . <<<"$slips" | view_lines '[.members[].address] | sort' | awk '{ print $2 }' | sort -u | wc -l)" -eq 1 ]
}
# what poule and each healthy slip see of the cluster, each view through the jq FILTER, on one line
views() { # FILTER
  slip_tasks | view_lines "$1" | awk 'NR > 1 { printf ", " } { printf "%s", $0 } END { print "" }'
}
why_not_one_view() {
  echo "views: $(views '[.members[] | .address + (if .lite then "(lite)" else "" end)] | sort')"
}
why_not_one_cluster() { # N
  echo "members in each view: $(views '.members | length') (want $(( $1 + $(other_members) )))"
}

# ---- the baseline: a plain HTTP client through Swarm DNS -----------------------------------------

baseline_log() {
  local id
  id=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_baseline" | head -n 1)
  [ -n "$id" ] && node_docker 1 logs "$id" 2>/dev/null
}
# BASELINE_FAILED BASELINE_CALLS BASELINE_LAST_FAIL (s after FROM) for calls in [FROM_S, now]
baseline_since() { # FROM_S
  read -r BASELINE_CALLS BASELINE_FAILED BASELINE_LAST_FAIL < <(baseline_log | awk -v from="$1" '
    $1 >= from { calls++; if ($2 == "fail") { failed++; last = $1 - from } }
    END { printf "%d %d %s\n", calls, failed, (failed ? last : "-") }')
}
# and as figures: KEY-baseline-failed-calls, KEY-baseline-calls, KEY-baseline-last-failure (if any)
baseline_note() { # KEY FROM_S: KEY the case's, e.g. frozen-30s
  local key=$1
  shift
  baseline_since "$1"
  note "baseline (plain client via Swarm DNS): $BASELINE_FAILED failed of $BASELINE_CALLS calls, last failure at +${BASELINE_LAST_FAIL} s"
  result "$key-baseline-failed-calls" "$BASELINE_FAILED" calls "" "" "baseline (plain client via Swarm DNS): failed calls"
  result "$key-baseline-calls" "$BASELINE_CALLS" calls "" "" "baseline (plain client via Swarm DNS): calls"
  [ "$BASELINE_LAST_FAIL" = - ] || result "$key-baseline-last-failure" "$BASELINE_LAST_FAIL" s "" "" \
    "baseline (plain client via Swarm DNS): its last failure, after the case's start"
}

# ---- what the cases share -------------------------------------------------------------------------

# a case that needs a node other than poule's: settles, takes poule's error count (E), the start
# (t0) and the node with the most slips (TARGET)
begin_node_case() { # STEP
  STEP=$1
  settle
  E=$(errors)
  t0=$(date +%s)
  TARGET=$(busiest_remote_node)
  [ -n "$TARGET" ] || fail "no slip away from poule's node"
}

# none of the given hosts has a record any more
all_absent() { # HOSTNAME...
  local h
  for h in "$@"; do record_absent "$h" || return 1; done
}

# one fault at a time: the cluster has healed from the last one (one view, the same twice 10 s apart)
settle() {
  local n
  n=$(slip_tasks | wc -l)
  wait_until 120 "one cluster before the next fault" one_cluster "$n"
  # partitions still move to a member that just joined or merged back
  sleep 10
  wait_until 60 "still one cluster 10 s later" one_cluster "$n"
}

# a slip frozen for SECONDS on a node without poule: out of the records within 5 s, called again
# within 15 s of waking, zero failed calls. KEY names its figures (KEY-record-removed, ...)
# ---- operation timeouts, as the members count them --------------------------------------------
# Each member counts the operations on the cluster map that gave up waiting, by kind
# (disco_cluster_operation_timeouts_total{operation}): read around each case by the runner and
# around each freeze by frozen_case, judged by case 12.
TIMEOUTS_DIR=$(mktemp -d "${E2E_LOG_DIR:-/tmp}/multinode-e2e-timeouts.XXXXXX")
FROZEN_OWN=0    # a frozen slip's own operations, caught by its pause (from the pause to 1.5 s after the wake)
FROZEN_ASKED=0  # other members' reads that gave up on the frozen slip meanwhile: a whole read's part
                # asked of each member (read-part), or a record read from its partition's owner alone
                # (read: an owner's check of its record, every 2 s), which the frozen slip is for about
                # one partition in six until it leaves the member list
FROZEN_OTHER=0  # every other timeout from the pause to the case's end: none may come
FROZEN_LINES=() # what those were, for the end of the run
# one "ID OPERATION COUNT" line per running container of the stack and operation it counted; a
# subshell, so that its wait waits on its own reads only
timeouts_now() {
  (
    for i in $LIVE_NODES; do
      for id in $(node_docker "$i" ps -q --filter "label=com.docker.stack.namespace=$STACK" --filter status=running); do
        task_get "$i" "$id" /metrics 2>/dev/null \
          | sed -nE "s/^disco_cluster_operation_timeouts_total\{operation=\"([a-z-]+)\",?\} ([0-9]+).*/$id@node-$i \1 \2/p" &
      done
    done
    wait
  )
}
# what went up from BEFORE to AFTER (files of timeouts_now), as "ID OPERATION DELTA" lines: a
# container seen only in AFTER counts from zero; one gone by then is not counted
timeouts_delta() { # BEFORE AFTER
  awk 'NR == FNR { was[$1 " " $2] = $3; next } { d = $3 - was[$1 " " $2]; if (d > 0) printf "%s %s %d\n", $1, $2, d }' "$1" "$2"
}
# the runner, around each case: the timeouts it saw, as "CASE ID OPERATION DELTA" lines in by-case
timeouts_before_case() { timeouts_now >"$TIMEOUTS_DIR/case-before"; }
timeouts_after_case() { # CASE
  timeouts_now >"$TIMEOUTS_DIR/case-after"
  timeouts_delta "$TIMEOUTS_DIR/case-before" "$TIMEOUTS_DIR/case-after" | sed "s/^/$1 /" >>"$TIMEOUTS_DIR/by-case"
}
# a freeze's timeouts, from three reads: before the pause, 1.5 s after the wake, at the case's end
frozen_timeouts() { # VICTIM BEFORE WOKE END
  local id op n
  while read -r id op n; do
    if [ "${id%@*}" = "$1" ]; then
      FROZEN_OWN=$((FROZEN_OWN + n))
    elif [ "$op" = read-part ] || [ "$op" = read ]; then
      FROZEN_ASKED=$((FROZEN_ASKED + n))
    else
      FROZEN_OTHER=$((FROZEN_OTHER + n)); FROZEN_LINES+=("$STEP: $id $op $n")
    fi
  done < <(timeouts_delta "$2" "$3")
  while read -r id op n; do
    FROZEN_OTHER=$((FROZEN_OTHER + n)); FROZEN_LINES+=("$STEP, after the wake: $id $op $n")
  done < <(timeouts_delta "$3" "$4")
}

frozen_case() { # KEY STEP SECONDS
  local key=$1
  shift
  local E E_BUS t0 victim i woke
  STEP=$1
  settle
  E=$(errors)
  E_BUS=$(on_bus errors)
  t0=$(date +%s)
  victim=$(remote_slip 2)
  [ -n "$victim" ] || fail "no healthy slip away from poule's node"
  i=$(node_of "$victim")
  # a frozen master is the slower case: the next oldest member must claim mastership first
  local ip role=""
  ip=$(node_docker "$i" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$victim")
  if api /cluster | jq -e --arg ips "$ip" '.members[] | select(.oldest) | .address | split(":")[0] as $a
      | ($ips | split(" ") | index($a))' >/dev/null; then
    role=", the cluster's master"
  fi
  # counted before the pause: Docker marks a paused container unhealthy, and after the unpause it
  # stays so until its next health check (2 s), when the slip may well be called again already
  local slips
  slips=$(slip_tasks | wc -l)
  timeouts_now >"$TIMEOUTS_DIR/freeze-before"
  pause_task "$i" "$victim"
  # shellcheck disable=SC2155
  local t=$(now_ms)
  FAULT_MS=$t
  PAUSED="$i $victim"
  POLL_S=0.1 wait_until 60 "record of frozen $victim removed" record_absent "$victim"
  check_limit "$key-record-removed" "$WAITED" 5 30 "record of frozen $victim (node-$i$role) removed"
  sleep "$(awk -v s="$2" -v e="$(secs_since "$t")" 'BEGIN { d = s - e; print (d > 0 ? d : 0) }')"
  node_docker "$i" unpause "$victim" >/dev/null
  PAUSED=""
  woke=$(now_ms)
  POLL_S=0.2 wait_until 120 "frozen $victim called again" called_since "$victim" "$woke"
  check_limit "$key-called-again" "$WAITED" 15 60 "$victim called again after the unpause"
  # its consumer on the event bus, registered again by the woken member, receives again
  POLL_S=0.2 on_bus wait_until 120 "frozen $victim called again over the event bus" called_since "$victim" "$woke"
  result "$key-bus-called-again" "$(secs_since "$woke")" s "" "" "$victim called again over the event bus (poule-bus) after the unpause"
  # an operation the pause caught in flight gives up as the process wakes (its timer ran out during
  # the pause); one started after the wake cannot give up before Hazelcast's 1.5 s: until then the
  # frozen slip's timeouts are its own, and the others' reads of its share were asked of it frozen
  sleep "$(awk -v w="$woke" -v n="$(now_ms)" 'BEGIN { d = (w + 1500 - n) / 1000; print (d > 0 ? d : 0) }')"
  timeouts_now >"$TIMEOUTS_DIR/freeze-woke"
  wait_until 60 "records equal the live slips" slips_serving "$slips" "$woke"
  errors_delta_zero "$key-failed-calls" "$E"
  on_bus errors_delta_zero "$key-bus-failed-calls" "$E_BUS"
  baseline_note "$key" "$t0"
  # shellcheck disable=SC2086
  FROZEN_WINDOWS+=("$t $(now_ms) $victim $woke $(echo $ip | tr ' ' ',')")
  timeouts_now >"$TIMEOUTS_DIR/freeze-end"
  frozen_timeouts "$victim" "$TIMEOUTS_DIR/freeze-before" "$TIMEOUTS_DIR/freeze-woke" "$TIMEOUTS_DIR/freeze-end"
  pass
}

# what every member logged about membership, partitions and records since the fault (FAULT_MS):
# the lines that tell a late removal's cause (a member suspected late, a removal that timed out, a
# promotion that waited), or for a slip called late its record's way to poule, in time order, at
# most 30; and every line since the fault, in a file under E2E_LOG_DIR (/tmp)
explain_miss() { # WHAT
  local i id name since kept pattern
  since=$(awk -v t="${FAULT_MS:-$(now_ms)}" 'BEGIN { printf "%.3f", t / 1000 - 1 }')
  pattern="Member (left|joined)|Suspecting|Removed record|Could not remove|Cannot read all|records kept|[Mm]igration|[Pp]romotion|mastership|[Tt]imeout|timed out|anew|[Mm]erg"
  # a slip called late: whether its record was published, reached poule's pool, or was swept
  if grep -q "called" <<<"$1"; then
    pattern="Published|Unpublished|publishing it again|Could not publish|the pool|Removed record|Could not remove|records kept|Cannot read all|readable again|Subscrib|Merged back|anew"
  fi
  # every line since the fault, kept for a run on this machine: the 30 below are often not enough
  kept="${E2E_LOG_DIR:-/tmp}/multinode-e2e-miss-$(date +%H%M%S)-$RANDOM.log"
  for i in $LIVE_NODES; do
    while read -r id name; do
      [ -n "$id" ] || continue
      name=${name#"${STACK}_"}
      node_docker "$i" logs --since "$since" "$id" 2>&1 | grep -v "^\s" \
        | sed -E "s/\[[0-9.]+\]:[0-9]+ \[[a-z0-9-]+\] \[[0-9.]+\] //; s/^/$(cut -d. -f1,2 <<<"$name")@node-$i /" || true
    done < <(node_docker "$i" ps -a --filter "label=com.docker.stack.namespace=$STACK" --format '{{.ID}} {{.Names}}' \
      2>/dev/null | grep -v "_baseline\.")
  done | sort -k2,2 > "$kept"
  grep -E "$pattern" "$kept" | cut -c1-240 \
    | awk 'NR <= 30 { print } END { if (NR > 30) print "(" NR - 30 " more lines)" }'
  echo "(every service's lines since the fault: $kept)"
}

# ---- clean-up and summary ------------------------------------------------------------------------

dump_state() {
  say "---- state at failure"
  swarm node ls >&2 2>&1 || true
  swarm service ls >&2 2>&1 || true
  swarm service ps --format '{{.Name}} {{.Image}} {{.Node}} {{.CurrentState}} {{.Error}}' \
    "$SLIP_SERVICE" "${STACK}_poule" 2>&1 | head -n 30 >&2 || true
  stats 2>/dev/null | jq -c '{total, errors, retries, noSlip, instances: [.instances[] | [.hostname, .swarmNode, .version]]}' >&2 || true
  api /cluster 2>/dev/null | jq -c '{members: [.members[] | [.address, .lite, .id[0:8]]],
    records: [.records[] | [.metadata.hostname, .metadata.swarmNode, .metadata.nodeId[0:8]]]}' >&2 || true
  # what poule saw of the pool and the cluster: enough to tell which of them went wrong
  local id
  id=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)
  [ -z "$id" ] || node_docker 1 logs "$id" 2>&1 | grep -vE "^\s+at |^\s*$" | tail -n 60 >&2 || true
  # and what every other member saw: a member that stayed apart tells why only in its own log
  local i name
  for i in $LIVE_NODES; do
    while read -r id name; do
      [ -n "$id" ] || continue
      say "---- $name on node-$i ($(node_docker "$i" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id" 2>/dev/null))"
      node_docker "$i" logs "$id" 2>&1 | grep -vE "^\s+at |^\s*$" | tail -n 40 >&2 || true
    done < <(node_docker "$i" ps --filter "label=com.docker.stack.namespace=$STACK" --format '{{.ID}} {{.Names}}' 2>/dev/null \
      | grep -vE "_poule\.|_baseline\.")
  done
}

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  rm -rf "$TIMEOUTS_DIR"
  [ "$rc" -eq 0 ] || dump_state
  # the partition step's looks at the overlay, when it failed while they went on
  [ -z "${OVERLAY_LOOKS:-}" ] || kill "$OVERLAY_LOOKS" 2>/dev/null
  [ -z "${CALL_WATCH:-}" ] || kill "$CALL_WATCH" 2>/dev/null
  # a step that failed mid-freeze leaves its slip paused: wake it, so that logs and removal work
  # shellcheck disable=SC2086
  [ -z "${PAUSED:-}" ] || node_docker ${PAUSED% *} unpause "${PAUSED#* }" >/dev/null 2>&1
  if [ "${E2E_KEEP_NODES:-0}" = 1 ]; then
    say "keeping the nodes (E2E_KEEP_NODES=1): docker/nodes.sh down removes them"
  else
    say "removing the nodes"
    docker/nodes.sh down >/dev/null 2>&1
  fi
  rm -f "${DISCO_SECRET_FILE:-}"
  print_timeline "$rc" "$STEPS_TOTAL"
  exit "$rc"
}

# ---- setup: the engine, the images, the nodes ----------------------------------------------------

setup() {
  err_trap_here
  install_tools curl jq
  make_cluster_secret
  STEP="engine + images"
  t=$(now_ms)
  docker/engine.sh start || fail "the Docker engine cannot start"
  docker/build-base-image.sh
  docker/build-images.sh
  took=$(secs_since "$t")
  note "outer engine, base image and images in $took s"
  result engine-and-images "$took" s "" "" "outer engine, base image and images"

  STEP="nodes"
  t=$(now_ms)
  docker/nodes.sh down >/dev/null 2>&1 || true
  docker/nodes.sh up "$NODES" || fail "docker/nodes.sh up $NODES failed"
  took=$(secs_since "$t")
  note "$NODES nested engines in one swarm, all managers, in $took s"
  result nodes-up "$took" s "" "" "$NODES nested engines in one swarm, all managers"
  t=$(now_ms)
  docker/nodes.sh load disco/slip:0.0.1 disco/slip:0.0.2 disco/slip:0.0.3 disco/poule:0.0.2 disco/registry:0.0.2 \
    || fail "loading the images into the nodes failed"
  took=$(secs_since "$t")
  note "images loaded into every node in $took s"
  result images-loaded "$took" s "" "" "images loaded into every node"
}
