#!/usr/bin/env bash
# The images, measured as swarm runs them: each container under the stack's limits (slip and poule
# 1 CPU and 512 MiB, the watcher 0.5 CPU and 384 MiB), on a user-defined network of this engine.
# Prints a Markdown section (bench/run.sh image puts it in its report):
#   - the size of every image (docker image inspect), and of the base image;
#   - start, from the container's start (State.StartedAt: the JVM is exec'd) to /health/ready 200:
#     a slip forming a cluster of one, and a slip joining a running cluster of 5 slips;
#   - RSS: a slip idle 10 s after ready; a slip under 5000 requests in flight (wrk, with its p99);
#     poule calling 5 slips and the watcher watching them, 30 s after their start.
#   bench/image.sh [--no-cds]    --no-cds: start the slips without their AppCDS archive
# Knobs: BENCH_IMAGE_RUNS (3), BENCH_IMAGE_TAG (the jar's version, 0.0.2), BENCH_IMAGE_LOAD_S (20).
#   BENCH_IMAGE_ENV: KEY=VALUE pairs, space-separated, given to every container, to try a setting
#   without building images again (MALLOC_ARENA_MAX=2, or JAVA_TOOL_OPTIONS=-Xss512k; no spaces in a value).
#   BENCH_IMAGE_JAVA_OPTS: JVM flags for every container, spaces allowed (its JAVA_TOOL_OPTIONS).
# Needs a running engine (docker/engine.sh start), the images (docker/build-images.sh) and wrk.
# Traffic goes only to the containers it starts, which it removes on exit.
set -euo pipefail

cds=1
if [ "${1:-}" = --no-cds ]; then cds=0; fi
runs=${BENCH_IMAGE_RUNS:-3}
tag=${BENCH_IMAGE_TAG:-0.0.2}
load_s=${BENCH_IMAGE_LOAD_S:-20}
net=disco-bench-image
label=disco.bench=image

die() { echo "bench/image: ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
cleanup() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
}
trap cleanup EXIT
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker/engine.sh start)"
for image in "disco/slip:$tag" "disco/poule:$tag" "disco/registry:$tag"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "$image is missing (docker/build-images.sh)"
done
cleanup
docker network create --label "$label" "$net" >/dev/null

