# Case 14, run first in a full run (before the deploy, which it does not need): the overlay
# encryption switch (docker/encrypted-network.yml) across nodes, where the kernel has the IPsec
# algorithm Docker uses; elsewhere it says in one line that it could not test it. Runs alone.
# Its variables cross files (set in one, read in another): SC2034 and SC2154 are off here.
# shellcheck shell=bash disable=SC2034,SC2154

# whether the nodes' kernel can hold the ESP state Docker's encrypted overlay programs
ipsec_supported() {
  docker exec disco-node-1 sh -c 'ip netns add disco-esp-probe || exit 1
    ip -n disco-esp-probe xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
      aead "rfc4106(gcm(aes))" 0x0102030405060708090a0b0c0d0e0f1011121314 128
    rc=$?; ip netns del disco-esp-probe; exit $rc' >/dev/null 2>&1
}

case_encrypted_overlay() {
  err_trap_here
  STEP="14 encrypted overlay switch"
  if ! ipsec_supported; then
    skip "this kernel ($(uname -r)) has no rfc4106(gcm(aes)) for IPsec ESP, which Docker's encrypted overlay needs"
  else
    t=$(now_ms)
    enc_net=disco-enc-probe
    opt=$(sed -n 's/^ *encrypted: *//p' docker/encrypted-network.yml | tr -d '"')
    swarm network create -d overlay --attachable --opt "encrypted=$opt" "$enc_net" >/dev/null
    node_docker 2 run -d --name enc-server --network "$enc_net" -e CLUSTER_INSECURE=true -e HOSTNAME=enc-server \
      disco/slip:0.0.2 >/dev/null
    wait_until 90 "a slip on node-2 answers node-3 over the encrypted overlay" node_docker 3 run --rm \
      --network "$enc_net" --entrypoint curl disco/slip:0.0.2 -fsS --max-time 3 http://enc-server:8080/
    esp=$(docker exec disco-node-2 sh -c 'ip xfrm state; for ns in /var/run/docker/netns/*; do nsenter --net="$ns" ip xfrm state; done' 2>/dev/null \
      | grep -c "proto esp" || true)
    result encrypted-overlay-answered "$WAITED" s "" "" "a slip on node-2 answered node-3 over the encrypted overlay"
    result encrypted-overlay-esp-states "$esp" count "" "" "ESP states node-2 holds"
    [ "$esp" -gt 0 ] || fail "the overlay answered, but node-2 holds no ESP state: traffic went in the clear"
    node_docker 2 rm -f enc-server >/dev/null
    swarm network rm "$enc_net" >/dev/null || true
    note "answered across nodes after $WAITED s; node-2 holds $esp ESP states"
    pass
  fi
}
