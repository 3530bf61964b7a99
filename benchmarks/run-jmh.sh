#!/usr/bin/env bash
# ESP codec and crypto engine benchmarks (JMH), with their same-run baselines, written to
# benchmarks/RESULTS.md. Run on a quiet machine: on 2 cores anything else skews the figures.
#   benchmarks/run-jmh.sh          full run (about 10 minutes)
#   benchmarks/run-jmh.sh quick    one short iteration per point (about 3 minutes; noisier)
#   benchmarks/run-jmh.sh scaling  only the worker-scaling benchmark (keeps the other results)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/jdk.sh"
MODE=${1:-full}
OUT="$ROOT/benchmarks/results"
mkdir -p "$OUT"
if [ "$MODE" = quick ]; then JMH_TIME=(-f 1 -wi 1 -w 1s -i 2 -r 1s); else JMH_TIME=(-f 1 -wi 2 -w 1s -i 5 -r 1s); fi
echo "[1/5] building the benchmarks jar" >&2
(cd "$ROOT" && mvn -B -q -ntp -DskipTests -pl benchmarks -am package)
JAR="$ROOT/benchmarks/target/benchmarks.jar"
run_jmh() { # name, then JMH arguments
  local name=$1; shift
  "$JAVA_HOME/bin/java" "${VPNGW_JVM_FLAGS[@]}" -jar "$JAR" "$@" "${JMH_TIME[@]}" \
    -jvmArgsAppend "${VPNGW_JVM_FLAGS[*]}" -prof gc -rf json -rff "$OUT/$name.json" >"$OUT/$name.log" 2>&1 ||
    { tail -30 "$OUT/$name.log" >&2; exit 1; }
}
if [ "$MODE" != scaling ]; then
echo "[2/5] openssl speed -evp (outside reference)" >&2
: >"$OUT/openssl-speed.txt"
for bytes in 64 1400; do
  openssl speed -elapsed -seconds 3 -bytes "$bytes" -evp aes-128-gcm 2>/dev/null | tail -1 >>"$OUT/openssl-speed.txt"
done
echo "[3/5] JMH: AES-128-GCM, both engines, ESP and raw AEAD, 64/512/1400/IMIX" >&2
run_jmh target 'dev.vpngw.benchmarks.(EspBenchmark|RawAeadBenchmark)'
fi
echo "[4/5] JMH: crypto worker scaling, 1 and 2 workers (threads)" >&2
run_jmh scaling-1 'dev.vpngw.pipeline.WorkerScalingBenchmark' -t 1
run_jmh scaling-2 'dev.vpngw.pipeline.WorkerScalingBenchmark' -t 2
if [ "$MODE" != scaling ]; then
echo "[5/5] JMH: every other suite, OpenSSL and JDK, 64 B and 1400 B" >&2
run_jmh suites 'dev.vpngw.benchmarks.EspBenchmark' -p size=64,1400 \
  -p suite=AES_GCM_16_256,CHACHA20_POLY1305,AES_GMAC_128,AES_CBC_128+HMAC_SHA1_96,AES_CBC_128+HMAC_SHA2_256_128,AES_CBC_256+HMAC_SHA2_512_256
fi
if [ "$MODE" != scaling ]; then
  # How these figures were made, for RESULTS.md (the JMH JSON records the JVM but not the machine).
  CMD="benchmarks/run-jmh.sh${1:+ $1}" /usr/bin/python3 - "$OUT/jmh-run.json" <<'PY'
import json, os, platform, re, subprocess, sys
sh = lambda c: subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
json.dump({"command": os.environ["CMD"], "cpu": cpu.group(1) if cpu else "?", "cores": os.cpu_count(),
           "kernel": platform.release(), "jdk": sh('"$JAVA_HOME/bin/java" -version 2>&1 | head -1'),
           "openssl": sh("openssl version"), "date": sh("date -u +%Y-%m-%dT%H:%M:%SZ")},
          open(sys.argv[1], "w"), indent=1)
PY
fi
/usr/bin/python3 "$ROOT/benchmarks/report.py" "$OUT" "$ROOT/benchmarks/RESULTS.md"
echo "wrote benchmarks/RESULTS.md" >&2
