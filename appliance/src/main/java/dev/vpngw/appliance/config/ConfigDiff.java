package dev.vpngw.appliance.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changes between a running configuration and a new one, connection by connection: the ones to
 * start, to stop, to restart, and the ones to leave alone (their SAs and counters keep going). A
 * connection counts as changed when its own resource changed, its local network gateway's did, or
 * one of the gateway's fields every connection is built from did (the virtual network's prefixes,
 * the WAN MTU, the VPN type).
 *
 * @param added connections only in the new configuration
 * @param removed connections only in the running one
 * @param changed connections in both, to restart with the new settings
 * @param unchanged connections in both, untouched
 */
public record ConfigDiff(
    List<String> added, List<String> removed, List<String> changed, List<String> unchanged) {
  /** Gateway fields every connection's tunnel, routes or selectors are built from. */
  static final Set<String> CONNECTION_WIDE = Set.of("vnetPrefixes", "wanMtu", "vpnType");

  /** The difference from {@code before} to {@code after}. */
  public static ConfigDiff of(ConfigDocument before, ConfigDocument after) {
    boolean gatewayWide = false;
    Map<String, Object> g0 = before.gateway();
    Map<String, Object> g1 = after.gateway();
    for (String f : CONNECTION_WIDE) {
      gatewayWide |= !Objects.equals(g0.get(f), g1.get(f));
    }
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (Map<String, Object> c : after.resources(ConfigDocument.CONNECTIONS)) {
      String name = String.valueOf(c.get("name"));
      Map<String, Object> old = before.find(ConfigDocument.CONNECTIONS, name);
      if (old == null) {
        added.add(name);
      } else if (gatewayWide
          || !old.equals(c)
          || !Objects.equals(site(before, old), site(after, c))) {
        changed.add(name);
      } else {
        unchanged.add(name);
      }
    }
    List<String> removed = new ArrayList<>();
    for (Map<String, Object> c : before.resources(ConfigDocument.CONNECTIONS)) {
      String name = String.valueOf(c.get("name"));
      if (after.find(ConfigDocument.CONNECTIONS, name) == null) {
        removed.add(name);
      }
    }
    return new ConfigDiff(
        List.copyOf(added), List.copyOf(removed), List.copyOf(changed), List.copyOf(unchanged));
  }

  private static Map<String, Object> site(ConfigDocument d, Map<String, Object> connection) {
    return d.find(ConfigDocument.SITES, String.valueOf(connection.get("localNetworkGateway")));
  }

  /** Whether no connection starts, stops or restarts. */
  public boolean touchesNoConnection() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }
}
