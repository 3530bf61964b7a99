#!/usr/bin/env bash
# Installs the Debian packages the tests drive as independent implementations, when missing.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# strongSwan is the independent IKE peer of the interop tests: charon with kernel-libipsec (user-space
# ESP: this kernel has none) from libcharon-extra-plugins, swanctl to drive it over vici. nftables
# masquerades in the NAT topology (scripts/topology.sh NAT=1); conntrack flushes its mappings. The
# monitoring tests check our exporters with the real clients: promtool (prometheus) lints a live
# scrape fetched with curl; net-snmp's snmpwalk/snmpget (snmp) query the agent and snmptrapd
# receives its notifications.
for pkg in maven tshark tcpdump python3-scapy openssl iproute2 iputils-ping iperf3 procps \
  strongswan-swanctl strongswan-charon libcharon-extra-plugins libstrongswan-extra-plugins \
  libstrongswan-standard-plugins nftables conntrack prometheus curl snmp snmptrapd; do
  have "$pkg" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "error: the tests need these Debian packages: ${need[*]}; run as root or install them first." >&2
  exit 1
fi
echo "installing test dependencies: ${need[*]}" >&2
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
