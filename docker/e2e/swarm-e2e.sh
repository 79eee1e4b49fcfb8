#!/usr/bin/env bash
# End-to-end test of disco on a real Docker engine and a single-node swarm (issue 3).
# Starts the engine (docker/engine.sh; FAILS when it cannot), builds the base image and the
# images from the jars in */target/, deploys swarm-stack.yml with docker/swarm-test-override.yml
# and checks, reading poule's /api/stats and /cluster on a host-mode port on 127.0.0.1:
#   1. 3 slips + poule in the cluster, poule's calls spread over all 3 slips
#   2. scale slip to 6: the new ones serve; scale to 2: they leave with zero failed calls
#   3. docker kill of a slip: record gone within 5 s, zero failed calls, the replacement serves
#   4. rolling update to 0.0.2 under poule's load: zero failed calls, every slip on 0.0.2
#   5. update to 0.0.3 (never ready): swarm rolls back by itself, no call ever went to 0.0.3
#   6. default bridge: poule cannot resolve `slip` and says so; user-defined network: it works
#   7. docker/compose.yml with docker-compose: up, scale slip to 3, kill one (record gone, zero
#      failed calls), down
# and, after step 1, that the stack is closed: every record signed, only poule's port published,
# the cluster and slip ports unreachable from a container on another network; and that a real
# Prometheus deployed with docker/prometheus-stack.yml finds every task through Swarm's DNS and
# follows the scaling of step 2 (an image made from Debian's prometheus binary: no registry here)
# Prints a timeline, removes every stack, container and network it made, and stops the engine
# when it started it (E2E_KEEP_ENGINE=1 keeps it). Traffic goes only to 127.0.0.1 and to the
# containers it created.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

STACK=${E2E_STACK:-disco-e2e}
PORT=${E2E_POULE_PORT:-18080}          # poule's host-mode port (swarm)
BRIDGE_PORT=${E2E_BRIDGE_PORT:-18081}  # poule on the user-defined bridge network
COMPOSE_PORT=${E2E_COMPOSE_PORT:-18082} # poule under docker-compose
PROM_PORT=${E2E_PROMETHEUS_PORT:-19090} # the stack's Prometheus, host mode
COMPOSE_PROJECT=disco-e2e-compose
NET=disco-e2e-net
LABEL=disco.e2e=1
export BASE_IMAGE=${E2E_BASE_IMAGE:-disco/jre-base:17-jlink}

RECORD_GONE_S=${E2E_RECORD_GONE_S:-5}
RECORD_GONE_BOUND_S=${E2E_RECORD_GONE_BOUND_S:-15}
STARTED_ENGINE=0
E2E_NAME=swarm-e2e
POULE_URL="http://127.0.0.1:$PORT"
# shellcheck source=docker/e2e/lib.sh
. "$root/docker/e2e/lib.sh"

# ---- helpers -----------------------------------------------------------------------------------

swarm() { docker "$@"; }
SLIP_SERVICE="${STACK}_slip"
slip_service() { echo "$SLIP_SERVICE"; }

# healthy running slip containers; in swarm a container's hostname is its 12-character id
slip_containers() {
  docker ps --filter "label=com.docker.swarm.service.name=$(slip_service)" --filter health=healthy \
    --filter status=running --format '{{.ID}}' | sort
}

dump_state() {
  say "---- state at failure"
  docker service ls 2>&1 | grep "$STACK" >&2 || true
  docker service ps --no-trunc --format '{{.Name}} {{.Image}} {{.CurrentState}} {{.Error}}' \
    "$(slip_service)" "${STACK}_poule" 2>&1 | head -n 30 >&2 || true
  stats 2>/dev/null | jq -c '{total, errors, retries, noSlip, instances: [.instances[] | [.hostname, .version]]}' >&2 || true
  api /cluster 2>/dev/null | jq -c '{members: [.members[] | [.address, .lite]], records: [.records[] | [.metadata.hostname, .metadata.version, .status]]}' >&2 || true
  for svc in slip poule watcher; do
    say "---- last log lines of ${STACK}_$svc"
    docker service logs --raw --tail 15 "${STACK}_$svc" 2>&1 | tail -n 40 >&2 || true
  done
}

