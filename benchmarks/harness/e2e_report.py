"""The end-to-end sections of RESULTS.md and their charts, from the harness's results files.

Every figure printed here is read from benchmarks/results/<suite>.json; a suite without a file says
"not measured yet" rather than showing anything else.
"""
import os

from harness import svg, systems
from harness.results import index, load

SYSTEM_ORDER = list(systems.ALL)
TEST_LABELS = {"tcp-1": "TCP, 1 stream", "tcp-8": "TCP, 8 streams", "udp-1400": "UDP 1400 B", "udp-64": "UDP 64 B",
               "idle": "idle", "load50": "50% load"}


def f(x, fmt="%.2f"):
    return "n/a" if x is None else fmt % x


def ratio(a, b):
    return a / b if a is not None and b else None


def label(system):
    return systems.LABELS.get(system, system)


class Suite:
    """One results file: its figures by (test, system, metric), and how it was made."""

    def __init__(self, results_dir, name):
        self.name = name
        self.path = os.path.join(results_dir, name + ".json")
        self.doc = load(self.path) if os.path.exists(self.path) else None
        self.idx = index(self.doc) if self.doc else {}

    def __bool__(self):
        return self.doc is not None

    def v(self, test, system, metric):
        r = self.idx.get((test, system, metric))
        return r["value"] if r else None

    def spread(self, test, system, metric, scale=1.0, fmt="%.1f"):
        """'median [min-max]' of the repetitions, or the median alone when there was one."""
        r = self.idx.get((test, system, metric))
        if not r:
            return "n/a"
        if len(r["samples"]) < 2:
            return fmt % (r["value"] / scale)
        return "%s [%s-%s]" % (fmt % (r["value"] / scale), fmt % (min(r["samples"]) / scale),
                               fmt % (max(r["samples"]) / scale))

    def systems(self):
        present = {s for (_, s, _) in self.idx}
        return [s for s in SYSTEM_ORDER if s in present] + sorted(present - set(SYSTEM_ORDER))

    def provenance(self):
        d, m, s = self.doc, self.doc["machine"], self.doc["settings"]
        lines = ["Command: `%s` (%s to %s; %d repetition(s) of %d s, medians)."
                 % (d["command"], d["started"], d.get("finished", "?"), s["reps"], s["duration_s"]),
                 "Machine: %s, %d cores, %s GiB; kernel %s; %s; strongSwan %s; %s; commit %s;"
                 " load average at the start %s; perf: %s."
                 % (m["cpu"], m["cores"], m.get("memory_gib", "?"), m["kernel"], m["jdk"], m.get("strongswan") or "?",
                    m.get("iperf3", "?"), m.get("commit") or "?", " ".join(m.get("load_average_at_start", [])),
                    m.get("perf", "?"))]
        return lines

    def failures(self):
        out, grouped = [], {}
        for fl in self.doc.get("failures", []):
            # A system that did not come up fails every test of its repetition with one message.
            grouped.setdefault((fl["system"], fl["rep"], fl["error"]), []).append(fl["test"])
        for (system, rep, error), tests in grouped.items():
            err = " ".join(error.split())[:400]
            out.append("- failed: %s, %s, repetition %s: %s" % (label(system), ", ".join(tests), rep, err))
        for n in self.doc.get("notes", []):
            out.append("- note: " + n)
        return out


def chart(charts_dir, md_dir, name, text, alt):
    os.makedirs(charts_dir, exist_ok=True)
    path = os.path.join(charts_dir, name)
    with open(path, "w") as fh:
        fh.write(text)
    return "![%s](%s)" % (alt, os.path.relpath(path, md_dir))


def not_measured(suite, command):
    return ["Not measured yet: there is no `%s` in the results. Run `sudo %s`." % (os.path.basename(suite.path),
                                                                                command), ""]


