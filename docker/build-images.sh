#!/usr/bin/env bash
# Builds every disco image from the fat jars that `mvn package` left in */target/:
#   disco/slip:0.0.1, disco/slip:<jar version>, disco/slip:0.0.3 (FAULT=unready: the broken release),
#   disco/poule:<jar version>, disco/registry:<jar version> (the membership watcher)
# The three slip releases are one jar built with different build arguments: 0.0.1 and 0.0.2 differ
# by the version that poule's dashboard shows per host; 0.0.3 never becomes ready, so a rolling
# update to it fails its health check and swarm rolls back.
#   BASE_IMAGE  base image for docker/Dockerfile (default: the Dockerfile's eclipse-temurin:17-jre)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

die() { echo "build-images: ERROR: $*" >&2; exit 1; }

jar_version() {
  local jar=$1 tmp version
  tmp=$(mktemp -d)
  (cd "$tmp" && unzip -q -o "$root/$jar" META-INF/MANIFEST.MF 2>/dev/null || jar xf "$root/$jar" META-INF/MANIFEST.MF) \
    || { rm -rf "$tmp"; die "cannot read the manifest of $jar"; }
  version=$(tr -d '\r' <"$tmp/META-INF/MANIFEST.MF" | sed -n 's/^Implementation-Version: //p' | head -n 1)
  rm -rf "$tmp"
  [ -n "$version" ] || die "$jar has no Implementation-Version in its manifest"
  echo "$version"
}

for service in slip poule registry; do
  [ -f "$service/target/$service.jar" ] \
    || die "$service/target/$service.jar is missing: run 'mvn -B package -DskipTests' at $root first"
done
version=$(jar_version slip/target/slip.jar)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
base_args=()
if [ -n "${BASE_IMAGE:-}" ]; then base_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi

build() { # build IMAGE:TAG SERVICE VERSION FAULT
  local image=$1 service=$2 v=$3 fault=$4
  echo "build-images: $image ($service.jar, SERVICE_VERSION=$v, SLIP_FAULT=$fault)" >&2
  # output only on failure: the legacy builder's deprecation notice is noise otherwise
  if ! docker build --quiet -f docker/Dockerfile "${base_args[@]}" \
    --build-arg "SERVICE=$service" --build-arg "VERSION=$v" --build-arg "FAULT=$fault" \
    -t "$image" . >"$log" 2>&1; then
    cat "$log" >&2
    die "docker build of $image failed"
  fi
}

build disco/slip:0.0.1 slip 0.0.1 none
build "disco/slip:$version" slip "$version" none
build disco/slip:0.0.3 slip 0.0.3 unready
build "disco/poule:$version" poule "$version" none
build "disco/registry:$version" registry "$version" none
echo "build-images: done (jar version $version)" >&2
