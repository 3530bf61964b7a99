package dev.vpngw.appliance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gateway local-gateway create|show|list|update|delete}: the on-premises sites, with the
 * cloud CLIs' flags ({@code --gateway-ip-address}, {@code --local-address-prefixes}, {@code --asn},
 * ...), through the running gateway's management API.
 */
@Command(
    name = "local-gateway",
    description = "Local network gateways (on-premises sites) of a running gateway.")
final class LocalGatewayCommand implements Callable<Integer> {
  private static final String COLLECTION = "/local-gateways";

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  /** The fields a create or update may set. */
  static final class Fields {
    @Option(names = "--gateway-ip-address", description = "The site's VPN device's public IP.")
    String gatewayIpAddress;

    @Option(names = "--fqdn", description = "The site's VPN device's DNS name (instead of an IP).")
    String fqdn;

    @Option(
        names = "--local-address-prefixes",
        arity = "1..*",
        description = "The site's address space (CIDR prefixes, space- or comma-separated).")
    List<String> prefixes;

    @Option(names = "--asn", description = "BGP: the site's autonomous system number.")
    Long asn;

    @Option(names = "--bgp-peering-address", description = "BGP: the site's peering address.")
    String bgpPeeringAddress;

    void applyTo(Map<String, Object> r) {
      if (gatewayIpAddress != null) {
        r.remove("fqdn");
        r.put("gatewayAddress", gatewayIpAddress);
      }
      if (fqdn != null) {
        r.remove("gatewayAddress");
        r.put("fqdn", fqdn);
      }
      if (prefixes != null) {
        r.put("addressPrefixes", ResourceCli.items(prefixes));
      }
      if (asn != null || bgpPeeringAddress != null) {
        Map<String, Object> bgp = new LinkedHashMap<>();
        if (r.get("bgpSettings") instanceof Map<?, ?> old) {
          old.forEach((k, v) -> bgp.put(String.valueOf(k), v));
        }
        if (asn != null) {
          bgp.put("asn", asn);
        }
        if (bgpPeeringAddress != null) {
          bgp.put("peeringAddress", bgpPeeringAddress);
        }
        r.put("bgpSettings", bgp);
      }
    }
  }

  @Command(name = "create", description = "Create a local network gateway.")
  int create(@Mixin ApiOptions o, @Mixin ResourceName id, @Mixin Fields f) {
    return ResourceCli.put(o, COLLECTION, id.name, true, f::applyTo);
  }

  @Command(name = "update", description = "Change a local network gateway.")
  int update(@Mixin ApiOptions o, @Mixin ResourceName id, @Mixin Fields f) {
    return ResourceCli.put(o, COLLECTION, id.name, false, f::applyTo);
  }

  @Command(name = "show", description = "Show a local network gateway.")
  int show(@Mixin ApiOptions o, @Mixin ResourceName id) {
    return ResourceCli.show(o, COLLECTION, id.name);
  }

  @Command(name = "list", description = "List the local network gateways.")
  int list(@Mixin ApiOptions o) {
    return ResourceCli.list(
        o,
        COLLECTION,
        List.of("NAME", "GATEWAY", "ADDRESS PREFIXES", "BGP ASN"),
        r ->
            List.of(
                ResourceCli.text(r.get("name")),
                ResourceCli.text(
                    r.get("gatewayAddress") != null ? r.get("gatewayAddress") : r.get("fqdn")),
                ResourceCli.text(r.get("addressPrefixes")),
                r.get("bgpSettings") instanceof Map<?, ?> b
                    ? ResourceCli.text(b.get("asn"))
                    : "-"));
  }

  @Command(
      name = "delete",
      description = "Delete a local network gateway (no connection may use it).")
  int delete(@Mixin ApiOptions o, @Mixin ResourceName id) {
    return ResourceCli.delete(o, COLLECTION, id.name);
  }
}