def throughput(results_dir, charts_dir, md_dir):
    s = Suite(results_dir, "throughput")
    out = ["## Throughput: our gateway beside strongSwan and plain routing (issue 8)", ""]
    if not s:
        return out + not_measured(s, "benchmarks/run.sh throughput")
    out += s.provenance() + [""]
    out += ["iperf3 from LAN A (10.1.0.2) to LAN B (10.2.0.2) across scripts/topology.sh's four namespaces,"
            " every system on the same namespaces, set up afresh and alternating within each repetition"
            " (in a rotated order). All on one machine: both gateways, the iperf3 client and server and the"
            " kernel's forwarding share its cores. AES-128-GCM ESP-in-UDP with a 1400-byte tunnel MTU for"
            " every tunnel. TCP: goodput received, after a 1 s omitted warm-up. UDP: unpaced datagrams whose"
            " IP packets are 1400 or 64 bytes; Gbps is iperf3's goodput (UDP payload) received, packets/s"
            " as received (sent in brackets).", ""]
    names = s.systems()
    out += ["| system | TCP 1 stream Gbps | vs plain | vs strongSwan | TCP 8 streams Gbps | vs plain | vs strongSwan |",
            "|---|---|---|---|---|---|---|"]
    for n in names:
        row = [label(n)]
        for t in ("tcp-1", "tcp-8"):
            g = s.v(t, n, "gbps")
            row += [f(g, "%.3f"), f(ratio(g, s.v(t, "plain", "gbps")), "%.3f"),
                    f(ratio(g, s.v(t, "strongswan", "gbps")), "%.2fx")]
        out.append("| " + " | ".join(row) + " |")
    out += ["", "| system | UDP 1400 B Gbps | packets/s (sent) | loss | UDP 64 B Gbps | packets/s (sent) | loss | 64 B packets/s vs plain | vs strongSwan |",
            "|---|---|---|---|---|---|---|---|---|"]
    for n in names:
        row = [label(n)]
        for t in ("udp-1400", "udp-64"):
            row += [f(s.v(t, n, "gbps"), "%.3f"),
                    "%s (%s)" % (f(s.v(t, n, "pps"), "%.0f"), f(s.v(t, n, "sent_pps"), "%.0f")),
                    f(s.v(t, n, "loss_percent"), "%.1f%%")]
        p = s.v("udp-64", n, "pps")
        row += [f(ratio(p, s.v("udp-64", "plain", "pps")), "%.3f"), f(ratio(p, s.v("udp-64", "strongswan", "pps")), "%.2fx")]
        out.append("| " + " | ".join(row) + " |")

    tests = [t for t in ("tcp-1", "tcp-8", "udp-1400", "udp-64") if any(s.v(t, n, "gbps") for n in names)]
    series = [(label(n), [s.v(t, n, "gbps") for t in tests]) for n in names]
    out += ["", chart(charts_dir, md_dir, "throughput.svg",
                      svg.bar_chart("Throughput by test and system (medians)", [TEST_LABELS[t] for t in tests],
                                    series, "Gbit/s", log=True), "throughput by test and system")]
    udp = [t for t in ("udp-1400", "udp-64") if t in tests]
    if udp:
        series = [(label(n), [s.v(t, n, "pps") for t in udp]) for n in names]
        out.append(chart(charts_dir, md_dir, "packet-rate.svg",
                         svg.bar_chart("UDP packets per second received, by packet size", [TEST_LABELS[t] for t in udp],
                                       series, "packets/s", log=True), "packet rate by packet size and system"))

    out += ["", "### CPU per packet and per byte", "",
            "Over each measurement window: the CPU time (utime + stime, /proc/<pid>/stat) of the system's own"
            " processes (both gateways: our JVMs or charon, whose kernel-libipsec does its ESP in user space),"
            " divided by the packets that crossed the WAN link in both directions (each was encrypted by one"
            " gateway and decrypted by the other) and by the bytes iperf3 delivered. Where one of the gateways is"
            " ours, the packets are the ESP packets its counters file counted: with WAN offloads on, the veth"
            " counts one UDP_SEGMENT super-packet (up to 64 ESP packets) as one. Plain routing has no"
            " such process; the machine columns count every busy core-second (/proc/stat: iperf3, the"
            " kernel's forwarding and the gateways together) and so compare all systems.", "",
            "| system | test | WAN packets/s (A to B) | gateway CPU s | gateway ns/packet | gateway ns/byte | machine ns/packet | machine busy |",
            "|---|---|---|---|---|---|---|---|"]
    for n in names:
        for t in tests:
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label(n), TEST_LABELS[t], f(s.v(t, n, "wan_pps"), "%.0f"), f(s.v(t, n, "cpu_s"), "%.2f"),
                f(s.v(t, n, "cpu_ns_per_packet"), "%.0f"), f(s.v(t, n, "cpu_ns_per_byte"), "%.2f"),
                f(s.v(t, n, "machine_cpu_ns_per_packet"), "%.0f"), f(s.v(t, n, "machine_busy_percent"), "%.0f%%")))
    perf = sorted({m for (_, _, m) in s.idx if m not in ("gbps",) and m.endswith("_per_packet")
                   and m not in ("cpu_ns_per_packet", "machine_cpu_ns_per_packet")})
    for m in perf:
        out += ["", "%s (perf stat over the gateway processes): %s" % (m, ", ".join(
            "%s %s %s" % (label(n), t, f(s.v(t, n, m), "%.0f")) for n in names for t in tests if s.v(t, n, m)))]

    out += ["", "### Targets (issue 8)", "", "| target | measured | verdict |", "|---|---|---|"]
    if not (s.v("tcp-1", "vpngw", "gbps") and s.v("tcp-1", "strongswan", "gbps")):
        out.append("| vpngw <-> vpngw >= 5x strongSwan's TCP throughput | not evaluated: needs both systems' TCP"
                   " figures | - |")
    for t in ("tcp-1", "tcp-8"):
        ours, swan, plain = s.v(t, "vpngw", "gbps"), s.v(t, "strongswan", "gbps"), s.v(t, "plain", "gbps")
        if ours and swan:
            r = ours / swan
            out.append("| vpngw <-> vpngw >= 5x strongSwan's %s throughput | %.2fx (%.3f vs %.3f Gbps) | %s |"
                       % (TEST_LABELS[t], r, ours, swan, "met" if r >= 5 else "**missed**"))
        if ours and plain:
            out.append("| share of plain routing's %s throughput (the ceiling; reported) | %.1f%% | - |"
                       % (TEST_LABELS[t], 100 * ours / plain))
    out += [""] + s.failures()
    return out + [""]


