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
# With BENCH_RESULTS set (bench/run.sh image sets it), also appends every figure of its tables to that
# file as JSON lines (docs/results/README.md: bench "image"; bench/run.sh adds commit, run, machine).
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
  rm -f "${figures:-}"
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
# wrk's latency ("742.00ms", "1.02s", "850.00us") in ms
to_ms() { awk -v v="$1" 'BEGIN { if (v == "") exit; n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }'; }

# figure KEY WHAT VALUE UNIT TARGET PARAMS [SAMPLES...]: one line for $BENCH_RESULTS, kept in $figures
# until the end (a run that dies writes none); VALUE and TARGET numbers ("" for none: null), PARAMS a
# JSON object, SAMPLES the runs an aggregate is of
figures=$(mktemp)
figure() {
  local key=$1 what=$2 value=$3 unit=$4 target=$5 params=$6
  shift 6
  jq -cn --arg key "$key" --arg what "$what" --arg value "$value" --arg unit "$unit" --arg target "$target" \
    --argjson params "$params" --argjson common "$common" --arg samples "$*" \
    '{bench: "image", key: $key, what: $what, value: ($value | if . == "" then null else tonumber end),
      unit: $unit, target: ($target | if . == "" then null else tonumber end), bound: null,
      params: ($common + $params), time: (now | strftime("%Y-%m-%dT%H:%M:%SZ"))}
     + (if $samples == "" then {} else {samples: ($samples | split(" ") | map(tonumber))} end)' >>"$figures"
}
# stats KEY WHAT UNIT TARGET SAMPLES...: median, min and max of the runs, as the table's "median X (min-max)"
stats() {
  local key=$1 what=$2 unit=$3 target=$4 lo_hi
  shift 4
  lo_hi=$(range "$@")
  figure "$key" "$what" "$(median "$@")" "$unit" "$target" '{"stat": "median"}' "$@"
  figure "$key" "$what" "${lo_hi%-*}" "$unit" "$target" '{"stat": "min"}' "$@"
  figure "$key" "$what" "${lo_hi#*-}" "$unit" "$target" '{"stat": "max"}' "$@"
}
# the run's settings, in every line's params
common=$(jq -cn --argjson cds "$([ "$cds" = 1 ] && echo true || echo false)" --arg env "${BENCH_IMAGE_ENV:-}" \
  --arg opts "${BENCH_IMAGE_JAVA_OPTS:-}" --arg tag "$tag" \
  '{tag: $tag, cds: $cds} + (if $env == "" then {} else {env: $env} end)
   + (if $opts == "" then {} else {javaOpts: $opts} end)')

echo "### Images under the stack's limits"
echo
echo "Measured by \`bench/image.sh$([ "$cds" = 0 ] && echo ' --no-cds')\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $runs runs per start figure.${BENCH_IMAGE_ENV:+ Every container also had: $BENCH_IMAGE_ENV.}${BENCH_IMAGE_JAVA_OPTS:+ JVM flags added to every container: \`$BENCH_IMAGE_JAVA_OPTS\`.}"
echo
echo "| image | size |"
echo "|---|---|"
for image in "disco/slip:$tag" "disco/poule:$tag" "disco/registry:$tag"; do
  size=$(mb "$image")
  echo "| $image | $size MB |"
  service=${image#disco/}
  figure size "image size, docker image inspect" "$size" MB 150 "{\"image\": \"${service%%:*}\"}"
done
if docker image inspect disco/jre-base:17-jlink >/dev/null 2>&1; then
  size=$(mb disco/jre-base:17-jlink)
  echo "| disco/jre-base:17-jlink (their base: jlink runtime, Debian's libraries) | $size MB |"
  figure size "image size, docker image inspect" "$size" MB "" '{"image": "jre-base"}'
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
stats start-alone "start, slip forming a cluster of one, StartedAt to ready" ms 1500 "${starts[@]}"
stats idle-rss "slip idle RSS, 10 s after ready" MiB 110 "${rss[@]}"

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
stats start-join "start, slip joining a running cluster of 5" ms 2000 "${joins[@]}"

# poule calling the 5 slips and a watcher, both under their limits
run disco-bench-poule "disco/poule:$tag" 1 512m
run disco-bench-watcher "disco/registry:$tag" 0.5 384m
ready_after disco-bench-poule >/dev/null
sleep 30
poule_rss=$(rss_mib disco-bench-poule)
watcher_rss=$(rss_mib disco-bench-watcher)
docker rm -f disco-bench-poule disco-bench-watcher >/dev/null
figure poule-rss "poule RSS, calling 5 slips for 30 s" "$poule_rss" MiB "" '{}'
figure watcher-rss "watcher RSS, 30 s after start" "$watcher_rss" MiB "" '{}'

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
load="{\"inFlight\": 5000, \"seconds\": $load_s}"
figure load-rss "slip RSS under load, peak of 1 s samples" "$peak" MiB 300 "$load"
figure load-p99 "latency p99 under load, wrk's" "$(to_ms "$p99")" ms "" "$load"
figure load-throughput "requests answered per second under load, wrk's" "$rps" req/s "" "$load"

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
if [ -n "${BENCH_RESULTS:-}" ]; then cat "$figures" >>"$BENCH_RESULTS"; fi
