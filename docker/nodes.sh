#!/usr/bin/env bash
# A multi-node Docker Swarm on one machine: each node is a container of the outer engine that runs
# its own dockerd (nested engine), all on one bridge network, all swarm managers (so raft keeps a
# quorum when one node is lost). Node I is container disco-node-I, hostname node-I, address
# 172.29.118.(10+I) on network disco-nodes; its engine also listens on the host at
# /run/disco-nodes/node-I/docker.sock, so talking to a node needs no `docker exec`.
# Idempotent (`up` also repairs lost nodes); touches only what it made (label disco.nodes=1).
#   docker/nodes.sh up [N]        N nodes (default 3) in one swarm; builds the node image once
#   docker/nodes.sh load IMAGE... copy images from the outer engine into every node (skips present ones)
#   docker/nodes.sh status        nodes, their engines, `docker node ls` from node 1
#   docker/nodes.sh env [I]       prints `export DOCKER_HOST=...` for node I (default 1): eval "$(...)"
#   docker/nodes.sh ip I          prints node I's address on the nodes' network
#   docker/nodes.sh down          removes the nodes, their network and the host socket folder
# NODE_IMAGE (default disco/swarm-node:bookworm), NODES_ENGINE_TIMEOUT_S, NODES_READY_TIMEOUT_S
set -euo pipefail

NODE_IMAGE=${NODE_IMAGE:-disco/swarm-node:bookworm}
NET=disco-nodes
SUBNET_PREFIX=172.29.118
RUN_DIR=/run/disco-nodes
LABEL=disco.nodes=1
# the nodes share the host's cgroup tree: their containers' cgroups go under this one, not /docker
CGROUP=disco-nodes
ENGINE_TIMEOUT_S=${NODES_ENGINE_TIMEOUT_S:-60}
READY_TIMEOUT_S=${NODES_READY_TIMEOUT_S:-90}
HERE=$(cd "$(dirname "$0")" && pwd)

log() { printf 'nodes: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# After `eval "$(docker/nodes.sh env)"` DOCKER_HOST points at node 1; the outer engine is meant here.
case "${DOCKER_HOST:-}" in unix://"$RUN_DIR"/*) unset DOCKER_HOST ;; esac

name() { echo "disco-node-$1"; }
node_ip() { echo "$SUBNET_PREFIX.$((10 + $1))"; }
sock() { echo "unix://$RUN_DIR/node-$1/docker.sock"; }
# `docker` against node I's engine, through its socket on the host
nd() { local i=$1; shift; DOCKER_HOST=$(sock "$i") timeout 60 docker "$@"; }
answering() { DOCKER_HOST=$(sock "$1") timeout 5 docker version >/dev/null 2>&1; }
# (a missing container still prints an empty line, hence the variable)
state() { local s; s=$(docker container inspect -f '{{.State.Status}}' "$(name "$1")" 2>/dev/null) || s=absent; echo "$s"; }
# indexes of the node containers this script made, in order
indexes() { docker ps -a --filter "label=$LABEL" --format '{{.Label "disco.nodes.index"}}' | sort -n; }
number() { [[ $1 =~ ^[1-9][0-9]*$ ]] && [ "$1" -le 200 ] || die "'$1' is not a node number (1..200)"; }

outer_answering() { timeout 10 docker info >/dev/null 2>&1; }
outer_engine() { outer_answering || "$HERE/engine.sh" start || die "outer engine did not start"; }

build_image() {
  if docker image inspect "$NODE_IMAGE" >/dev/null 2>&1; then return; fi
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "mmdebstrap is missing and installing it needs root"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null; } \
      || die "could not install mmdebstrap"
  fi
  local work
  work=$(mktemp -d /tmp/disco-node-image.XXXXXX)
  log "building $NODE_IMAGE with mmdebstrap (this machine's apt sources, about a minute)"
  # no registry here: the image is made from Debian's packages, like the JRE base image
  if ! mmdebstrap --quiet --variant=apt --include=docker.io,iptables,iproute2,procps,ca-certificates \
      bookworm "$work/rootfs.tar" \
    || ! docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["dockerd"]' "$work/rootfs.tar" "$NODE_IMAGE" >/dev/null; then
    rm -rf "$work"; die "building $NODE_IMAGE failed"
  fi
  rm -rf "$work"
}

network() {
  local labels
  if labels=$(docker network inspect -f '{{index .Labels "disco.nodes"}}' "$NET" 2>/dev/null); then
    [ "$labels" = 1 ] || die "network $NET exists but was not made by this script"
    return
  fi
  docker network create --driver bridge --subnet "$SUBNET_PREFIX.0/24" --label "$LABEL" "$NET" >/dev/null \
    || die "could not create network $NET ($SUBNET_PREFIX.0/24 taken?)"
}

