#!/usr/bin/env bash
# Builds the local JRE base image from Debian's packages (for machines that cannot pull
# eclipse-temurin): mmdebstrap bookworm + openjdk-17-jre-headless, curl, ca-certificates, then
# `docker import`. Skipped when the image already exists.
#   BASE_IMAGE (default disco/jre-base:17-bookworm)  the image name to build
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-disco/jre-base:17-bookworm}
SUITE=${SUITE:-bookworm}

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "base image $BASE_IMAGE already present" >&2
  exit 0
fi
if ! command -v mmdebstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "mmdebstrap is missing and installing it needs root" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null; }
fi

work=$(mktemp -d /tmp/disco-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building $BASE_IMAGE with mmdebstrap ($SUITE, this machine's apt sources)" >&2
# keep /usr/share/man: the JRE's update-alternatives step fails without it
mmdebstrap --quiet --variant=apt --include=openjdk-17-jre-headless,curl,ca-certificates \
  "$SUITE" "$work/rootfs.tar"
docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  "$work/rootfs.tar" "$BASE_IMAGE" >/dev/null
echo "built $BASE_IMAGE: $(docker run --rm "$BASE_IMAGE" java -version 2>&1 | head -n 1)" >&2
