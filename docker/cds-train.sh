#!/usr/bin/env bash
# Image build step: starts the service once, alone, until it is ready (slip's unready release: until
# it is alive), then stops it with SIGTERM. On that exit the JVM writes every class it loaded to an
# AppCDS archive (Java 17's -XX:ArchiveClassesAtExit); each start of the image maps the archive
# instead of loading and verifying those classes again. docs/BENCHMARKS.md has what it saves.
#   docker/cds-train.sh ARCHIVE JAVA-FLAGS...
# CDS_JAR (the image's /app/service.jar) and CDS_PORT (18080) let ./disco train its jars the same way.
# Fails (and so fails the build) when the service does not come up or no archive was written.
set -euo pipefail

archive=$1
shift
jar=${CDS_JAR:-/app/service.jar}
port=${CDS_PORT:-18080}
log=$(mktemp)
# a cluster of one on loopback, with a throwaway name: nothing outside the build can be reached
export CLUSTER_NAME=cds-training CLUSTER_INSECURE=true CLUSTER_MEMBERS=127.0.0.1 CLUSTER_HOST=127.0.0.1 \
  HTTP_PORT=$port HOSTNAME=cds-training
path=/health/ready
[ "${SLIP_FAULT:-none}" = unready ] && path=/health/live

# GET PATH answered 200, in plain bash: a stock JRE image may have no curl
answers() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" >&3
  read -r -t 4 _ status _ <&3 || status=
  exec 3<&-
  [ "$status" = 200 ]
}

java -XX:ArchiveClassesAtExit="$archive" "$@" -jar "$jar" >"$log" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 600); do
  if answers "$path" 2>/dev/null; then
    up=1
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
# a few requests, so that the classes of serving them are archived too
if [ "$up" = 1 ]; then
  for _ in 1 2 3; do answers / 2>/dev/null || true; done
fi
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true
if [ "$up" != 1 ] || [ ! -s "$archive" ]; then
  echo "cds-train: the service did not come up, or wrote no archive:" >&2
  tail -n 20 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "cds-train: $(du -h "$archive" | cut -f1) archive of the classes a start loads" >&2