run_node() { # I DRIVER
  local i=$1
  mkdir -p "$RUN_DIR/node-$i"
  # --privileged is refused on this kernel: these are the capabilities that nested dockerd needs
  docker run -d --name "$(name "$i")" --hostname "node-$i" --label "$LABEL" --label "disco.nodes.index=$i" \
    --network "$NET" --ip "$(node_ip "$i")" \
    --cap-add ALL --cap-drop MAC_ADMIN --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --tmpfs /var/lib/docker:exec -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$RUN_DIR/node-$i:/run/outer" \
    "$NODE_IMAGE" dockerd --storage-driver="$2" --cgroup-parent="/$CGROUP/node-$i" \
    -H unix:///var/run/docker.sock -H unix:///run/outer/docker.sock >/dev/null \
    || die "could not start $(name "$i")"
}

wait_engine() { # I: 0 answering, 1 the container stopped, dies on timeout
  local i=$1 deadline=$((SECONDS + ENGINE_TIMEOUT_S))
  until answering "$i"; do
    [ "$(state "$i")" = running ] || return 1
    [ "$SECONDS" -lt "$deadline" ] || { docker logs --tail 20 "$(name "$i")" >&2 || true
      die "engine of node $i did not answer within ${ENGINE_TIMEOUT_S}s"; }
    sleep 0.5
  done
}

KEPT_NODES=0 # nodes 2..N that were running already: the members node 1's swarm still has
start_nodes() { # N
  local i
  for i in $(seq 1 "$1"); do
    # /var/lib/docker is a tmpfs: a stopped node has lost its swarm state, so it is made anew
    case $(state "$i") in
      running) [ "$i" -eq 1 ] || KEPT_NODES=$((KEPT_NODES + 1)); continue ;;
      absent) ;; *) docker rm -f "$(name "$i")" >/dev/null ;;
    esac
    run_node "$i" overlay2
  done
  for i in $(seq 1 "$1"); do
    wait_engine "$i" && continue
    # overlay2 on tmpfs needs kernel support that some machines lack; vfs always works, only slower
    log "node $i: dockerd with overlay2 stopped ($(docker logs --tail 1 "$(name "$i")" 2>&1)); trying vfs"
    docker rm -f "$(name "$i")" >/dev/null
    run_node "$i" vfs
    wait_engine "$i" || { docker logs --tail 20 "$(name "$i")" >&2 || true; die "dockerd of node $i stopped (vfs)"; }
  done
}

swarm_info() { nd "$1" info --format "{{.Swarm.$2}}"; }
ready_count() { nd 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true; }
total_count() { nd 1 node ls -q 2>/dev/null | wc -l; }

