# Case 10's helpers (10-partition.sh): the looks at the overlay and at poule's calls after the heal.
# They read the case's globals: P (the cut-off node), cut_off (its slips), cut_off_ip, healed (ms),
# called_file, net_back_file, other_side, NET_BACK, OVERLAY_BACK, CALLED_AT.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2004,SC2034,SC2154

# from container ID on node I, a TCP connection to PORT of each IP over the overlay, all at once so
# that a look takes a second at most however many do not answer
connects() { # I ID PORT IP...
  # shellcheck disable=SC2016
  in_task "$1" "$2" timeout 5 bash -c 'port=$1; shift; pids=()
    for ip; do timeout 1 bash -c "exec 3<>/dev/tcp/$ip/$port" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "$pid" || exit 1; done' _ "${@:3}" 2>/dev/null
}
# the IPs of the members (slips, poule, watcher) running on the nodes other than P
members_elsewhere_ips() { # P
  local i id
  for i in $LIVE_NODES; do
    [ "$i" = "$1" ] && continue
    for id in $(node_docker "$i" ps -q --filter "label=com.docker.stack.namespace=$STACK" --filter status=running); do
      node_docker "$i" inspect -f '{{index .Config.Labels "com.docker.swarm.service.name"}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id"
    done
  done | awk -v b="${STACK}_baseline" '$1 != b { print $2 }'
}

# poule's first call to each cut-off slip after the heal, "ID EPOCH_MS" lines in called_file: from the
# heal on, a look at poule's stats every half second keeps the call poule itself timed (lastSeen) in
# the first look that shows one (run in the background)
watch_cut_off_calls() {
  local s id ms
  while [ "$(now_ms)" -lt $((healed + 150000)) ]; do
    if s=$(stats 2>/dev/null); then
      for id in $cut_off; do
        grep -q "^$id " "$called_file" && continue
        ms=$(jq -r --arg h "$id" --argjson since "$healed" '(.perHost[$h].lastSeen // 0) | select(. >= $since)' <<<"$s")
        [ -z "$ms" ] || echo "$id $ms" >>"$called_file"
      done
      [ "$(grep -c . "$called_file")" -lt "$(wc -w <<<"$cut_off")" ] || return 0
    fi
    sleep 0.5
  done
}
# when poule first called cut-off slip ID after the heal, in s after it: the watch's, else now
first_call_s() { # ID
  local ms
  ms=$(awk -v id="$1" '$1 == id { print $2; exit }' "$called_file")
  secs_between "$healed" "${ms:-$(now_ms)}"
}
# Swarm stops a cut-off slip some time after the heal: one it stopped is neither probed nor waited on
cut_off_running() { # ID
  [ -n "$(node_docker "$P" ps -q --filter "id=$1" --filter status=running)" ]
}
cut_off_reach_others() {
  local id
  for id in $cut_off; do
    cut_off_running "$id" || continue
    # shellcheck disable=SC2086
    connects "$P" "$id" 5701 $other_side || return 1
  done
}
# every half second until one finds them all, the time (s after the heal) that look began, in
# net_back_file (run in the background)
overlay_looks() {
  local look
  while [ "$(now_ms)" -lt $((healed + 120000)) ]; do
    look=$(secs_since "$healed")
    if cut_off_reach_others; then
      echo "$look" >"$net_back_file"
      return 0
    fi
    sleep 0.5
  done
}
poule_reaches() { # IP: a TCP connection from poule's container to IP:8080
  local id
  id=$(node_docker 1 ps -q --filter "label=com.docker.swarm.service.name=${STACK}_poule" | head -n 1)
  [ -n "$id" ] && connects 1 "$id" 8080 "$1"
}
# every cut-off slip called again since the heal, or stopped by Swarm; notes in CALLED_AT when poule
# first called each, in OVERLAY_BACK when poule's container first reached an uncalled one, in
# NET_BACK when the cut-off slips first connected to every member on the other nodes
cut_off_back() {
  local id back=0 look
  CUT_OFF_CALLED=0
  for id in $cut_off; do
    if called_since "$id" "$healed"; then
      [ -n "${CALLED_AT[$id]:-}" ] || CALLED_AT[$id]=$(first_call_s "$id")
      CUT_OFF_CALLED=$((CUT_OFF_CALLED + 1))
    elif cut_off_running "$id"; then
      [ -n "${OVERLAY_BACK[$id]:-}" ] || ! poule_reaches "${cut_off_ip[$id]}" \
        || OVERLAY_BACK[$id]=$(secs_since "$healed")
      back=1
    fi
  done
  # once per look, while a cut-off slip is uncalled: the probe covers them all
  if [ "$back" = 1 ] && [ -z "$NET_BACK" ]; then
    NET_PROBED=1
    look=$(secs_since "$healed")
    ! cut_off_reach_others || NET_BACK=$look
  fi
  return "$back"
}
why_not_cut_off_back() {
  local id
  for id in $cut_off; do
    called_since "$id" "$healed" && continue
    cut_off_running "$id" || continue
    echo "$id (${cut_off_ip[$id]}) not called, still running; poule's container reached it over the overlay: ${OVERLAY_BACK[$id]:-never}, the cut-off slips connected to every member on the other nodes: ${NET_BACK:-never} s after the heal"
  done
}
