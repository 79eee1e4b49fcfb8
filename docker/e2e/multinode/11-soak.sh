# Case 11: soak, E2E_SOAK_S (default 600) s: scale between 2 and 6 every 30 s, a kill every 2 min;
# zero failed calls, poule's and the watcher's RSS and open files within E2E_RSS_BOUND_MIB (400) and
# E2E_FD_BOUND (200). Runs alone after the setup.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

resources() { # prints "rss_mib fds" of a container's java process
  local i=$1 id=$2
  # shellcheck disable=SC2016
  node_docker "$i" exec "$id" sh -c 'echo $(( $(awk "/VmRSS/ { print \$2 }" /proc/1/status) / 1024 )) $(ls /proc/1/fd | wc -l)'
}
long_lived() { # "I ID NAME" for poule and the watcher
  local svc i id
  for svc in poule watcher; do
    for i in $LIVE_NODES; do
      id=$(node_docker "$i" ps -q --filter "label=com.docker.swarm.service.name=${STACK}_$svc" --filter status=running | head -n 1)
      [ -z "$id" ] || { echo "$i $id $svc"; break; }
    done
  done
}
sample() {
  local i id svc rss fds
  while read -r i id svc; do
    read -r rss fds < <(resources "$i" "$id") || continue
    [ -n "${rss_first[$svc]:-}" ] || { rss_first[$svc]=$rss; fds_first[$svc]=$fds; rss_max[$svc]=0; fds_max[$svc]=0; }
    [ "$rss" -le "${rss_max[$svc]}" ] || rss_max[$svc]=$rss
    [ "$fds" -le "${fds_max[$svc]}" ] || fds_max[$svc]=$fds
  done < <(long_lived)
}

case_soak() {
  err_trap_here
  STEP="11 soak ${SOAK_S} s"
  E=$(errors)
  t0=$(date +%s)
  RSS_BOUND_MIB=${E2E_RSS_BOUND_MIB:-400}
  FD_BOUND=${E2E_FD_BOUND:-200}
  declare -gA rss_first fds_first rss_max fds_max
  sample
  end=$(( $(date +%s) + SOAK_S ))
  round=0
  scales=(5 2 6 3 4 2 6 4 3 5)
  while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    n=${scales[$(( (round - 1) % ${#scales[@]} ))]}
    swarm service scale --detach "$SLIP_SERVICE=$n" >/dev/null 2>&1
    if [ $((round % 4)) -eq 0 ]; then
      victim=$(remote_slip)
      [ -z "$victim" ] || node_docker "$(node_of "$victim")" kill "$victim" >/dev/null 2>&1 || true
    fi
    sleep 30
    sample
    [ "$(errors)" -eq "$E" ] || fail "$(( $(errors) - E )) calls failed during the soak (round $round)"
  done
  swarm service scale --detach "$SLIP_SERVICE=3" >/dev/null 2>&1
  wait_until 120 "records converge to the 3 live slips" slips_serving 3 "$(now_ms)"
  sample
  for svc in poule watcher; do
    note "$svc: RSS ${rss_first[$svc]} -> max ${rss_max[$svc]} MiB (bound $RSS_BOUND_MIB), fds ${fds_first[$svc]} -> max ${fds_max[$svc]} (bound $FD_BOUND)"
    result "soak-$svc-rss-first" "${rss_first[$svc]}" MiB "" "" "$svc's RSS at the soak's start"
    result "soak-$svc-rss-max" "${rss_max[$svc]}" MiB "" "$RSS_BOUND_MIB" "$svc's highest RSS during the soak"
    result "soak-$svc-open-files-first" "${fds_first[$svc]}" count "" "" "$svc's open files at the soak's start"
    result "soak-$svc-open-files-max" "${fds_max[$svc]}" count "" "$FD_BOUND" "$svc's most open files during the soak"
    [ "${rss_max[$svc]}" -le "$RSS_BOUND_MIB" ] || soft_fail "$svc RSS reached ${rss_max[$svc]} MiB"
    [ "${fds_max[$svc]}" -le "$FD_BOUND" ] || soft_fail "$svc reached ${fds_max[$svc]} open files"
  done
  note "$round scale events, $((round / 4)) kills"
  result soak-scale-events "$round" count "" "" "scale events during the soak"
  result soak-kills "$((round / 4))" count "" "" "slips killed during the soak"
  errors_delta_zero soak-failed-calls "$E"
  baseline_note soak "$t0"
  pass
}
