#!/usr/bin/env bash
# IKE SA setups per second (issue 4): full IKEv2 setups - IKE_SA_INIT + IKE_AUTH, ECP-256 (group
# 19), pre-shared key, the first child SA - from our load generator (the benchmarks module's
# dev.vpngw.benchmarks.ike.IkeLoadGenerator: our own initiator, many source addresses, real UDP)
# against two responders, in the same run and on the same topology (scripts/topology.sh):
#   vpngw       our appliance (`gateway run`): one responderOnly connection per source address (it
#               finds a peer's connection by address), child SAs installed in its dataplane
#   strongswan  strongSwan's charon, kernel-libipsec: one connection for the whole source range,
#               child SAs installed in libipsec, XFRM policies and routes
# The load generator runs in gwA's namespace from source addresses 198.18.0.1 and up (RFC 2544's
# benchmarking range), added to gwA's WAN interface; the responders run in gwB (192.0.2.2) and
# protect 10.2.0.0/24. Source i proposes 100.64.0.0+i/32 as its TSi, so every child SA has its own
# selectors. With PIN=1 (the default) the load generator is pinned to LOADGEN_CPUS and the
# responder to RESPONDER_CPUS (0 and 1): the responder has one core, and "setups per responder CPU
# second" is a per-core figure that does not depend on which side was the bottleneck.
#
# Two modes, each its own run of the load generator against a fresh responder:
#   hold   TOTAL_HOLD setups kept up until all are done, then deleted: setups/s, latency, memory
#          per held SA and deletes/s (our gateway's counters file has room for 65,536 counters, 20
#          per child SA: about 3,270 child SAs held at once)
#   churn  TOTAL_CHURN setups, each deleted as soon as it is up: a longer, steadier setups/s
#
#   benchmarks/ike-bench.sh          the measurement (quiet machine!): REPS=3, CONCURRENCY=32,
#                                    WARMUP=500, TOTAL_HOLD=400, TOTAL_CHURN=2000
#   benchmarks/ike-bench.sh quick    smoke test, a few seconds per run; the numbers mean nothing
# Environment: REPS MODES ("hold churn") TOTAL_HOLD TOTAL_CHURN CONCURRENCY WARMUP THREADS (of the
#   load generator) TIMEOUT (s per setup) SYSTEMS ("vpngw strongswan") PIN (1: taskset
#   LOADGEN_CPUS / RESPONDER_CPUS, default 0 / 1; 0: no pinning)
#   KEEP_WORK=1 (keep the responders' and the load generator's logs in /tmp/vpngw-ike-bench.*)
# Writes benchmarks/results/ike-setup.json; `benchmarks/ike_report.py` prints it as markdown.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
[ "${1:-}" = quick ] && QUICK=1
if [ $QUICK = 1 ]; then
  REPS=${REPS:-1}; TOTAL_HOLD=${TOTAL_HOLD:-30}; TOTAL_CHURN=${TOTAL_CHURN:-40}
  CONCURRENCY=${CONCURRENCY:-8}; WARMUP=${WARMUP:-20}
else
  REPS=${REPS:-3}; TOTAL_HOLD=${TOTAL_HOLD:-400}; TOTAL_CHURN=${TOTAL_CHURN:-2000}
  CONCURRENCY=${CONCURRENCY:-32}; WARMUP=${WARMUP:-500}
fi
MODES=${MODES:-"hold churn"}; THREADS=${THREADS:-1}; TIMEOUT=${TIMEOUT:-30}
SYSTEMS=${SYSTEMS:-"vpngw strongswan"}
PIN=${PIN:-1}; LOADGEN_CPUS=${LOADGEN_CPUS:-0}; RESPONDER_CPUS=${RESPONDER_CPUS:-1}
IKE_PROPOSAL=aes128gcm16-prfsha256-ecp256
ESP_PROPOSAL=aes128gcm16
PSK="ike-bench-psk-not-secret"
RESPONDER=192.0.2.2
LOADGEN_WAN=192.0.2.1
SOURCES_CIDR=198.18.0.0/15
SRC0=$(( (198 << 24) | (18 << 16) | 1 ))   # 198.18.0.1
INNER0=$(( (100 << 24) | (64 << 16) ))      # 100.64.0.0
INNER_CIDR=100.64.0.0/10
VNET=10.2.0.0/24
OUT="$ROOT/benchmarks/results"; mkdir -p "$OUT"

[ "$(id -u)" -eq 0 ] || { echo "ike-bench: needs root (namespaces)" >&2; exit 1; }
if [[ " $SYSTEMS " == *" strongswan "* ]] &&
   { ! command -v swanctl >/dev/null || [ ! -x /usr/lib/ipsec/charon ] ||
     [ ! -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]; }; then
  "$ROOT/scripts/install-test-deps.sh"
