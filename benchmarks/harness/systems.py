"""The systems under test, each set up from scratch on fresh namespaces and torn down after use.

  plain              routing without a tunnel: the ceiling
  strongswan         strongSwan <-> strongSwan, user-space ESP (kernel-libipsec), IKEv2 PSK
  vpngw-strongswan   strongSwan (initiator, gateway A) <-> our gateway (IKEv2 responder, gateway B)
  vpngw              our gateway <-> our gateway, manual keys, 1 or many tunnels
  vpngw-unpinned     the same, threads left to the kernel (--no-pin)
  vpngw-shared       the same, every agent on one thread (--threading SHARED)
  vpngw-tun-offload  the same, TUN offloads only (gateway.wanOffload: false)
  vpngw-no-offload   the same, no offloads (tunOffload and wanOffload false): a system call per packet

All tunnels use AES-128-GCM in ESP-in-UDP with a 1400-byte tunnel MTU (kernel-libipsec can only do
UDP encapsulation; our wanMtu 1465 minus the suite's overhead is 1400 too), so every system carries
the same inner packets. IKE runs with rekeying and DPD off, so nothing but traffic happens during a
measurement.
"""
import json
import os
import time

from harness.proc import HarnessError, Processes, netns, run, tail, wait_for_line

CHARON = "/usr/lib/ipsec/charon"
PSK = "bench-psk-not-secret"
LABELS = {
    "plain": "(a) plain routing",
    "strongswan": "(b) strongSwan <-> strongSwan",
    "vpngw-strongswan": "(c) vpngw <-> strongSwan",
    "vpngw": "(d) vpngw <-> vpngw",
    "vpngw-unpinned": "(d') vpngw <-> vpngw, unpinned",
    "vpngw-shared": "(d'') vpngw <-> vpngw, one thread",
    "vpngw-tun-offload": "(d''') vpngw <-> vpngw, TUN offloads only",
    "vpngw-no-offload": "(d'''') vpngw <-> vpngw, no offloads",
}
ALL = tuple(LABELS)


class Context:
    """What every system needs to start: the topology, a scratch directory, the JVM and jars."""

    def __init__(self, root, topo, work, java, jvm_flags):
        self.root, self.topo, self.work, self.java, self.jvm_flags = root, topo, work, java, jvm_flags
        lib = os.path.join(root, "appliance", "target")
        self.gateway_cp = os.path.join(lib, "appliance-0.1.0-SNAPSHOT.jar") + ":" + os.path.join(lib, "lib", "*")
        self.bench_jar = os.path.join(root, "benchmarks", "target", "benchmarks.jar")


