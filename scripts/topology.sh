#!/usr/bin/env bash
# The two-site test topology, in network namespaces of its own (nothing leaves them):
#
#   P-lanA (10.1.0.2) --lan-- P-gwA (10.1.0.1 | 192.0.2.1) ==wan== P-gwB (192.0.2.2 | 10.2.0.1) --lan-- P-lanB (10.2.0.2)
#          fd00:1::2                 fd00:1::1 | 2001:db8:f::1       2001:db8:f::2 | fd00:2::1          fd00:2::2
#
# Gateways forward (ip_forward=1) but have no route to the other LAN: only a tunnel can join them.
# MODE=plain adds those routes over the WAN instead (the no-tunnel baseline).
#
# NAT mode (NAT=1 in the environment, or "nat" as the third argument) puts site B behind a NAT:
#
#   P-gwA (192.0.2.1) ==wan== (192.0.2.2) P-nat (172.16.0.1) --private-- (172.16.0.2) P-gwB (10.2.0.1)
#                        wan0 on each side          lan0 in P-nat, wan0 in P-gwB
#
# P-nat masquerades gwB's traffic out of its WAN side with nftables, so gwA sees everything from
# gwB, IKE on 500 and 4500 included, coming from 192.0.2.2, the site's public address, with the
# source ports rewritten: NAT_PORTS=random (the default) is "masquerade random", which maps every
# flow to a random port, as a carrier-grade NAT does; NAT_PORTS=keep is plain masquerade, which
# keeps a port when it is free. gwB's default route points at P-nat; gwA has no route into
# 172.16.0.0/24, so it can only answer through the NAT's connection state and can never open a flow
# to gwB itself. The WAN is IPv4 only in NAT mode (NAT traversal is an IPv4 matter); the LANs keep
# their IPv6 addresses. With MODE=plain, site B's LAN leaves masqueraded as well, so only flows that
# lanB opens work, as behind any NAT.
#
# Multi-site mode (SITES=3 or SITES=4 in the environment) adds site C (and D) beside site B, each
# a gateway and a LAN of its own, and joins every gateway's wan0 on a bridge in a namespace P-wan:
#
#   P-lanA -- P-gwA (192.0.2.1) ==br0 in P-wan== P-gwB (192.0.2.2) -- P-lanB (10.2.0.2)
#                                             == P-gwC (192.0.2.3) -- P-lanC (10.3.0.2, fd00:3::2)
#                                             == P-gwD (192.0.2.4) -- P-lanD (10.4.0.2, fd00:4::2)
#
# Site N's gateway is 10.N.0.1 and 192.0.2.N on the WAN (2001:db8:f::N). Neither NAT nor
# MODE=plain goes with it.
#
# Pair mode (PAIR=1, or "pair" as the third argument) makes site A an active-standby pair of two
# gateway namespaces on one GatewaySubnet, as issue 6 needs:
#
#                 P-gwA  (wan0 192.0.2.11, lan0 10.1.0.11, ha0 10.255.0.1)
#   P-lanA --br-lan--+         |ha link (veth)                    +--br-pub-- P-gwB (192.0.2.2) -- P-lanB
#   (10.1.0.2)      P-gwA2 (wan0 192.0.2.12, lan0 10.1.0.12, ha0 10.255.0.2)
#
# Both bridges live in P-sw. The virtual addresses 192.0.2.1 (public) and 10.1.0.1 (the VNet's
# next hop, lanA's default route) are on no interface: the active gateway adds them. IPv4 only.
#
#   topology.sh up PREFIX [nat|pair]  create (and on failure remove) the namespaces
#   topology.sh down PREFIX         remove them, the NAT namespace too if there is one; safe to call twice
#   topology.sh names PREFIX [nat]  print the namespace names
# PREFIX must be short and unique (e.g. vg$$): veth names are PREFIX plus 3 characters (max 15).
set -Eeuo pipefail # -E: the ERR trap of 'up' also fires inside its functions
usage="usage: [NAT=1] [PAIR=1] [NAT_PORTS=random|keep] [MODE=plain] [SITES=2|3|4] topology.sh up|down|names PREFIX [nat|pair]"
cmd=${1:?$usage}
P=${2:?$usage}
[ ${#P} -le 12 ] || { echo "topology.sh: prefix '$P' longer than 12 characters" >&2; exit 2; }
case "${3:-}" in
  nat) NAT=1 ;;
  pair) PAIR=1 ;;
  "") ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
NAT=${NAT:-0}
PAIR=${PAIR:-0}
[ "$NAT" = 1 ] && [ "$PAIR" = 1 ] && { echo "topology.sh: nat and pair do not combine" >&2; exit 2; }
[ "${SITES:-2}" != 2 ] && [ "$PAIR" = 1 ] && { echo "topology.sh: SITES and pair do not combine" >&2; exit 2; }
NAT_PORTS=${NAT_PORTS:-random}
case "$NAT_PORTS" in
  random) MASQUERADE="masquerade random" ;;
  keep) MASQUERADE="masquerade" ;;
  *) echo "topology.sh: NAT_PORTS must be random or keep, not '$NAT_PORTS'" >&2; exit 2 ;;
