"""The results file format (benchmarks/results/<suite>.json) and the machine it was measured on.

    {"format": "vpngw-bench/1", "suite": "throughput", "command": "benchmarks/run.sh all",
     "started": ..., "finished": ..., "settings": {...}, "machine": {...},
     "results": [{"suite", "test", "system", "metric", "unit", "better": "higher"|"lower",
                  "value": <median>, "samples": [<one per repetition>], "reps": <len(samples)>}],
     "failures": [{"test", "system", "rep", "error"}], "notes": [...]}

One result per (test, system, metric); value is the median of the repetitions that succeeded.
benchmarks/report.py renders these files, `run.sh compare A B` diffs two of them.
"""
import datetime
import json
import os
import platform
import re
import statistics
import subprocess

FORMAT = "vpngw-bench/1"

# metric -> (unit, which way is better)
METRICS = {
    "gbps": ("Gbit/s", "higher"),
    "pps": ("packets/s", "higher"),
    "sent_pps": ("packets/s", "higher"),
    "wan_pps": ("packets/s", "higher"),
    "loss_percent": ("%", "lower"),
    "cpu_s": ("CPU s", "lower"),
    "cpu_ns_per_packet": ("ns", "lower"),
    "cpu_ns_per_byte": ("ns", "lower"),
    "machine_cpu_ns_per_packet": ("ns", "lower"),
    "machine_busy_percent": ("%", "lower"),
    "p50_us": ("us", "lower"),
    "p90_us": ("us", "lower"),
    "p99_us": ("us", "lower"),
    "p999_us": ("us", "lower"),
    "max_us": ("us", "lower"),
    "late_sends": ("probes", "lower"),
    "load_gbps": ("Gbit/s", "higher"),
    "load_target_gbps": ("Gbit/s", "higher"),
    "rss_bytes": ("bytes", "lower"),
    "bytes_per_sa": ("bytes", "lower"),
    "heap_used_bytes": ("bytes", "lower"),
    "heap_bytes_per_sa": ("bytes", "lower"),
    "tunnels_up": ("tunnels", "higher"),
}


def unit_of(metric):
    """(unit, better) of a metric; perf events counted per packet are plain event counts."""
    return METRICS.get(metric, ("events", "lower"))


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ResultSet:
    """The samples of one suite while it runs; write() reduces them to medians."""

    def __init__(self, suite, command, settings, machine):
        self.doc = {"format": FORMAT, "suite": suite, "command": command, "started": now(),
                    "settings": settings, "machine": machine, "results": [], "failures": [], "notes": []}
        self._samples = {}

    def add(self, test, system, metric, value):
        if value is None:
            return
        self._samples.setdefault((test, system, metric), []).append(value)

    def fail(self, test, system, rep, error):
        self.doc["failures"].append({"test": test, "system": system, "rep": rep, "error": str(error)[-1500:]})

    def note(self, text):
        if text not in self.doc["notes"]:
            self.doc["notes"].append(text)

    def median(self, test, system, metric):
        s = self._samples.get((test, system, metric))
        return statistics.median(s) if s else None

    def write(self, path):
        self.doc["finished"] = now()
        self.doc["results"] = []
        for (test, system, metric), samples in self._samples.items():
            unit, better = unit_of(metric)
            self.doc["results"].append({"suite": self.doc["suite"], "test": test, "system": system,
                                        "metric": metric, "unit": unit, "better": better,
                                        "value": statistics.median(samples), "samples": samples,
                                        "reps": len(samples)})
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)


def load(path):
    with open(path) as f:
        return json.load(f)


def index(doc):
    """{(test, system, metric): result} of a results document."""
    return {(r["test"], r["system"], r["metric"]): r for r in doc.get("results", [])}


def _sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine(root, java, perf_note):
    """The facts a reader needs to judge the figures, recorded with them."""
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    commit = _sh("git -C '%s' rev-parse --short HEAD" % root)
    if commit and _sh("git -C '%s' status --porcelain -- . ':!benchmarks/results' ':!benchmarks/RESULTS.md'" % root):
        commit += " (with uncommitted changes)"
    return {
        "cpu": cpu.group(1).strip() if cpu else "?",
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1),
        "kernel": platform.release(),
        "jdk": _sh("'%s' -version 2>&1 | head -1" % java),
        "openssl": _sh("openssl version"),
        "strongswan": _sh("dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null"),
        "iperf3": _sh("iperf3 --version | head -1"),
        "perf": perf_note,
        "commit": commit,
        "load_average_at_start": open("/proc/loadavg").read().split()[:3],
    }