class System:
    """Base: start() brings the system up and waits until LAN A reaches LAN B through it."""

    name = None
    tunnels = 1
    # Our gateway's counters file and the side it runs on ("A" or "B"), where the system has one:
    # its ESP packet counts replace the WAN veth's, which counts a UDP_SEGMENT super-packet as one.
    esp_counters = None

    def __init__(self, ctx):
        self.ctx = ctx
        self.procs = Processes()
        self._pids = []
        self.logs = []

    @property
    def label(self):
        return LABELS.get(self.name, self.name)

    def start(self):
        raise NotImplementedError

    def pids(self):
        """The processes that do this system's packet work (CPU and memory are read from them)."""
        return list(self._pids)

    def stop(self):
        self.procs.stop()
        self._pids = []
        self.ctx.topo.down()

    def _reachable(self, timeout=30.0):
        up = self.ctx.topo.wait_reachable(range(self.tunnels), timeout)
        if up != self.tunnels:
            raise HarnessError("%s: only %d of %d tunnels carry a ping\n%s"
                               % (self.name, up, self.tunnels, self.log_tails()))

    def log_tails(self):
        return "\n".join("--- %s\n%s" % (p, tail(p)) for p in self.logs)

    def esp_packets(self):
        """(ESP packets from A to B, ESP packets both ways) as our gateway counted them so far, or
        None where no gateway of ours takes part."""
        if self.esp_counters is None:
            return None
        path, side = self.esp_counters
        out = run([self.ctx.java, *self.ctx.jvm_flags, "-Xmx64m", "-XX:+UseSerialGC", "-cp",
                   self.ctx.gateway_cp, "dev.vpngw.appliance.Main", "status", "--counters", path,
                   "--interval", "0", "--json"]).stdout
        s = json.loads(out)
        a_to_b = s["packetsOut"] if side == "A" else s["packetsIn"]
        return a_to_b, s["packetsIn"] + s["packetsOut"]

    # -- our gateway

    def _start_vpngw(self, side, yaml, extra_args=()):
        path = os.path.join(self.ctx.work, "%s.yaml" % side)
        with open(path, "w") as f:
            f.write(yaml)
        log = os.path.join(self.ctx.work, "%s.log" % side)
        ns = self.ctx.topo.gwA if side == "gwA" else self.ctx.topo.gwB
        p = self.procs.start(netns(ns, self.ctx.java, *self.ctx.jvm_flags, "-cp", self.ctx.gateway_cp,
                                   "dev.vpngw.appliance.Main", "run", *extra_args, "--config", path), log)
        self.logs.append(log)
        self._pids.append(p.pid)
        return p, log

    # -- strongSwan

    def _start_charon(self, side, local_ts, remote_ts):
        """charon with kernel-libipsec in the gateway's namespace and a private /run, over vici."""
        ns = self.ctx.topo.gwA if side == "A" else self.ctx.topo.gwB
        me, peer = ("192.0.2.1", "192.0.2.2") if side == "A" else ("192.0.2.2", "192.0.2.1")
        d = os.path.join(self.ctx.work, "ss" + side)
        os.makedirs(os.path.join(d, "run"), exist_ok=True)
        with open(os.path.join(d, "strongswan.conf"), "w") as f:
            f.write(STRONGSWAN_CONF % {"dir": d})
        with open(os.path.join(d, "swanctl.conf"), "w") as f:
            f.write(SWANCTL_CONF % {"me": me, "peer": peer, "lts": local_ts, "rts": remote_ts,
                                    "id": "gw" + side, "psk": PSK})
        env = dict(os.environ, STRONGSWAN_CONF=os.path.join(d, "strongswan.conf"))
        log = os.path.join(d, "charon.log")
        self.logs.append(log)
        # exec all the way down (ip netns exec, unshare, sh): the pid we get is charon's own.
        p = self.procs.start(netns(ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
                                   'mount --bind "$0" /run && exec "$1"', os.path.join(d, "run"), CHARON),
                             os.path.join(d, "out"), env=env)
        self._pids.append(p.pid)
        uri = "unix://" + os.path.join(d, "charon.vici")
        # The socket file appears before charon answers on it: wait until swanctl gets an answer.
        deadline = time.monotonic() + 30
        while True:
            if p.poll() is not None:
                raise HarnessError("%s: charon on %s exited %d\n%s" % (self.name, ns, p.returncode, tail(log)))
            if os.path.exists(os.path.join(d, "charon.vici")) and run(
                    netns(ns, "swanctl", "--stats", "--uri", uri), timeout=10, check=False).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise HarnessError("%s: charon on %s does not answer on vici after 30 s\n%s"
                                   % (self.name, ns, tail(log)))
            time.sleep(0.1)
        run(netns(ns, "swanctl", "--load-all", "--file", os.path.join(d, "swanctl.conf"), "--uri", uri))
        return ns, uri

    def _initiate(self, ns, uri):
        r = run(netns(ns, "swanctl", "--initiate", "--child", "net", "--timeout", "20", "--uri", uri),
                timeout=40, check=False)
        if r.returncode != 0:
            raise HarnessError("%s: swanctl --initiate failed: %s\n%s"
                               % (self.name, (r.stderr or r.stdout).strip()[-300:], self.log_tails()))


class Plain(System):
    name = "plain"

    def start(self):
        self.ctx.topo.up(plain=True)
        self._reachable()


class StrongSwanPair(System):
    name = "strongswan"

    def start(self):
        self.ctx.topo.up()
        ns, uri = self._start_charon("A", "10.1.0.0/16", "10.2.0.0/16")
        self._start_charon("B", "10.2.0.0/16", "10.1.0.0/16")
        self._initiate(ns, uri)
        self._reachable()


class VpngwBehindStrongSwan(System):
    """Case (c): strongSwan on gateway A initiates (PSK, AES-128-GCM), our gateway on B responds
    only, so the test does not depend on our initiator."""

    name = "vpngw-strongswan"

    def start(self):
        self.ctx.topo.up()
        p, log = self._start_vpngw("gwB", IKE_RESPONDER_YAML % {"work": self.ctx.work, "psk": PSK})
        self.esp_counters = (os.path.join(self.ctx.work, "gwB", "counters.dat"), "B")
        wait_for_line(log, ": running;", p, 60)
        ns, uri = self._start_charon("A", "10.1.0.0/16", "10.2.0.0/16")
        self._initiate(ns, uri)
        self._reachable()