esac
SITES=${SITES:-2}
case "$SITES" in
  2 | 3 | 4) ;;
  *) echo "topology.sh: SITES must be 2, 3 or 4, not '$SITES'" >&2; exit 2 ;;
esac
if [ "$SITES" -gt 2 ] && { [ "$NAT" = 1 ] || [ "${MODE:-tunnel}" = plain ]; }; then
  echo "topology.sh: SITES=$SITES goes with neither NAT nor MODE=plain" >&2
  exit 2
fi
EXTRA=() # the sites beyond B: letter, number
[ "$SITES" -ge 3 ] && EXTRA+=("C 3")
[ "$SITES" -ge 4 ] && EXTRA+=("D 4")
NS=("$P-lanA" "$P-gwA" "$P-gwB" "$P-lanB")
[ "$NAT" = 1 ] && NS+=("$P-nat")
for e in "${EXTRA[@]}"; do NS+=("$P-gw${e% *}" "$P-lan${e% *}"); done
[ "$SITES" -gt 2 ] && NS+=("$P-wan")
[ "$PAIR" = 1 ] && NS+=("$P-gwA2" "$P-sw")

down() {
  # Every namespace any mode makes, so a caller need not remember how it called 'up'.
  for ns in "$P-lanA" "$P-gwA" "$P-gwB" "$P-lanB" "$P-nat" "$P-gwC" "$P-lanC" "$P-gwD" "$P-lanD" \
    "$P-wan" "$P-gwA2" "$P-sw"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  # veths left in the root namespace by a half-done 'up' (moving one end moves the pair)
  for v in "${P}la" "${P}wa" "${P}lb" "${P}na" "${P}wb" "${P}lc" "${P}wc" "${P}ld" "${P}wd" \
    "${P}l2" "${P}w2" "${P}ha"; do
    ip link del "$v" 2>/dev/null || true
  done
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

# Site B's WAN behind the NAT namespace (see the header).
nat_wan() {
  pair "${P}wa" "$P-gwA" "${P}wb" "$P-nat" wan0 wan0
  pair "${P}na" "$P-nat" "${P}nb" "$P-gwB" lan0 wan0
  ip -n "$P-gwA" addr add 192.0.2.1/24 dev wan0
  ip -n "$P-nat" addr add 192.0.2.2/24 dev wan0
  ip -n "$P-nat" addr add 172.16.0.1/24 dev lan0
  ip -n "$P-gwB" addr add 172.16.0.2/24 dev wan0
  ip -n "$P-gwB" route add default via 172.16.0.1
  ip netns exec "$P-nat" sysctl -qw net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  ip netns exec "$P-nat" nft -f - <<NFT
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" ip saddr { 172.16.0.0/24, 10.2.0.0/24 } $MASQUERADE
  }
}
NFT
}

