package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.ExpressRouteCircuit;
import dev.vpngw.appliance.config.GatewayConfig.Gateway;
import dev.vpngw.appliance.config.GatewayConfig.GatewayType;
import dev.vpngw.appliance.config.GatewayConfig.Liveness;
import dev.vpngw.fib.IpPrefix;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code expressRouteCircuits} section (docs/CONFIG.md): the private circuits an ExpressRoute
 * gateway is bound to. Only an ExpressRoute gateway has circuits; their prefixes may not overlap
 * the virtual network.
 */
final class ExpressRouteLoader {
  private static final Set<String> CIRCUIT =
      Set.of("name", "interface", "peerAddress", "addressPrefixes", "liveness");
  private static final Set<String> LIVENESS = Set.of("interval", "multiplier", "port");

  /** BFD echo's UDP port (RFC 5881 4). */
  static final int DEFAULT_PORT = 3785;

  private ExpressRouteLoader() {}

  static List<ExpressRouteCircuit> circuits(YamlNode root, Gateway gateway) throws ConfigException {
    List<ExpressRouteCircuit> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> devices = new HashSet<>();
    for (YamlNode n : root.nodes("expressRouteCircuits")) {
      if (gateway.gatewayType() != GatewayType.ExpressRoute) {
        throw new ConfigException(
            n.path(), "only an ExpressRoute gateway (gatewayType: ExpressRoute) has circuits");
      }
      ExpressRouteCircuit c = circuit(n, gateway);
      if (!names.add(c.name())) {
        throw new ConfigException(n.field("name"), "duplicate circuit " + c.name());
      }
      if (!devices.add(c.device())) {
        throw new ConfigException(
            n.field("interface"), "another circuit is on interface " + c.device());
      }
      out.add(c);
    }
    return List.copyOf(out);
  }

  private static ExpressRouteCircuit circuit(YamlNode n, Gateway gateway) throws ConfigException {
    n.onlyKeys(CIRCUIT);
    String name = n.string("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(n.field("name"), "letters, digits, '.', '_' or '-', at most 64");
    }
    String device = n.string("interface");
    if (!device.matches("[A-Za-z0-9_.-]{1,15}")) {
      throw new ConfigException(n.field("interface"), "not a Linux interface name: " + device);
    }
    if (device.equals(gateway.tunnelInterface())) {
      throw new ConfigException(n.field("interface"), "is the gateway's tunnelInterface");
    }
    InetAddress peer = ConfigLoader.address(n, "peerAddress");
    List<IpPrefix> prefixes = ConfigLoader.prefixes(n, "addressPrefixes", true);
    for (IpPrefix p : prefixes) {
      for (IpPrefix v : gateway.vnetPrefixes()) {
        if (ConfigLoader.overlaps(p, v)) {
          throw new ConfigException(
              n.field("addressPrefixes"), p + " overlaps the virtual network's " + v);
        }
      }
    }
    YamlNode l = n.has("liveness") ? n.node("liveness") : YamlNode.empty(n.field("liveness"));
    l.onlyKeys(LIVENESS);
    Duration interval = interval(l, "interval", Duration.ofMillis(100));
    int multiplier = (int) l.number("multiplier", 1, 255, 3);
    int port = (int) l.number("port", 1, 65_535, DEFAULT_PORT);
    return new ExpressRouteCircuit(
        name, device, peer, prefixes, new Liveness(interval, multiplier, port));
  }

  /** {@code 100ms}, {@code 1s}: 10 ms to 10 s. */
  private static Duration interval(YamlNode n, String key, Duration fallback)
      throws ConfigException {
    if (!n.has(key)) {
      return fallback;
    }
    String s = n.string(key).trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        throw new ConfigException(n.field(key), "a duration such as 100ms or 1s, not " + s);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(n.field(key), "a duration such as 100ms or 1s, not " + s);
    }
    if (d.toMillis() < 10 || d.toMillis() > 10_000) {
      throw new ConfigException(n.field(key), "between 10ms and 10s");
    }
    return d;
  }
}