compose() { POULE_PORT=$COMPOSE_PORT docker-compose -p "$COMPOSE_PROJECT" -f docker/compose.yml "$@"; }

remove_own_resources() {
  local ids
  if command -v docker-compose >/dev/null 2>&1; then compose down -t 5 >/dev/null 2>&1 || true; fi
  ids=$(docker ps -aq --filter "label=$LABEL" 2>/dev/null) || true
  # shellcheck disable=SC2086  # one argument per id
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  docker network rm "$NET" "$NET-outside" >/dev/null 2>&1 || true
  if docker stack ls --format '{{.Name}}' 2>/dev/null | grep -qx "$STACK"; then
    docker stack rm "$STACK" >/dev/null 2>&1 || true
  fi
  # network removal is asynchronous: the same stack name can be deployed again only after it
  local i
  # shellcheck disable=SC2034
  for i in $(seq 1 90); do
    docker network ls --format '{{.Name}}' 2>/dev/null | grep -q "^${STACK}_" || return 0
    sleep 1
  done
  say "warning: network ${STACK}_* still present after 90 s"
}

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  [ "$rc" -eq 0 ] || dump_state
  if docker info >/dev/null 2>&1; then
    say "cleaning up"
    remove_own_resources
  fi
  if [ "$STARTED_ENGINE" = 1 ] && [ "${E2E_KEEP_ENGINE:-0}" != 1 ]; then docker/engine.sh stop; fi
  rm -f "${DISCO_SECRET_FILE:-}"
  print_timeline "$rc" 7
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Prometheus's answer to an instant query, as "label value" lines
prom() { # PROMQL
  curl -fsS --max-time 3 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" \
    | jq -r '.data.result[] | "\(.metric.job // "") \(.value[1])"'
}
# N slip targets up, poule and the watcher too: Prometheus follows tasks.<service>
scraped_up() { # N
  local up
  up=$(prom 'sum by (job) (up)') || return 1
  grep -qx "slip $1" <<<"$up" && grep -qx "poule 1" <<<"$up" && grep -qx "watcher 1" <<<"$up" \
    && [ "$(prom 'count(up{job="slip"})' | awk '{ print $NF }')" = "$1" ]
}
# every scraped series of PROMQL has the value V
prom_all_equal() { # PROMQL V
  local values
  values=$(prom "$1" | awk '{ print $NF }' | sort -u) || return 1
  [ "$values" = "$2" ]
}
# a Prometheus image from Debian's binary on this machine: the stack's image, without a registry
build_prometheus_image() {
  local context
  context=$(mktemp -d)
  cp "$(command -v prometheus)" "$context/prometheus"
  printf 'FROM %s\nCOPY prometheus /bin/prometheus\nRUN mkdir -p /prometheus /etc/prometheus\nENTRYPOINT ["/bin/prometheus"]\n' \
    "$BASE_IMAGE" >"$context/Dockerfile"
  docker build -q -t disco/prometheus-e2e:latest "$context" >/dev/null || fail "cannot build the Prometheus image"
  rm -rf "$context"
}

# ---- setup -------------------------------------------------------------------------------------

install_tools curl jq docker-compose prometheus
make_cluster_secret

STEP="engine"
t=$(now_ms)
if ! timeout 10 docker info >/dev/null 2>&1; then STARTED_ENGINE=1; fi
docker/engine.sh start || fail "the Docker engine cannot start (see docker/engine.sh output above)"
took=$(secs_since "$t")
note "engine + swarm ready in $took s ($(docker version --format '{{.Server.Version}}'))"
result engine-ready "$took" s "" "" "engine + swarm ready"

STEP="leftovers"
t=$(now_ms)
remove_own_resources
took=$(secs_since "$t")
note "own leftovers removed in $took s"
result leftovers-removed "$took" s "" "" "own leftovers removed"

STEP="images"
t=$(now_ms)
docker/build-base-image.sh
docker/build-images.sh
took=$(secs_since "$t")
note "base image + 5 images in $took s"
result images-built "$took" s "" "" "base image + 5 images"

# ---- 1. deploy ---------------------------------------------------------------------------------

STEP="1 deploy 3 slips + poule"
t=$(now_ms)
SLIP_VERSION=0.0.1 POULE_PORT=$PORT \
  docker stack deploy -c swarm-stack.yml -c docker/swarm-test-override.yml "$STACK" >/dev/null 2>&1 \
  || fail "docker stack deploy failed"
wait_until 180 "3 slips + poule in the cluster, calls to all 3" slips_serving 3 "$t"
note "converged in $WAITED s: 4 full members, 3 slip records, calls to all 3 hosts"
result deploy-converged "$WAITED" s "" "" "converged: 4 full members, 3 slip records, calls to all 3 hosts"
stats | jq -r '.perHost | to_entries | map("\(.key)=\(.value.calls)") | "calls per host: " + join(" ")' >&2
E0=$(errors)
result deploy-startup-failed-calls "$E0" calls "" "" "failed calls in poule during start-up (before any step)"
[ "$E0" -eq 0 ] || note "warning: $E0 failed calls during start-up (before any step)"
pass

STEP="1b closed: signed records, one published port"
for svc in slip watcher; do
  published=$(docker service inspect "${STACK}_$svc" --format '{{json .Endpoint.Ports}}')
  [ "$published" = null ] || [ "$published" = "[]" ] || fail "${STACK}_$svc publishes ports: $published"
done
cluster=$(api /cluster)
unsigned=$(jq '[.records[] | select((.metadata.signature // "") == "")] | length' <<<"$cluster")
[ "$unsigned" -eq 0 ] || fail "$unsigned records carry no signature"
# a slip's address (the watcher, a member too, has no HTTP port) and its Hazelcast member
member_ip=$(jq -r '[.records[] | select(.name == "slip")][0].location.host' <<<"$cluster")
member=$(jq -r --arg ip "$member_ip" '[.members[] | select(.address | startswith($ip + ":"))][0].address' <<<"$cluster")
probe() { timeout 3 bash -c "</dev/tcp/$1/$2" 2>/dev/null; }
# control: from a slip's own network namespace, on the overlay, both ports answer
inside=$(slip_containers | head -n 1)
docker exec "$inside" bash -c "$(declare -f probe); probe $member_ip ${member##*:} && probe $member_ip 8080" \
  || fail "cluster port $member or its HTTP port unreachable even on the overlay"
# another network: an internal one, so the probe can go nowhere but the engine's own networks
docker network create --internal --label "$LABEL" "$NET-outside" >/dev/null
if docker run --rm --label "$LABEL" --network "$NET-outside" --entrypoint bash disco/slip:0.0.2 \
    -c "$(declare -f probe); probe $member_ip ${member##*:} || probe $member_ip 8080"; then
  fail "a container on another network reached $member_ip"
fi
docker network rm "$NET-outside" >/dev/null
note "all records signed; only poule publishes a port; $member and :8080 answer on the overlay only"
pass

STEP="1c Prometheus on the stack"
t=$(now_ms)
build_prometheus_image
# the same settings as step 1, so nothing of it changes; a Prometheus beside it
SLIP_VERSION=0.0.1 POULE_PORT=$PORT PROMETHEUS_IMAGE=disco/prometheus-e2e:latest PROMETHEUS_PORT=$PROM_PORT \
  docker stack deploy -c swarm-stack.yml -c docker/swarm-test-override.yml -c docker/prometheus-stack.yml \
  -c docker/e2e/prometheus-override.yml "$STACK" >/dev/null 2>&1 \
  || fail "docker stack deploy with docker/prometheus-stack.yml failed"
wait_until 120 "Prometheus scraping 3 slips, poule and the watcher" scraped_up 3
# every member, scraped, counts the same cluster: 3 slips and poule as data members, the watcher lite
wait_until 30 "every service reports 4 data members" prom_all_equal 'disco_cluster_members{role="data"}' 4
took=$(secs_since "$t")
note "every task found through tasks.<service> and scraped after $took s"
result prometheus-scraped "$took" s "" "" "Prometheus found every task through tasks.<service> and scraped it"
pass

# ---- 2. scale out and in -----------------------------------------------------------------------

STEP="2a scale slip=6"
E=$(errors)
t=$(now_ms)
docker service scale --detach "$(slip_service)=6" >/dev/null 2>&1
wait_until 120 "6 slips in the cluster, calls to all 6" slips_serving 6 "$t"
note "6 members + records, all 6 called, after $WAITED s"
result scale-out-serving "$WAITED" s "" "" "scaled to 6: 6 members + records, all 6 called"
wait_until 60 "Prometheus scraping the 6 slips" scraped_up 6
wait_until 30 "every service reports 7 data members" prom_all_equal 'disco_cluster_members{role="data"}' 7
took=$(secs_since "$t")
note "Prometheus scraped all 6, each reporting 7 data members, after $took s"
result scale-out-prometheus "$took" s "" "" "Prometheus scraped all 6 slips, each reporting 7 data members"
errors_delta_zero scale-out-failed-calls "$E"

STEP="2b scale slip=2"
E=$(errors)
t=$(now_ms)
docker service scale --detach "$(slip_service)=2" >/dev/null 2>&1
wait_until 120 "back to 2 slips" slips_serving 2 "$t"
wait_until 60 "removed slip containers gone" \
  bash -c "[ \$(docker ps -q --filter label=com.docker.swarm.service.name=$(slip_service) | wc -l) -eq 2 ]"
took=$(secs_since "$t")
note "4 left (members, records, containers) after $took s"
result scale-in-left "$took" s "" "" "scaled to 2: 4 slips left (members, records, containers)"
wait_until 60 "Prometheus down to the 2 slips" scraped_up 2
took=$(secs_since "$t")
note "Prometheus's slip targets down to 2 after $took s"
result scale-in-prometheus "$took" s "" "" "Prometheus's slip targets down to 2"
errors_delta_zero scale-in-failed-calls "$E"
pass

# ---- 3. kill a slip ----------------------------------------------------------------------------

STEP="3 docker kill a slip"
E=$(errors)
victim=$(slip_containers | head -n 1)
[ -n "$victim" ] || fail "no healthy slip container to kill"
t=$(now_ms)
docker kill "$victim" >/dev/null
# a finer poll: this figure is held to a 5 s promise
POLL_S=0.1 wait_until 60 "record of killed slip $victim gone" record_absent "$victim"
check_limit kill-record-removed "$WAITED" "$RECORD_GONE_S" "$RECORD_GONE_BOUND_S" "record of killed $victim gone"
wait_until 120 "replacement slip serving" slips_serving 2 "$t"
note "replacement serving after $WAITED s"
result kill-replacement-serving "$WAITED" s "" "" "replacement of the killed slip serving"
errors_delta_zero kill-failed-calls "$E"
pass

# ---- 4. rolling update to 0.0.2 ----------------------------------------------------------------

# ---- 4. rolling update, 5. broken release 0.0.3 rolls back -------------------------------------

STEP_PREFIX="4 " rolling_update_step 2
STEP_PREFIX="5 " rollback_step 2

STEP="stack removed"
t=$(now_ms)
remove_own_resources
took=$(secs_since "$t")
note "stack and its network removed in $took s"
result stack-removed "$took" s "" "" "stack and its network removed"

# ---- 6. networks: default bridge vs user-defined ----------------------------------------------

STEP="6a default bridge: CLUSTER_MEMBERS=slip"
t=$(now_ms)
docker run -d --name disco-e2e-lonely-poule --label "$LABEL" -e CLUSTER_MEMBERS=slip "${SECRET_ARGS[@]}" \
  disco/poule:0.0.2 >/dev/null
# shellcheck disable=SC2016
wait_until 60 "poule on the default bridge exits" \
  bash -c '[ "$(docker inspect -f "{{.State.Status}}" disco-e2e-lonely-poule)" = exited ]'
code=$(docker inspect -f '{{.State.ExitCode}}' disco-e2e-lonely-poule)
line=$(docker logs disco-e2e-lonely-poule 2>&1 | grep -E "cannot resolve '?slip'?" || true)
[ "$code" -ne 0 ] || fail "poule exited 0 although it cannot resolve slip"
[ "$(grep -c . <<<"$line")" -eq 1 ] || fail "expected one line about not resolving slip, got: ${line:-nothing}"
note "exit $code after $WAITED s, said: $line"
result bridge-poule-exited "$WAITED" s "" "" "poule on the default bridge exited, unable to resolve slip"
result bridge-poule-exit-code "$code" code "" "" "poule's exit code on the default bridge"

STEP="6b user-defined network"
t=$(now_ms)
docker network create --label "$LABEL" "$NET" >/dev/null
docker run -d --name disco-e2e-slip --label "$LABEL" --network "$NET" --network-alias slip \
  -e CLUSTER_MEMBERS=slip "${SECRET_ARGS[@]}" disco/slip:0.0.2 >/dev/null
docker run -d --name disco-e2e-poule --label "$LABEL" --network "$NET" --network-alias poule \
  -p "127.0.0.1:$BRIDGE_PORT:8080" -e CLUSTER_MEMBERS=slip "${SECRET_ARGS[@]}" disco/poule:0.0.2 >/dev/null
slip_host=$(docker inspect -f '{{.Config.Hostname}}' disco-e2e-slip)
wait_until 120 "poule calls slip on $NET" bash -c "curl -fsS --max-time 3 http://127.0.0.1:$BRIDGE_PORT/api/stats \
  | jq -e --arg h $slip_host '.perHost[\$h].calls > 0 and .errors == 0'"
note "poule resolved slip and called it after $WAITED s, 0 failed calls"
result user-network-called "$WAITED" s "" "" "poule on a user-defined network resolved slip and called it"
pass

# ---- 7. docker-compose: the same images on one engine, without swarm ---------------------------

STEP="7 docker-compose up, scale 3, kill"
t=$(now_ms)
POULE_URL="http://127.0.0.1:$COMPOSE_PORT"
compose up -d >/dev/null 2>&1 || fail "docker-compose up failed"
compose_slips() { docker ps --filter "label=com.docker.compose.project=$COMPOSE_PROJECT" \
  --filter "label=com.docker.compose.service=slip" --filter health=healthy --format '{{.ID}}' | sort; }
# every healthy slip container has a record and was called since SINCE_MS
compose_serving() { # N SINCE_MS
  local ids cluster s
  ids=$(compose_slips | jq -R . | jq -sc .) && cluster=$(api /cluster) && s=$(stats) || return 1
  jq -en --argjson ids "$ids" --argjson c "$cluster" --argjson s "$s" --argjson n "$1" --argjson since "$2" '
    ([$c.records[] | select(.name == "slip") | .metadata.hostname] | sort) as $r
    | ($ids | length) == $n and $r == $ids and all($r[]; ($s.perHost[.].lastSeen // 0) >= $since)'
}
wait_until 180 "compose: poule calls its slip" compose_serving 1 "$t"
note "up: poule calls the one slip after $WAITED s"
result compose-up-called "$WAITED" s "" "" "docker-compose up: poule calls the one slip"
E=$(errors)
t=$(now_ms)
compose up -d --scale slip=3 >/dev/null 2>&1 || fail "docker-compose up --scale slip=3 failed"
wait_until 120 "compose: 3 slips called" compose_serving 3 "$t"
note "scaled to 3: all 3 called after $WAITED s"
result compose-scale-called "$WAITED" s "" "" "docker-compose scaled to 3: all 3 called"
victim=$(compose_slips | head -n 1)
t=$(now_ms)
docker kill "$victim" >/dev/null
POLL_S=0.1 wait_until 60 "compose: record of killed slip $victim gone" record_absent "$victim"
check_limit compose-kill-record-removed "$WAITED" "$RECORD_GONE_S" "$RECORD_GONE_BOUND_S" "record of killed $victim gone"
errors_delta_zero compose-kill-failed-calls "$E"
t=$(now_ms)
compose down >/dev/null 2>&1 || fail "docker-compose down failed"
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT")" ] || fail "compose left containers"
took=$(secs_since "$t")
note "down: containers and network removed in $took s"
result compose-down "$took" s "" "" "docker-compose down: containers and network removed"
pass

[ "${#FAILURES[@]}" -eq 0 ] || { say "${#FAILURES[@]} promise(s) broken"; exit 1; }
say "all steps passed"
