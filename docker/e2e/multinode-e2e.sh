#!/usr/bin/env bash
# End-to-end test of disco on a real multi-node swarm: 3 nested engines made by docker/nodes.sh,
# all managers, one overlay network across them. Deploys swarm-stack.yml (with the no-IPVS override
# and docker/e2e/multinode-override.yml: poule pinned on node-1, plus `baseline`, a plain HTTP
# client through Swarm's DNS) and injects the faults of a real network, each under poule's load:
#    1. deploy: slips on every node, one cluster within 10 s of the last healthy task
#    2. a slip frozen 30 s (docker pause), 3. frozen 60 s, 4. docker kill of a slip
#    5. rolling update to 0.0.2, 6. broken 0.0.3 rolled back, 7. frozen 30 s again
#    8. poule killed, 9. a node drained, 10. a node cut off the network 30 s (iptables in its namespace)
#   11. soak: scale between 2 and 6 every 30 s, a kill every 2 min (E2E_SOAK_S, default 600)
#   12. no thread blocked, and no cluster operation timed out while a slip was frozen,
#   13. a node's engine killed (SIGKILL)
#   14. the overlay encryption switch (docker/encrypted-network.yml) across nodes, where the kernel
#       has the IPsec algorithm Docker uses; elsewhere it says in one line that it could not test it
# Each case asserts zero failed calls in poule and records equal to the live slips; each figure is
# checked against its target (missed targets are listed) and a generous bound (beyond it: FAIL).
# The baseline's failures are reported beside poule's. Prints a timeline, removes the nodes
# (E2E_KEEP_NODES=1 keeps them). Traffic goes only to the node containers this test made.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

NODES=${E2E_NODES:-3}
STACK=disco
PORT=${E2E_POULE_PORT:-18080}
SOAK_S=${E2E_SOAK_S:-600}
export BASE_IMAGE=${E2E_BASE_IMAGE:-disco/jre-base:17-jlink}
export BASELINE_CLIENT="$root/docker/e2e/baseline-client.sh"
E2E_NAME=multinode-e2e
STEPS_TOTAL=14
# shellcheck source=docker/e2e/lib.sh
. "$root/docker/e2e/lib.sh"

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

SLIP_SERVICE="${STACK}_slip"
slip_service() { echo "$SLIP_SERVICE"; }

# the running tasks of the stack on every live node: "ID node-I SERVICE STATUS", one per line, every
# node asked at once. A look at the cluster times a figure: asked one after another, node by node
# and service by service, then a `docker exec` per slip, a look at 3 slips took 3.6-4.5 s on this
# machine, most of what the deploy's "one cluster" figure measured (the cluster was one before the
# last slip turned healthy)
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
# of those tasks: how many members besides the slips run (poule and the watcher, two of either
# for a while when swarm replaced the ones of a node it had lost and has not stopped the old ones)
other_members_in() { awk -v p="${STACK}_poule" -v w="${STACK}_watcher" '$3 == p || $3 == w' | wc -l; }
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
# node's engine, 0.4-1 s of runc's work each on this machine, asked at once or not. The command
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
baseline_note() { # FROM_S
  baseline_since "$1"
  note "baseline (plain client via Swarm DNS): $BASELINE_FAILED failed of $BASELINE_CALLS calls, last failure at +${BASELINE_LAST_FAIL} s"
}

