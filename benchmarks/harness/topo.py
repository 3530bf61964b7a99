"""The four namespaces of scripts/topology.sh, plus the extra LAN prefixes of multi-tunnel runs.

Tunnel x (0 <= x < tunnels) joins 10.1.x.0/24 behind gateway A to 10.2.x.0/24 behind gateway B:
LAN A holds 10.1.x.2, gateway A 10.1.x.1 (both on the existing lan0 link), and likewise on site B.
Prefix 0 is topology.sh's own, so a one-tunnel run needs nothing added. A client picks its tunnel
by binding to 10.1.x.2 and sending to 10.2.x.2.
"""
import os
import subprocess
import tempfile
import time

from harness.proc import HarnessError, run


PING_BATCH = 100  # pings in flight at once when checking many tunnels


def lan_a(x):
    return "10.1.%d.2" % x


def lan_b(x):
    return "10.2.%d.2" % x


class Topology:
    def __init__(self, root, prefix):
        self.root, self.prefix = root, prefix
        self.lanA, self.gwA, self.gwB, self.lanB = (prefix + s for s in ("-lanA", "-gwA", "-gwB", "-lanB"))
        self.script = os.path.join(root, "scripts", "topology.sh")

    def up(self, plain=False, tunnels=1):
        """(Re)creates the namespaces: routed without a tunnel if plain, else joined only by one."""
        self.down()
        env = dict(os.environ)
        env.pop("NAT", None)
        env["MODE"] = "plain" if plain else "tunnel"
        r = subprocess.run([self.script, "up", self.prefix], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise HarnessError("topology.sh up failed: " + r.stderr.strip()[-400:])
        if tunnels > 1:
            if plain:
                raise HarnessError("extra tunnel prefixes are for tunnel runs only")
            self._add_prefixes(tunnels)

    def _add_prefixes(self, tunnels):
        for ns, side, host in ((self.lanA, 1, 2), (self.gwA, 1, 1), (self.gwB, 2, 1), (self.lanB, 2, 2)):
            # One `ip -batch` per namespace: hundreds of `ip addr add` processes would take seconds.
            with tempfile.NamedTemporaryFile("w", suffix=".ip", delete=False) as f:
                for x in range(1, tunnels):
                    f.write("addr add 10.%d.%d.%d/24 dev lan0\n" % (side, x, host))
            try:
                run(["ip", "-n", ns, "-batch", f.name])
            finally:
                os.unlink(f.name)

    def down(self):
        subprocess.run([self.script, "down", self.prefix], capture_output=True)

    def wait_reachable(self, tunnels=(0,), timeout=30.0):
        """Pings 10.2.x.2 from 10.1.x.2 for each x until all answer; returns how many do."""
        pending = set(tunnels)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            batch = sorted(pending)[:PING_BATCH]
            procs = {x: subprocess.Popen(["ip", "netns", "exec", self.lanA, "ping", "-c1", "-W1", "-I",
                                          lan_a(x), lan_b(x)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for x in batch}
            for x, p in procs.items():
                if p.wait() == 0:
                    pending.discard(x)
            if pending:
                time.sleep(0.2)
        return len(tunnels) - len(pending)
