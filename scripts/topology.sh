#!/usr/bin/env bash
# The two-site test topology, in network namespaces of its own (nothing leaves them):
#
#   P-lanA (10.1.0.2) --lan-- P-gwA (10.1.0.1 | 192.0.2.1) ==wan== P-gwB (192.0.2.2 | 10.2.0.1) --lan-- P-lanB (10.2.0.2)
#          fd00:1::2                 fd00:1::1 | 2001:db8:f::1       2001:db8:f::2 | fd00:2::1          fd00:2::2
#
# Gateways forward (ip_forward=1) but have no route to the other LAN: only a tunnel can join them.
# MODE=plain adds those routes over the WAN instead (the no-tunnel baseline).
#   topology.sh up PREFIX        create (and on failure remove) the four namespaces
#   topology.sh down PREFIX      remove them; safe to call twice
#   topology.sh names PREFIX     print the namespace names
# PREFIX must be short and unique (e.g. vg$$): veth names are PREFIX plus 3 characters (max 15).
set -Eeuo pipefail # -E: the ERR trap of 'up' also fires inside its functions
cmd=${1:?usage: topology.sh up|down|names PREFIX}
P=${2:?usage: topology.sh up|down|names PREFIX}
[ ${#P} -le 12 ] || { echo "topology.sh: prefix '$P' longer than 12 characters" >&2; exit 2; }
NS=("$P-lanA" "$P-gwA" "$P-gwB" "$P-lanB")

down() {
  for ns in "${NS[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  # veths left in the root namespace by a half-done 'up' (moving one end moves the pair)
  for v in "${P}la" "${P}wa" "${P}lb"; do ip link del "$v" 2>/dev/null || true; done
}

pair() { # name-a ns-a name-b ns-b: a veth pair, renamed to lan0/wan0 inside
  local tmpa="$1" nsa="$2" tmpb="$3" nsb="$4" ifa="$5" ifb="$6"
  ip link add "$tmpa" type veth peer name "$tmpb"
  ip link set "$tmpa" netns "$nsa"
  ip link set "$tmpb" netns "$nsb"
  ip -n "$nsa" link set "$tmpa" name "$ifa"
  ip -n "$nsb" link set "$tmpb" name "$ifb"
  ip -n "$nsa" link set "$ifa" up
  ip -n "$nsb" link set "$ifb" up
}

up() {
  trap 'down' ERR
  for ns in "${NS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  pair "${P}la" "$P-lanA" "${P}ga" "$P-gwA" lan0 lan0
  pair "${P}wa" "$P-gwA" "${P}wb" "$P-gwB" wan0 wan0
  pair "${P}lb" "$P-lanB" "${P}gb" "$P-gwB" lan0 lan0
  ip -n "$P-lanA" addr add 10.1.0.2/24 dev lan0
  ip -n "$P-lanA" -6 addr add fd00:1::2/64 dev lan0 nodad
  ip -n "$P-gwA" addr add 10.1.0.1/24 dev lan0
  ip -n "$P-gwA" -6 addr add fd00:1::1/64 dev lan0 nodad
  ip -n "$P-gwA" addr add 192.0.2.1/24 dev wan0
  ip -n "$P-gwA" -6 addr add 2001:db8:f::1/64 dev wan0 nodad
  ip -n "$P-gwB" addr add 192.0.2.2/24 dev wan0
  ip -n "$P-gwB" -6 addr add 2001:db8:f::2/64 dev wan0 nodad
  ip -n "$P-gwB" addr add 10.2.0.1/24 dev lan0
  ip -n "$P-gwB" -6 addr add fd00:2::1/64 dev lan0 nodad
  ip -n "$P-lanB" addr add 10.2.0.2/24 dev lan0
  ip -n "$P-lanB" -6 addr add fd00:2::2/64 dev lan0 nodad
  ip -n "$P-lanA" route add default via 10.1.0.1
  ip -n "$P-lanA" -6 route add default via fd00:1::1
  ip -n "$P-lanB" route add default via 10.2.0.1
  ip -n "$P-lanB" -6 route add default via fd00:2::1
  for gw in "$P-gwA" "$P-gwB"; do
    ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  if [ "${MODE:-tunnel}" = plain ]; then
    ip -n "$P-gwA" route add 10.2.0.0/24 via 192.0.2.2
    ip -n "$P-gwA" -6 route add fd00:2::/64 via 2001:db8:f::2
    ip -n "$P-gwB" route add 10.1.0.0/24 via 192.0.2.1
    ip -n "$P-gwB" -6 route add fd00:1::/64 via 2001:db8:f::1
  fi
  trap - ERR
}

case "$cmd" in
  up) up ;;
  down) down ;;
  names) printf '%s\n' "${NS[@]}" ;;
  *) echo "usage: topology.sh up|down|names PREFIX" >&2; exit 2 ;;
esac
