"""Command line of the harness (benchmarks/run.sh passes its arguments here).

    run.sh all | quick | throughput | latency | scaling | tunnel-scale [options]
    run.sh compare A.json B.json
    run.sh report [--out DIR]

all runs the four suites; quick runs them too, once each and short (a smoke test: its figures
go to benchmarks/results/quick/, never into benchmarks/RESULTS.md).
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile

import report
from harness import compare, progress, suites, systems
from harness.proc import HarnessError, PerfCounter
from harness.results import ResultSet, machine
from harness.topo import Topology

SUITES = ("throughput", "scaling", "latency", "tunnel-scale")
DEFAULT_SYSTEMS = ("plain", "strongswan", "vpngw-strongswan", "vpngw")
MAX_TUNNELS = 255


def csv_list(text, kind=str):
    return [kind(x) for x in text.split(",") if x.strip()]


def parser():
    p = argparse.ArgumentParser(prog="benchmarks/run.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("all", "quick") + SUITES + ("compare", "report"))
    p.add_argument("files", nargs="*", help="compare: the two results files A and B")
    p.add_argument("--reps", type=int, help="repetitions; the median is reported (default 3, quick 1)")
    p.add_argument("--duration", type=int, help="seconds per measurement (default 10, quick 3)")
    p.add_argument("--systems", type=csv_list, default=list(DEFAULT_SYSTEMS),
                   help="throughput and latency: systems to compare, from %s (default %s)"
                        % (",".join(systems.ALL), ",".join(DEFAULT_SYSTEMS)))
    p.add_argument("--workers", type=lambda t: csv_list(t, int),
                   help="scaling: crypto worker counts (default 1..cores-1, at least 1)")
    p.add_argument("--tunnels", type=lambda t: csv_list(t, int),
                   help="scaling: tunnel counts sharing the load (default 1,10,100; quick 1,10)")
    p.add_argument("--scale-tunnels", type=int, default=100,
                   help="tunnel scale: tunnels up at once, compared with 1 (default 100, at most %d)" % MAX_TUNNELS)
    p.add_argument("--perf-event", default="cycles",
                   help="perf stat event counted over the gateway processes where the machine has it"
                        " (default cycles; 'none' to skip)")
    p.add_argument("--out", help="results directory (default benchmarks/results, quick: benchmarks/results/quick)")
    return p


def main(argv):
    args = parser().parse_args(argv)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if args.mode == "compare":
        if len(args.files) != 2:
            print("usage: benchmarks/run.sh compare A.json B.json", file=sys.stderr)
            return 2
        # A reader that stops early (| head) ends the comparison quietly; nothing needs cleaning up.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        return compare.main(*args.files)
    quick = args.mode == "quick"
    out = os.path.abspath(args.out or os.path.join(root, "benchmarks", "results", "quick" if quick else ""))
    if args.mode == "report":
        return write_report(root, out)
    unknown = [s for s in args.systems if s not in systems.ALL]
    if unknown:
        print("unknown system(s) %s; known: %s" % (", ".join(unknown), ", ".join(systems.ALL)), file=sys.stderr)
        return 2
    if not all(1 <= t <= MAX_TUNNELS for t in (args.tunnels or []) + [args.scale_tunnels]):
        print("tunnel counts must be 1..%d (tunnel x uses 10.1.x.0/24 and 10.2.x.0/24)" % MAX_TUNNELS,
              file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("benchmarks/run.sh: needs root (network namespaces, TUN devices)", file=sys.stderr)
        return 1
    reps = args.reps or (1 if quick else 3)
    duration = args.duration or (3 if quick else 10)
    cores = os.cpu_count() or 1
    workers = args.workers or list(range(1, max(1, cores - 1) + 1))
    tunnels = args.tunnels or ([1, 10] if quick else [1, 10, 100])
    warmup = 1 if quick else 2
    max_duration = min(duration, 5)
    chosen = SUITES if args.mode in ("all", "quick") else (args.mode,)
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    jvm_flags = os.environ.get("VPNGW_BENCH_JVM_FLAGS", "").split()
    perf_event = None if args.perf_event == "none" else args.perf_event
    perf_note = PerfCounter.probe(perf_event) if perf_event else "not used (--perf-event none)"
    if perf_note:
        perf_event = None
    os.makedirs(out, exist_ok=True)

    prefix = os.environ.get("VPNGW_BENCH_PREFIX") or ("vb%d" % os.getpid())[:12]
    topo = Topology(root, prefix)
    work = tempfile.mkdtemp(prefix="vpngw-bench.")
    ctx = systems.Context(root, topo, work, java, jvm_flags)
    bench = suites.Bench(ctx, perf_event, os.path.join(out, "logs"))
    command = os.environ.get("VPNGW_BENCH_COMMAND") or "benchmarks/run.sh " + " ".join(argv)
    info = machine(root, java, perf_note or "counts %s per packet over the gateway processes" % perf_event)
    settings = {"reps": reps, "duration_s": duration, "systems": args.systems, "workers": workers,
                "tunnels": tunnels, "scale_tunnels": args.scale_tunnels, "latency_warmup_s": warmup,
                "latency_rate_per_s": suites.PROBE_RATE, "latency_probe_bytes": suites.PROBE_PAYLOAD + 28,
                "max_measure_s": max_duration, "scaling_streams_at_least": suites.STREAMS_AT_LEAST}

    steps = []
    for suite in chosen:
        rs = ResultSet(suite, command, settings, info)
        if suite == "throughput":
            steps += suites.throughput_plan(bench, rs, args.systems, reps, duration)
        elif suite == "scaling":
            steps += suites.scaling_plan(bench, rs, workers, tunnels, reps, duration)
        elif suite == "latency":
            steps += suites.latency_plan(bench, rs, args.systems, reps, duration, warmup, max_duration)
        else:
            counts = [1, args.scale_tunnels]
            steps += suites.tunnel_scale_plan(bench, rs, counts, reps)
            steps.append(progress.Step("tunnel scale: bytes per SA", 0,
                                       lambda rs=rs, c=counts: suites.finish_tunnel_scale(rs, c)))
        if perf_note:
            rs.note("CPU from /proc only: " + perf_note)
        path = os.path.join(out, suite + ".json")
        steps.append(progress.Step("%s: write %s" % (suite, os.path.relpath(path, root)), 0,
                                   lambda rs=rs, p=path: rs.write(p)))

    def terminate(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, terminate)
    try:
        progress.run(steps)
    except KeyboardInterrupt:
        print("\ninterrupted: suites not finished are not written", file=sys.stderr)
        return 130
    except HarnessError as e:
        print("benchmarks/run.sh: %s" % e, file=sys.stderr)
        return 1
    finally:
        # Teardown must not be cut short by a second Ctrl-C or SIGTERM.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.teardown()
        topo.down()
        shutil.rmtree(work, ignore_errors=True)
    return write_report(root, out)


def results_markdown(root, out):
    """Where the report of a results directory goes: benchmarks/RESULTS.md for the real results,
    next to the JSON for any other directory (quick runs, experiments)."""
    if os.path.abspath(out) == os.path.join(root, "benchmarks", "results"):
        return os.path.join(root, "benchmarks", "RESULTS.md")
    return os.path.join(out, "RESULTS.md")


def write_report(root, out):
    md = results_markdown(root, out)
    report.write(out, md)
    charts = os.path.join(out, "charts")
    print("wrote %s%s" % (os.path.relpath(md, root),
                          " (charts in %s)" % os.path.relpath(charts, root) if os.path.isdir(charts) else ""),
          file=sys.stderr)
    return 0
