"""`run.sh compare A.json B.json`: the change of every metric from run A to run B.

Both files are harness results (harness.results) or both JMH JSON (benchmarks/run-jmh.sh). A change
is called better or worse by the metric's direction (throughput up is better, latency up is worse)
once it is larger than the noise threshold; on a shared 2-core machine, a few percent is noise.
"""
import json
import sys

from harness.results import index

NOISE_PERCENT = 5.0


def flatten(doc):
    """{key: (value, unit, better)} of either file format."""
    if isinstance(doc, list):  # JMH: one entry per benchmark and parameter set
        out = {}
        for r in doc:
            params = ",".join("%s=%s" % kv for kv in sorted(r.get("params", {}).items()))
            name = r["benchmark"].rsplit(".", 2)[-2:]
            key = ".".join(name) + ("[%s]" % params if params else "")
            m = r["primaryMetric"]
            out[key] = (m["score"], m["scoreUnit"], "lower" if r.get("mode") in ("avgt", "sample", "ss") else "higher")
        return out
    return {"%s | %s | %s" % k: (r["value"], r["unit"], r["better"]) for k, r in index(doc).items()}


def verdict(a, b, better):
    if a == 0:
        return ""
    change = 100.0 * (b - a) / abs(a)
    if abs(change) < NOISE_PERCENT:
        return "~"
    return "better" if (change > 0) == (better == "higher") else "worse"


def compare(a_doc, b_doc):
    """Rows (key, A, B, change in %, verdict, unit) for every key in either document."""
    a, b = flatten(a_doc), flatten(b_doc)
    rows = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        unit = (va or vb)[1]
        if va and vb:
            change = 100.0 * (vb[0] - va[0]) / abs(va[0]) if va[0] else None
            rows.append((key, va[0], vb[0], change, verdict(va[0], vb[0], va[2]), unit))
        else:
            rows.append((key, va and va[0], vb and vb[0], None, "only in A" if va else "only in B", unit))
    return rows


def num(v):
    if v is None:
        return "-"
    return "%.4g" % v


def main(a_path, b_path, out=sys.stdout):
    with open(a_path) as f:
        a_doc = json.load(f)
    with open(b_path) as f:
        b_doc = json.load(f)
    if isinstance(a_doc, list) != isinstance(b_doc, list):
        out.write("compare: %s and %s are of different kinds (harness results vs JMH)\n" % (a_path, b_path))
        return 2
    rows = compare(a_doc, b_doc)
    if not isinstance(a_doc, list):
        out.write("A: %s (%s, %s, commit %s)\nB: %s (%s, %s, commit %s)\n" % (
            a_path, a_doc.get("command"), a_doc.get("started"), a_doc.get("machine", {}).get("commit"),
            b_path, b_doc.get("command"), b_doc.get("started"), b_doc.get("machine", {}).get("commit")))
    else:
        out.write("A: %s\nB: %s\n" % (a_path, b_path))
    width = max([len(r[0]) for r in rows] + [6])
    out.write("%-*s %12s %12s %9s  %-9s %s\n" % (width, "metric", "A", "B", "change", "", "unit"))
    for key, va, vb, change, v, unit in rows:
        out.write("%-*s %12s %12s %9s  %-9s %s\n" % (width, key, num(va), num(vb),
                                                      "-" if change is None else "%+.1f%%" % change, v, unit))
    worse = sum(1 for r in rows if r[4] == "worse")
    better = sum(1 for r in rows if r[4] == "better")
    out.write("\n%d better, %d worse, %d within %.0f%% (changes smaller than that are noise on a busy machine)\n"
              % (better, worse, sum(1 for r in rows if r[4] == "~"), NOISE_PERCENT))
    return 0
