# Case 12: no thread held, no operation on the cluster map timed out while a slip was frozen. Threads
# held are judged from the logs of every container of the stack (Vert.x reports any thread held over
# 2 s, with its stack: ClusterMember and ClusterBus set the limits); a worker held in vertx-hazelcast's
# synchronous calls (the event bus's consumers and nodes, written and read while members come and
# go) is counted apart, its longest hold a figure with the 2 s target and a 10 s bound; operations that gave up waiting, from the
# members' own count (disco_cluster_operation_timeouts_total), read around each case by the runner
# and around each freeze by frozen_case (lib.sh). An operation that timed out holds no thread (it
# failed after its own timeout, and was retried); none may come while a slip is frozen, besides the
# frozen slip's own that its pause caught and the others' reads asked of it (a whole read's part, a
# record whose partition it owns); writes, removals, sweeps and subscriptions count; those of a kill, a
# cut or a lost node, asked of a member that could not answer yet, are counted and reported. It
# covers whatever ran before it in this run (alone after the setup: the deploy).
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

# each blocked-thread report of a log on stdin, "MS HZ": how long the thread was held, and 1 when its
# stack runs in vertx-hazelcast (io.vertx.spi.cluster.hazelcast: the event bus's synchronous calls
# on the clustered Vert.x's workers, which it makes while members come and go), else 0
blocked_reports() {
  awk '
    function flush() { if (ms != "") print ms, hz; ms = "" }
    /has been blocked for [0-9]+ ms/ { flush(); match($0, /blocked for [0-9]+ ms/); ms = substr($0, RSTART + 12, RLENGTH - 15); hz = 0; next }
    ms != "" && /^[[:space:]]+at / { if ($0 ~ /io\.vertx\.spi\.cluster\.hazelcast/) hz = 1; next }
    ms != "" && /^io\.vertx\.core\.VertxException/ { next }
    { flush() }
    END { flush() }'
}
# vertx-hazelcast's blocking calls may hold a worker longer than 2 s (the target); beyond this, FAIL
VERTX_HAZELCAST_BOUND_MS=10000

# a thread of a paused container is reported on waking as held for the whole pause: the freeze, not a wait
freeze_ms() { # CONTAINER: the pauses it went through, in ms
  local w from to victim woke
  for w in "${FROZEN_WINDOWS[@]}"; do
    read -r from to victim woke _ <<<"$w"
    [ "$victim" != "$1" ] || echo $((woke - from))
  done
}

