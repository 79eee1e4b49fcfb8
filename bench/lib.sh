# Shared by the membership scripts: service JVMs on loopback, each with its own log and pid in $DIR.
# Every process started here is killed by `stop_all` (the scripts trap EXIT to it).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(mktemp -d /tmp/disco-membership.XXXXXX)
CLUSTER=bench-$$-$RANDOM
# one secret per run: the services refuse to start without one
SECRET=$(head -c 24 /dev/urandom | base64)

# start NAME MODULE [ENV=VALUE...]: with the JVM flags and AppCDS archive ./disco starts MODULE with,
# and in a session of its own, as ./disco starts it
start() {
  local name=$1 module=$2 flags; shift 2
  mapfile -t flags <<<"${JVM_FLAGS[$module]}"
  env CLUSTER_NAME="$CLUSTER" CLUSTER_SECRET="$SECRET" HOSTNAME="$name" HTTP_PORT=0 "$@" \
    setsid java "${flags[@]}" -jar "$ROOT/$module/target/$module.jar" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

# port NAME: waits (at most 60 s) for "ready on port N" and prints N
port() {
  local tries
  for tries in $(seq 1 1200); do
    grep -oE 'ready on port [0-9]+' "$DIR/$1.log" 2>/dev/null | grep -oE '[0-9]+$' && return 0
    sleep 0.05
  done
  echo "$1 not ready after 60 s: $DIR/$1.log" >&2
  return 1
}

pid() { cat "$DIR/$1.pid"; }
now_ms() { date +%s%3N; }
# under set -e a failed kill (a process already gone) would end the script before the others are killed
stop_all() {
  local f
  for f in "$DIR"/*.pid; do
    [ -e "$f" ] || continue
    kill -9 "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  wait 2>/dev/null || true
}

for jar in slip poule; do
  [ -f "$ROOT/$jar/target/$jar.jar" ] || { echo "missing $jar/target/$jar.jar: mvn -B package -DskipTests" >&2; exit 2; }
done
# the archives ./disco's flags name, made when stale, as ./disco up does
"$ROOT/disco" archives >&2
# each module's flags, one per line, asked once: a start that a script times runs java and nothing else
declare -A JVM_FLAGS=()
for jar in slip poule; do
  JVM_FLAGS[$jar]=$("$ROOT/disco" java-flags "$jar/target/$jar.jar") || exit 2
done
command -v jq >/dev/null || { echo "missing jq: apt-get install -y jq" >&2; exit 2; }
