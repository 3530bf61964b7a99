"""The four suites of the harness, each a plan of steps (harness.progress) that fills a ResultSet.

  throughput    iperf3 TCP 1 and 8 streams, UDP unpaced at 1400 B and 64 B (IP packet sizes), per
                system; systems alternate within each repetition, in a rotated order every time
  scaling       our gateway with 1..N crypto workers times 1, 10, 100 tunnels sharing the load
  latency       UDP round trips (benchmarks' UdpPing) at idle and beside a TCP load at half the
                system's own maximum, measured just before in the same setup
  tunnel-scale  our gateway with 1 and with 100 manual-key tunnels: RSS per gateway, bytes per SA

Every measurement window also reads the CPU time of the system's processes (/proc/<pid>/stat),
the whole machine's busy time (/proc/stat) and the packets on gateway A's WAN link, so CPU per
packet and per byte come from the same window as the rate.
"""
import json
import math
import os
import re
import time

from harness import iperf, proc, systems
from harness.results import METRICS
from harness.progress import Step
from harness.proc import HarnessError, Processes, netns
from harness.topo import lan_a, lan_b

# name -> (kind, streams, UDP payload): 1400 and 64 are the IP packet sizes, payload + 28.
THROUGHPUT_TESTS = {
    "tcp-1": ("tcp", 1, None),
    "tcp-8": ("tcp", 8, None),
    "udp-1400": ("udp", 1, 1400 - 28),
    "udp-64": ("udp", 1, 64 - 28),
}
STREAMS_AT_LEAST = 8  # scaling: total TCP streams, whatever the tunnel count
ECHO_PORT = 7007
PROBE_RATE = 1000  # probes per second
PROBE_PAYLOAD = 64 - 28


def setup_estimate(name, tunnels=1):
    base = {"plain": 2, "strongswan": 5, "vpngw-strongswan": 6}.get(name, 6)
    return base + tunnels * 0.15


def scaling_test(workers, tunnels):
    return "workers-%d/tunnels-%d" % (workers, tunnels)


def spread(tunnels):
    """How the scaling load is spread: one iperf3 client per tunnel (each from 10.1.x.2 to 10.2.x.2),
    with enough TCP streams each that there are at least STREAMS_AT_LEAST in all."""
    return [(x, max(1, math.ceil(STREAMS_AT_LEAST / tunnels))) for x in range(tunnels)]


