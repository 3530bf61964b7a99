"""Unit tests of the harness's pure parts: parsers, statistics, the SVG writer, compare, progress.

    PYTHONPATH=benchmarks /usr/bin/python3 -m unittest discover -s benchmarks/harness/tests -t benchmarks
"""
import io
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import compare, iperf, proc, progress, suites, svg, systems
from harness.results import ResultSet, index


class ProcParsers(unittest.TestCase):
    def test_stat_fields_after_a_comm_with_spaces_and_parentheses(self):
        line = "4242 (java (main) x) S 1 2 3 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 30 0 123 456 789"
        self.assertEqual(320, proc.parse_stat_cpu(line))

    def test_proc_stat_busy_excludes_idle_and_iowait(self):
        busy, total = proc.parse_proc_stat("cpu  100 5 50 1000 20 3 7 0 0 0\ncpu0 1 2 3\n")
        self.assertAlmostEqual(165 / proc.CLOCK_TICKS, busy)
        self.assertAlmostEqual(1185 / proc.CLOCK_TICKS, total)

    def test_a_process_that_is_gone_fails_the_measurement(self):
        with self.assertRaisesRegex(proc.HarnessError, "has exited"):
            proc.cpu_seconds(2 ** 22 + 1)  # above pid_max's ceiling: never a live process

    def test_vm_rss_in_bytes(self):
        self.assertEqual(123 * 1024, proc.parse_vm_rss("Name:\tjava\nVmRSS:\t     123 kB\nThreads: 9\n"))

    def test_perf_csv_value_or_none_when_unsupported(self):
        text = "<not supported>,,cycles,0,100.00,,\n0.83,msec,task-clock,833987,100.00,160.382,CPUs utilized\n"
        self.assertIsNone(proc.parse_perf_csv(text, "cycles"))
        self.assertEqual(0.83, proc.parse_perf_csv(text, "task-clock"))
        self.assertEqual(12.0, proc.parse_perf_csv("12,,cycles:u,5,100.00,,\n", "cycles"))


class IperfReports(unittest.TestCase):
    def test_udp_received_rate_comes_from_received_bytes(self):
        r = {"end": {"sum": {"packets": 1000, "seconds": 2.0, "bytes": 36000, "bits_per_second": 144000},
                     "sum_received": {"bytes": 27000, "seconds": 2.0, "bits_per_second": 108000}}}
        out = iperf.parse(json.dumps(r), "udp", 36)
        self.assertAlmostEqual(375.0, out["pps"])
        self.assertAlmostEqual(500.0, out["sent_pps"])
        self.assertAlmostEqual(25.0, out["loss_percent"])
        self.assertAlmostEqual(108000 / 1e9, out["gbps"])

    def test_an_iperf_error_is_raised_with_its_message(self):
        with self.assertRaisesRegex(proc.HarnessError, "unable to connect"):
            iperf.parse('{"error": "unable to connect to server"}', "tcp")
        with self.assertRaisesRegex(proc.HarnessError, "no JSON"):
            iperf.parse("iperf3: segfault", "tcp")

    def test_parallel_clients_add_up(self):
        parts = [{"gbps": 1.0, "seconds": 10.0, "bytes": 100}, {"gbps": 0.5, "seconds": 10.2, "bytes": 50}]
        self.assertEqual({"gbps": 1.5, "seconds": 10.2, "bytes": 150}, iperf.combine(parts))

    def test_tcp_pacing_is_per_stream(self):
        topo = type("T", (), {"lanA": "p-lanA"})()
        cmd = iperf.client_cmd(topo, 3, "tcp", 10, streams=4, rate_bps=4e9)
        self.assertEqual("1000000000", cmd[cmd.index("-b") + 1])
        self.assertEqual("10.2.3.2", cmd[cmd.index("-c") + 1])
        self.assertEqual("10.1.3.2", cmd[cmd.index("-B") + 1])
        self.assertEqual(str(iperf.BASE_PORT + 3), cmd[cmd.index("-p") + 1])


class Results(unittest.TestCase):
    def test_medians_units_and_direction(self):
        rs = ResultSet("throughput", "benchmarks/run.sh throughput", {"reps": 3}, {"cores": 2})
        for v in (1.0, 3.0, 2.0):
            rs.add("tcp-1", "vpngw", "gbps", v)
        rs.add("tcp-1", "vpngw", "p99_us", 40.0)
        rs.add("tcp-1", "vpngw", "cycles_per_packet", 900.0)
        rs.add("tcp-1", "vpngw", "pps", None)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "throughput.json")
            rs.write(path)
            with open(path) as f:
                doc = json.load(f)
        idx = index(doc)
        r = idx[("tcp-1", "vpngw", "gbps")]
        self.assertEqual((2.0, [1.0, 3.0, 2.0], 3, "Gbit/s", "higher"),
                         (r["value"], r["samples"], r["reps"], r["unit"], r["better"]))
        self.assertEqual("lower", idx[("tcp-1", "vpngw", "p99_us")]["better"])
        self.assertEqual("events", idx[("tcp-1", "vpngw", "cycles_per_packet")]["unit"])
        self.assertNotIn(("tcp-1", "vpngw", "pps"), idx)


