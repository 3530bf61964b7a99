package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.appliance.config.GatewayConfig.ConnectionType;
import dev.vpngw.appliance.config.GatewayConfig.Gateway;
import dev.vpngw.appliance.config.GatewayConfig.GatewayType;
import dev.vpngw.appliance.config.GatewayConfig.VpnType;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.selector.TrafficSelector;

/**
 * The rules that span resources, checked once every resource is valid on its own: what the gateway
 * type, VPN type and SKU allow (the cloud's limits, MISSION.md), and what each connection type
 * needs. Each refusal names the first field past the limit.
 */
final class ModelRules {
  private ModelRules() {}

  static void check(YamlNode root, GatewayConfig config) throws ConfigException {
    Gateway g = config.gateway();
    String gw = root.field("gateway");
    if (g.activeActive() && g.sku() == Sku.Basic) {
      throw new ConfigException(gw + ".activeActive", "the Basic SKU has no active-active mode");
    }
    if (g.activeActive() && g.secondaryPublicAddress() == null) {
      throw new ConfigException(
          gw + ".secondaryPublicAddress", "active-active needs the second VM's public address");
    }
    if (!g.activeActive() && g.secondaryPublicAddress() != null) {
      throw new ConfigException(gw + ".secondaryPublicAddress", "only with activeActive: true");
    }
    if (g.secondaryPublicAddress() != null
        && g.secondaryPublicAddress().equals(g.publicAddress())) {
      throw new ConfigException(gw + ".secondaryPublicAddress", "must differ from publicAddress");
    }
    if (g.vpnType() == VpnType.PolicyBased && g.sku() != null && g.sku() != Sku.Basic) {
      throw new ConfigException(
          gw + ".vpnType",
          "PolicyBased is offered only with the Basic SKU (the cloud's rule), not with "
              + g.sku()
              + "; use vpnType RouteBased with usePolicyBasedTrafficSelectors on the connection"
              + " for a policy-based device, or sku Basic");
    }
    checkDefaultSite(root, config);
    int tunnels = 0;
    for (int i = 0; i < config.connections().size(); i++) {
      Connection c = config.connections().get(i);
      String at = root.field("connections[" + i + "]");
      if (c.connectionType() == ConnectionType.ExpressRoute) {
        throw new ConfigException(
            at + ".connectionType",
            "a circuit is bound to an ExpressRoute gateway (gatewayType: ExpressRoute) in its"
                + " expressRouteCircuits, not by a connection");
      }
      if (g.gatewayType() == GatewayType.ExpressRoute) {
        throw new ConfigException(
            at + ".connectionType",
            "an ExpressRoute gateway carries no "
                + c.connectionType()
                + " connection (gatewayType Vpn)");
      }
      tunnels++;
      if (g.vpnType() == VpnType.PolicyBased && tunnels > 1) {
        throw new ConfigException(
            at,
            "a PolicyBased gateway carries one Site-to-Site connection (as the cloud's Basic"
                + " PolicyBased gateway); for multi-site use vpnType RouteBased");
      }
      if (g.sku() != null && tunnels > g.sku().s2sTunnels()) {
        throw new ConfigException(
            at,
            "the "
                + g.sku()
                + " SKU carries at most "
                + g.sku().s2sTunnels()
                + " Site-to-Site tunnels; this would be tunnel "
                + tunnels
                + " (choose a larger sku)");
      }
    }
  }

  /**
   * Forced tunneling (the cloud's {@code GatewayDefaultSite}): the default route goes to one site,
   * which must exist, be reached by a connection, and be one whose child SAs can carry any address:
   * a route-based gateway, and every connection to the site negotiating any-to-any selectors.
   */
  private static void checkDefaultSite(YamlNode root, GatewayConfig config) throws ConfigException {
    Gateway g = config.gateway();
    if (g.gatewayDefaultSite() == null) {
      return;
    }
    String field = root.field("gateway") + ".gatewayDefaultSite";
    String site = g.gatewayDefaultSite();
    if (config.localNetworkGateways().stream().noneMatch(s -> s.name().equals(site))) {
      throw new ConfigException(field, "no local network gateway named " + site);
    }
    if (g.vpnType() != VpnType.RouteBased) {
      throw new ConfigException(
          field, "forced tunneling needs a RouteBased gateway (a policy decides nothing by route)");
    }
    boolean connected = false;
    for (int i = 0; i < config.connections().size(); i++) {
      Connection c = config.connections().get(i);
      if (!c.localNetworkGateway().name().equals(site)) {
        continue;
      }
      connected = true;
      if (c.ike() == null || !coversEverything(c.ike().remoteTs())) {
        throw new ConfigException(
            root.field("connections[" + i + "]"),
            "carries the default route of gatewayDefaultSite "
                + site
                + ", so it must negotiate any-to-any selectors (IKE with trafficSelectors any,"
                + " or written cloud-style without usePolicyBasedTrafficSelectors)");
      }
    }
    if (!connected) {
      throw new ConfigException(
          field, "no connection reaches " + site + ": the default route would lead nowhere");
    }
  }

  private static boolean coversEverything(java.util.List<TrafficSelector> selectors) {
    return selectors.contains(TrafficSelector.of(IpPrefix.parse("0.0.0.0/0")));
  }
}
