#!/usr/bin/env bash
# A hub and N sites, in network namespaces of their own (nothing leaves them):
#
#   P-vnet (10.0.0.2) --lan-- P-hub (10.0.0.1 | 192.0.2.1) ==wan== P-wan (bridge br0)
#   P-lanI (10.I.0.2) --lan-- P-gwI (10.I.0.1 | 192.0.2.(10+I)) ==wan== P-wan       for I in 1..N
#
# The hub is the virtual network gateway and P-vnet its VNet; each P-gwI is site I's on-prem VPN
# device and P-lanI the site's LAN. All WAN sides meet on one bridge (the "internet"). Gateways
# forward but have no route to any other LAN: only tunnels join them.
#
#   hub-topology.sh up PREFIX N     create (and on failure remove) the namespaces, 1 <= N <= 9
#   hub-topology.sh down PREFIX     remove them; safe to call twice
# PREFIX must be short and unique: veth names are PREFIX plus 3 characters (max 15).
set -Eeuo pipefail
usage="usage: hub-topology.sh up PREFIX N | down PREFIX"
cmd=${1:?$usage}
P=${2:?$usage}
[ ${#P} -le 12 ] || { echo "hub-topology.sh: prefix '$P' longer than 12 characters" >&2; exit 2; }

down() {
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$P-(vnet|hub|wan|gw[1-9]|lan[1-9])\$" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  # veths left in the root namespace by a half-done 'up' (moving one end moves the pair)
  for v in "${P}hl" "${P}hw" $(seq -f "${P}l%g" 1 9) $(seq -f "${P}w%g" 1 9); do
    ip link del "$v" 2>/dev/null || true
  done
}

pair() { # tmp-a ns-a tmp-b ns-b if-a if-b: a veth pair, renamed inside
  ip link add "$1" type veth peer name "$3"
  ip link set "$1" netns "$2"
  ip link set "$3" netns "$4"
  ip -n "$2" link set "$1" name "$5"
  ip -n "$4" link set "$3" name "$6"
  ip -n "$2" link set "$5" up
  ip -n "$4" link set "$6" up
}

gateway() { # ns lan-address wan-address
  ip -n "$1" addr add "$2/24" dev lan0
  ip -n "$1" addr add "$3/24" dev wan0
  ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

up() {
  local n=${1:?$usage}
  [[ "$n" =~ ^[1-9]$ ]] || { echo "hub-topology.sh: N must be 1 to 9, not '$n'" >&2; exit 2; }
  trap 'down' ERR
  local all=("$P-wan" "$P-hub" "$P-vnet")
  for i in $(seq 1 "$n"); do all+=("$P-gw$i" "$P-lan$i"); done
  for ns in "${all[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$P-wan" link add br0 type bridge
  ip -n "$P-wan" link set br0 up
  pair "${P}hl" "$P-vnet" "${P}hm" "$P-hub" lan0 lan0
  pair "${P}hw" "$P-hub" "${P}hb" "$P-wan" wan0 hub
  ip -n "$P-wan" link set hub master br0
  gateway "$P-hub" 10.0.0.1 192.0.2.1
  ip -n "$P-vnet" addr add 10.0.0.2/24 dev lan0
  ip -n "$P-vnet" route add default via 10.0.0.1
  for i in $(seq 1 "$n"); do
    pair "${P}l$i" "$P-lan$i" "${P}m$i" "$P-gw$i" lan0 lan0
    pair "${P}w$i" "$P-gw$i" "${P}b$i" "$P-wan" wan0 "site$i"
    ip -n "$P-wan" link set "site$i" master br0
    gateway "$P-gw$i" "10.$i.0.1" "192.0.2.$((10 + i))"
    ip -n "$P-lan$i" addr add "10.$i.0.2/24" dev lan0
    ip -n "$P-lan$i" route add default via "10.$i.0.1"
  done
  trap - ERR
}

case "$cmd" in
  up) up "${3:-}" ;;
  down) down ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
