#!/usr/bin/env bash
# End-to-end test of the README's first command, with no Docker: `./disco up 2` builds, makes the
# AppCDS archives and starts poule, two slips and the watcher on loopback; then, under poule's load:
#   1. up: both slips called, every JVM started from its archive and in a session of its own
#   2. ./disco add: the new slip called          3. ./disco kill: its record gone, no failed call
#   4. ./disco remove (SIGTERM): the same
#   5. ./disco add greeter: examples/greeter, written against Vert.x's discovery APIs only, publishes
#      itself (poule's /cluster lists it) and answers with what slip, called by name, said
#   6. ./disco add poule-bus: a second poule calls every slip over the event bus; a slip killed and a
#      slip frozen 30 s cost neither poule a call, and the woken slip's consumer is called again
#   7. ./disco down: nothing left running
# Prints a timeline like the other e2e scripts, and stops everything it started.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

E2E_NAME=local-e2e
STEPS_TOTAL=7
# shellcheck source=docker/e2e/lib.sh
. "$root/docker/e2e/lib.sh"

PORT=${E2E_DASHBOARD_PORT:-18180}
POULE_URL="http://127.0.0.1:$PORT"
STATE=$root/.disco
UP_LOG=$(mktemp /tmp/disco-local-e2e.XXXXXX)
UP_PID=""

