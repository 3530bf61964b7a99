#!/usr/bin/python3
"""Prints benchmarks/results/ike-setup.json (from benchmarks/ike-bench.sh) as a markdown section
for benchmarks/RESULTS.md: per responder, the medians over the repetitions.

    benchmarks/ike_report.py [benchmarks/results/ike-setup.json]
"""
import json
import os
import statistics
import sys

NAMES = {"vpngw": "vpngw (ours)", "strongswan": "strongSwan charon"}


def get(run, *path):
    v = run
    for p in path:
        if not isinstance(v, dict) or v.get(p) is None:
            return None
        v = v[p]
    return v


def median(runs, *path):
    vals = [v for v in (get(r, *path) for r in runs) if isinstance(v, (int, float))]
    return statistics.median(vals) if vals else None


def f(x, fmt="%.1f"):
    return "n/a" if x is None else fmt % x


def cpu_count(spec):
    """CPUs in a taskset list such as "1", "0-3" or "1,3"."""
    n = 0
    for part in str(spec).split(","):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    return n


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", "ike-setup.json")
    data = json.load(open(path))
    p, m = data["params"], data["machine"]
    groups = {}
    for r in data["runs"]:
        groups.setdefault((r.get("mode", "hold"), r["system"]), []).append(r)
    print("## IKE SA setups per second\n")
    if data.get("quick"):
        print("**Quick (smoke-test) run: these numbers show that the harness works, not how fast"
              " anything is.**\n")
    pin = (f"load generator on CPU {p['loadgen_cpus']}, responder on CPU {p['responder_cpus']}"
           if p.get("pinned") else "no CPU pinning")
    print(f"Full IKEv2 setups (IKE_SA_INIT + IKE_AUTH with the first child SA), IKE "
          f"`{p['ike_proposal']}`, ESP `{p['esp_proposal']}`, PSK, from our own initiator "
          f"(`IkeLoadGenerator`, {p['threads']} thread(s)), each simulated peer from its own "
          f"source address; {p['concurrency']} setups in flight after {p['warmup']} warm-up "
          f"ones; {pin}; medians of {p['reps']} run(s), each against a freshly started "
          f"responder. *hold*: {p['total_hold']} setups kept up until all are done, then "
          f"deleted; *churn*: {p['total_churn']} setups, each deleted as soon as it is up. "
          f"{m['cores']} cores, Linux {m['kernel']}, {m['strongswan']}. Latency: first "
          f"IKE_SA_INIT sent to IKE_AUTH response processed. Per responder CPU second: setups "
          f"divided by the responder's user + system CPU time over the window (/proc), a "
          f"per-core rate whichever side was the bottleneck (in churn it includes the "
          f"deletes).\n")
    capacity = cpu_count(p["responder_cpus"]) if p.get("pinned") else m["cores"]
    head = ["mode", "responder", "setups/s", "responder busy cores",
            "setups per responder CPU s", "same, net of idle", "p50 ms", "p99 ms", "failed",
            "RSS per held SA", "deletes/s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    med = {}
    unsaturated = False
    order = {name: i for i, name in enumerate(NAMES)}
    keys = sorted(groups, key=lambda k: (p["modes"].index(k[0]) if k[0] in p["modes"] else 99,
                                         order.get(k[1], 99), k[1]))
    for mode, system in keys:
        runs = groups[mode, system]
        ok = [r for r in runs if "error" not in r]
        errors = len(runs) - len(ok)
        med[mode, system] = {"rate": median(ok, "setups_per_s"),
                             "per_cpu": median(ok, "responder", "setups_per_cpu_s")}
        failed = sum(get(r, "failed") or 0 for r in ok)
        busy = median(ok, "responder", "busy_cores")
        # A responder below 85% of its CPUs was not the bottleneck: its setups/s is the load
        # generator's; the per-CPU-second figure still compares.
        mark = ""
        if busy is not None and busy < 0.85 * capacity:
            mark, unsaturated = " \\*", True
        per_sa = median(ok, "responder", "rss_bytes_per_held_sa") if mode == "hold" else None
        row = [mode, NAMES.get(system, system), f(med[mode, system]["rate"]) + mark,
               f(busy, "%.2f"), f(med[mode, system]["per_cpu"]),
               f(median(ok, "responder", "setups_per_cpu_s_net_of_idle")),
               f(median(ok, "latency_ms", "p50")), f(median(ok, "latency_ms", "p99")),
               f"{failed}" + (f" ({errors} run(s) without result)" if errors else ""),
               "-" if mode != "hold" else f(None if per_sa is None else per_sa / 1024,
                                            "%.1f KiB"),
               "-" if mode != "hold" else f(median(ok, "delete", "per_s"))]
        print("| " + " | ".join(row) + " |")
    if unsaturated:
        print(f"\n\\* The responder was busy less than 85% of its {capacity} CPU(s): the load "
              f"generator set this rate, not the responder; compare the per-CPU-second columns.")
    print("\nNet of idle: the responder's CPU use while idle (measured before the warm-up: "
          "idle strategies, timers) taken out of the window. RSS per held SA is the growth of "
          "the responder's resident memory while it held the measured SAs; for the JVM it "
          "includes heap not yet collected.")
    for mode in p["modes"]:
        ours, theirs = med.get((mode, "vpngw")), med.get((mode, "strongswan"))
        if ours and theirs and ours["rate"] and theirs["rate"]:
            ratio_cpu = (ours["per_cpu"] / theirs["per_cpu"]
                         if ours["per_cpu"] and theirs["per_cpu"] else None)
            print(f"\n{mode}: vpngw / strongSwan = {ours['rate'] / theirs['rate']:.2f}x the "
                  f"setups per second, {f(ratio_cpu, '%.2f')}x the setups per responder CPU "
                  f"second.")
    print("\nRun: `benchmarks/ike-bench.sh` (as root, on a quiet machine); "
          "`benchmarks/ike_report.py` prints this section from "
          "`benchmarks/results/ike-setup.json`.")


if __name__ == "__main__":
    main()