class Bench:
    """Holds the system currently up and the tools (iperf3 servers, echo server) running beside it."""

    def __init__(self, ctx, perf_event, log_dir):
        self.ctx, self.perf_event, self.log_dir = ctx, perf_event, log_dir
        self.system = None
        self.failed = None
        self.tools = Processes()
        self._log_seq = 0

    # -- set-up and tear-down

    def setup(self, rs, name, rep, tunnels=1, workers=None, echo=False, tests=()):
        self.teardown()
        self.failed = None
        sysobj = systems.make(self.ctx, name, tunnels, workers)
        self.system = sysobj
        try:
            sysobj.start()
            iperf.start_servers(self.tools, self.ctx.topo, self.ctx.work, tunnels)
            if echo:
                self._start_echo()
            time.sleep(0.3)  # servers listening
        except (HarnessError, OSError) as e:
            self.failed = "%s did not come up: %s" % (name, e)
            for test in tests or ("setup",):
                rs.fail(test, name, rep, self.failed)
            self._keep_logs(name, rep)
            self.teardown()

    def teardown(self):
        self.tools.stop(grace=3)
        if self.system is not None:
            self.system.stop()
            self.system = None
        else:
            self.ctx.topo.down()

    def _keep_logs(self, name, rep):
        """A failed system's logs go to results/logs/ before its scratch directory is reused."""
        if not self.system:
            return
        os.makedirs(self.log_dir, exist_ok=True)
        self._log_seq += 1
        path = os.path.join(self.log_dir, "%s-rep%d-%d.log" % (name, rep, self._log_seq))
        with open(path, "w") as f:
            f.write(self.system.log_tails())

    def _start_echo(self):
        log = os.path.join(self.ctx.work, "echo.log")
        p = self.tools.start(netns(self.ctx.topo.lanB, self.ctx.java, "-Xmx64m", "-XX:+UseSerialGC", "-cp",
                                   self.ctx.bench_jar, "dev.vpngw.benchmarks.udpping.UdpPing", "echo",
                                   "--bind", "%s:%d" % (lan_b(0), ECHO_PORT)), log)
        proc.wait_for_line(log, "echoing on port", p, 30)

    # -- one measurement window

    def window(self, run_clients):
        """Runs run_clients() and returns (its result, the CPU/packet figures over the same window)."""
        topo, pids = self.ctx.topo, self.system.pids()
        esp0 = self.system.esp_packets()
        cpu0 = sum(proc.cpu_seconds(p) for p in pids)
        busy0, total0 = proc.machine_cpu()
        wan0 = proc.link_stats(topo.gwA, "wan0")
        perf = None
        if self.perf_event and pids:
            perf = proc.PerfCounter(self.perf_event, pids, os.path.join(self.ctx.work, "perf.csv"))
        t0 = time.monotonic()
        result = run_clients()
        wall = time.monotonic() - t0
        counted = perf.stop() if perf else None
        cpu = sum(proc.cpu_seconds(p) for p in pids) - cpu0
        busy1, total1 = proc.machine_cpu()
        wan1 = proc.link_stats(topo.gwA, "wan0")
        esp1 = self.system.esp_packets()
        if esp0 is not None:
            a_to_b, packets = esp1[0] - esp0[0], esp1[1] - esp0[1]
        else:
            a_to_b = wan1["tx_packets"] - wan0["tx_packets"]
            packets = a_to_b + (wan1["rx_packets"] - wan0["rx_packets"])
        figures = {
            "wan_pps": a_to_b / wall,
            "machine_busy_percent": 100.0 * (busy1 - busy0) / max(1e-9, total1 - total0),
        }
        if packets:
            figures["machine_cpu_ns_per_packet"] = (busy1 - busy0) * 1e9 / packets
        if pids:
            figures["cpu_s"] = cpu
            if packets:
                figures["cpu_ns_per_packet"] = cpu * 1e9 / packets
            if counted is not None and packets:
                figures["%s_per_packet" % self.perf_event] = counted / packets
        return result, figures

    def record(self, rs, test, name, figures):
        for metric, value in figures.items():
            if metric not in METRICS:
                rs.note("metric %s is %s counted by perf stat over the gateway processes"
                        % (metric, self.perf_event))
            rs.add(test, name, metric, value)

    # -- throughput

    def throughput(self, rs, test, name, rep, duration):
        if self.failed:
            return
        kind, streams, payload = THROUGHPUT_TESTS[test]
        cmd = iperf.client_cmd(self.ctx.topo, 0, kind, duration, streams, payload)
        try:
            out, figures = self.window(lambda: iperf.run_clients([cmd], duration + 30)[0])
            r = iperf.parse(out, kind, payload)
        except HarnessError as e:
            rs.fail(test, name, rep, e)
            return
        figures.update(r)
        figures["cpu_ns_per_byte"] = figures["cpu_s"] * 1e9 / r["bytes"] if "cpu_s" in figures and r["bytes"] else None
        del figures["seconds"], figures["bytes"]
        self.record(rs, test, name, figures)

    # -- scaling

    def scaling(self, rs, workers, tunnels, rep, duration):
        test = scaling_test(workers, tunnels)
        if self.failed:
            return
        cmds = [iperf.client_cmd(self.ctx.topo, x, "tcp", duration, streams) for x, streams in spread(tunnels)]
        try:
            outs, figures = self.window(lambda: iperf.run_clients(cmds, duration + 60))
            r = iperf.combine([iperf.parse(o, "tcp") for o in outs])
        except HarnessError as e:
            rs.fail(test, "vpngw", rep, e)
            return
        figures["gbps"] = r["gbps"]
        if "cpu_s" in figures and r["bytes"]:
            figures["cpu_ns_per_byte"] = figures["cpu_s"] * 1e9 / r["bytes"]
        self.record(rs, test, "vpngw", figures)

    # -- latency

    def measure_max(self, rs, name, rep, duration):
        """The system's TCP maximum right now, in this setup: the reference for the 50% load."""
        self.max_bps = None
        if self.failed:
            return
        try:
            out = iperf.run_clients([iperf.client_cmd(self.ctx.topo, 0, "tcp", duration)], duration + 30)[0]
            self.max_bps = iperf.parse(out, "tcp")["gbps"] * 1e9
        except HarnessError as e:
            rs.fail("load50", name, rep, "measuring the maximum for the 50%% load: %s" % e)

    def latency(self, rs, test, name, rep, duration, warmup):
        if self.failed or (test == "load50" and not self.max_bps):
            return
        probe = netns(self.ctx.topo.lanA, self.ctx.java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", self.ctx.bench_jar,
                      "dev.vpngw.benchmarks.udpping.UdpPing", "client", "--target", "%s:%d" % (lan_b(0), ECHO_PORT),
                      "--bind", lan_a(0), "--rate", str(PROBE_RATE), "--duration", str(duration),
                      "--warmup", str(warmup), "--grace", "1", "--size", str(PROBE_PAYLOAD))
        load = None
        if test == "load50":
            # The load runs through warm-up, measurement and grace, plus a margin at both ends.
            load = iperf.client_cmd(self.ctx.topo, 0, "tcp", int(math.ceil(duration + warmup + 3)),
                                    rate_bps=self.max_bps / 2)

        def run():
            cmds = [probe] + ([load] if load else [])
            return iperf.run_clients(cmds, duration + warmup + 60)

        try:
            outs, figures = self.window(run)
            report = parse_probe(outs[0])
            if load:
                figures["load_gbps"] = iperf.parse(outs[1], "tcp")["gbps"]
                figures["load_target_gbps"] = self.max_bps / 2e9
        except HarnessError as e:
            rs.fail(test, name, rep, e)
            return
        sent = report["sent"]
        figures.update({k: report[k] for k in ("p50_us", "p90_us", "p99_us", "p999_us", "max_us", "late_sends")})
        figures["loss_percent"] = 100.0 * report["lost"] / sent if sent else None
        for k in ("wan_pps", "cpu_ns_per_packet", "machine_cpu_ns_per_packet"):
            figures.pop(k, None)  # a probe's few packets say nothing about per-packet cost
        self.record(rs, test, name, figures)

    # -- tunnel scale

    def tunnel_scale(self, rs, tunnels, rep):
        test = "tunnels-%d" % tunnels
        if self.failed:
            return
        # A full GC in each gateway first, so start-up garbage (which differs with the tunnel count)
        # is not counted as tunnel memory; G1 also returns the freed heap to the OS then.
        jcmd = os.path.join(os.path.dirname(self.ctx.java), "jcmd")
        heap = []
        try:
            for pid in self.system.pids():
                proc.run([jcmd, str(pid), "GC.run"], timeout=60, check=False)
                info = proc.run([jcmd, str(pid), "GC.heap_info"], timeout=60, check=False).stdout
                heap.append(parse_heap_used(info))
            time.sleep(2)
            rss = [proc.rss_bytes(p) for p in self.system.pids()]
        except HarnessError as e:
            rs.fail(test, "vpngw", rep, e)
            return
        rs.add(test, "vpngw", "rss_bytes", sum(rss) / len(rss))
        if None not in heap:
            rs.add(test, "vpngw", "heap_used_bytes", sum(heap) / len(heap))
        rs.add(test, "vpngw", "tunnels_up", self.ctx.topo.wait_reachable(range(tunnels), 10))