def scaling(results_dir, charts_dir, md_dir):
    s = Suite(results_dir, "scaling")
    out = ["## Scaling: crypto workers and tunnels sharing the load (issue 8)", ""]
    if not s:
        return out + not_measured(s, "benchmarks/run.sh scaling")
    st = s.doc["settings"]
    out += s.provenance() + [""]
    out += ["Our gateway to our gateway (manual keys, AES-128-GCM) with `workers:` crypto workers and T tunnels,"
            " tunnel x joining 10.1.x.0/24 to 10.2.x.0/24 (LAN A and B hold 10.1.x.2 and 10.2.x.2). The load:"
            " one iperf3 TCP client per tunnel, from 10.1.x.2 to a server on 10.2.x.2, all at once, with enough"
            " streams each that there are at least %d in all (1 tunnel: 8 streams in it; 10 and 100: one"
            " each); the figure is the sum of what the servers received. Each SA belongs to one worker"
            " (tunnel x to worker x mod workers), so one tunnel keeps one worker per gateway busy however"
            " many there are." % st.get("scaling_streams_at_least", 8), ""]
    workers, tunnels = st["workers"], st["tunnels"]
    out += ["| workers | " + " | ".join("%d tunnel(s) Gbps" % t for t in tunnels) + " | "
            + " | ".join("%d tunnel(s) gateway ns/packet" % t for t in tunnels) + " |",
            "|---" * (1 + 2 * len(tunnels)) + "|"]
    for w in workers:
        test = lambda t: "workers-%d/tunnels-%d" % (w, t)
        out.append("| %d | %s | %s |" % (w, " | ".join(f(s.v(test(t), "vpngw", "gbps"), "%.3f") for t in tunnels),
                                         " | ".join(f(s.v(test(t), "vpngw", "cpu_ns_per_packet"), "%.0f") for t in tunnels)))
    base = s.v("workers-%d/tunnels-%d" % (workers[0], tunnels[0]), "vpngw", "gbps")
    if base and len(workers) > 1:
        out += ["", "Against %d worker(s) and %d tunnel(s): " % (workers[0], tunnels[0]) + "; ".join(
            "%d worker(s), %d tunnel(s) %s" % (w, t, f(ratio(s.v("workers-%d/tunnels-%d" % (w, t), "vpngw", "gbps"), base), "%.2fx"))
            for w in workers for t in tunnels)]
    if len(workers) == 1:
        out += ["", "This machine has %d cores, so `cores - 1` allows one worker only; `--workers 1,2` measures"
                " more (the I/O thread then shares a core with a worker)." % s.doc["machine"]["cores"]]
    series = [("%d tunnel%s" % (t, "" if t == 1 else "s"), [s.v("workers-%d/tunnels-%d" % (w, t), "vpngw", "gbps") for w in workers])
              for t in tunnels]
    out += ["", chart(charts_dir, md_dir, "scaling.svg",
                      svg.bar_chart("vpngw <-> vpngw TCP throughput by crypto workers and tunnels",
                                    ["%d worker%s" % (w, "" if w == 1 else "s") for w in workers], series, "Gbit/s"),
                      "scaling by workers and tunnels")]
    out += [""] + s.failures()
    return out + [""]