# ---- cases ---------------------------------------------------------------------------------------

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
# within 15 s of waking, zero failed calls
frozen_case() { # STEP SECONDS
  local E t0 victim i woke
  STEP=$1
  settle
  E=$(errors)
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
  pause_task "$i" "$victim"
  local t=$(now_ms)
  FAULT_MS=$t
  PAUSED="$i $victim"
  POLL_S=0.1 wait_until 60 "record of frozen $victim removed" record_absent "$victim"
  check_limit "$WAITED" 5 30 "record of frozen $victim (node-$i$role) removed"
  sleep "$(awk -v s="$2" -v e="$(secs_since "$t")" 'BEGIN { d = s - e; print (d > 0 ? d : 0) }')"
  node_docker "$i" unpause "$victim" >/dev/null
  PAUSED=""
  woke=$(now_ms)
  POLL_S=0.2 wait_until 120 "frozen $victim called again" called_since "$victim" "$woke"
  check_limit "$WAITED" 15 60 "$victim called again after the unpause"
  wait_until 60 "records equal the live slips" slips_serving "$slips" "$woke"
  errors_delta_zero "$E"
  baseline_note "$t0"
  FROZEN_WINDOWS+=("$t $(now_ms) $victim $woke $(echo $ip | tr ' ' ',')")
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
  [ "$rc" -eq 0 ] || dump_state
  # the partition step's looks at the overlay, when it failed while they went on
  [ -z "${OVERLAY_LOOKS:-}" ] || kill "$OVERLAY_LOOKS" 2>/dev/null
  [ -z "${CALL_WATCH:-}" ] || kill "$CALL_WATCH" 2>/dev/null
  # a step that failed mid-freeze leaves its slip paused: wake it, so that logs and removal work
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
trap on_exit EXIT
trap 'exit 130' INT TERM

# ---- setup ---------------------------------------------------------------------------------------

install_tools curl jq
make_cluster_secret
STEP="engine + images"
t=$(now_ms)
docker/engine.sh start || fail "the Docker engine cannot start"
docker/build-base-image.sh
docker/build-images.sh
note "outer engine, base image and images in $(secs_since "$t") s"

STEP="nodes"
t=$(now_ms)
docker/nodes.sh down >/dev/null 2>&1 || true
docker/nodes.sh up "$NODES" || fail "docker/nodes.sh up $NODES failed"
note "$NODES nested engines in one swarm, all managers, in $(secs_since "$t") s"
t=$(now_ms)
docker/nodes.sh load disco/slip:0.0.1 disco/slip:0.0.2 disco/slip:0.0.3 disco/poule:0.0.2 disco/registry:0.0.2 \
  || fail "loading the images into the nodes failed"
note "images loaded into every node in $(secs_since "$t") s"

# ---- 14. the overlay encryption switch -----------------------------------------------------------

# whether the nodes' kernel can hold the ESP state Docker's encrypted overlay programs
ipsec_supported() {
  docker exec disco-node-1 sh -c 'ip netns add disco-esp-probe || exit 1
    ip -n disco-esp-probe xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
      aead "rfc4106(gcm(aes))" 0x0102030405060708090a0b0c0d0e0f1011121314 128
    rc=$?; ip netns del disco-esp-probe; exit $rc' >/dev/null 2>&1
}

STEP="14 encrypted overlay switch"
if ! ipsec_supported; then
  skip "this kernel ($(uname -r)) has no rfc4106(gcm(aes)) for IPsec ESP, which Docker's encrypted overlay needs"
else
  t=$(now_ms)
  enc_net=disco-enc-probe
  opt=$(sed -n 's/^ *encrypted: *//p' docker/encrypted-network.yml | tr -d '"')
  swarm network create -d overlay --attachable --opt "encrypted=$opt" "$enc_net" >/dev/null
  node_docker 2 run -d --name enc-server --network "$enc_net" -e CLUSTER_INSECURE=true -e HOSTNAME=enc-server \
    disco/slip:0.0.2 >/dev/null
  wait_until 90 "a slip on node-2 answers node-3 over the encrypted overlay" node_docker 3 run --rm \
    --network "$enc_net" --entrypoint curl disco/slip:0.0.2 -fsS --max-time 3 http://enc-server:8080/
  esp=$(docker exec disco-node-2 sh -c 'ip xfrm state; for ns in /var/run/docker/netns/*; do nsenter --net="$ns" ip xfrm state; done' 2>/dev/null \
    | grep -c "proto esp" || true)
  [ "$esp" -gt 0 ] || fail "the overlay answered, but node-2 holds no ESP state: traffic went in the clear"
  node_docker 2 rm -f enc-server >/dev/null
  swarm network rm "$enc_net" >/dev/null || true
  note "answered across nodes after $WAITED s; node-2 holds $esp ESP states"
  pass
fi

# ---- 1. deploy -----------------------------------------------------------------------------------

STEP="1 deploy across $NODES nodes"
t=$(now_ms)
SLIP_VERSION=0.0.1 POULE_PORT=$PORT swarm stack deploy -c swarm-stack.yml -c docker/swarm-test-override.yml \
  -c docker/e2e/multinode-override.yml "$STACK" >/dev/null || fail "docker stack deploy failed"
wait_until 300 "3 slips healthy" slip_count_is 3
healthy=$(now_ms)
FAULT_MS=$healthy
note "3 slip tasks healthy after $(secs_since "$t") s"
wait_until 120 "poule healthy and answering" stats
wait_until 120 "one cluster of 3 slips + poule + watcher in every view" one_cluster 3
check_limit "$(secs_since "$healthy")" 10 60 "one cluster after the last slip turned healthy"
note "$(look_began "$healthy")"
# a member that started a cluster of its own and merged or joined anew later: what the fresh
# stack's discovery through the overlay is there to avoid (README, "Joining")
merged=0
for i in $LIVE_NODES; do
  for id in $(node_docker "$i" ps -q --filter "label=com.docker.stack.namespace=$STACK"); do
    merged=$((merged + $(node_docker "$i" logs "$id" 2>&1 | grep -cE "Merged back into the cluster|leaving and joining anew" || true)))
  done
done
note "members that formed a cluster of their own first and merged or joined anew: $merged"
wait_until 120 "poule calls all 3 slips" slips_serving 3 "$t"
nodes_with_slips=$(slip_tasks | awk '{ print $2 }' | sort -u | wc -l)
[ "$nodes_with_slips" -eq "$NODES" ] || fail "slips on $nodes_with_slips nodes only: $(slip_tasks | tr '\n' ' ')"
note "slips on every node: $(slip_tasks | awk '{ print $2 }' | tr '\n' ' ')"
remote_calls=$(stats | jq '[.instances[] | select(.swarmNode != "node-1")] | length')
[ "$remote_calls" -ge 2 ] || fail "poule (node-1) lists $remote_calls slips on other nodes"
stats | jq -r '.perHost | to_entries | map("\(.key)=\(.value.calls)") | "calls per host: " + join(" ")' >&2
E0=$(errors)
[ "$E0" -eq 0 ] || note "warning: $E0 failed calls during start-up (before any case)"
# control: the comparison means something only if the plain client succeeds while nothing is wrong
baseline_succeeds() { baseline_since "$(($(date +%s) - 3))"; [ "$BASELINE_CALLS" -gt "$BASELINE_FAILED" ]; }
wait_until 30 "the baseline client's calls succeed" baseline_succeeds
pass

# ---- 2.-4. frozen and killed slips -----------------------------------------------------------------

frozen_case "2 slip frozen 30 s" 30
frozen_case "3 slip frozen 60 s" 60

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
check_limit "$WAITED" 5 30 "record of killed $victim (node-$i) removed"
wait_until 120 "replacement serving" slips_serving 3 "$t"
note "replacement called after $WAITED s"
errors_delta_zero "$E"
baseline_note "$t0"
pass

# ---- 5.-7. rolling update, rollback, frozen again ----------------------------------------------------

t0=$(date +%s)
STEP_PREFIX="5 " rolling_update_step 3
baseline_note "$t0"
t0=$(date +%s)
STEP_PREFIX="6 " rollback_step 3
baseline_note "$t0"
frozen_case "7 frozen 30 s after update + kill" 30

# ---- 8. poule killed -------------------------------------------------------------------------------

STEP="8 poule killed"
old=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)
[ -n "$old" ] || fail "no poule container on node-1"
t=$(now_ms)
node_docker 1 kill "$old" >/dev/null
full_load() {
  local new
  new=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" --filter status=running | head -n 1)
  [ -n "$new" ] && [ "$new" != "$old" ] || return 1
  stats | jq -e --argjson n 3 '(.instances | length) == $n and .inFlight == .concurrency' >/dev/null || return 1
  record_absent "$old"
}
wait_until 120 "a new poule with 3 slips and full load" full_load
started=$(node_docker 1 inspect -f '{{.State.StartedAt}}' "$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)")
since_start=$(awk -v a="$(date -d "$started" +%s%3N)" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
note "swarm started a new poule; full slip set, 10 in flight, no record of the old one after $WAITED s"
check_limit "$since_start" 30 60 "full load after the new poule's start"
E=$(errors)
[ "$E" -eq 0 ] || fail "the new poule counts $E failed calls"
pass

# ---- 9. drain a node -------------------------------------------------------------------------------

begin_node_case "9 drain a node"
D=$TARGET
moving=$(slip_tasks | awk -v n="node-$D" '$2 == n' | wc -l)
t=$(now_ms)
swarm node update --availability drain "node-$D" >/dev/null
moved_off() { ! slip_tasks | grep -q " node-$D\$" && slip_count_is 3; }
wait_until 180 "no slip on node-$D, 3 slips serving elsewhere" moved_off
wait_until 60 "records equal the live slips" slips_serving 3 "$t"
note "node-$D drained: its $moving slip(s) stopped and serve elsewhere after $(secs_since "$t") s"
swarm node update --availability active "node-$D" >/dev/null
errors_delta_zero "$E"
baseline_note "$t0"
pass

# ---- 10. partition: a node cut off the network between the nodes ----------------------------------

# from container ID on node I, a TCP connection to PORT of each IP over the overlay, all at once so
# that a look takes a second at most however many do not answer
connects() { # I ID PORT IP...
  # shellcheck disable=SC2016
  in_task "$1" "$2" timeout 5 bash -c 'port=$1; shift; pids=()
    for ip; do timeout 1 bash -c "exec 3<>/dev/tcp/$ip/$port" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "$pid" || exit 1; done' _ "${@:3}" 2>/dev/null
}
# the IPs of the members (slips, poule, watcher) running on the nodes other than P
members_elsewhere_ips() { # P
  local i id
  for i in $LIVE_NODES; do
    [ "$i" = "$1" ] && continue
    for id in $(node_docker "$i" ps -q --filter "label=com.docker.stack.namespace=$STACK" --filter status=running); do
      node_docker "$i" inspect -f '{{index .Config.Labels "com.docker.swarm.service.name"}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id"
    done
  done | awk -v b="${STACK}_baseline" '$1 != b { print $2 }'
}

begin_node_case "10 a node cut off 30 s"
P=$TARGET
cut_ips=""
for i in $LIVE_NODES; do [ "$i" = "$P" ] || cut_ips="$cut_ips $(node_ip "$i")"; done
cut_off=$(slip_tasks | awk -v n="node-$P" '$2 == n { print $1 }')
declare -A cut_off_ip=()
for id in $cut_off; do
  cut_off_ip[$id]=$(node_docker "$P" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id" | awk '{ print $1 }')
done
# the slips before the cut: those on other nodes that are not among them after it are the ones
# Swarm started during the cut
before_cut=$(slip_containers)
t=$(now_ms)
FAULT_MS=$t
# inside the node's own network namespace: its engine, its overlay (VXLAN) and its tasks all go dark
for ip in $cut_ips; do
  docker exec "disco-node-$P" iptables -I INPUT -s "$ip" -j DROP
  docker exec "disco-node-$P" iptables -I OUTPUT -d "$ip" -j DROP
done
POLL_S=0.1 wait_until 60 "node-$P's slips removed by the majority" all_absent $cut_off
check_limit "$WAITED" 5 30 "node-$P's slips ($(echo $cut_off | wc -w)) removed on the majority side"
sleep "$(awk -v e="$(secs_since "$t")" 'BEGIN { d = 30 - e; print (d > 0 ? d : 0) }')"
for ip in $cut_ips; do
  docker exec "disco-node-$P" iptables -D INPUT -s "$ip" -j DROP
  docker exec "disco-node-$P" iptables -D OUTPUT -d "$ip" -j DROP
done
healed=$(now_ms)
FAULT_MS=$healed
# poule's first call to each cut-off slip after the heal, "ID EPOCH_MS" lines: from the heal on, a
# look at poule's stats every half second keeps the call poule itself timed (lastSeen) in the first
# look that shows one. The wait for the cut-off slips below begins only once the cluster is one and
# the members' logs are read (12-18 s after the heal in a CI run), and timed by its own looks, it
# once put calls made at 6-8 s at 20 s
called_file=$(mktemp)
watch_cut_off_calls() {
  local s id ms
  while [ "$(now_ms)" -lt $((healed + 150000)) ]; do
    if s=$(stats 2>/dev/null); then
      for id in $cut_off; do
        grep -q "^$id " "$called_file" && continue
        ms=$(jq -r --arg h "$id" --argjson since "$healed" '(.perHost[$h].lastSeen // 0) | select(. >= $since)' <<<"$s")
        [ -z "$ms" ] || echo "$id $ms" >>"$called_file"
      done
      [ "$(grep -c . "$called_file")" -lt "$(wc -w <<<"$cut_off")" ] || return 0
    fi
    sleep 0.5
  done
}
watch_cut_off_calls &
CALL_WATCH=$!
# when poule first called cut-off slip ID after the heal, in s after it: the watch's, else now
first_call_s() { # ID
  local ms
  ms=$(awk -v id="$1" '$1 == id { print $2; exit }' "$called_file")
  secs_between "$healed" "${ms:-$(now_ms)}"
}
# the cluster can merge only once Docker's overlay carries the members' traffic between the two
# sides again, which took from under a second to about 35 s after the same heal on this machine
# (docs/RELIABILITY.md, item 29): beside the wait for one view, a look tries a connection from every
# cut-off slip to every member on the other nodes (the replacements Swarm started during the cut
# among them) every half second, and notes when the first look that found them all began. Each
# waits on its own: one after the other, a look took 4-8 s, and the heal's figure with it.
other_side=$(members_elsewhere_ips "$P" | tr '\n' ' ')
# Swarm stops a cut-off slip some time after the heal: one it stopped is neither probed nor waited on
cut_off_running() { # ID
  [ -n "$(node_docker "$P" ps -q --filter "id=$1" --filter status=running)" ]
}
cut_off_reach_others() {
  local id
  for id in $cut_off; do
    cut_off_running "$id" || continue
    # shellcheck disable=SC2086
    connects "$P" "$id" 5701 $other_side || return 1
  done
}
net_back_file=$(mktemp)
overlay_looks() {
  local look
  while [ "$(now_ms)" -lt $((healed + 120000)) ]; do
    look=$(secs_since "$healed")
    if cut_off_reach_others; then
      echo "$look" >"$net_back_file"
      return 0
    fi
    sleep 0.5
  done
}
overlay_looks &
OVERLAY_LOOKS=$!
POLL_S=0.2 wait_until 120 "one cluster again" one_view
look_end=$(now_ms)
kill "$OVERLAY_LOOKS" 2>/dev/null || true
wait "$OVERLAY_LOOKS" 2>/dev/null || true
OVERLAY_LOOKS=""
NET_BACK=$(cat "$net_back_file")
rm -f "$net_back_file"
# timed by the members' own logs: the look that confirms one view can take seconds of an engine
# that is busy after the heal, and timed by its end, the figure held that wait too
one_at=$(last_view_change "$healed" "$look_end")
heal_s=$(secs_between "$healed" "${one_at:-$look_end}")
check_limit "$heal_s" 20 60 "one cluster again after the heal"
note "$(look_began "$healed"); it ended $(secs_between "$healed" "$look_end") s after, and the last view changed $(if [ -n "$one_at" ]; then echo "$heal_s s after (the figure)"; else echo "in no member's log since the heal, so the figure is the look's end"; fi)"
if [ -n "$NET_BACK" ]; then
  note "the overlay carried the cut-off slips' connections to the $(wc -w <<<"$other_side") members on the other nodes $NET_BACK s after the heal (to within a look, 1-3 s)"
  if awk -v h="$heal_s" -v n="$NET_BACK" 'BEGIN { exit !(h >= n) }'; then
    check_limit "$(awk -v h="$heal_s" -v n="$NET_BACK" 'BEGIN { printf "%.1f", h - n }')" 10 60 \
      "one cluster again after the overlay carried the members' traffic between the two sides"
  else
    note "one cluster again before the look that saw the overlay's return began (the overlay's return is known to within a look)"
  fi
else
  note "the overlay's return was not seen before the cluster was one again"
fi
# Swarm replaced the cut-off slips during the cut and stops them 40-130 s after the heal (seen on
# this machine); until then they are back in the cluster and poule calls them again, within seconds
# when all goes well (item 27 of docs/RELIABILITY.md is a case that did not). The overlay re-learns
# where containers live some seconds after a heal (item 26), so the step also measures when poule's
# container first reaches each uncalled cut-off slip, to tell a wait on Docker from one on the
# platform.
# The overlay also re-learns the other way: containers Swarm started elsewhere during the cut are
# unknown to the cut-off node's overlay until Docker's network gossip has caught up, and a cut-off
# slip and such a replacement cannot connect to each other until then (15 to over 80 s after a
# heal, seen on this machine), even once the cluster is one view again. Hazelcast meanwhile keeps a
# partition migrating towards a member its holder cannot reach, and no record in that partition can
# be written, a cut-off slip's own among them (docs/RELIABILITY.md, item 28). So the look above goes
# on until the cut-off slips connect to every member on the other nodes (a TCP handshake needs the
# overlay both ways), and the platform is held to calling them soon after that.
REPLACEMENTS=0
for i in $LIVE_NODES; do
  [ "$i" = "$P" ] && continue
  for id in $(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=$SLIP_SERVICE" --filter status=running); do
    grep -qx "$id" <<<"$before_cut" || REPLACEMENTS=$((REPLACEMENTS + 1))
  done
done
declare -A OVERLAY_BACK=()
poule_reaches() { # IP: a TCP connection from poule's container to IP:8080
  local id
  id=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)
  [ -n "$id" ] && connects 1 "$id" 8080 "$1"
}
NET_PROBED=0
cut_off_back() {
  local id back=0 look
  CUT_OFF_CALLED=0
  for id in $cut_off; do
    if called_since "$id" "$healed"; then
      [ -n "${CALLED_AT[$id]:-}" ] || CALLED_AT[$id]=$(first_call_s "$id")
      CUT_OFF_CALLED=$((CUT_OFF_CALLED + 1))
    elif cut_off_running "$id"; then
      [ -n "${OVERLAY_BACK[$id]:-}" ] || ! poule_reaches "${cut_off_ip[$id]}" \
        || OVERLAY_BACK[$id]=$(secs_since "$healed")
      back=1
    fi
  done
  # once per look, while a cut-off slip is uncalled: the probe covers them all
  if [ "$back" = 1 ] && [ -z "$NET_BACK" ]; then
    NET_PROBED=1
    look=$(secs_since "$healed")
    ! cut_off_reach_others || NET_BACK=$look
  fi
  return "$back"
}
why_not_cut_off_back() {
  local id
  for id in $cut_off; do
    called_since "$id" "$healed" && continue
    cut_off_running "$id" || continue
    echo "$id (${cut_off_ip[$id]}) not called, still running; poule's container reached it over the overlay: ${OVERLAY_BACK[$id]:-never}, the cut-off slips connected to every member on the other nodes: ${NET_BACK:-never} s after the heal"
  done
}
declare -A CALLED_AT=()
wait_until 120 "the cut-off slips called again or stopped" cut_off_back
kill "$CALL_WATCH" 2>/dev/null || true
wait "$CALL_WATCH" 2>/dev/null || true
CALL_WATCH=""
rm -f "$called_file"
overlay=""
for id in "${!OVERLAY_BACK[@]}"; do overlay="$overlay $id after ${OVERLAY_BACK[$id]} s"; done
back_s=$(secs_since "$healed")
# every cut-off slip called: the last first call, as poule timed it
if [ "${#CALLED_AT[@]}" -eq "$(wc -w <<<"$cut_off")" ]; then
  back_s=$(printf '%s\n' "${CALLED_AT[@]}" | sort -n | tail -n 1)
fi
note "cut-off slips called again after the heal: $CUT_OFF_CALLED of $(echo $cut_off | wc -w) after $back_s s (the others stopped by Swarm first); poule's container reached uncalled ones over the overlay:${overlay:- none waited on}; the cut-off slips connected to every member on the other nodes ($REPLACEMENTS of them slips Swarm started during the cut): $(if [ -n "$NET_BACK" ]; then echo "$NET_BACK s after the heal"; elif [ "$NET_PROBED" = 1 ]; then echo "not within the wait"; else echo "not waited on"; fi)"
# the platform's own part of a late call: from the moment the overlay carried both the cut-off
# slips' traffic to every other member, and poule's to this slip (the later of the two: in a CI run
# poule's container first reached them 32 s after the rest), to its first call
if [ -n "$NET_BACK" ]; then
  for id in "${!CALLED_AT[@]}"; do
    since=$(awk -v m="$NET_BACK" -v o="${OVERLAY_BACK[$id]:-0}" 'BEGIN { print (o > m ? o : m) }')
    awk -v c="${CALLED_AT[$id]}" -v m="$since" 'BEGIN { exit !(c > m) }' || continue
    check_limit "$(awk -v c="${CALLED_AT[$id]}" -v m="$since" 'BEGIN { printf "%.1f", c - m }')" 10 60 \
      "cut-off $id called after the overlay carried its traffic from poule and to every other member"
  done
fi
# called late, though within the bound (45.6-63.3 s in three CI runs, item 28's case): what the
# members logged since the heal tells whose wait it was, where the count of timeouts alone did not
if awk -v s="$back_s" 'BEGIN { exit !(s > 20) }'; then
  explain "the cut-off slips called again only after $back_s s"
fi
wait_until 120 "swarm back to 3 slips" slip_count_is 3
wait_until 60 "records equal the live slips, all called" slips_serving 3 "$healed"
note "3 slips in the records and called again after $(secs_since "$healed") s"
errors_delta_zero "$E"
baseline_note "$t0"
pass

# ---- 11. soak -------------------------------------------------------------------------------------

resources() { # prints "rss_mib fds" of a container's java process
  local i=$1 id=$2
  node_docker "$i" exec "$id" sh -c 'echo $(( $(awk "/VmRSS/ { print \$2 }" /proc/1/status) / 1024 )) $(ls /proc/1/fd | wc -l)'
}
long_lived() { # "I ID NAME" for poule and the watcher
  local svc i id
  for svc in poule watcher; do
    for i in $LIVE_NODES; do
      id=$(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=${STACK}_$svc" --filter status=running | head -n 1)
      [ -z "$id" ] || { echo "$i $id $svc"; break; }
    done
  done
}

STEP="11 soak ${SOAK_S} s"
E=$(errors)
t0=$(date +%s)
RSS_BOUND_MIB=${E2E_RSS_BOUND_MIB:-400}
FD_BOUND=${E2E_FD_BOUND:-200}
declare -A rss_first fds_first rss_max fds_max
sample() {
  local i id svc rss fds
  while read -r i id svc; do
    read -r rss fds < <(resources "$i" "$id") || continue
    [ -n "${rss_first[$svc]:-}" ] || { rss_first[$svc]=$rss; fds_first[$svc]=$fds; rss_max[$svc]=0; fds_max[$svc]=0; }
    [ "$rss" -le "${rss_max[$svc]}" ] || rss_max[$svc]=$rss
    [ "$fds" -le "${fds_max[$svc]}" ] || fds_max[$svc]=$fds
  done < <(long_lived)
}
sample
end=$(( $(date +%s) + SOAK_S ))
round=0
scales=(5 2 6 3 4 2 6 4 3 5)
while [ "$(date +%s)" -lt "$end" ]; do
  round=$((round + 1))
  n=${scales[$(( (round - 1) % ${#scales[@]} ))]}
  swarm service scale --detach "$SLIP_SERVICE=$n" >/dev/null 2>&1
  if [ $((round % 4)) -eq 0 ]; then
    victim=$(remote_slip)
    [ -z "$victim" ] || node_docker "$(node_of "$victim")" kill "$victim" >/dev/null 2>&1 || true
  fi
  sleep 30
  sample
  [ "$(errors)" -eq "$E" ] || fail "$(( $(errors) - E )) calls failed during the soak (round $round)"
done
swarm service scale --detach "$SLIP_SERVICE=3" >/dev/null 2>&1
wait_until 120 "records converge to the 3 live slips" slips_serving 3 "$(now_ms)"
sample
for svc in poule watcher; do
  note "$svc: RSS ${rss_first[$svc]} -> max ${rss_max[$svc]} MiB (bound $RSS_BOUND_MIB), fds ${fds_first[$svc]} -> max ${fds_max[$svc]} (bound $FD_BOUND)"
  [ "${rss_max[$svc]}" -le "$RSS_BOUND_MIB" ] || soft_fail "$svc RSS reached ${rss_max[$svc]} MiB"
  [ "${fds_max[$svc]}" -le "$FD_BOUND" ] || soft_fail "$svc reached ${fds_max[$svc]} open files"
done
note "$round scale events, $((round / 4)) kills"
errors_delta_zero "$E"
baseline_note "$t0"
pass

# ---- 12. no thread blocked -------------------------------------------------------------------------

# Vert.x reports any thread held over 2 s (ClusterMember sets both limits); a cluster operation that
# timed out is not a held thread (it failed after its own timeout, and was retried). Each is placed in
# the case it came in: none may come while a slip is frozen (issue 7); those of a kill, a cut or a
# lost node, asked of a member that could not answer yet, are counted and reported, not failed
STEP="12 no thread blocked"
# the step a log line of that time came in
step_at() { # MS
  local entry
  [ -n "$1" ] || { echo "at a time its line does not tell"; return 0; }
  for entry in "${STEP_ENDS[@]}"; do
    if [ "$1" -le "${entry%% *}" ]; then echo "${entry#* }"; return 0; fi
  done
  echo "$STEP"
}
# whether every call of LINE that its own timer gave up on was addressed to one of IPS, and one at least
only_frozen_asked() { # IPS LINE
  local all asked
  all=$(grep -oE "Timeout [0-9]+ \(ms\) fired" <<<"$2" | wc -l)
  asked=$(grep -oE "\[[0-9.]+\]:5701 failed: Timeout [0-9]+ \(ms\) fired" <<<"$2" | sed -E 's/^\[([0-9.]+)\].*/\1/' \
    | grep -cxF -f <(tr ',' '\n' <<<"$1") || true)
  [ "$all" -gt 0 ] && [ "$asked" -eq "$all" ]
}
# where a timed-out operation's line stands against the freezes: "own" when it is the frozen
# container's own, logged between its pause and 1.5 s after it woke: an operation the pause caught in
# flight, whose timer ran out while the process stood still (as a thread's report of the pause
# itself, above; one started after the wake cannot time out so soon: Hazelcast's call timeout is
# 1.5 s, the records' reads 3 s; seen once, a whole read at the wake from a 60 s freeze); "asked"
# when another member's call with a timeout of its own ("Timeout N (ms) fired") was addressed to the
# frozen member in its pause: it could not answer, its caller's timer gave up as designed, no thread
# waited (a clean-clone run failed on one: poule's whole read, in a frozen master's case); "frozen"
# when it came in a frozen slip's case, or its time is unknown; "other" otherwise. The cases come one
# after another, so a time falls in one window at most
against_freezes() { # CONTAINER MS LINE
  local w from to victim woke ips
  [ -n "$2" ] || { echo frozen; return 0; }
  for w in "${FROZEN_WINDOWS[@]}"; do
    read -r from to victim woke ips <<<"$w"
    if [ "$1" = "$victim" ] && [ "$2" -ge "$from" ] && [ "$2" -le $((woke + 1500)) ]; then echo own; return 0; fi
    if [ "$2" -ge "$from" ] && [ "$2" -le $((woke + 1500)) ] && only_frozen_asked "$ips" "$3"; then
      echo asked; return 0
    fi
    if [ "$2" -ge "$from" ] && [ "$2" -le "$to" ]; then echo frozen; return 0; fi
  done
  echo other
}
caught_timeouts=0
asked_timeouts=0
timeout_steps=()
frozen_timeouts=0
blocked=0
frozen_reports=0
late_answers=0
dead_dials=0
timeout_lines=()
suspicions=0
rejoins=0
rejoins_apart=0
rejoins_merge=0
rejoins_stopped=0
rejoins_records=0
# a thread of a paused container is reported on waking as held for the whole pause: the freeze, not a wait
freeze_ms() { # CONTAINER: the pauses it went through, in ms
  local w from to victim woke
  for w in "${FROZEN_WINDOWS[@]}"; do
    read -r from to victim woke _ <<<"$w"
    [ "$victim" != "$1" ] || echo $((woke - from))
  done
}
for i in $LIVE_NODES; do
  for id in $(node_docker "$i" ps -aq --filter "label=com.docker.stack.namespace=$STACK"); do
    log=$(node_docker "$i" logs "$id" 2>&1 || true)
    pauses=$(freeze_ms "$id" | tr '\n' ' ')
    n=0
    for ms in $(grep -oE "has been blocked for [0-9]+ ms" <<<"$log" | grep -oE "[0-9]+" || true); do
      if awk -v ms="$ms" -v p="$pauses" 'BEGIN { k = split(p, a, " "); for (j = 1; j <= k; j++) if (ms >= a[j] - 1500 && ms <= a[j] + 2000) exit 0; exit 1 }'; then
        frozen_reports=$((frozen_reports + 1))
      else
        n=$((n + 1))
      fi
    done
    [ "$n" -eq 0 ] || { say "node-$i $id: $n blocked-thread reports"; grep -A3 "has been blocked for" <<<"$log" | head -n 8 >&2; }
    blocked=$((blocked + n))
    # operations that timed out: Hazelcast's own, and a cluster call's timeout in this project's code
    # (Vert.x's "Timeout N (ms) fired"); not the heartbeat suspicions, which name their timeout too
    # A member that could not run an operation in time (frozen, say) answers "call timeout" when it
    # can; if its caller had moved on already ("No Invocation found"), nothing waited: counted apart
    # from the operations that timed out
    late_answers=$((late_answers + $(grep -c "No Invocation found for call timeout response" <<<"$log" || true)))
    # Hazelcast dialing a member that is gone (a killed slip's address) until it gives the address
    # up: a connection attempt that timed out (the kernel's "Connection", or Hazelcast's 2 s limit's
    # "Connect"), no operation; nothing waited on it. Counted apart
    dead_dial='Removing connection to endpoint .*(Connection|Connect) timed out'
    dead_dials=$((dead_dials + $(grep -cE "$dead_dial" <<<"$log" || true)))
    name=$(node_docker "$i" inspect -f '{{.Name}}' "$id" 2>/dev/null | sed "s|^/${STACK}_||; s|\.[^.]*$||")
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      ms=$(line_ms "$line")
      stands=$(against_freezes "$id" "$ms" "$line")
      if [ "$stands" = own ]; then caught_timeouts=$((caught_timeouts + 1)); continue; fi
      if [ "$stands" = asked ]; then asked_timeouts=$((asked_timeouts + 1)); continue; fi
      timeout_lines+=("$name@node-$i $(cut -c1-200 <<<"$line")")
      timeout_steps+=("$(step_at "$ms")")
      if [ "$stands" = frozen ]; then frozen_timeouts=$((frozen_timeouts + 1)); fi
    done < <(grep -E "OperationTimeoutException|Timeout [0-9]+ \(ms\) fired|call timeout response|timed out" <<<"$log" \
      | grep -v "No Invocation found for call timeout response" | grep -vE "$dead_dial" \
      | grep -vE "^\s+at " || true)
    suspicions=$((suspicions + $(grep -c "because it has not sent any heartbeats" <<<"$log" || true)))
    rejoins=$((rejoins + $(grep -c "leaving and joining anew" <<<"$log" || true)))
    # why, as LoneMemberWatchdog says it: apart from members that answer, a merge stuck, or stopped
    rejoins_apart=$((rejoins_apart + $(grep -c "Apart from members that answer.*leaving and joining anew" <<<"$log" || true)))
    rejoins_merge=$((rejoins_merge + $(grep -c "A merge into another cluster.*joining anew" <<<"$log" || true)))
    rejoins_stopped=$((rejoins_stopped + $(grep -c "Hazelcast stopped this member by itself.*joining anew" <<<"$log" || true)))
    rejoins_records=$((rejoins_records + $(grep -cE "(Own record neither read nor written|No whole read of the records).*joining anew" <<<"$log" || true)))
  done
done
timeouts=${#timeout_lines[@]}
by_case=""
if [ "$timeouts" -gt 0 ]; then
  by_case=" ($(printf '%s\n' "${timeout_steps[@]}" | sort -n | uniq -c \
    | awk '{ c = $1; $1 = ""; sub(/^ /, ""); printf "%s%s: %d", (NR > 1 ? ", " : ""), $0, c }'))"
fi
# which operations: the next run's log says, where a count alone did not
[ "$timeouts" -eq 0 ] || EXPLAINED+=("---- the cluster operations that timed out (at most 12 lines)" \
  "$(printf '%s\n' "${timeout_lines[@]}" | head -n 12)")
note "blocked-thread reports in every container's log: $blocked (and $frozen_reports of a paused container, held no longer than its pause); cluster operations that timed out: $timeouts$by_case, $frozen_timeouts of them while a slip was frozen (target 0; and $caught_timeouts of a paused container's own operations that the pause caught in flight, $asked_timeouts calls to the paused member that their own timer gave up on, $late_answers late 'call timeout' answers to operations whose callers had moved on, $dead_dials connection attempts to departed members that timed out); members suspected after missed heartbeats (the faults): $suspicions; members stuck alone that joined again: $rejoins (apart from members that answer: $rejoins_apart, a merge that did not join in 10 s: $rejoins_merge, stopped by Hazelcast: $rejoins_stopped, own record or whole read failing: $rejoins_records)"
[ "$blocked" -eq 0 ] || soft_fail "$blocked blocked-thread reports"
[ "$frozen_timeouts" -eq 0 ] || soft_fail "$frozen_timeouts cluster operations timed out while a slip was frozen"
pass

# ---- 13. loss of a node ------------------------------------------------------------------------------

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
members_gone() { [ "$(api /cluster | jq '.members | length')" -eq $(( members_before - lost_members )) ]; }
POLL_S=0.1 wait_until 60 "node-$L's members removed" members_gone
check_limit "$WAITED" 5 30 "node-$L's $lost_members member(s) removed"
POLL_S=0.1 wait_until 60 "node-$L's records removed" all_absent $lost
check_limit "$(secs_since "$t")" 5 30 "node-$L's records removed"
node_down() { [ "$(swarm node inspect "node-$L" --format '{{.Status.State}}')" = down ]; }
wait_until 120 "swarm marks node-$L down" node_down
down_s=$(secs_since "$t")
wait_until 180 "swarm reschedules: 3 slips on the remaining nodes" slip_count_is 3
note "3 slips healthy on the remaining nodes after $(secs_since "$t") s (swarm marked the node down after $down_s s$role)"
wait_until 60 "new slips called" slips_serving 3 "$t"
note "new slips in the records and called after $(secs_since "$t") s"
errors_delta_zero "$E"
baseline_note "$t0"
pass

[ "${#FAILURES[@]}" -eq 0 ] || { say "${#FAILURES[@]} promise(s) broken"; exit 1; }
say "all steps passed"