form_swarm() { # N
  local n=$1 i cluster="" managers token live id
  # `docker info` on a manager whose swarm lost its quorum blocks for 10-20 s: ask the other
  # nodes about their swarm only when node 1's swarm is an existing one they may belong to
  if [ "$(swarm_info 1 LocalNodeState)" != active ]; then
    log "swarm init on node 1 ($(node_ip 1))"
    nd 1 swarm init --advertise-addr "$(node_ip 1)" >/dev/null || die "swarm init on node 1 failed"
  else
    cluster=$(swarm_info 1 Cluster.ID)
    managers=$(swarm_info 1 Managers) # 0 once raft has noticed it has no leader
    if [ "$managers" -eq 0 ] || [ $((2 * (1 + KEPT_NODES))) -le "$managers" ]; then
      # half of the managers or more were lost: raft cannot elect a leader again (joins would
      # time out); node 1 restarts the swarm alone, keeping its services and networks
      log "node 1's swarm lost its quorum: swarm init --force-new-cluster"
      nd 1 swarm init --force-new-cluster --advertise-addr "$(node_ip 1)" >/dev/null || die "force-new-cluster failed"
      cluster="" # the surviving nodes are in the old raft: all rejoin
    fi
  fi
  token=$(nd 1 swarm join-token -q manager) || die "no manager join token from node 1"
  for i in $(seq 2 "$n"); do
    [ -n "$cluster" ] && [ "$(swarm_info "$i" Cluster.ID 2>/dev/null)" = "$cluster" ] && continue
    # a node still in the swarm of a replaced node 1 must leave it first (an error if in none)
    nd "$i" swarm leave --force >/dev/null 2>&1 || true
    log "node $i joins as manager"
    nd "$i" swarm join --token "$token" --advertise-addr "$(node_ip "$i")" "$(node_ip 1):2377" >/dev/null \
      || die "node $i could not join the swarm (start anew: docker/nodes.sh down; docker/nodes.sh up $n)"
  done
  # entries of replaced nodes would count as absent managers in raft's quorum: remove them
  live=$(for i in $(seq 1 "$n"); do swarm_info "$i" NodeID; done)
  for id in $(nd 1 node ls -q); do
    grep -qx "$id" <<<"$live" && continue
    log "removing stale swarm node $id"
    nd 1 node demote "$id" >/dev/null 2>&1 || true
    nd 1 node rm --force "$id" >/dev/null || die "could not remove stale node $id"
  done
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until [ "$(ready_count)" -eq "$n" ] && [ "$(total_count)" -eq "$n" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { nd 1 node ls >&2 || true; die "swarm not $n Ready nodes within ${READY_TIMEOUT_S}s"; }
    sleep 1
  done
}

up() {
  local n=${1:-3} i extra
  number "$n"
  outer_engine
  extra=$(indexes | awk -v n="$n" '$1 > n' | tr '\n' ' ')
  [ -z "$extra" ] || die "nodes beyond $n exist (${extra% }): run 'docker/nodes.sh down' first"
  local all=yes
  for i in $(seq 1 "$n"); do [ "$(state "$i")" = running ] && answering "$i" || all=no; done
  if [ $all = yes ] && [ "$(swarm_info 1 LocalNodeState)" = active ] \
    && [ "$(ready_count)" -eq "$n" ] && [ "$(total_count)" -eq "$n" ]; then
    log "$n nodes already up, swarm of $n Ready nodes"; return
  fi
  build_image
  network
  start_nodes "$n"
  form_swarm "$n"
  log "swarm of $n Ready managers; node 1: eval \"\$(docker/nodes.sh env)\""
}

load() {
  [ $# -gt 0 ] || die "usage: docker/nodes.sh load IMAGE..."
  local nodes image id i
  nodes=$(indexes)
  [ -n "$nodes" ] || die "no nodes: run 'docker/nodes.sh up' first"
  work=$(mktemp -d /tmp/disco-nodes-load.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  for image in "$@"; do
    id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) || die "image $image not in the outer engine"
    local saved=no
    for i in $nodes; do
      answering "$i" || die "engine of node $i does not answer"
      [ "$(nd "$i" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" = "$id" ] && continue
      # one save per image, only when some node needs it
      [ $saved = yes ] || { docker save -o "$work/image.tar" "$image" || die "docker save $image failed"; saved=yes; }
      log "loading $image into node $i"
      DOCKER_HOST=$(sock "$i") timeout 600 docker load -q -i "$work/image.tar" >/dev/null || die "loading $image into node $i failed"
    done
    rm -f "$work/image.tar"
  done
}

status() {
  local i nodes
  outer_answering || die "the outer engine does not answer (docker/engine.sh start)"
  nodes=$(indexes)
  [ -n "$nodes" ] || { echo "no nodes"; return; }
  for i in $nodes; do
    if answering "$i"; then
      echo "node $i $(node_ip "$i") $(state "$i"): engine $(nd "$i" info --format \
        '{{.ServerVersion}}, storage {{.Driver}}, swarm {{.Swarm.LocalNodeState}}')"
    else
      echo "node $i $(node_ip "$i") $(state "$i"): engine not answering"
    fi
  done
  answering 1 && nd 1 node ls 2>/dev/null || echo "no swarm view from node 1"
}

down() {
  local ids
  outer_answering || die "the outer engine does not answer: start it (docker/engine.sh start) to remove the nodes"
  ids=$(docker ps -aq --filter "label=$LABEL")
  # a task left paused (a test that stopped mid-freeze) is a frozen cgroup: its node cannot exit
  # until it thaws, and `docker rm -f` of the node then fails
  local f
  for f in $(find /sys/fs/cgroup -path "*/$CGROUP/*" \( -name freezer.state -o -name cgroup.freeze \) 2>/dev/null); do
    case $f in
      */freezer.state) echo THAWED >"$f" 2>/dev/null || true ;;
      *) echo 0 >"$f" 2>/dev/null || true ;;
    esac
  done
  # shellcheck disable=SC2086  # one argument per id
  [ -z "$ids" ] || { log "removing $(wc -w <<<"$ids") node containers"; docker rm -f $ids >/dev/null; }
  if [ "$(docker network inspect -f '{{index .Labels "disco.nodes"}}' "$NET" 2>/dev/null)" = 1 ]; then
    docker network rm "$NET" >/dev/null
  fi
  rm -rf "$RUN_DIR"
  # a node removed with containers still running leaves their (now empty) cgroups behind;
  # rmdir removes only empty ones, and their processes may take a moment to be gone
  local try d
  for try in 1 2 3 4 5 6; do
    for d in $(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CGROUP"); do
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    [ -n "$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CGROUP")" ] || break
    [ "$try" -lt 6 ] || log "cgroups left under /sys/fs/cgroup/*/$CGROUP (still in use?)"
    sleep 1
  done
  log "down"
}

# one mutating run at a time: a second `up` would race the first for names and addresses
lock() { exec 9<"$0"; flock -w 600 9 || die "another docker/nodes.sh is still running"; }

cmd=${1:-}; shift || true
case $cmd in
  up) lock; up "$@" ;;
  load) lock; outer_engine; load "$@" ;;
  down) lock; down ;;
  status) status ;;
  env) i=${1:-1}; number "$i"; echo "export DOCKER_HOST=$(sock "$i")" ;;
  ip) [ $# -eq 1 ] || die "usage: docker/nodes.sh ip I"; number "$1"; node_ip "$1" ;;
  *) echo "usage: docker/nodes.sh up [N] | load IMAGE... | status | env [I] | ip I | down" >&2; exit 2 ;;
esac
