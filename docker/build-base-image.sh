#!/usr/bin/env bash
# Builds the local Java base image from Debian's packages, for machines that cannot pull
# eclipse-temurin, and small enough that a service image stays under 150 MB:
#   1. a throw-away Debian with openjdk-17-jdk-headless makes a runtime with jlink that holds only
#      the modules the services need (docker/jre-modules, checked against `jdeps` by
#      docker/build-images.sh), with the JDK's default CDS archive that the images' AppCDS
#      archives build on;
#   2. that runtime goes into a root of extracted Debian packages: the libraries it links against,
#      bash, busybox and getent, and nothing else (no package manager, no docs); then `docker import`.
# Skipped when the image exists and was made by this script from this module list (its label
# disco.base.recipe). Needs root (mmdebstrap, chroot) and about 30 s.
#   BASE_IMAGE (default disco/jre-base:17-jlink)  the image name to build
#   SUITE      (default bookworm)                 the Debian release, from this machine's apt sources
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-disco/jre-base:17-jlink}
SUITE=${SUITE:-bookworm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "build-base-image: ERROR: $*" >&2; exit 1; }

modules=$(grep -v '^#' "$here/jre-modules" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
[ -n "$modules" ] || die "$here/jre-modules lists no module"

# the recipe: this script and the module list; an image made from another recipe is made again
recipe=$(cat "${BASH_SOURCE[0]}" "$here/jre-modules" | sha256sum | cut -c1-16)
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  made_from=$(docker image inspect -f '{{ index .Config.Labels "disco.base.recipe" }}' "$BASE_IMAGE" 2>/dev/null || true)
  if [ "$made_from" = "$recipe" ]; then
    echo "base image $BASE_IMAGE already present" >&2
    exit 0
  fi
  echo "base image $BASE_IMAGE was made from another recipe: making it again" >&2
fi
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, and chroot to run jlink)"
if ! command -v mmdebstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap >/dev/null; }
fi
work=$(mktemp -d /tmp/disco-base.XXXXXX)
# proc is unmounted already unless a step failed: under set -e a failed umount here would end the
# trap with its status, and fail a build that succeeded
trap 'umount "$work/jdk/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
log=$work/log
quietly() { "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }; }
echo "building $BASE_IMAGE: a jlink runtime of $modules on Debian $SUITE" >&2

# 1. the runtime. The merged-/usr hook sets /usr up itself: without it apt picks usrmerge, and
# usrmerge a whole Perl.
quietly mmdebstrap --quiet --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --variant=apt \
  --include=openjdk-17-jdk-headless "$SUITE" "$work/jdk"
mount -t proc proc "$work/jdk/proc" # the JDK's launchers find their libraries through /proc/self/exe
# Debian strips its native libraries already (--strip-debug would want objcopy, for nothing).
# --compress=2 (zip) halves lib/modules: the classes a service loads come from its CDS archive,
# so a start barely pays for the inflating (docs/BENCHMARKS.md: start-up).
# java.desktop is there for java.beans only: its native libraries (AWT, fonts, images, sound) would
# bring X11, ALSA and font libraries into the image for nothing a headless service loads.
quietly chroot "$work/jdk" jlink --add-modules "$modules" --strip-java-debug-attributes \
  --no-header-files --no-man-pages --compress=2 --generate-cds-archive \
  --exclude-files='glob:/java.desktop/lib/**.so' --output /opt/java
# the archive for heaps over 32 GB, which no container of ours has
rm "$work/jdk/opt/java/lib/server/classes_nocoops.jsa"

# the Debian packages of the libraries the runtime links against: asked of ldd, not listed by hand
packages=
for lib in $(chroot "$work/jdk" find /opt/java -type f \( -name '*.so' -o -path /opt/java/bin/java \) \
             -exec ldd {} + | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p' | grep -v '^/opt/java/' \
             | xargs -n 1 basename | sort -u); do
  packages+=$(chroot "$work/jdk" dpkg -S "*/$lib" | cut -d: -f1 | sort -u | paste -sd,),
done
packages=$(tr ',' '\n' <<<"${packages%,}" | sort -u | paste -sd,)
umount "$work/jdk/proc"

# 2. the image's root. Extracted, not installed: no maintainer script runs, so this writes the
# little they would have (the user database, the linker's cache, the name service's order).
# bash runs the health check and the CDS training run; busybox (1 MB, against 8 for coreutils and
# their libraries) gives sh, ls, cat, ps, wget and the rest to those scripts and to whoever debugs a
# task; libc-bin its getent, to see what a task's name resolves to (and the e2e's plain client).
root=$work/root
quietly mmdebstrap --quiet --variant=extract --include="$packages,base-files,base-passwd,bash,busybox,libc-bin" \
  --setup-hook='for d in bin sbin lib lib64; do mkdir -p "$1/usr/$d"; ln -s "usr/$d" "$1/$d"; done' \
  "$SUITE" "$root"
rm -rf "$root"/usr/share/{doc,man,info,locale,lintian} "$root"/usr/lib/x86_64-linux-gnu/gconv \
  "$root"/var/cache/* "$root"/var/lib/apt "$root"/var/log/*
cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
ldconfig -r "$root"
for applet in $(chroot "$root" busybox --list); do
  [ -e "$root/usr/bin/$applet" ] || [ -e "$root/usr/sbin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
mkdir -p "$root/opt"
cp -a "$work/jdk/opt/java" "$root/opt/"
tar -C "$root" -cf - . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV JAVA_HOME=/opt/java' \
  --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --change "LABEL disco.base.recipe=$recipe" \
  - "$BASE_IMAGE" >/dev/null
echo "built $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'):" \
  "$packages, bash, busybox, getent):" "$(docker run --rm "$BASE_IMAGE" java -version 2>&1 | head -n 1)" >&2
