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

# Every module that jdeps finds in the jars, and every one docker/jre-modules lists (those loaded by
# reflection too), must be in the base image: a jlink base holds only the modules it was made with,
# and a missing one would show only when a service needs it.
check_modules() {
  local base=${BASE_IMAGE:-$(sed -n 's/^ARG BASE_IMAGE=//p' docker/Dockerfile)} needed present missing=
  if ! command -v jdeps >/dev/null 2>&1; then
    echo "build-images: no jdeps here: the base image's modules are not checked" >&2
    return 0
  fi
  needed=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 -q \
             slip/target/slip.jar poule/target/poule.jar registry/target/registry.jar | tr ',' ' ') \
    || die "jdeps cannot read the service jars"
  needed+=" $(grep -v '^#' docker/jre-modules)"
  present=$(docker run --rm --entrypoint java "$base" --list-modules | sed 's/@.*//') \
    || die "cannot list the modules of $base"
  for module in $needed; do
    grep -qx "$module" <<<"$present" || missing+=" $module"
  done
  [ -z "$missing" ] || die "$base lacks the module(s)$missing that the jars need: add them to docker/jre-modules and rebuild it"
}
check_modules

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
