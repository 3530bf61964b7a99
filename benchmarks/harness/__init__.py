"""The end-to-end benchmark harness behind benchmarks/run.sh.

It measures our gateway beside strongSwan and plain routing on the namespaces of
scripts/topology.sh, writes machine-readable results (benchmarks/results/*.json) and renders them
(benchmarks/report.py: RESULTS.md and SVG charts). Python 3.11 standard library only, so it runs
with Debian's /usr/bin/python3 and nothing installed.
"""