# run NAME IMAGE CPUS MEMORY [ENV=VALUE...]: a service container on the network, a member of the
# cluster that every container under the alias "members" forms
run() {
  local name=$1 image=$2 cpus=$3 memory=$4 args
  shift 4
  args=(-d --name "$name" --label "$label" --network "$net" --network-alias members --hostname "$name"
    --cpus "$cpus" --memory "$memory" -e CLUSTER_INSECURE=true -e CLUSTER_NAME=bench-image
    -e CLUSTER_MEMBERS=members)
  # shellcheck disable=SC2206 # split on spaces on purpose: one pair per word
  local extra=(${BENCH_IMAGE_ENV:-})
  for kv in "$@" "${extra[@]}"; do args+=(-e "$kv"); done
  if [ -n "${BENCH_IMAGE_JAVA_OPTS:-}" ]; then args+=(-e "JAVA_TOOL_OPTIONS=$BENCH_IMAGE_JAVA_OPTS"); fi
  if [ "$cds" = 0 ]; then
    args+=(--entrypoint java "$image" @/app/jvm.options -jar /app/service.jar)
  else
    args+=("$image")
  fi
  docker run "${args[@]}" >/dev/null
}
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$1"; }
# milliseconds from NAME's start to its /health/ready answering 200 (fails after 60 s)
ready_after() {
  local name=$1 ip ready=""
  ip=$(ip_of "$name")
  for _ in $(seq 1 3000); do
    if curl -fsS -o /dev/null --max-time 1 "http://$ip:8080/health/ready" 2>/dev/null; then
      ready=$(now_ms)
      break
    fi
    sleep 0.02
  done
  [ -n "$ready" ] || { docker logs "$name" 2>&1 | tail -n 20 >&2; die "$name not ready within 60 s"; }
  echo $(( ready - $(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$name")" +%s%3N) ))
}
rss_mib() { docker exec "$1" sh -c 'grep VmRSS /proc/1/status' | awk '{ printf "%d", $2 / 1024 }'; }
members_seen() { curl -fsS --max-time 2 "http://$(ip_of "$1"):8080/cluster" | jq '.members | length'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%d", $1 / 1e6 }'; }

echo "### Images under the stack's limits"
echo
echo "Measured by \`bench/image.sh$([ "$cds" = 0 ] && echo ' --no-cds')\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $runs runs per start figure.${BENCH_IMAGE_ENV:+ Every container also had: $BENCH_IMAGE_ENV.}${BENCH_IMAGE_JAVA_OPTS:+ JVM flags added to every container: \`$BENCH_IMAGE_JAVA_OPTS\`.}"
echo
echo "| image | size |"
echo "|---|---|"
for image in "disco/slip:$tag" "disco/poule:$tag" "disco/registry:$tag"; do
  echo "| $image | $(mb "$image") MB |"
done
if docker image inspect disco/jre-base:17-jlink >/dev/null 2>&1; then
  echo "| disco/jre-base:17-jlink (their base: jlink runtime, Debian's libraries) | $(mb disco/jre-base:17-jlink) MB |"
fi
echo

# a slip forming a cluster of one: started alone, measured, RSS 10 s later, removed
starts=() rss=()
for i in $(seq 1 "$runs"); do
  run "disco-bench-alone-$i" "disco/slip:$tag" 1 512m
  starts+=("$(ready_after "disco-bench-alone-$i")")
  sleep 10
  rss+=("$(rss_mib "disco-bench-alone-$i")")
  docker rm -f "disco-bench-alone-$i" >/dev/null
done
alone_start=$(median "${starts[@]}") alone_range=$(range "${starts[@]}")
idle=$(median "${rss[@]}") idle_range=$(range "${rss[@]}")

# a running cluster of 5 slips, then a sixth joining it, started and removed $runs times
for i in 1 2 3 4 5; do
  run "disco-bench-slip-$i" "disco/slip:$tag" 1 512m
  ready_after "disco-bench-slip-$i" >/dev/null
done
joins=()
for i in $(seq 1 "$runs"); do
  run "disco-bench-joiner-$i" "disco/slip:$tag" 1 512m
  joins+=("$(ready_after "disco-bench-joiner-$i")")
  n=$(members_seen "disco-bench-joiner-$i")
  [ "$n" = 6 ] || die "the joining slip sees $n members, not 6: it did not join the running cluster"
  docker stop -t 30 "disco-bench-joiner-$i" >/dev/null
  docker rm -f "disco-bench-joiner-$i" >/dev/null
  sleep 10 # the 5 settle (partitions migrated back): the next joiner meets a running cluster, not a departure
done
join_start=$(median "${joins[@]}") join_range=$(range "${joins[@]}")

# poule calling the 5 slips and a watcher, both under their limits
run disco-bench-poule "disco/poule:$tag" 1 512m
run disco-bench-watcher "disco/registry:$tag" 0.5 384m
ready_after disco-bench-poule >/dev/null
sleep 30
poule_rss=$(rss_mib disco-bench-poule)
watcher_rss=$(rss_mib disco-bench-watcher)
docker rm -f disco-bench-poule disco-bench-watcher >/dev/null

# one slip under 5000 requests in flight, from wrk on this machine, RSS sampled every second
target=disco-bench-slip-1
ulimit -n "$(ulimit -Hn)"
wrk_out=$(mktemp)
wrk -t 2 -c 5000 -d "${load_s}s" --timeout 10s --latency "http://$(ip_of "$target"):8080/" >"$wrk_out" 2>&1 &
wrk_pid=$!
peak=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  r=$(rss_mib "$target" 2>/dev/null || echo 0)
  [ "$r" -gt "$peak" ] && peak=$r
  sleep 1
done
wait "$wrk_pid" || die "wrk failed: $(cat "$wrk_out")"
p99=$(awk '$1 == "99%" { print $2 }' "$wrk_out")
rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$wrk_out")
errors=$(awk '/Socket errors|Non-2xx/ { print }' "$wrk_out" | tr '\n' ' ')
rm -f "$wrk_out"

echo "| figure | measured |"
echo "|---|---|"
echo "| start, slip forming a cluster of one (StartedAt to ready) | median $alone_start ms ($alone_range) |"
echo "| start, slip joining a running cluster of 5 | median $join_start ms ($join_range) |"
echo "| slip idle RSS, 10 s after ready | median $idle MiB ($idle_range) |"
echo "| slip RSS under 5000 requests in flight (peak of 1 s samples, ${load_s} s) | $peak MiB, p99 $p99, $rps req/s${errors:+, $errors} |"
echo "| poule RSS, calling 5 slips for 30 s | $poule_rss MiB |"
echo "| watcher RSS, 30 s after start | $watcher_rss MiB |"
echo
echo "Slip's delay is 100 ms, so a p99 near 100 ms means no request waited on the JVM."