on_exit() {
  local rc=$?
  trap - EXIT
  set +e
  if [ "$rc" -ne 0 ]; then
    say "---- ./disco up's output, and each process's last lines"
    tail -n 30 "$UP_LOG" >&2
    for log in "$STATE"/*.log; do [ -e "$log" ] && { say "---- $log"; tail -n 15 "$log" >&2; }; done
  fi
  ./disco down >/dev/null 2>&1
  [ -z "$UP_PID" ] || { kill "$UP_PID" 2>/dev/null; wait "$UP_PID" 2>/dev/null; }
  rm -f "$UP_LOG"
  print_timeline "$rc" "$STEPS_TOTAL"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

install_tools curl jq

pid_of() { cat "$STATE/$1.pid"; }
# the slips poule lists, sorted, one per line
instances() { stats | jq -r '[.instances[].hostname] | sort | .[]'; }
# poule lists exactly these slips (sorted, space-separated) and called each since SINCE_MS
serving() { # "SLIP..." SINCE_MS
  local s
  s=$(stats) || return 1
  jq -en --argjson s "$s" --arg want "$1" --argjson since "$2" '
    ([$s.instances[].hostname] | sort | join(" ")) == $want
    and all($want | split(" ")[]; ($s.perHost[.].lastSeen // 0) >= $since)' >/dev/null
}
# the process maps its service's archive: the start read its classes from it
from_archive() { # NAME JAR
  local jsa=${2%.jar}.jsa
  grep -q "$jsa" "/proc/$(pid_of "$1")/maps" || fail "$1 (pid $(pid_of "$1")) did not map $jsa"
}

# ---- 1. up ---------------------------------------------------------------------------------------

STEP="1 ./disco up 2"
./disco down >/dev/null 2>&1 || true
rm -f slip/target/slip.jsa poule/target/poule.jsa registry/target/registry.jsa
t=$(now_ms)
DASHBOARD_PORT=$PORT WATCHER_PORT=$((PORT + 1)) ./disco up 2 >"$UP_LOG" 2>&1 &
UP_PID=$!
wait_until 600 "./disco up has started everything" grep -q "following the cluster" "$UP_LOG"
took=$(secs_since "$t")
note "build, archives and start in $took s"
result up-started "$took" s "" "" "./disco up 2: build, archives and start"
for jar in slip/target/slip.jar poule/target/poule.jar registry/target/registry.jar; do
  [ -s "${jar%.jar}.jsa" ] || fail "no AppCDS archive beside $jar: $(grep -i archive "$UP_LOG" | tail -n 1)"
done
wait_until 60 "the watcher started" test -s "$STATE/watcher.pid"
from_archive poule poule/target/poule.jar
from_archive slip-1 slip/target/slip.jar
from_archive slip-2 slip/target/slip.jar
wait_until 30 "the watcher maps its archive" grep -q registry/target/registry.jsa "/proc/$(pid_of watcher)/maps"
! grep -h "\[cds" "$STATE"/*.log "$UP_LOG" >&2 || fail "a JVM warned about its AppCDS archive (above)"
# each JVM leads a session of its own, so the kernel shares the CPU between services (./disco, start)
for name in poule slip-1 slip-2 watcher; do
  sid=$(ps -o sid= -p "$(pid_of "$name")" | tr -d ' ')
  [ "$sid" = "$(pid_of "$name")" ] || fail "$name (pid $(pid_of "$name")) is in session ${sid:-none}, not one of its own"
done
wait_until 30 "poule calls slip-1 and slip-2" serving "slip-1 slip-2" "$t"
note "every JVM mapped its archive and leads its own session; poule calls slip-1 and slip-2"
pass

# ---- 2. add --------------------------------------------------------------------------------------

STEP="2 ./disco add"
E=$(errors)
t=$(now_ms)
./disco add >/dev/null
wait_until 30 "poule calls slip-3" serving "slip-1 slip-2 slip-3" "$t"
took=$(secs_since "$t")
note "slip-3 called $took s after ./disco add began (its JVM's start included)"
result add-called "$took" s "" "" "the added slip called after ./disco add began (its JVM's start included)"
from_archive slip-3 slip/target/slip.jar
errors_delta_zero add-failed-calls "$E"
pass

# ---- 3. kill and 4. remove -----------------------------------------------------------------------

# ./disco kill and remove stop the newest slip; the figures are COMMAND-out-of-pool, ...
stop_case() { # STEP COMMAND NEWEST
  STEP=$1
  local t took
  E=$(errors)
  t=$(now_ms)
  ./disco "$2" >/dev/null
  POLL_S=0.1 wait_until 30 "$3 out of poule's pool, the others called" serving "slip-1 slip-2" "$t"
  took=$(secs_since "$t")
  note "$3 out of poule's pool $took s after ./disco $2 began"
  result "$2-out-of-pool" "$took" s "" "" "the newest slip out of poule's pool after ./disco $2 began"
  errors_delta_zero "$2-failed-calls" "$E"
  pass
}
stop_case "3 ./disco kill" kill slip-3
t=$(now_ms)
./disco add >/dev/null
wait_until 30 "the next slip, slip-4, called" serving "slip-1 slip-2 slip-4" "$t"
stop_case "4 ./disco remove" remove slip-4

# ---- 5. a greeter --------------------------------------------------------------------------------

STEP="5 ./disco add greeter"
E=$(errors)
t=$(now_ms)
./disco add greeter >/dev/null
greeter_port=$(grep -oE 'ready on port [0-9]+' "$STATE/greeter-1.log" | grep -oE '[0-9]+$')
greeter_listed() { api /cluster | jq -e --argjson port "$greeter_port" 'any(.records[]; .name == "greeter" and .location.port == $port)'; }
wait_until 10 "poule's /cluster lists the greeter's record" greeter_listed
took=$(secs_since "$t")
answer=$(curl -fsS --max-time 5 "http://127.0.0.1:$greeter_port/") || fail "the greeter did not answer"
[[ $answer =~ ^hello\ from\ slip-(1|2)$ ]] || fail "the greeter answered '$answer', not a greeting from slip-1 or slip-2"
note "greeter-1 listed in poule's /cluster $took s after ./disco add greeter began; it answered '$answer'"
result greeter-listed "$took" s "" "" "the greeter's record listed by poule after ./disco add greeter began"
errors_delta_zero greeter-failed-calls "$E"
pass

# ---- 6. over the event bus -----------------------------------------------------------------------

STEP="6 poule over the event bus"
t=$(now_ms)
./disco add >/dev/null
./disco add poule-bus >/dev/null
BUS_URL="http://127.0.0.1:$(grep -oE 'ready on port [0-9]+' "$STATE/poule-bus-1.log" | grep -oE '[0-9]+$')"
# lib.sh's helpers, asked of the second poule
on_bus() { POULE_URL=$BUS_URL "$@"; }
on_bus wait_until 30 "poule-bus-1 calls slip-1, slip-2 and slip-5 over the event bus" serving "slip-1 slip-2 slip-5" "$t"
[ "$(on_bus stats | jq -r .transport)" = eventbus ] || fail "poule-bus-1 says it calls over $(on_bus stats | jq -r .transport)"
E=$(errors)
E_BUS=$(on_bus errors)
t=$(now_ms)
./disco kill >/dev/null
POLL_S=0.1 on_bus wait_until 30 "slip-5 out of poule-bus-1's pool" serving "slip-1 slip-2" "$t"
note "slip-5 killed: out of poule-bus-1's pool after $(secs_since "$t") s"
kill -STOP "$(pid_of slip-2)"
sleep 30
kill -CONT "$(pid_of slip-2)"
woke=$(now_ms)
POLL_S=0.2 on_bus wait_until 60 "slip-2, woken after 30 s, called over the event bus again" serving "slip-1 slip-2" "$woke"
took=$(secs_since "$woke")
note "slip-2 frozen 30 s: called over the event bus again $took s after it woke"
result bus-woken-called "$took" s "" "" "a slip frozen 30 s called over the event bus again after it woke"
on_bus errors_delta_zero bus-failed-calls "$E_BUS"
errors_delta_zero bus-step-http-failed-calls "$E"
pass

# ---- 7. down -------------------------------------------------------------------------------------

STEP="7 ./disco down"
pids=$(cat "$STATE"/*.pid)
./disco down >/dev/null
# shellcheck disable=SC2086
! kill -0 $pids 2>/dev/null || fail "a process of ./disco up still runs after ./disco down"
wait_until 30 "./disco up has returned" bash -c "! kill -0 $UP_PID 2>/dev/null"
UP_PID=""
note "every process stopped"
pass
