package dev.vpngw.appliance;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gateway vnet-gateway show|update}: the virtual network gateway itself (type, VPN type,
 * SKU, active-active, address space), through its management API. Fields the running process is
 * built around (its name, public address, workers, ...) change only with a restart and are refused.
 */
@Command(name = "vnet-gateway", description = "The virtual network gateway of a running appliance.")
final class VnetGatewayCommand implements Callable<Integer> {
  private static final String COLLECTION = "/vnet-gateways";

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  @Command(name = "show", description = "Show the virtual network gateway.")
  int show(@Mixin ApiOptions o, @Option(names = {"--name", "-n"}) String name) {
    String n = name != null ? name : o.gateway;
    if (n == null) {
      System.err.println("vpngw: give --name (or --gateway)");
      return 2;
    }
    return ResourceCli.show(o, COLLECTION, n);
  }

  @Command(name = "update", description = "Change the virtual network gateway.")
  int update(
      @Mixin ApiOptions o,
      @Option(names = {"--name", "-n"}) String name,
      @Option(names = "--sku", description = "Basic, VpnGw1 .. VpnGw5.") String sku,
      @Option(names = "--vpn-type", description = "RouteBased or PolicyBased.") String vpnType,
      @Option(names = "--gateway-type", description = "Vpn or ExpressRoute.") String gatewayType,
      @Option(names = "--active-active", arity = "1", description = "true or false.")
          Boolean activeActive,
      @Option(names = "--secondary-public-address", description = "The second VM's address.")
          String secondary,
      @Option(names = "--gateway-subnet", description = "The GatewaySubnet (CIDR).")
          String gatewaySubnet,
      @Option(
              names = {"--address-prefixes", "--vnet-prefixes"},
              arity = "1..*",
              description = "The virtual network's address space (every connection restarts).")
          List<String> prefixes,
      @Option(names = "--wan-mtu", description = "The WAN MTU (every connection restarts).")
          Integer wanMtu) {
    String n = name != null ? name : o.gateway;
    if (n == null) {
      System.err.println("vpngw: give --name (or --gateway)");
      return 2;
    }
    return ResourceCli.put(
        o,
        COLLECTION,
        n,
        false,
        (Map<String, Object> r) -> {
          put(r, "sku", sku);
          put(r, "vpnType", vpnType);
          put(r, "gatewayType", gatewayType);
          put(r, "activeActive", activeActive);
          put(r, "secondaryPublicAddress", secondary);
          put(r, "gatewaySubnet", gatewaySubnet);
          put(r, "vnetPrefixes", prefixes == null ? null : ResourceCli.items(prefixes));
          put(r, "wanMtu", wanMtu);
        });
  }

  private static void put(Map<String, Object> r, String key, Object value) {
    if (value != null) {
      r.put(key, value);
    }
  }
}