def parse_heap_used(text):
    """Bytes in use on the Java heap from `jcmd PID GC.heap_info` ('... heap ... used 1697K ...')."""
    m = re.search(r"heap\b.*?\bused (\d+)K", text)
    return int(m.group(1)) * 1024 if m else None


def parse_probe(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            r = json.loads(line)
            if not r["answered"]:
                raise HarnessError("no probe came back (sent %d)" % r["sent"])
            return r
    raise HarnessError("UdpPing printed no report: " + text.strip()[-300:])


# -- plans


def throughput_plan(bench, rs, names, reps, duration, tests=tuple(THROUGHPUT_TESTS)):
    steps = []
    for rep in range(1, reps + 1):
        # Rotated every repetition, so no system always runs first (or right after another).
        shift = (rep - 1) % len(names)
        for name in names[shift:] + names[:shift]:
            steps.append(Step("throughput %d/%d: start %s" % (rep, reps, systems.LABELS.get(name, name)),
                              setup_estimate(name),
                              lambda n=name, r=rep: bench.setup(rs, n, r, tests=tests)))
            for test in tests:
                kind = THROUGHPUT_TESTS[test][0]
                steps.append(Step("throughput %d/%d: %s, %s (%d s)" % (rep, reps, name, test, duration),
                                  duration + (1 if kind == "tcp" else 0) + 1.5,
                                  lambda t=test, n=name, r=rep: bench.throughput(rs, t, n, r, duration)))
    steps.append(Step("throughput: stop", 2, bench.teardown))
    return steps


def scaling_plan(bench, rs, workers_list, tunnels_list, reps, duration):
    steps = []
    for rep in range(1, reps + 1):
        for w in workers_list:
            for t in tunnels_list:
                test = scaling_test(w, t)
                steps.append(Step("scaling %d/%d: start vpngw, %d worker(s), %d tunnel(s)" % (rep, reps, w, t),
                                  setup_estimate("vpngw", t) + t * 0.05,
                                  lambda w=w, t=t, r=rep, test=test:
                                  bench.setup(rs, "vpngw", r, tunnels=t, workers=w, tests=(test,))))
                steps.append(Step("scaling %d/%d: TCP over %d tunnel(s), %d worker(s) (%d s)" % (rep, reps, t, w, duration),
                                  duration + 2 + t * 0.05,
                                  lambda w=w, t=t, r=rep: bench.scaling(rs, w, t, r, duration)))
    steps.append(Step("scaling: stop", 2, bench.teardown))
    return steps


def latency_plan(bench, rs, names, reps, duration, warmup, max_duration):
    steps = []
    for rep in range(1, reps + 1):
        shift = (rep - 1) % len(names)
        for name in names[shift:] + names[:shift]:
            steps.append(Step("latency %d/%d: start %s" % (rep, reps, systems.LABELS.get(name, name)),
                              setup_estimate(name) + 1,
                              lambda n=name, r=rep: bench.setup(rs, n, r, echo=True, tests=("idle", "load50"))))
            steps.append(Step("latency %d/%d: %s maximum TCP rate for the 50%% load (%d s)" % (rep, reps, name, max_duration),
                              max_duration + 2, lambda n=name, r=rep: bench.measure_max(rs, n, r, max_duration)))
            for test in ("idle", "load50"):
                steps.append(Step("latency %d/%d: %s round trips, %s (%d s)" % (rep, reps, name, test, duration),
                                  duration + warmup + 2.5,
                                  lambda t=test, n=name, r=rep: bench.latency(rs, t, n, r, duration, warmup)))
    steps.append(Step("latency: stop", 2, bench.teardown))
    return steps


def tunnel_scale_plan(bench, rs, counts, reps):
    steps = []
    for rep in range(1, reps + 1):
        for n in counts:
            steps.append(Step("tunnel scale %d/%d: start vpngw with %d tunnel(s)" % (rep, reps, n),
                              setup_estimate("vpngw", n),
                              lambda n=n, r=rep: bench.setup(rs, "vpngw", r, tunnels=n, tests=("tunnels-%d" % n,))))
            steps.append(Step("tunnel scale %d/%d: resident memory with %d tunnel(s)" % (rep, reps, n), 3,
                              lambda n=n, r=rep: bench.tunnel_scale(rs, n, r)))
    steps.append(Step("tunnel scale: stop", 2, bench.teardown))
    return steps


def finish_tunnel_scale(rs, counts):
    """Bytes per SA from the medians of RSS and of the Java heap in use: each tunnel is two SAs
    (inbound, outbound) on each gateway."""
    lo, hi = min(counts), max(counts)
    for used, per_sa in (("rss_bytes", "bytes_per_sa"), ("heap_used_bytes", "heap_bytes_per_sa")):
        a, b = rs.median("tunnels-%d" % lo, "vpngw", used), rs.median("tunnels-%d" % hi, "vpngw", used)
        if a is not None and b is not None and hi > lo:
            rs.add("tunnels-%d" % hi, "vpngw", per_sa, (b - a) / (2 * (hi - lo)))
