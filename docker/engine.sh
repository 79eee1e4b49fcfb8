#!/usr/bin/env bash
# The local Docker engine for the swarm files and the e2e: install, start, swarm init, stop.
# Idempotent: each step is skipped when already done. /var/lib/docker (images, swarm, stacks)
# survives between runs, so callers must expect leftovers of an earlier run.
#   docker/engine.sh start   install docker.io if dockerd is missing, start dockerd if `docker info`
#                            does not answer, `docker swarm init` if the node is not in a swarm
#   docker/engine.sh stop    stop the dockerd this script started (pid file), nothing else
#   docker/engine.sh status  print engine version and swarm state; exit 1 if the engine does not answer
set -euo pipefail

LOG=${DOCKERD_LOG:-/tmp/disco-dockerd.log}
PIDFILE=${DOCKERD_PIDFILE:-/tmp/disco-dockerd.pid}
START_TIMEOUT_S=${DOCKERD_START_TIMEOUT_S:-60}

log() { printf 'engine: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

install_engine() {
  if command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; then return; fi
  [ "$(id -u)" = 0 ] || die "dockerd is missing and installing docker.io needs root"
  log "installing docker.io from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q docker.io >/dev/null
  command -v dockerd >/dev/null 2>&1 || die "docker.io installed but dockerd is not on PATH"
}

answering() { timeout 10 docker info >/dev/null 2>&1; }

start_daemon() {
  if answering; then log "dockerd already answering"; return; fi
  log "starting dockerd (log $LOG)"
  setsid dockerd >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until answering; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      tail -n 20 "$LOG" >&2 || true
      die "dockerd exited during start-up (see $LOG)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$LOG" >&2 || true
      die "dockerd did not answer within ${START_TIMEOUT_S}s (see $LOG)"
    fi
    sleep 0.5
  done
  log "dockerd answering: $(docker version --format '{{.Server.Version}}')"
}

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}'; }

init_swarm() {
  local state
  state=$(swarm_state)
  if [ "$state" = active ]; then log "swarm already active"; return; fi
  log "swarm state '$state': docker swarm init"
  if ! docker swarm init >/dev/null 2>/tmp/disco-swarm-init.err; then
    # several addresses on the host: advertise the default route's interface address
    local addr
    addr=$(ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1)}')
    [ -n "$addr" ] || { cat /tmp/disco-swarm-init.err >&2; die "swarm init failed and no address to advertise"; }
    docker swarm init --advertise-addr "$addr" >/dev/null || die "docker swarm init --advertise-addr $addr failed"
  fi
  [ "$(swarm_state)" = active ] || die "swarm not active after init"
  log "swarm active"
}

stop_daemon() {
  if [ ! -s "$PIDFILE" ]; then log "no dockerd started by this script"; return; fi
  local pid
  pid=$(cat "$PIDFILE")
  if ! kill -0 "$pid" 2>/dev/null; then log "dockerd $pid already gone"; rm -f "$PIDFILE"; return; fi
  log "stopping dockerd $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "dockerd $pid still running after 30 s: SIGKILL"; kill -KILL "$pid" || true; fi
  rm -f "$PIDFILE"
  log "dockerd stopped"
}

case "${1:-start}" in
  start) install_engine; start_daemon; init_swarm ;;
  stop) stop_daemon ;;
  status)
    answering || { log "engine not answering"; exit 1; }
    echo "engine $(docker version --format '{{.Server.Version}}'), swarm $(swarm_state)" ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
