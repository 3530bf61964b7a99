"""Processes in network namespaces, and what /proc and the kernel's counters say about them.

Every background process the harness starts goes through Processes, which stops them all (SIGTERM,
then SIGKILL) whatever happens; CPU time, resident memory and interface counters are read the same
way for every system measured, so the comparisons are like for like.
"""
import json
import os
import signal
import subprocess
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def netns(ns, *cmd):
    """The command line that runs cmd inside network namespace ns (ip netns exec keeps the pid)."""
    return ["ip", "netns", "exec", ns, *cmd]


def run(cmd, timeout=60, check=True, **kw):
    """Runs cmd to completion; a failure raises with the command's own error output."""
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise HarnessError("%s exited %d: %s" % (" ".join(cmd[:8]), r.returncode,
                                                  (r.stderr or r.stdout).strip()[-400:]))
    return r


class HarnessError(Exception):
    """A step of the harness failed; the message says which and why."""


class Processes:
    """The background processes of one system under test; stop() ends them in reverse order."""

    def __init__(self):
        self._procs = []

    def start(self, cmd, log_path, env=None):
        log = open(log_path, "ab")
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 env=env, start_new_session=True)
        finally:
            log.close()
        self._procs.append(p)
        return p

    def stop(self, grace=10.0):
        # SIGTERM first: our gateway wipes its keys and closes its TUN device in a shutdown hook,
        # charon deletes its SAs; whatever is left after the grace period is killed.
        for p in reversed(self._procs):
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for p in reversed(self._procs):
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self._procs = []


def wait_for_line(log_path, needle, proc, timeout):
    """Waits until needle appears in the log of proc; raises with the log's tail if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = read_text(log_path)
        if needle in text:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise HarnessError("%s did not report '%s' (exit %s); log tail:\n%s"
                       % (log_path, needle, proc.poll(), tail(log_path)))


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def tail(path, lines=25):
    return "\n".join(read_text(path).splitlines()[-lines:])


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds, from /proc/<pid>/stat."""
    return parse_stat_cpu(proc_file(pid, "stat")) / CLOCK_TICKS


def proc_file(pid, name):
    """/proc/<pid>/<name>; a process that is gone (a gateway that crashed) is a failed measurement."""
    text = read_text("/proc/%d/%s" % (pid, name))
    if not text:
        raise HarnessError("process %d has exited" % pid)
    return text


def parse_stat_cpu(stat_line):
    """utime + stime in clock ticks: fields 14 and 15 of proc(5), counted after the comm field,
    which is in parentheses and may itself contain spaces or parentheses."""
    fields = stat_line[stat_line.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def machine_cpu():
    """(busy, total) seconds of all cores since boot from /proc/stat: busy excludes idle and iowait."""
    return parse_proc_stat(read_text("/proc/stat"))


def parse_proc_stat(text):
    values = [int(v) for v in text.splitlines()[0].split()[1:]]
    total = sum(values[:8])  # guest time is already inside user and nice
    idle = values[3] + values[4]
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def rss_bytes(pid):
    """Resident set size of a process from /proc/<pid>/status (VmRSS)."""
    return parse_vm_rss(proc_file(pid, "status"))


def parse_vm_rss(status_text):
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            value, unit = line.split()[1:3]
            assert unit == "kB", unit
            return int(value) * 1024
    raise HarnessError("no VmRSS in /proc/<pid>/status (process gone?)")


def link_stats(ns, dev):
    """An interface's 64-bit counters inside a namespace: rx/tx packets and bytes."""
    out = run(["ip", "-n", ns, "-s", "-j", "link", "show", "dev", dev]).stdout
    s = json.loads(out)[0]["stats64"]
    return {"rx_packets": s["rx"]["packets"], "tx_packets": s["tx"]["packets"],
            "rx_bytes": s["rx"]["bytes"], "tx_bytes": s["tx"]["bytes"]}


class PerfCounter:
    """perf stat -e EVENT over some processes, from start() to stop(); only where the machine has
    the event (a VM without a PMU has no cycles: probe() says so and /proc CPU time is used alone)."""

    def __init__(self, event, pids, out_path):
        self.event, self.out_path = event, out_path
        self._p = subprocess.Popen(["perf", "stat", "-x", ",", "-e", event, "-o", out_path,
                                    "-p", ",".join(str(p) for p in pids)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        """Ends the count (perf prints on SIGINT) and returns the counter's value, or None."""
        self._p.send_signal(signal.SIGINT)
        try:
            self._p.wait(10)
        except subprocess.TimeoutExpired:
            self._p.kill()
            self._p.wait()
            return None
        return parse_perf_csv(read_text(self.out_path), self.event)

    @staticmethod
    def probe(event):
        """None if perf can count event here, else why not."""
        try:
            r = subprocess.run(["perf", "stat", "-x", ",", "-e", event, "true"], capture_output=True,
                               text=True, timeout=20)
        except FileNotFoundError:
            return "perf is not installed"
        except subprocess.TimeoutExpired:
            return "perf stat hung"
        if parse_perf_csv(r.stderr, event) is None:
            line = next((l for l in r.stderr.splitlines() if event in l), r.stderr.strip())
            return "perf cannot count %s here (%s)" % (event, line.strip()[:120])
        return None


def parse_perf_csv(text, event):
    """The value of event in perf stat -x, output ('<not supported>' and '<not counted>' are None)."""
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].split(":")[0] == event:
            try:
                return float(fields[0])
            except ValueError:
                return None
    return None