# Every gateway's wan0 on one bridge (multi-site mode): gateway N is 192.0.2.N.
bridged_wan() {
  ip -n "$P-wan" link add br0 type bridge
  ip -n "$P-wan" link set br0 up
  local x n
  for site in "A 1" "B 2" "${EXTRA[@]}"; do
    x=${site% *}
    n=${site#* }
    pair "${P}w${x,,}" "$P-gw$x" "${P}x${x,,}" "$P-wan" wan0 "port$x"
    ip -n "$P-wan" link set "port$x" master br0
    ip -n "$P-gw$x" addr add "192.0.2.$n/24" dev wan0
    ip -n "$P-gw$x" -6 addr add "2001:db8:f::$n/64" dev wan0 nodad
  done
}

# Sites C and D beyond B (multi-site mode): a gateway and a LAN each, as site B.
extra_sites() {
  local x n
  for site in "${EXTRA[@]}"; do
    x=${site% *}
    n=${site#* }
    pair "${P}l${x,,}" "$P-lan$x" "${P}g${x,,}" "$P-gw$x" lan0 lan0
    ip -n "$P-gw$x" addr add "10.$n.0.1/24" dev lan0
    ip -n "$P-gw$x" -6 addr add "fd00:$n::1/64" dev lan0 nodad
    ip -n "$P-lan$x" addr add "10.$n.0.2/24" dev lan0
    ip -n "$P-lan$x" -6 addr add "fd00:$n::2/64" dev lan0 nodad
    ip -n "$P-lan$x" route add default via "10.$n.0.1"
    ip -n "$P-lan$x" -6 route add default via "fd00:$n::1"
    ip netns exec "$P-gw$x" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
}

# Site A as an HA pair on two bridges (see the header).
pair_site_a() {
  ip -n "$P-sw" link add br-pub type bridge
  ip -n "$P-sw" link add br-lan type bridge
  ip -n "$P-sw" link set br-pub up
  ip -n "$P-sw" link set br-lan up
  pair "${P}wa" "$P-gwA" "${P}sa" "$P-sw" wan0 pa
  pair "${P}w2" "$P-gwA2" "${P}s2" "$P-sw" wan0 pa2
  pair "${P}wb" "$P-gwB" "${P}sb" "$P-sw" wan0 pb
  pair "${P}la" "$P-lanA" "${P}sl" "$P-sw" lan0 la
  pair "${P}l2" "$P-gwA" "${P}sm" "$P-sw" lan0 lg
  pair "${P}lc" "$P-gwA2" "${P}sn" "$P-sw" lan0 lg2
  for port in pa pa2 pb; do ip -n "$P-sw" link set "$port" master br-pub; done
  for port in la lg lg2; do ip -n "$P-sw" link set "$port" master br-lan; done
  pair "${P}ha" "$P-gwA" "${P}hb" "$P-gwA2" ha0 ha0
  ip -n "$P-gwA" addr add 192.0.2.11/24 dev wan0
  ip -n "$P-gwA2" addr add 192.0.2.12/24 dev wan0
  ip -n "$P-gwB" addr add 192.0.2.2/24 dev wan0
  ip -n "$P-gwA" addr add 10.1.0.11/24 dev lan0
  ip -n "$P-gwA2" addr add 10.1.0.12/24 dev lan0
  ip -n "$P-gwA" addr add 10.255.0.1/30 dev ha0
  ip -n "$P-gwA2" addr add 10.255.0.2/30 dev ha0
  ip -n "$P-lanA" addr add 10.1.0.2/24 dev lan0
  ip -n "$P-lanA" route add default via 10.1.0.1
  ip netns exec "$P-gwA2" sysctl -qw net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

up() {
  trap 'down' ERR
  if [ "$NAT" = 1 ] && ! command -v nft >/dev/null; then
    echo "topology.sh: NAT mode needs nft (package nftables, see scripts/install-test-deps.sh)" >&2
    exit 1
  fi
  for ns in "${NS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  if [ "$PAIR" = 1 ]; then
    pair_site_a
    pair "${P}lb" "$P-lanB" "${P}gb" "$P-gwB" lan0 lan0
    ip -n "$P-gwB" addr add 10.2.0.1/24 dev lan0
    ip -n "$P-lanB" addr add 10.2.0.2/24 dev lan0
    ip -n "$P-lanB" route add default via 10.2.0.1
    for gw in "$P-gwA" "$P-gwB"; do
      ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    done
    trap - ERR
    return
  fi
  pair "${P}la" "$P-lanA" "${P}ga" "$P-gwA" lan0 lan0
  pair "${P}lb" "$P-lanB" "${P}gb" "$P-gwB" lan0 lan0
  if [ "$NAT" = 1 ]; then
    nat_wan
  elif [ "$SITES" -gt 2 ]; then
    bridged_wan
    extra_sites
  else
    pair "${P}wa" "$P-gwA" "${P}wb" "$P-gwB" wan0 wan0
    ip -n "$P-gwA" addr add 192.0.2.1/24 dev wan0
    ip -n "$P-gwA" -6 addr add 2001:db8:f::1/64 dev wan0 nodad
    ip -n "$P-gwB" addr add 192.0.2.2/24 dev wan0
    ip -n "$P-gwB" -6 addr add 2001:db8:f::2/64 dev wan0 nodad
  fi
  ip -n "$P-lanA" addr add 10.1.0.2/24 dev lan0
  ip -n "$P-lanA" -6 addr add fd00:1::2/64 dev lan0 nodad
  ip -n "$P-gwA" addr add 10.1.0.1/24 dev lan0
  ip -n "$P-gwA" -6 addr add fd00:1::1/64 dev lan0 nodad
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
    if [ "$NAT" = 1 ]; then
      # gwB's default route already leads out through the NAT; the NAT needs both LANs.
      ip -n "$P-nat" route add 10.2.0.0/24 via 172.16.0.2
      ip -n "$P-nat" route add 10.1.0.0/24 via 192.0.2.1
    else
      ip -n "$P-gwA" route add 10.2.0.0/24 via 192.0.2.2
      ip -n "$P-gwA" -6 route add fd00:2::/64 via 2001:db8:f::2
      ip -n "$P-gwB" route add 10.1.0.0/24 via 192.0.2.1
      ip -n "$P-gwB" -6 route add fd00:1::/64 via 2001:db8:f::1
    fi
  fi
  trap - ERR
}

case "$cmd" in
  up) up ;;
  down) down ;;
  names) printf '%s\n' "${NS[@]}" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