class VpngwPair(System):
    """Case (d): two of our gateways with manual keys; `tunnels` connections, one per LAN prefix
    pair (see harness.topo), on `workers` crypto workers (None: the gateway's default)."""

    def __init__(self, ctx, name="vpngw", tunnels=1, workers=None):
        super().__init__(ctx)
        self.name, self.tunnels, self.workers = name, tunnels, workers

    def start(self):
        self.ctx.topo.up(tunnels=self.tunnels)
        args = {"vpngw": (), "vpngw-unpinned": ("--no-pin",),
                "vpngw-shared": ("--threading", "SHARED"), "vpngw-tun-offload": (),
                "vpngw-no-offload": ()}[self.name]
        offload = {"vpngw-no-offload": (False, False), "vpngw-tun-offload": (True, False)}.get(
            self.name, (True, True))
        keys = [(os.urandom(20).hex(), os.urandom(20).hex()) for _ in range(self.tunnels)]
        started = [self._start_vpngw(side, manual_keys_yaml(side, self.ctx.work, keys, self.workers,
                                                            offload), args)
                   for side in ("gwA", "gwB")]
        for p, log in started:
            wait_for_line(log, ": running;", p, 120)
        self.esp_counters = (os.path.join(self.ctx.work, "gwA", "counters.dat"), "A")
        self._reachable(timeout=30.0 + self.tunnels * 0.2)


def manual_keys_yaml(side, work, keys, workers, offload=(True, True)):
    """Gateway side's config: one connection per tunnel x, each to its own site 10.{1,2}.x.0/24 on the
    same peer address, with its own SPIs (0x10000 + x from A to B, 0x20000 + x back) and keys;
    offload says whether the TUN and the WAN offloads are on."""
    a = side == "gwA"
    me, peer = ("192.0.2.1", "192.0.2.2") if a else ("192.0.2.2", "192.0.2.1")
    lines = ["gateway: {name: bench-%s, publicAddress: %s, vnetPrefixes: [10.%d.0.0/16], runDirectory: %s,"
             " wanMtu: 1465%s%s}" % (side, me, 1 if a else 2, os.path.join(work, side),
                                     "" if workers is None else ", workers: %d" % workers,
                                     "".join(", %s: false" % name for name, on
                                             in zip(("tunOffload", "wanOffload"), offload) if not on)),
             "localNetworkGateways:"]
    for x in range(len(keys)):
        lines.append("  - {name: site-%d, gatewayAddress: %s, addressPrefixes: [10.%d.%d.0/24]}"
                     % (x, peer, 2 if a else 1, x))
    lines.append("connections:")
    for x, (ab, ba) in enumerate(keys):
        out_spi, out_key, in_spi, in_key = ((0x10000 + x, ab, 0x20000 + x, ba) if a
                                            else (0x20000 + x, ba, 0x10000 + x, ab))
        lines += ["  - name: t%d" % x,
                  "    localNetworkGateway: site-%d" % x,
                  "    manualKeys:",
                  "      replayWindow: 4096",
                  "      outbound: {spi: 0x%x, encryption: aes128gcm16, key: 0x%s}" % (out_spi, out_key),
                  "      inbound: {spi: 0x%x, encryption: aes128gcm16, key: 0x%s}" % (in_spi, in_key)]
    return "\n".join(lines) + "\n"


IKE_RESPONDER_YAML = """\
gateway: {name: bench-gwB, publicAddress: 192.0.2.2, vnetPrefixes: [10.2.0.0/16], runDirectory: %(work)s/gwB, wanMtu: 1465}
localNetworkGateways:
  - {name: site-a, gatewayAddress: 192.0.2.1, addressPrefixes: [10.1.0.0/16]}
connections:
  - name: from-strongswan
    localNetworkGateway: site-a
    encapsulation: udp
    ike:
      sharedKey: "%(psk)s"
      ikeProposals: [aes128gcm16-prfsha256-ecp256]
      espProposals: [aes128gcm16]
      connectionMode: responderOnly
      dpdDelay: 0s
"""

STRONGSWAN_CONF = """\
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  filelog { log { path = %(dir)s/charon.log
    default = 1 } }
  plugins { vici { socket = unix://%(dir)s/charon.vici }
            kernel-libipsec { mtu = 1400 } }
}
"""

SWANCTL_CONF = """\
connections { s2s { version = 2
  local_addrs = %(me)s
  remote_addrs = %(peer)s
  proposals = aes128gcm16-prfsha256-ecp256
  rekey_time = 0
  local { auth = psk
    id = %(id)s }
  remote { auth = psk }
  children { net { local_ts = %(lts)s
    remote_ts = %(rts)s
    esp_proposals = aes128gcm16
    rekey_time = 0
    start_action = none } } } }
secrets { ike { secret = "%(psk)s" } }
"""


def make(ctx, name, tunnels=1, workers=None):
    if name == "plain":
        return Plain(ctx)
    if name == "strongswan":
        return StrongSwanPair(ctx)
    if name == "vpngw-strongswan":
        return VpngwBehindStrongSwan(ctx)
    if name in ("vpngw", "vpngw-unpinned", "vpngw-shared", "vpngw-tun-offload", "vpngw-no-offload"):
        return VpngwPair(ctx, name, tunnels, workers)
    raise HarnessError("unknown system %s (known: %s)" % (name, ", ".join(ALL)))
