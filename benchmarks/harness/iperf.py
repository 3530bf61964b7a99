"""iperf3 servers in LAN B and clients in LAN A, and what their JSON reports mean here.

TCP: goodput as received (sum_received), after a 1 s omitted warm-up (-O 1) so slow start is not
averaged in. UDP: unpaced (-b 0) datagrams of a given payload; iperf3's -O is not used for UDP
because it makes its loss accounting inconsistent (3.12 counts omitted packets on one side only),
so the first second is in the figures. Received packets/s are bytes received / payload.
"""
import json
import os
import subprocess

from harness.proc import HarnessError, netns
from harness.topo import lan_a, lan_b

BASE_PORT = 5201


def start_servers(procs, topo, work, tunnels):
    """One server per tunnel x, on 10.2.x.2 and port BASE_PORT + x (a server runs one test at a time)."""
    for x in range(tunnels):
        procs.start(netns(topo.lanB, "iperf3", "-s", "-B", lan_b(x), "-p", str(BASE_PORT + x)),
                    os.path.join(work, "iperf3-server-%d.log" % x))


def client_cmd(topo, x, kind, duration, streams=1, payload=None, rate_bps=0):
    """iperf3 client from 10.1.x.2 to tunnel x's server. kind: tcp or udp; rate 0 is unpaced (UDP)
    or unlimited (TCP)."""
    cmd = ["iperf3", "-c", lan_b(x), "-B", lan_a(x), "-p", str(BASE_PORT + x), "-t", str(duration),
           "-J", "-P", str(streams)]
    if kind == "tcp":
        cmd += ["-O", "1"]
        if rate_bps:
            # -b applies per stream.
            cmd += ["-b", str(int(rate_bps / streams))]
    else:
        cmd += ["-u", "-b", str(int(rate_bps)), "-l", str(payload)]
    return netns(topo.lanA, *cmd)


def run_clients(cmds, timeout):
    """Starts every client at once and returns their stdout texts, in order."""
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
    outs = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        outs.append(out or err)
    return outs


def parse(text, kind, payload=None):
    """The figures of one client's JSON report: gbps (goodput received), seconds, bytes received and,
    for UDP, packets/s received, packets/s sent and loss in %. Raises HarnessError with iperf3's
    own message when the test failed."""
    try:
        r = json.loads(text)
    except ValueError:
        raise HarnessError("iperf3 printed no JSON: " + text.strip()[-300:])
    if "error" in r:
        raise HarnessError("iperf3: " + r["error"])
    end = r["end"]
    received = end["sum_received"]
    out = {"gbps": received["bits_per_second"] / 1e9, "seconds": received["seconds"],
           "bytes": received["bytes"]}
    if kind == "udp":
        sent = end["sum"]
        out["pps"] = received["bytes"] / payload / received["seconds"]
        out["sent_pps"] = sent["packets"] / sent["seconds"]
        out["loss_percent"] = 100.0 * (1 - received["bytes"] / payload / sent["packets"]) if sent["packets"] else 0.0
    return out


def combine(parts):
    """Several clients at once: rates add up; the window is the longest client's."""
    out = {"gbps": sum(p["gbps"] for p in parts), "seconds": max(p["seconds"] for p in parts),
           "bytes": sum(p["bytes"] for p in parts)}
    if "pps" in parts[0]:
        out["pps"] = sum(p["pps"] for p in parts)
        out["sent_pps"] = sum(p["sent_pps"] for p in parts)
        sent = sum(p["sent_pps"] * p["seconds"] for p in parts)
        out["loss_percent"] = 100.0 * (1 - sum(p["pps"] * p["seconds"] for p in parts) / sent) if sent else 0.0
    return out
