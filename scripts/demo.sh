#!/usr/bin/env bash
# The README's demo: two gateways with a tunnel between two LANs, all in network namespaces of
# this machine (scripts/topology.sh), real traffic through it, live status; cleans up on exit.
#   ./gateway demo [SECONDS]      (default 20 s of traffic)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_OF_TRAFFIC=${1:-20}
if [ "$(id -u)" -ne 0 ]; then
  echo "gateway demo: needs root (it creates network namespaces, a TUN device per gateway and" >&2
  echo "raw sockets); run: sudo ./gateway demo. Without root you can still run ./gateway selftest." >&2
  exit 1
fi
for tool in ip ping iperf3 openssl; do
  command -v "$tool" >/dev/null || { echo "gateway demo: needs '$tool' (apt-get install iproute2 iputils-ping iperf3)" >&2; exit 1; }
done
P="vgdemo$$"
P=${P:0:12}
WORK=$(mktemp -d /tmp/vpngw-demo.XXXXXX)
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$ROOT/scripts/topology.sh" down "$P"
  rm -rf "$WORK"
  echo "demo: cleaned up (namespaces $P-*, gateways, $WORK)"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
"$ROOT/scripts/topology.sh" up "$P"
PSK=$(openssl rand -hex 24)
site() { # name self peer vnet site connectionMode
  cat <<YAML
gateway:
  name: demo-$1
  publicAddress: $2
  vnetPrefixes: [$4]
  runDirectory: $WORK/$1
localNetworkGateways:
  - name: remote-site
    gatewayAddress: $3
    addressPrefixes: [$5]
connections:
  - name: $1-tunnel
    localNetworkGateway: remote-site
    encapsulation: udp
    ike:
      sharedKey: "$PSK"
      ikeProposals: [aes256gcm16-prfsha256-ecp256]
      espProposals: [aes128gcm16]
      connectionMode: $6
YAML
}
site gwA 192.0.2.1 192.0.2.2 '10.1.0.0/24, "fd00:1::/64"' '10.2.0.0/24, "fd00:2::/64"' both >"$WORK/gwA.yaml"
site gwB 192.0.2.2 192.0.2.1 '10.2.0.0/24, "fd00:2::/64"' '10.1.0.0/24, "fd00:1::/64"' responderOnly >"$WORK/gwB.yaml"
source "$ROOT/scripts/jdk.sh"
"$ROOT/gateway" --version >/dev/null # builds on first use
CP="$ROOT/appliance/target/appliance-0.1.0-SNAPSHOT.jar:$ROOT/appliance/target/lib/*"
for gw in gwA gwB; do
  ip netns exec "$P-$gw" "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -cp "$CP" \
    dev.vpngw.appliance.Main run --config "$WORK/$gw.yaml" >"$WORK/$gw.log" 2>&1 &
  PIDS+=($!)
done
for gw in gwA gwB; do
  for _ in $(seq 1 300); do grep -q ": running;" "$WORK/$gw.log" && break; sleep 0.1; done
  grep -q ": running;" "$WORK/$gw.log" || { cat "$WORK/$gw.log"; echo "demo: $gw did not start" >&2; exit 1; }
  head -1 "$WORK/$gw.log"
done
echo
echo "== IKEv2 (gateway A initiates, B responds; pre-shared key)"
for _ in $(seq 1 300); do grep -q "event=child_sa_installed" "$WORK/gwB.log" && break; sleep 0.1; done
grep -q "event=child_sa_installed" "$WORK/gwB.log" || { cat "$WORK/gwA.log" "$WORK/gwB.log"; echo "demo: no tunnel" >&2; exit 1; }
grep -E "event=(ike_sa_established|child_sa_installed)" "$WORK/gwA.log" | cut -c1-200
echo
echo "== ping through the tunnel: LAN A (10.1.0.2) -> LAN B (10.2.0.2), then IPv6"
ip netns exec "$P-lanA" ping -c 3 -i 0.3 10.2.0.2 | tail -2
ip netns exec "$P-lanA" ping -c 3 -i 0.3 fd00:2::2 | tail -2
echo
echo "== iperf3 TCP, LAN A -> LAN B, ${SECONDS_OF_TRAFFIC} s; gateway A's status every 2 s"
ip netns exec "$P-lanB" iperf3 -s -D -1 >/dev/null
sleep 0.5
ip netns exec "$P-lanA" iperf3 -c 10.2.0.2 -t "$SECONDS_OF_TRAFFIC" -i 2 --forceflush >"$WORK/iperf.txt" 2>&1 &
IPERF=$!
while kill -0 "$IPERF" 2>/dev/null; do
  sleep 2
  rate=$(grep -E 'bits/sec' "$WORK/iperf.txt" | tail -1 | awk '{for (i = 2; i <= NF; i++) if ($i ~ /bits\/sec/) print $(i-1), $i}' || true)
  echo "--- $(date +%T)  iperf3: ${rate:-starting}"
  "$ROOT/gateway" status --counters "$WORK/gwA/counters.dat" | head -6
done
wait "$IPERF" || true
echo
echo "== result"
grep -E "sender|receiver" "$WORK/iperf.txt"
"$ROOT/gateway" status --counters "$WORK/gwA/counters.dat"
