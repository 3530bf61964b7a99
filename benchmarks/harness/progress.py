"""Runs a planned list of steps and says, before each, what it measures and how long is left.

The plan is known up front (every step carries an estimate of its seconds), so the time left is the
estimate of the remaining steps scaled by how the finished ones compared with theirs.
"""
import sys
import time


class Step:
    def __init__(self, label, estimate_s, fn):
        self.label, self.estimate_s, self.fn = label, estimate_s, fn


def fmt_duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    h, rest = divmod(seconds, 3600)
    return "%dh%02dm" % (h, rest // 60)


def time_left(steps, done, elapsed):
    """Seconds left after `done` steps took `elapsed` seconds: the remaining estimates, scaled by the
    ratio actual/estimated so far (kept within 0.5..3 so one odd step cannot swing it wildly)."""
    estimated_done = sum(s.estimate_s for s in steps[:done])
    remaining = sum(s.estimate_s for s in steps[done:])
    if estimated_done <= 0:
        return remaining
    return remaining * min(3.0, max(0.5, elapsed / estimated_done))


def run(steps, out=sys.stderr, clock=time.monotonic):
    start = clock()
    for i, step in enumerate(steps):
        elapsed = clock() - start
        out.write("[%s %3d/%d %3d%%, %s elapsed, about %s left] %s\n" % (
            time.strftime("%H:%M:%S"), i + 1, len(steps), 100 * i // len(steps), fmt_duration(elapsed),
            fmt_duration(time_left(steps, i, elapsed)), step.label))
        out.flush()
        step.fn()
    out.write("[%s] done in %s\n" % (time.strftime("%H:%M:%S"), fmt_duration(clock() - start)))
