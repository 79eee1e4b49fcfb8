#!/usr/bin/env bash
# Profiles one server under the load of measurement 1, with Java Flight Recorder, and prints where its CPU went.
#   bench/profile.sh slip|bare [C] [seconds]     (defaults: C=2000, 10 s; server on CPU 0, wrk on CPU 1)
# Prints: samples per thread, the hottest top frames, GC pauses; keeps the .jfr in the printed folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: bench/profile.sh slip|bare [C] [seconds]}
c=${2:-2000}
seconds=${3:-10}
dir=$(mktemp -d /tmp/disco-profile.XXXXXX)
port=$((20000 + RANDOM % 10000))
jfr_opts="-XX:StartFlightRecording=filename=$dir/$target.jfr,settings=profile"
ulimit -n "$(ulimit -Hn)"
[ -f "$root/bench/target/bench.jar" ] || mvn -B -q -f "$root/bench/pom.xml" package >&2

case "$target" in
  slip) HTTP_PORT=$port CLUSTER_NAME=profile-$RANDOM$RANDOM CLUSTER_SECRET=$(head -c 24 /dev/urandom | base64) CLUSTER_HOST=127.0.0.1 CLUSTER_PORT=$((port + 1)) \
          CLUSTER_MEMBERS=127.0.0.1:$((port + 1)) HOSTNAME=profiled \
          taskset -c 0 java "$jfr_opts" -jar "${SLIP_JAR:-$root/slip/target/slip.jar}" >"$dir/server.log" 2>&1 &
        ready=/health/ready ;;
  bare) HTTP_PORT=$port taskset -c 0 java "$jfr_opts" -cp "$root/bench/target/bench.jar" disco.bench.BareServer \
          >"$dir/server.log" 2>&1 &
        ready=/ ;;
  *) echo "usage: bench/profile.sh slip|bare [C] [seconds]" >&2; exit 2 ;;
esac
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$ready" || true)" = 200 ] && break
  sleep 0.1
done
taskset -c 1 wrk -t1 -c"$c" -d3s --timeout 10s "http://127.0.0.1:$port/" >/dev/null
taskset -c 1 wrk -t1 -c"$c" -d"${seconds}s" --timeout 10s --latency "http://127.0.0.1:$port/" | grep -E 'Requests/sec|99%|50%|errors'
kill -TERM $server
for _ in $(seq 1 300); do kill -0 $server 2>/dev/null || break; sleep 0.1; done
trap - EXIT

echo "== $target at C=$c: execution samples per thread (warm-up and idle included)"
jfr print --events jdk.ExecutionSample "$dir/$target.jfr" >"$dir/samples.txt"
grep -o 'sampledThread = "[^"]*"' "$dir/samples.txt" | sed 's/[0-9]*"$/"/' | sort | uniq -c | sort -rn | head -12
echo "== hottest top frames"
awk '/stackTrace = \[/{getline; sub(/^ */, ""); sub(/line:.*/, ""); print}' "$dir/samples.txt" \
  | sort | uniq -c | sort -rn | head -25
echo "== GC pauses (collector: count, total ms, longest ms)"
jfr print --events jdk.GarbageCollection "$dir/$target.jfr" | awk '
  /name = / { name = $3 }
  /longestPause = / { v = $3; if ($4 == "s") v *= 1000; if ($4 == "us") v /= 1000
                      n[name]++; sum[name] += v; if (v > max[name]) max[name] = v }
  END { for (k in n) printf "%s: %d, %.1f, %.1f\n", k, n[k], sum[k], max[k] }'
echo "recording and logs: $dir"