class Compare(unittest.TestCase):
    def doc(self, gbps, p99):
        return {"results": [
            {"test": "tcp-1", "system": "vpngw", "metric": "gbps", "value": gbps, "unit": "Gbit/s", "better": "higher"},
            {"test": "idle", "system": "vpngw", "metric": "p99_us", "value": p99, "unit": "us", "better": "lower"}]}

    def test_direction_decides_better_or_worse_beyond_noise(self):
        rows = {r[0]: r for r in compare.compare(self.doc(1.0, 100.0), self.doc(1.5, 120.0))}
        self.assertEqual("better", rows["tcp-1 | vpngw | gbps"][4])
        self.assertAlmostEqual(50.0, rows["tcp-1 | vpngw | gbps"][3])
        self.assertEqual("worse", rows["idle | vpngw | p99_us"][4])
        rows = {r[0]: r for r in compare.compare(self.doc(1.0, 100.0), self.doc(1.02, 99.0))}
        self.assertEqual("~", rows["tcp-1 | vpngw | gbps"][4])

    def test_jmh_files_compare_by_benchmark_and_parameters(self):
        jmh = lambda score: [{"benchmark": "dev.vpngw.benchmarks.EspBenchmark.encapsulate", "mode": "thrpt",
                              "params": {"engine": "openssl", "size": "64"},
                              "primaryMetric": {"score": score, "scoreUnit": "ops/s"}}]
        rows = compare.compare(jmh(100.0), jmh(80.0))
        self.assertEqual("EspBenchmark.encapsulate[engine=openssl,size=64]", rows[0][0])
        self.assertEqual("worse", rows[0][4])

    def test_main_prints_every_metric(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a.json"), os.path.join(d, "b.json")
            for path, doc in ((a, self.doc(1.0, 100.0)), (b, self.doc(2.0, 50.0))):
                with open(path, "w") as f:
                    json.dump(doc, f)
            out = io.StringIO()
            self.assertEqual(0, compare.main(a, b, out))
        self.assertIn("+100.0%", out.getvalue())
        self.assertIn("2 better, 0 worse", out.getvalue())


class Charts(unittest.TestCase):
    def test_bar_chart_is_well_formed_svg_with_one_bar_per_value(self):
        text = svg.bar_chart("T <&>", ["a", "b"], [("x", [1.0, 10.0]), ("y", [0.1, None])], "Gbit/s", log=True)
        root = ET.fromstring(text)
        ns = "{http://www.w3.org/2000/svg}"
        bars = [r for r in root.iter(ns + "rect") if r.find(ns + "title") is not None]
        self.assertEqual(3, len(bars))
        self.assertIn("n/a", text)
        heights = sorted(float(r.get("height")) for r in bars)
        self.assertTrue(heights[0] < heights[1] < heights[2])

    def test_ticks_are_round_numbers(self):
        self.assertEqual([0, 2.5, 5, 7.5, 10, 12.5], svg.linear_ticks(11.5))
        self.assertEqual([0.1, 1.0, 10.0], svg.log_ticks(0.18, 9.5))
        self.assertEqual(100.0, svg.log_ticks(0.18, 10.2)[-1])
        self.assertEqual("0.178", svg.fmt(0.1784))
        self.assertEqual("10.2", svg.fmt(10.169))
        self.assertEqual("1234", svg.fmt(1234.4))


class FakeBench:
    def teardown(self):
        pass


class Plans(unittest.TestCase):
    def test_time_left_scales_the_remaining_estimates_by_the_pace_so_far(self):
        steps = [progress.Step(str(i), 10, None) for i in range(4)]
        self.assertEqual(40, progress.time_left(steps, 0, 0))
        self.assertEqual(40, progress.time_left(steps, 2, 40))  # twice as slow: 20 left becomes 40
        self.assertEqual(60, progress.time_left(steps, 2, 400))  # capped at 3x

    def test_systems_alternate_in_a_rotated_order(self):
        order = [s.label.split(": start ")[1] for s in
                 suites.throughput_plan(FakeBench(), None, ["plain", "vpngw"], 2, 5) if ": start " in s.label]
        self.assertEqual([systems.LABELS["plain"], systems.LABELS["vpngw"],
                          systems.LABELS["vpngw"], systems.LABELS["plain"]], order)

    def test_scaling_load_has_at_least_eight_streams_and_one_client_per_tunnel(self):
        self.assertEqual([(0, 8)], suites.spread(1))
        self.assertEqual([(0, 3), (1, 3), (2, 3)], suites.spread(3))
        self.assertEqual(100, len(suites.spread(100)))
        self.assertTrue(all(s == 1 for _, s in suites.spread(100)))


class JcmdOutput(unittest.TestCase):
    def test_heap_in_use_from_gc_heap_info(self):
        text = ("18430:\ngarbage-first heap   total reserved 6172672K, committed 28672K, used 1697K"
                " [0x0000000687400000, 0x0000000800000000)\n region size 4096K, 0 young (0K), 0 survivors (0K)\n")
        self.assertEqual(1697 * 1024, suites.parse_heap_used(text))
        self.assertIsNone(suites.parse_heap_used("18430:\nAttachNotSupportedException"))


class GatewayConfig(unittest.TestCase):
    def test_manual_keys_mirror_each_other_per_tunnel(self):
        keys = [("aa" * 20, "bb" * 20), ("cc" * 20, "dd" * 20)]
        a = systems.manual_keys_yaml("gwA", "/w", keys, 2)
        b = systems.manual_keys_yaml("gwB", "/w", keys, None)
        self.assertIn("workers: 2", a)
        self.assertNotIn("workers", b)
        self.assertIn("outbound: {spi: 0x10001, encryption: aes128gcm16, key: 0x" + "cc" * 20, a)
        self.assertIn("inbound: {spi: 0x10001, encryption: aes128gcm16, key: 0x" + "cc" * 20, b)
        self.assertIn("addressPrefixes: [10.2.1.0/24]", a)
        self.assertIn("addressPrefixes: [10.1.1.0/24]", b)


if __name__ == "__main__":
    unittest.main()