def latency(results_dir, charts_dir, md_dir):
    s = Suite(results_dir, "latency")
    out = ["## Latency: round trips through the tunnel (issue 8)", ""]
    if not s:
        return out + not_measured(s, "benchmarks/run.sh latency")
    st = s.doc["settings"]
    out += s.provenance() + [""]
    out += ["`UdpPing` (benchmarks module): a client in LAN A sends %d UDP probes a second (%d-byte IP packets,"
            " each stamped with its send time) to an echo server in LAN B and records every round trip in an"
            " HdrHistogram; the first %d s are warm-up and not recorded. At 50%% load a TCP iperf3 stream runs"
            " beside it, paced at half of the TCP rate the same system reached just before (%d s, same"
            " setup). Percentiles in microseconds; loss is probes without an echo." % (
                st["latency_rate_per_s"], st["latency_probe_bytes"], st["latency_warmup_s"], st["max_measure_s"]), ""]
    names = s.systems()
    out += ["| system | condition | p50 | p90 | p99 | p99.9 | max | loss | load carried (target) Gbps | late sends |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for n in names:
        for t in ("idle", "load50"):
            if not any(s.v(t, n, m) is not None for m in ("p50_us", "p99_us")):
                continue
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label(n), TEST_LABELS[t], f(s.v(t, n, "p50_us"), "%.0f"), f(s.v(t, n, "p90_us"), "%.0f"),
                f(s.v(t, n, "p99_us"), "%.0f"), f(s.v(t, n, "p999_us"), "%.0f"), f(s.v(t, n, "max_us"), "%.0f"),
                f(s.v(t, n, "loss_percent"), "%.2f%%"),
                "%s (%s)" % (f(s.v(t, n, "load_gbps"), "%.3f"), f(s.v(t, n, "load_target_gbps"), "%.3f")) if t == "load50" else "-",
                f(s.v(t, n, "late_sends"), "%.0f")))
    ours, plain = s.v("idle", "vpngw", "p99_us"), s.v("idle", "plain", "p99_us")
    out += ["", "### Target (issue 8)", ""]
    if ours is not None and plain is not None:
        limit = 2 * plain + 100
        out.append("p99 through our tunnel at idle under 2x plain routing's p99 + 100 us: %.0f us against a limit of"
                   " %.0f us (plain p99 %.0f us): %s." % (ours, limit, plain, "met" if ours < limit else "**missed**"))
    else:
        out.append("p99 target: not evaluated (needs vpngw and plain idle figures).")
    for t in ("idle", "load50"):
        present = [n for n in names if s.v(t, n, "p50_us") is not None]
        if not present:
            continue
        series = [(p, [s.v(t, n, m) for n in present]) for p, m in (("p50", "p50_us"), ("p99", "p99_us"), ("p99.9", "p999_us"))]
        out += ["", chart(charts_dir, md_dir, "latency-%s.svg" % t,
                          svg.bar_chart("Round-trip latency percentiles, %s" % TEST_LABELS[t], [label(n) for n in present],
                                        series, "microseconds", log=True), "latency percentiles, " + TEST_LABELS[t])]
    out += [""] + s.failures()
    return out + [""]


