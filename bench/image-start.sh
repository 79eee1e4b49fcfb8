#!/usr/bin/env bash
# How fast a service image starts, under the stack's limits for slip (1 CPU, 512 MiB): from the
# container's start (docker's State.StartedAt, when the JVM is exec'd) to GET /health/ready = 200,
# for a slip forming a cluster of one. Then its RSS 10 s after ready.
#   bench/image-start.sh [--no-cds] [IMAGE] [RUNS]    (defaults: disco/slip:0.0.2, 3 runs)
#   --no-cds   the same image started without its AppCDS archive, to see what the archive saves
# Needs a running engine (docker/engine.sh start) and the image (docker/build-images.sh). Traffic
# goes to 127.0.0.1 only; every container it starts is removed.
set -euo pipefail

cds=1
if [ "${1:-}" = --no-cds ]; then
  cds=0
  shift
fi
image=${1:-disco/slip:0.0.2}
runs=${2:-3}
port=${BENCH_IMAGE_PORT:-18090}
name=disco-image-start

now_ms() { date +%s%3N; }
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

args=(--name "$name" -d --cpus 1 --memory 512m -p "127.0.0.1:$port:8080"
  -e CLUSTER_INSECURE=true -e CLUSTER_NAME=image-start -e CLUSTER_MEMBERS=127.0.0.1 -e CLUSTER_HOST=127.0.0.1)
if [ "$cds" = 0 ]; then
  args+=(--entrypoint java "$image" -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError
    -Djava.net.preferIPv4Stack=true -Dsun.net.inetaddr.ttl=5 -jar /app/service.jar)
else
  args+=("$image")
fi

echo "image $image, AppCDS archive $([ "$cds" = 1 ] && echo used || echo not used), $runs runs"
starts=()
for run in $(seq 1 "$runs"); do
  cleanup
  docker run "${args[@]}" >/dev/null
  ready=""
  for _ in $(seq 1 1500); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health/ready" 2>/dev/null; then
      ready=$(now_ms)
      break
    fi
    sleep 0.02
  done
  [ -n "$ready" ] || { docker logs "$name" 2>&1 | tail -n 20 >&2; echo "not ready within 30 s" >&2; exit 1; }
  started=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$name")" +%s%3N)
  ms=$(( ready - started ))
  sleep 10
  rss=$(docker exec "$name" sh -c 'grep VmRSS /proc/1/status' | awk '{ printf "%d", $2 / 1024 }')
  echo "run $run: ready after $ms ms, RSS 10 s later $rss MiB"
  starts+=("$ms")
done
printf '%s\n' "${starts[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "median start: %d ms\n", a[int((NR + 1) / 2)] }'