fi
source "$ROOT/scripts/jdk.sh"
"$ROOT/gateway" --version >/dev/null # builds the appliance when its sources changed
BJAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ ! -f "$BJAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/*/target" -prune -o \( -name '*.java' -o -name pom.xml \) -newer "$BJAR" -print -quit)" ]; then
  echo "ike-bench: building the benchmarks jar" >&2
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests -pl benchmarks -am package >&2)
fi
GCP="$ROOT/appliance/target/appliance-0.1.0-SNAPSHOT.jar:$ROOT/appliance/target/lib/*"
loadgen() { "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -cp "$BJAR" dev.vpngw.benchmarks.ike.IkeLoadGenerator "$@"; }
LOAD_ARGS=(--responder "$RESPONDER" --psk "$PSK" --ike-proposal "$IKE_PROPOSAL" --esp-proposal "$ESP_PROPOSAL"
  --concurrency "$CONCURRENCY" --warmup "$WARMUP" --threads "$THREADS" --timeout "$TIMEOUT" --remote-ts "$VNET")
mode_args() { # mode: the load generator's options for it
  case $1 in
    hold) echo --teardown hold --total "$TOTAL_HOLD" ;;
    churn) echo --teardown churn --total "$TOTAL_CHURN" ;;
    *) echo "ike-bench: unknown mode $1 (hold or churn)" >&2; return 2 ;;
  esac
}
N=0 # the most source addresses any mode needs; the responders get them all
for mode in $MODES; do
  # shellcheck disable=SC2046 # mode_args prints separate words on purpose
  n=$(loadgen "${LOAD_ARGS[@]}" $(mode_args "$mode") --sources-needed)
  [ "$n" -gt "$N" ] && N=$n
