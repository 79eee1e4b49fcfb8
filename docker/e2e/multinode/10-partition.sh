# Case 10: the node with the most slips (not poule's) cut off from the other nodes for 30 s (iptables
# in its namespace). Helpers: 10-partition-lib.sh. Runs alone after the setup.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here; $cut_off
# is split on purpose (SC2086).
# shellcheck shell=bash disable=SC2034,SC2154,SC2086

case_partition() {
  err_trap_here
  begin_node_case "10 a node cut off 30 s"
  P=$TARGET
  cut_ips=""
  for i in $LIVE_NODES; do [ "$i" = "$P" ] || cut_ips="$cut_ips $(node_ip "$i")"; done
  cut_off=$(slip_tasks | awk -v n="node-$P" '$2 == n { print $1 }')
  declare -gA cut_off_ip=()
  for id in $cut_off; do
    cut_off_ip[$id]=$(node_docker "$P" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id" | awk '{ print $1 }')
  done
  # the slips before the cut: those on other nodes that are not among them after it are the ones
  # Swarm started during the cut
  before_cut=$(slip_containers)
  t=$(now_ms)
  FAULT_MS=$t
  # inside the node's own network namespace: its engine, its overlay (VXLAN) and its tasks all go dark
  for ip in $cut_ips; do
    docker exec "disco-node-$P" iptables -I INPUT -s "$ip" -j DROP
    docker exec "disco-node-$P" iptables -I OUTPUT -d "$ip" -j DROP
  done
  POLL_S=0.1 wait_until 60 "node-$P's slips removed by the majority" all_absent $cut_off
  result partition-cut-off-slips "$(wc -w <<<"$cut_off")" count "" "" "slips on the cut-off node"
  check_limit partition-records-removed "$WAITED" 5 30 "node-$P's slips ($(echo $cut_off | wc -w)) removed on the majority side"
  sleep "$(awk -v e="$(secs_since "$t")" 'BEGIN { d = 30 - e; print (d > 0 ? d : 0) }')"
  for ip in $cut_ips; do
    docker exec "disco-node-$P" iptables -D INPUT -s "$ip" -j DROP
    docker exec "disco-node-$P" iptables -D OUTPUT -d "$ip" -j DROP
  done
  healed=$(now_ms)
  FAULT_MS=$healed
  # poule's first call to each cut-off slip after the heal, "ID EPOCH_MS" lines: from the heal on, a
  # look at poule's stats every half second keeps the call poule itself timed (lastSeen) in the first
  # look that shows one. The wait for the cut-off slips below begins only once the cluster is one and
  # the members' logs are read, seconds after the heal: timed by its own looks, it would report
  # calls made early as late
  called_file=$(mktemp)
  watch_cut_off_calls &
  CALL_WATCH=$!
  # the cluster can merge only once Docker's overlay carries the members' traffic between the two
  # sides again, anywhere from under a second to tens of seconds after the heal
  # (docs/history/reliability-findings.md#item-29): beside the wait for one view, a look tries a
  # connection from every cut-off slip to every member on the other nodes (the replacements Swarm
  # started during the cut among them) every half second, and notes when the first look that found
  # them all began. The connections are tried at once, not one after the other: a look would
  # otherwise take seconds, and the heal's figure with it.
  other_side=$(members_elsewhere_ips "$P" | tr '\n' ' ')
  net_back_file=$(mktemp)
  overlay_looks &
  OVERLAY_LOOKS=$!
  POLL_S=0.2 wait_until 120 "one cluster again" one_view
  look_end=$(now_ms)
  kill "$OVERLAY_LOOKS" 2>/dev/null || true
  wait "$OVERLAY_LOOKS" 2>/dev/null || true
  OVERLAY_LOOKS=""
  NET_BACK=$(cat "$net_back_file")
  rm -f "$net_back_file"
  # timed by the members' own logs: the look that confirms one view can take seconds of an engine
  # that is busy after the heal, and timed by its end, the figure held that wait too
  one_at=$(last_view_change "$healed" "$look_end")
  heal_s=$(secs_between "$healed" "${one_at:-$look_end}")
  check_limit partition-one-cluster "$heal_s" 20 60 "one cluster again after the heal"
  note "$(look_began "$healed"); it ended $(secs_between "$healed" "$look_end") s after, and the last view changed $(if [ -n "$one_at" ]; then echo "$heal_s s after (the figure)"; else echo "in no member's log since the heal, so the figure is the look's end"; fi)"
  result partition-one-cluster-look-began "$(secs_between "$healed" "$LOOK_MS")" s "" "" "the look that saw one cluster began, after the heal"
  result partition-one-cluster-look-ended "$(secs_between "$healed" "$look_end")" s "" "" "the look that saw one cluster ended, after the heal"
  if [ -n "$NET_BACK" ]; then
    note "the overlay carried the cut-off slips' connections to the $(wc -w <<<"$other_side") members on the other nodes $NET_BACK s after the heal (to within a look, 1-3 s)"
    result partition-overlay-back "$NET_BACK" s "" "" "the overlay carried the cut-off slips' connections to every member on the other nodes, after the heal"
    result partition-members-other-side "$(wc -w <<<"$other_side")" count "" "" "members on the other nodes"
    if awk -v h="$heal_s" -v n="$NET_BACK" 'BEGIN { exit !(h >= n) }'; then
      check_limit partition-one-cluster-after-overlay "$(awk -v h="$heal_s" -v n="$NET_BACK" 'BEGIN { printf "%.1f", h - n }')" 10 60 \
        "one cluster again after the overlay carried the members' traffic between the two sides"
    else
      note "one cluster again before the look that saw the overlay's return began (the overlay's return is known to within a look)"
    fi
  else
    note "the overlay's return was not seen before the cluster was one again"
  fi
  # Swarm replaced the cut-off slips during the cut and stops them a minute or two after the heal;
  # until then they are back in the cluster and poule calls them again, within seconds when all goes
  # well. The overlay re-learns where containers live some seconds after a heal, so the step also
  # measures when poule's
  # container first reaches each uncalled cut-off slip, to tell a wait on Docker from one on the
  # platform.
  # The overlay also re-learns the other way: containers Swarm started elsewhere during the cut are
  # unknown to the cut-off node's overlay until Docker's network gossip has caught up, and a cut-off
  # slip and such a replacement cannot connect to each other until then, even once the cluster is
  # one view again. Hazelcast meanwhile keeps a partition migrating towards a member its holder
  # cannot reach, and no record in that partition can be written, a cut-off slip's own among them
  # (PartialDisconnectionTest; docs/history/reliability-findings.md#item-28). So the look above goes
  # on until the cut-off slips connect to every member on the other nodes (a TCP handshake needs the
  # overlay both ways), and the platform is held to calling them soon after that.
  REPLACEMENTS=0
  for i in $LIVE_NODES; do
    [ "$i" = "$P" ] && continue
    for id in $(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=$SLIP_SERVICE" --filter status=running); do
      grep -qx "$id" <<<"$before_cut" || REPLACEMENTS=$((REPLACEMENTS + 1))
    done
  done
  declare -gA OVERLAY_BACK=()
  NET_PROBED=0
  declare -gA CALLED_AT=()
  wait_until 120 "the cut-off slips called again or stopped" cut_off_back
  kill "$CALL_WATCH" 2>/dev/null || true
  wait "$CALL_WATCH" 2>/dev/null || true
  CALL_WATCH=""
  rm -f "$called_file"
  overlay=""
  for id in "${!OVERLAY_BACK[@]}"; do overlay="$overlay $id after ${OVERLAY_BACK[$id]} s"; done
  back_s=$(secs_since "$healed")
  # every cut-off slip called: the last first call, as poule timed it
  if [ "${#CALLED_AT[@]}" -eq "$(wc -w <<<"$cut_off")" ]; then
    back_s=$(printf '%s\n' "${CALLED_AT[@]}" | sort -n | tail -n 1)
  fi
  note "cut-off slips called again after the heal: $CUT_OFF_CALLED of $(echo $cut_off | wc -w) after $back_s s (the others stopped by Swarm first); poule's container reached uncalled ones over the overlay:${overlay:- none waited on}; the cut-off slips connected to every member on the other nodes ($REPLACEMENTS of them slips Swarm started during the cut): $(if [ -n "$NET_BACK" ]; then echo "$NET_BACK s after the heal"; elif [ "$NET_PROBED" = 1 ]; then echo "not within the wait"; else echo "not waited on"; fi)"
  result partition-cut-off-called "$CUT_OFF_CALLED" count "" "" "cut-off slips called again after the heal (the others stopped by Swarm first)"
  result partition-cut-off-back "$back_s" s "" "" "the cut-off slips called again (or stopped), after the heal"
  result partition-replacements "$REPLACEMENTS" count "" "" "slips Swarm started on the other nodes during the cut"
  if [ "${#OVERLAY_BACK[@]}" -gt 0 ]; then
    result partition-poule-reached-cut-off "$(printf '%s\n' "${OVERLAY_BACK[@]}" | sort -g | tail -n 1)" s "" "" \
      "poule's container reached the last uncalled cut-off slip over the overlay, after the heal"
  fi
  # the platform's own part of a late call: from the moment the overlay carried both the cut-off
  # slips' traffic to every other member, and poule's to this slip (the later of the two: poule's
  # container may reach them well after the rest), to its first call
  if [ -n "$NET_BACK" ]; then
    local slowest="" called_after
    for id in "${!CALLED_AT[@]}"; do
      since=$(awk -v m="$NET_BACK" -v o="${OVERLAY_BACK[$id]:-0}" 'BEGIN { print (o > m ? o : m) }')
      awk -v c="${CALLED_AT[$id]}" -v m="$since" 'BEGIN { exit !(c > m) }' || continue
      called_after=$(awk -v c="${CALLED_AT[$id]}" -v m="$since" 'BEGIN { printf "%.1f", c - m }')
      check_limit "" "$called_after" 10 60 \
        "cut-off $id called after the overlay carried its traffic from poule and to every other member"
      slowest=$(printf '%s\n' "$slowest" "$called_after" | grep . | sort -g | tail -n 1)
    done
    [ -z "$slowest" ] || result partition-cut-off-called-after-overlay "$slowest" s 10 60 \
      "the slowest cut-off slip called after the overlay carried its traffic from poule and to every other member"
  fi
  # called late, though within the bound: what the members logged since the heal tells whose wait it
  # was, where the count of timeouts alone does not
  if awk -v s="$back_s" 'BEGIN { exit !(s > 20) }'; then
    explain "the cut-off slips called again only after $back_s s"
  fi
  wait_until 120 "swarm back to 3 slips" slip_count_is 3
  wait_until 60 "records equal the live slips, all called" slips_serving 3 "$healed"
  took=$(secs_since "$healed")
  note "3 slips in the records and called again after $took s"
  result partition-slips-serving "$took" s "" "" "3 slips in the records and called, after the heal"
  errors_delta_zero partition-failed-calls "$E"
  baseline_note partition "$t0"
  pass
}
