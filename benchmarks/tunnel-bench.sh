#!/usr/bin/env bash
# End-to-end tunnel throughput, same topology (scripts/topology.sh), same run, alternating:
#   plain      routing without a tunnel (the ceiling)
#   strongswan strongSwan to strongSwan with its user-space ESP (kernel-libipsec), AES-128-GCM
#   vpngw      our gateway to our gateway, AES-128-GCM, ESP-in-UDP, threading DEDICATED, pinned
#   vpngw-unpinned  the same, threads left to the kernel (--no-pin)
#   vpngw-shared  every agent on one thread (SHARED)
# Each: iperf3 TCP (1 stream) and UDP (1350-byte datagrams, unpaced) from LAN A to LAN B, REPS
# runs of DUR seconds; medians. Writes benchmarks/results/tunnel.json; report.py renders it.
#   benchmarks/tunnel-bench.sh            (REPS=3 DUR=10)
#   REPS=1 DUR=5 benchmarks/tunnel-bench.sh quick
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-3}; DUR=${DUR:-10}
[ "${1:-}" = quick ] && { REPS=1; DUR=5; }
SYSTEMS=${SYSTEMS:-"plain strongswan vpngw vpngw-unpinned vpngw-shared"}
OUT="$ROOT/benchmarks/results"; mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "tunnel-bench: needs root (namespaces)" >&2; exit 1; }
if ! command -v swanctl >/dev/null || [ ! -x /usr/lib/ipsec/charon ] || [ ! -e /usr/lib/ipsec/plugins/libstrongswan-openssl.so ]; then
  echo "installing strongSwan (charon + kernel-libipsec) for the comparison" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strongswan-swanctl \
    strongswan-charon libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins >/dev/null
fi
source "$ROOT/scripts/jdk.sh"
"$ROOT/gateway" --version >/dev/null
CP="$ROOT/appliance/target/appliance-0.1.0-SNAPSHOT.jar:$ROOT/appliance/target/lib/*"
P="vgb$$"; P=${P:0:12}
WORK=$(mktemp -d /tmp/vpngw-bench.XXXXXX)
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  "$ROOT/scripts/topology.sh" down "$P"
}
trap 'stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

start_vpngw() { # threading [--pin]
  local KA KB; KA=$(openssl rand -hex 20); KB=$(openssl rand -hex 20)
  gw_yaml() { cat <<YAML
gateway: {name: bench-$1, publicAddress: $2, vnetPrefixes: [$4], runDirectory: $WORK/$1, wanMtu: 1465}
localNetworkGateways: [{name: peer, gatewayAddress: $3, addressPrefixes: [$5]}]
connections:
  - name: $1-tunnel
    localNetworkGateway: peer
    manualKeys:
      replayWindow: 4096
      outbound: {spi: $6, encryption: aes128gcm16, key: 0x$7}
      inbound:  {spi: $8, encryption: aes128gcm16, key: 0x$9}
YAML
  }
  gw_yaml gwA 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24 0x1001 "$KA" 0x2001 "$KB" >"$WORK/gwA.yaml"
  gw_yaml gwB 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24 0x2001 "$KB" 0x1001 "$KA" >"$WORK/gwB.yaml"
  for gw in gwA gwB; do
    ip netns exec "$P-$gw" "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -cp "$CP" \
      dev.vpngw.appliance.Main run --threading "$1" ${2:-} --config "$WORK/$gw.yaml" >"$WORK/$gw.log" 2>&1 &
    PIDS+=($!)
  done
  for gw in gwA gwB; do
    for _ in $(seq 1 300); do grep -q ": running;" "$WORK/$gw.log" && break; sleep 0.1; done
    grep -q ": running;" "$WORK/$gw.log" || { cat "$WORK/$gw.log" >&2; return 1; }
  done
}

start_strongswan() {
  for side in A B; do
    local ns="$P-gw$side" dir="$WORK/ss$side" self peer lts rts
    if [ $side = A ]; then self=192.0.2.1 peer=192.0.2.2 lts=10.1.0.0/24 rts=10.2.0.0/24
    else self=192.0.2.2 peer=192.0.2.1 lts=10.2.0.0/24 rts=10.1.0.0/24; fi
    mkdir -p "$dir/run"
    cat >"$dir/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  filelog { log { path = $dir/charon.log
    default = 1 } }
  plugins { vici { socket = unix://$dir/charon.vici }
            kernel-libipsec { mtu = 1400 } }
}
CONF
    cat >"$dir/swanctl.conf" <<CONF
connections { s2s { version = 2
  local_addrs = $self
  remote_addrs = $peer
  proposals = aes128gcm16-prfsha256-ecp256
  rekey_time = 0
  local { auth = psk
    id = gw$side }
  remote { auth = psk }
  children { net { local_ts = $lts
    remote_ts = $rts
    esp_proposals = aes128gcm16
    rekey_time = 0
    start_action = none } } } }