done
# Command prefixes, not functions: a backgrounded function would be a subshell, and $! its pid
# rather than the responder's (taskset, ip netns exec, unshare, env and sh all exec in turn).
PIN_LOADGEN=(); PIN_RESPONDER=()
if [ "$PIN" = 1 ]; then PIN_LOADGEN=(taskset -c "$LOADGEN_CPUS"); PIN_RESPONDER=(taskset -c "$RESPONDER_CPUS"); fi
ip4() { echo "$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }

P="vik$$"; P=${P:0:12}
WORK=$(mktemp -d /tmp/vpngw-ike-bench.XXXXXX)
RPID=""
stop_responder() {
  if [ -n "$RPID" ]; then
    kill "$RPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RPID" 2>/dev/null || true
    wait "$RPID" 2>/dev/null || true
    RPID=""
  fi
}
trap 'stop_responder; "$ROOT/scripts/topology.sh" down "$P"; if [ "${KEEP_WORK:-0}" = 1 ]; then echo "ike-bench: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi' EXIT
trap 'exit 130' INT TERM
# Up to two sockets per source, in one process: raise the soft limit as far as allowed.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -gt $((2 * N + 200)) ] ||
  { echo "ike-bench: $N sources need about $((2 * N + 200)) open files; the limit is $(ulimit -n)" >&2; exit 1; }

"$ROOT/scripts/topology.sh" up "$P"
for i in $(seq 0 $((N - 1))); do echo "address add $(ip4 $((SRC0 + i)))/32 dev wan0"; done |
  ip -n "$P-gwA" -batch -
ip -n "$P-gwB" route add "$SOURCES_CIDR" via "$LOADGEN_WAN"

start_vpngw() {
  local yaml="$WORK/vpngw.yaml" log="$WORK/$1.log" i
  {
    echo "gateway: {name: ike-bench, publicAddress: $RESPONDER, vnetPrefixes: [$VNET], runDirectory: $WORK/vpngw-run}"
    echo "localNetworkGateways:"
    for i in $(seq 0 $((N - 1))); do
      echo "  - {name: s$i, gatewayAddress: $(ip4 $((SRC0 + i))), addressPrefixes: [$(ip4 $((INNER0 + i)))/32]}"
    done
    echo "connections:"
    for i in $(seq 0 $((N - 1))); do
      echo "  - {name: c$i, localNetworkGateway: s$i, encapsulation: esp, ike: {sharedKey: \"$PSK\", ikeProposals: [$IKE_PROPOSAL], espProposals: [$ESP_PROPOSAL], connectionMode: responderOnly, dpdDelay: 0s}}"
    done
  } >"$yaml"
  # --no-pin: the CPU split is taskset's; the dataplane would otherwise pin its threads itself.
  "${PIN_RESPONDER[@]}" ip netns exec "$P-gwB" "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -cp "$GCP" \
    dev.vpngw.appliance.Main run --no-pin --config "$yaml" >"$log" 2>&1 &
  RPID=$!
  # Startup adds one kernel route per site with `ip`: allow for that.
  for _ in $(seq 1 $((600 + N))); do grep -q ": running;" "$log" && return 0; kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
  tail -20 "$log" >&2
  return 1
}

start_strongswan() {
  local dir="$WORK/$1"
  mkdir -p "$dir/run"
  cat >"$dir/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  # Ours asks for a COOKIE above 1000 half-open IKE SAs; strongSwan's default is 30.
  cookie_threshold = 1000
  # strongSwan's own advice for many IKE SAs: a hash table larger than its default single row.
  ikesa_table_size = 1024
  ikesa_table_segments = 16
  filelog { log { path = $dir/charon.log
    default = 1 } }
  plugins { vici { socket = unix://$dir/charon.vici }
            kernel-libipsec { mtu = 1400 } }
}
CONF
  cat >"$dir/swanctl.conf" <<CONF
connections { load { version = 2
  local_addrs = $RESPONDER
  remote_addrs = $SOURCES_CIDR
  proposals = $IKE_PROPOSAL
  dpd_delay = 0
  local { auth = psk
    id = $RESPONDER }
  remote { auth = psk }
  children { net { local_ts = $VNET
    remote_ts = $INNER_CIDR
    esp_proposals = $ESP_PROPOSAL } } } }
secrets { ike-load { secret = "$PSK" } }
CONF
  # /run is charon's (pid file, sockets): a private mount per instance, as in tunnel-bench.sh.
  "${PIN_RESPONDER[@]}" ip netns exec "$P-gwB" unshare --mount --propagation private env STRONGSWAN_CONF="$dir/strongswan.conf" \
    sh -c 'mount --bind "$0" /run && exec "$1"' "$dir/run" /usr/lib/ipsec/charon </dev/null >"$dir/out" 2>&1 &
  RPID=$!
  for _ in $(seq 1 100); do [ -S "$dir/charon.vici" ] && break; sleep 0.1; done
  [ "$(cat "/proc/$RPID/comm" 2>/dev/null)" = charon ] || { cat "$dir/out" >&2; return 1; }
  ip netns exec "$P-gwB" swanctl --load-all --file "$dir/swanctl.conf" --uri "unix://$dir/charon.vici" >"$dir/load.out" 2>&1 ||
    { cat "$dir/load.out" >&2; return 1; }
}

: >"$WORK/runs.jsonl"
for rep in $(seq 1 "$REPS"); do
  for mode in $MODES; do
    for sys in $SYSTEMS; do
      run="$sys-$mode-$rep"
      echo "[$(date +%T)] $sys, $mode, run $rep/$REPS: $CONCURRENCY in flight, $WARMUP warm-up" >&2
      case $sys in
        vpngw) start_vpngw "$run" ;;
        strongswan) start_strongswan "$run" ;;
        *) echo "ike-bench: unknown system $sys" >&2; exit 2 ;;
      esac
      status=0
      # shellcheck disable=SC2046
      "${PIN_LOADGEN[@]}" ip netns exec "$P-gwA" "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -cp "$BJAR" \
        dev.vpngw.benchmarks.ike.IkeLoadGenerator "${LOAD_ARGS[@]}" $(mode_args "$mode") --sources "$N" \
        --responder-pid "$RPID" --label "$sys" --json "$WORK/$run.json" --ike-log "$WORK/$run-ike.log" ||
        status=$?
      stop_responder
      if [ -s "$WORK/$run.json" ]; then
        /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["system"]=sys.argv[2]; r["mode"]=sys.argv[3]; r["rep"]=int(sys.argv[4]); print(json.dumps(r))' \
          "$WORK/$run.json" "$sys" "$mode" "$rep" >>"$WORK/runs.jsonl"
      else
        echo "ike-bench: $run produced no result (exit $status)" >&2
        echo "{\"system\": \"$sys\", \"mode\": \"$mode\", \"rep\": $rep, \"error\": \"load generator exit $status\"}" >>"$WORK/runs.jsonl"
      fi
    done
  done
done

/usr/bin/python3 - "$WORK/runs.jsonl" "$OUT/ike-setup.json" <<PY
import json, os, platform, subprocess, sys, time
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"
runs = [json.loads(l) for l in open(sys.argv[1])]
out = {
    "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "quick": $QUICK == 1,
    "params": {"reps": $REPS, "modes": "$MODES".split(), "total_hold": $TOTAL_HOLD,
               "total_churn": $TOTAL_CHURN, "concurrency": $CONCURRENCY, "warmup": $WARMUP,
               "threads": $THREADS, "timeout_s": $TIMEOUT,
               "ike_proposal": "$IKE_PROPOSAL", "esp_proposal": "$ESP_PROPOSAL", "auth": "psk",
               "sources": $N, "pinned": $PIN == 1,
               "loadgen_cpus": "$LOADGEN_CPUS" if $PIN == 1 else None,
               "responder_cpus": "$RESPONDER_CPUS" if $PIN == 1 else None},
    "machine": {"cores": os.cpu_count(), "kernel": platform.release(),
                "java": sh("'$JAVA_HOME/bin/java' -version 2>&1 | head -1"),
                "strongswan": sh("/usr/lib/ipsec/charon --version 2>/dev/null || swanctl --version")},
    "runs": runs,
}
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
echo "wrote benchmarks/results/ike-setup.json" >&2
/usr/bin/python3 "$ROOT/benchmarks/ike_report.py" "$OUT/ike-setup.json"