case_held_threads() {
  err_trap_here
  STEP="12 no thread blocked"
  blocked=0; frozen_reports=0; late_answers=0; dead_dials=0; suspicions=0; vh_reports=0; vh_max_ms=0
  rejoins=0; rejoins_apart=0; rejoins_merge=0; rejoins_stopped=0; rejoins_records=0
  for i in $LIVE_NODES; do
    for id in $(node_docker "$i" ps -aq --filter "label=com.docker.stack.namespace=$STACK"); do
      log=$(node_docker "$i" logs "$id" 2>&1 || true)
      pauses=$(freeze_ms "$id" | tr '\n' ' ')
      n=0
      while read -r ms hz; do
        if awk -v ms="$ms" -v p="$pauses" 'BEGIN { k = split(p, a, " "); for (j = 1; j <= k; j++) if (ms >= a[j] - 1500 && ms <= a[j] + 2000) exit 0; exit 1 }'; then
          frozen_reports=$((frozen_reports + 1))
        elif [ "$hz" = 1 ]; then
          [ "$vh_reports" -gt 0 ] || { say "node-$i $id: a worker held $ms ms in vertx-hazelcast (the first such report, counted apart)"
            grep -m1 -A16 "has been blocked for $ms ms" <<<"$log" >&2; }
          vh_reports=$((vh_reports + 1))
          [ "$ms" -le "$vh_max_ms" ] || vh_max_ms=$ms
        else
          n=$((n + 1))
        fi
      done < <(blocked_reports <<<"$log")
      [ "$n" -eq 0 ] || { say "node-$i $id: $n blocked-thread reports"; grep -A12 "has been blocked for" <<<"$log" | head -n 30 >&2; }
      blocked=$((blocked + n))
      # A member that could not run an operation in time (frozen, say) answers "call timeout" when it
      # can; if its caller had moved on already ("No Invocation found"), nothing waited: counted apart
      late_answers=$((late_answers + $(grep -c "No Invocation found for call timeout response" <<<"$log" || true)))
      # Hazelcast dialing a member that is gone (a killed slip's address) until it gives the address
      # up: a connection attempt that timed out (the kernel's "Connection", or Hazelcast's 2 s limit's
      # "Connect"), no operation; nothing waited on it. Counted apart
      dead_dial='Removing connection to endpoint .*(Connection|Connect) timed out'
      dead_dials=$((dead_dials + $(grep -cE "$dead_dial" <<<"$log" || true)))
      suspicions=$((suspicions + $(grep -c "because it has not sent any heartbeats" <<<"$log" || true)))
      rejoins=$((rejoins + $(grep -c "leaving and joining anew" <<<"$log" || true)))
      # why, as LoneMemberWatchdog says it: apart from members that answer, a merge stuck, or stopped
      rejoins_apart=$((rejoins_apart + $(grep -c "Apart from members that answer.*leaving and joining anew" <<<"$log" || true)))
      rejoins_merge=$((rejoins_merge + $(grep -c "A merge into another cluster.*joining anew" <<<"$log" || true)))
      rejoins_stopped=$((rejoins_stopped + $(grep -c "Hazelcast stopped this member by itself.*joining anew" <<<"$log" || true)))
      rejoins_records=$((rejoins_records + $(grep -cE "(Own record neither read nor written|No whole read of the records).*joining anew" <<<"$log" || true)))
    done
  done
  # the operations that timed out, by case, from the runner's reads of the members' metrics
  timeouts=$(awk '{ n += $4 } END { print n + 0 }' "$TIMEOUTS_DIR/by-case" 2>/dev/null || echo 0)
  by_case=""
  if [ "$timeouts" -gt 0 ]; then
    by_case=" ($(awk '{ n[$1] += $4 } END { for (c in n) print c, n[c] }' "$TIMEOUTS_DIR/by-case" | sort -n \
      | awk '{ printf "%scase %s: %d", (NR > 1 ? ", " : ""), $1, $2 }'))"
    EXPLAINED+=("---- the operations that timed out: case, member, operation, count (at most 12 lines)" \
      "$(head -n 12 "$TIMEOUTS_DIR/by-case")")
  fi
  frozen_timeouts=$FROZEN_OTHER
  caught_timeouts=$FROZEN_OWN
  asked_timeouts=$FROZEN_ASKED
  [ "$frozen_timeouts" -eq 0 ] || EXPLAINED+=("---- the operations that timed out while a slip was frozen" \
    "$(printf '%s\n' "${FROZEN_LINES[@]}")")
  note "blocked-thread reports in every container's log: $blocked (and $frozen_reports of a paused container, held no longer than its pause; $vh_reports in vertx-hazelcast's blocking calls, the longest held $vh_max_ms ms); operations on the cluster map that timed out (the members' metrics): $timeouts$by_case, $frozen_timeouts of them while a slip was frozen (target 0; and $caught_timeouts of a paused container's own operations that the pause caught in flight, $asked_timeouts reads asked of the paused member that gave up on it; $late_answers late 'call timeout' answers to operations whose callers had moved on, $dead_dials connection attempts to departed members that timed out); members suspected after missed heartbeats (the faults): $suspicions; members stuck alone that joined again: $rejoins (apart from members that answer: $rejoins_apart, a merge that did not join in 10 s: $rejoins_merge, stopped by Hazelcast: $rejoins_stopped, own record or whole read failing: $rejoins_records)"
  held_results
  [ "$blocked" -eq 0 ] || soft_fail "$blocked blocked-thread reports"
  [ "$vh_max_ms" -le 2000 ] || MISSED+=("$STEP: vertx-hazelcast held a worker $vh_max_ms ms, target 2000 ms")
  [ "$vh_max_ms" -le "$VERTX_HAZELCAST_BOUND_MS" ] || soft_fail "vertx-hazelcast held a worker $vh_max_ms ms (bound $VERTX_HAZELCAST_BOUND_MS ms)"
  [ "$frozen_timeouts" -eq 0 ] || soft_fail "$frozen_timeouts operations on the cluster map timed out while a slip was frozen"
  pass
}
# the case's counts as figures
held_results() {
  result held-threads-blocked-reports "$blocked" count 0 0 "blocked-thread reports (a thread held over 2 s), besides a paused container's"
  result held-threads-paused-reports "$frozen_reports" count "" "" "blocked-thread reports of a paused container, held no longer than its pause"
  result held-threads-vertx-hazelcast-reports "$vh_reports" count "" "" "blocked-thread reports in vertx-hazelcast's blocking calls (the event bus's)"
  result held-threads-vertx-hazelcast-longest "$vh_max_ms" ms 2000 "$VERTX_HAZELCAST_BOUND_MS" "the longest a vertx-hazelcast blocking call held a worker (0: none over 2 s)"
  result held-threads-timeouts "$timeouts" count "" "" "operations on the cluster map that timed out, every case before this one"
  result held-threads-timeouts-while-frozen "$frozen_timeouts" count 0 0 "operations on the cluster map that timed out while a slip was frozen"
  result held-threads-caught-in-pause "$caught_timeouts" count "" "" "a paused container's own operations that the pause caught in flight"
  result held-threads-asked-paused "$asked_timeouts" count "" "" "reads asked of the paused member (its share of a whole read, a record in its partitions) that gave up on it"
  result held-threads-late-answers "$late_answers" count "" "" "late 'call timeout' answers to operations whose callers had moved on"
  result held-threads-dead-dials "$dead_dials" count "" "" "connection attempts to departed members that timed out"
  result held-threads-suspicions "$suspicions" count "" "" "members suspected after missed heartbeats"
  result held-threads-rejoins "$rejoins" count "" "" "members stuck alone that joined again"
  result held-threads-rejoins-apart "$rejoins_apart" count "" "" "rejoins: apart from members that answer"
  result held-threads-rejoins-merge "$rejoins_merge" count "" "" "rejoins: a merge that did not join in 10 s"
  result held-threads-rejoins-stopped "$rejoins_stopped" count "" "" "rejoins: stopped by Hazelcast"
  result held-threads-rejoins-records "$rejoins_records" count "" "" "rejoins: own record or whole read failing"
}