secrets { ike { secret = "bench-psk-not-secret" } }
CONF
    ip netns exec "$ns" unshare --mount --propagation private env STRONGSWAN_CONF="$dir/strongswan.conf" \
      sh -c 'mount --bind "$0" /run && exec "$1"' "$dir/run" /usr/lib/ipsec/charon </dev/null >"$dir/out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do [ -S "$dir/charon.vici" ] && break; sleep 0.1; done
    ip netns exec "$ns" swanctl --load-all --file "$dir/swanctl.conf" --uri "unix://$dir/charon.vici" >"$dir/load.out" 2>&1
  done
  ip netns exec "$P-gwA" swanctl --initiate --child net --uri "unix://$WORK/ssA/charon.vici" >/dev/null
}

measure() { # system
  local sys=$1
  "$ROOT/scripts/topology.sh" down "$P"
  if [ "$sys" = plain ]; then MODE=plain "$ROOT/scripts/topology.sh" up "$P"; else "$ROOT/scripts/topology.sh" up "$P"; fi
  case $sys in
    plain) ;;
    strongswan) start_strongswan ;;
    vpngw) start_vpngw DEDICATED ;;
    vpngw-unpinned) start_vpngw DEDICATED --no-pin ;;
    vpngw-shared) start_vpngw SHARED ;;
  esac
  for _ in $(seq 1 100); do ip netns exec "$P-lanA" ping -c1 -W1 10.2.0.2 >/dev/null 2>&1 && break; sleep 0.2; done
  ip netns exec "$P-lanA" ping -c1 -W1 10.2.0.2 >/dev/null || { echo "tunnel-bench: $sys: no connectivity" >&2; return 1; }
  for rep in $(seq 1 "$REPS"); do
    for kind in tcp udp; do
      echo "[$(date +%T)] $sys $kind run $rep/$REPS (${DUR}s)" >&2
      ip netns exec "$P-lanB" iperf3 -s -D -1 >/dev/null; sleep 0.3
      local args=(-c 10.2.0.2 -t "$DUR" -J)
      [ $kind = tcp ] && args+=(-O 1)
      [ $kind = udp ] && args+=(-u -b 0 -l 1350)
      ip netns exec "$P-lanA" iperf3 "${args[@]}" >"$WORK/$sys-$kind-$rep.json" 2>"$WORK/$sys-$kind-$rep.err" || true
      /usr/bin/python3 - "$WORK/$sys-$kind-$rep.json" "$sys" "$kind" "$rep" >>"$WORK/all.jsonl" <<'PY'
import json, sys
path, system, kind, rep = sys.argv[1:]
try:
    r = json.load(open(path))
    end = r["end"]
    if kind == "tcp":
        bps = end["sum_received"]["bits_per_second"]; pps = None; loss = None
    else:
        s = end["sum"]; bps = s["bits_per_second"] * (1 - s["lost_percent"] / 100)
        pps = (s["packets"] - s["lost_packets"]) / s["seconds"]; loss = s["lost_percent"]
    print(json.dumps({"system": system, "kind": kind, "rep": int(rep), "gbps": bps / 1e9, "pps": pps, "loss": loss}))
except Exception as e:
    text = open(path, errors="replace").read()
    try:
        text = json.loads(text).get("error", text)
    except ValueError:
        pass
    print(json.dumps({"system": system, "kind": kind, "rep": int(rep), "error": text.strip()[:200]}))
PY
    done
  done
  stop_all
}
for sys in $SYSTEMS; do measure "$sys"; done
/usr/bin/python3 - "$WORK/all.jsonl" "$OUT/tunnel.json" "$REPS" "$DUR" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
out = {"reps": int(sys.argv[3]), "duration_s": int(sys.argv[4]), "runs": rows, "median": {}}
for r in rows:
    if "error" in r: continue
    out["median"].setdefault(r["system"], {}).setdefault(r["kind"], []).append(r)
for system, kinds in out["median"].items():
    for kind, rs in kinds.items():
        kinds[kind] = {"gbps": statistics.median(x["gbps"] for x in rs),
                       "pps": statistics.median(x["pps"] for x in rs) if rs[0]["pps"] is not None else None,
                       "loss": statistics.median(x["loss"] for x in rs) if rs[0]["loss"] is not None else None}
json.dump(out, open(sys.argv[2], "w"), indent=1)
print(json.dumps(out["median"], indent=1))
PY
/usr/bin/python3 "$ROOT/benchmarks/report.py" "$OUT" full >"$ROOT/benchmarks/RESULTS.md"
echo "wrote benchmarks/RESULTS.md" >&2