def tunnel_scale(results_dir):
    s = Suite(results_dir, "tunnel-scale")
    out = ["## Tunnel scale: many tunnels up at once, memory per SA (issue 8)", ""]
    if not s:
        return out + not_measured(s, "benchmarks/run.sh tunnel-scale")
    st = s.doc["settings"]
    out += s.provenance() + [""]
    n = st["scale_tunnels"]
    out += ["Our gateway to our gateway with 1 and with %d manual-key connections (each its own site, prefixes"
            " and SPIs; every tunnel checked with a ping through it), each count in a fresh pair of processes;"
            " resident set size (VmRSS, /proc/<pid>/status) of each gateway 2 s after a full GC (`jcmd PID GC.run`),"
            " once every tunnel answered,"
            " averaged over the two gateways. Each connection is two SAs (in and out) on each gateway, so bytes"
            " per SA = (RSS with %d - RSS with 1) / (2 x %d). A JVM's RSS moves with its heap's growth, so this"
            " is an upper bound that includes each connection's route, selector and counters as well as the SA."
            " IKE setups per second are measured by issue 4's load test, not here." % (n, n, n - 1), ""]
    out += ["| tunnels | tunnels answering | RSS per gateway (MiB), median [range] | Java heap in use per gateway"
            " (MiB), median [range] |", "|---|---|---|---|"]
    for count in (1, n):
        t = "tunnels-%d" % count
        out.append("| %d | %s | %s | %s |" % (count, f(s.v(t, "vpngw", "tunnels_up"), "%.0f"),
                                             s.spread(t, "vpngw", "rss_bytes", 2 ** 20),
                                             s.spread(t, "vpngw", "heap_used_bytes", 2 ** 20, "%.2f")))
    bps, heap_bps = s.v("tunnels-%d" % n, "vpngw", "bytes_per_sa"), s.v("tunnels-%d" % n, "vpngw", "heap_bytes_per_sa")
    out += ["", "Memory per SA: %s bytes of RSS; %s bytes of Java heap (live objects after the GC; off-heap buffers"
            " are not in it)." % (f(bps, "%.0f"), f(heap_bps, "%.0f"))]
    if (bps is not None and bps < 0) or (heap_bps is not None and heap_bps < 0):
        out.append("A negative figure means the memory %d tunnels add is smaller than the run-to-run noise of a JVM's"
                   " resident set and live heap (compare the ranges above); a larger `--scale-tunnels` (up to 255)"
                   " resolves it finer." % n)
    out += [""] + s.failures()
    return out + [""]


def all_sections(results_dir, md_path):
    charts_dir = os.path.join(results_dir, "charts")
    md_dir = os.path.dirname(os.path.abspath(md_path))
    return (throughput(results_dir, charts_dir, md_dir) + latency(results_dir, charts_dir, md_dir)
            + scaling(results_dir, charts_dir, md_dir) + tunnel_scale(results_dir))
