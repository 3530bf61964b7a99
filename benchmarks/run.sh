#!/usr/bin/env bash
# The end-to-end benchmark harness: our gateway beside strongSwan and plain routing, on the
# namespaces of scripts/topology.sh, in one command (issue 8). Results: benchmarks/results/*.json,
# rendered into benchmarks/RESULTS.md with SVG charts in benchmarks/results/charts/.
#
#   sudo benchmarks/run.sh all            throughput, scaling, latency, tunnel scale (about 30 min)
#   sudo benchmarks/run.sh quick          the same once and short: a smoke test; its figures go to
#                                         benchmarks/results/quick/ and never into RESULTS.md
#   sudo benchmarks/run.sh throughput|latency|scaling|tunnel-scale   one suite
#   benchmarks/run.sh compare A.json B.json                           the change of every metric
#   benchmarks/run.sh report                                          re-render RESULTS.md
# Options (after the mode): --reps N --duration S --systems a,b --workers 1,2 --tunnels 1,10,100
#   --scale-tunnels N --perf-event EVENT|none --out DIR; `benchmarks/run.sh --help` lists them.
# Run it on a quiet machine: on 2 cores anything else running skews every figure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH="$ROOT/benchmarks"
PY=/usr/bin/python3 # Debian's interpreter; the harness needs only its standard library
case "${1:-}" in
  "" | -h | --help) exec "$PY" -m harness --help ;;
  compare) exec "$PY" -m harness "$@" ;;
  report) source "$ROOT/scripts/jdk.sh" && exec "$PY" -m harness "$@" ;; # the JDK row of older JMH results
esac
[ "$(id -u)" -eq 0 ] || { echo "benchmarks/run.sh: needs root (network namespaces, TUN devices)" >&2; exit 1; }
for tool in ip ping iperf3; do
  command -v "$tool" >/dev/null || { echo "benchmarks/run.sh: needs '$tool' (apt-get install iproute2 iputils-ping iperf3)" >&2; exit 1; }
done
if ! command -v swanctl >/dev/null || [ ! -x /usr/lib/ipsec/charon ] || [ ! -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]; then
  echo "benchmarks/run.sh: installing strongSwan (charon + kernel-libipsec) for the comparison" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strongswan-swanctl \
    strongswan-charon libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins >/dev/null
fi
source "$ROOT/scripts/jdk.sh"
"$ROOT/gateway" --version >/dev/null # builds the appliance on first use or when sources changed
JAR="$ROOT/benchmarks/target/benchmarks.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/benchmarks/src" "$ROOT/crypto-pipeline/src" "$ROOT/packet-io/src" -newer "$JAR" -print -quit)" ]; then
  echo "benchmarks/run.sh: building the benchmarks jar (UdpPing)" >&2
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests -pl benchmarks -am package >&2)
fi
P="vb$$"
export VPNGW_BENCH_PREFIX=${P:0:12}
export VPNGW_BENCH_JVM_FLAGS="${VPNGW_JVM_FLAGS[*]}" # bash cannot export the array itself
export VPNGW_BENCH_COMMAND="benchmarks/run.sh $*"
# The harness removes what it made itself; this catches a harness that was killed outright.
trap '"$ROOT/scripts/topology.sh" down "$VPNGW_BENCH_PREFIX"' EXIT
"$PY" -m harness "$@"
