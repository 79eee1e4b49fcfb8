#!/usr/bin/env bash
# The simplest client a Swarm user has, run beside poule in the multi-node e2e for comparison:
# IN_FLIGHT loops of curl calling TARGET through Swarm's own DNS (dnsrr: every task's address),
# with no discovery, no retry and no ejection. One line per call on stdout, "<epoch s> ok|fail",
# which the e2e counts per fault. Bounded: every loop stops after DURATION_S.
set -u
TARGET=${TARGET:-http://slip:8080/}
IN_FLIGHT=${IN_FLIGHT:-10}
DURATION_S=${DURATION_S:-3600}
TIMEOUT_S=${TIMEOUT_S:-5}
end=$((SECONDS + DURATION_S))

call_loop() {
  while [ "$SECONDS" -lt "$end" ]; do
    if curl -fsS -o /dev/null --max-time "$TIMEOUT_S" "$TARGET" 2>/dev/null; then
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
