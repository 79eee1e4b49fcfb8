#!/usr/bin/env bash
# The simplest client a Swarm user has, run beside poule in the multi-node e2e for comparison:
# IN_FLIGHT loops of a plain HTTP client (busybox's wget, as the images carry no curl) calling
# SERVICE through Swarm's own DNS, with no discovery, no retry and no ejection. Each call resolves the
# name again and takes one of its addresses at random, the round robin that dnsrr means (a client
# alone would always take the address glibc sorts first).
# One line per call on stdout, "<epoch s> ok|fail", which the e2e counts per fault. Bounded: every
# loop stops after DURATION_S.
set -u
SERVICE=${SERVICE:-slip}
PORT=${PORT:-8080}
IN_FLIGHT=${IN_FLIGHT:-10}
DURATION_S=${DURATION_S:-3600}
TIMEOUT_S=${TIMEOUT_S:-5}
end=$((SECONDS + DURATION_S))

call_loop() {
  while [ "$SECONDS" -lt "$end" ]; do
    mapfile -t addresses < <(getent ahostsv4 "$SERVICE" | awk '$2 == "STREAM" { print $1 }')
    address=${addresses[RANDOM % (${#addresses[@]} > 0 ? ${#addresses[@]} : 1)]:-$SERVICE}
    # a status other than 2xx fails the call, as curl -f would; timeout bounds the whole call
    if timeout "$TIMEOUT_S" wget -q -O /dev/null "http://$address:$PORT/" 2>/dev/null; then
      echo "$EPOCHSECONDS ok"
    else
      echo "$EPOCHSECONDS fail"
      # a refused connection fails at once: do not spin on it
      sleep 0.1
    fi
  done
}

for _ in $(seq 1 "$IN_FLIGHT"); do call_loop & done
wait
