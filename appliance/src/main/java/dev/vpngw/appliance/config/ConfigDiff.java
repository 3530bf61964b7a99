package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changes between a running configuration and a new one, connection by connection: the ones to
 * start, to stop, to restart, and the ones to leave alone (their SAs and counters keep going). A
 * connection counts as changed when its own resource changed, its local network gateway's did, or
 * one of the gateway's fields every connection is built from did (the virtual network's prefixes,
 * the WAN MTU, the VPN type), its site became or stopped being the default site (forced tunneling),
 * the address its site's FQDN resolves to did, or the credentials it loaded from files did: a
 * certificate, key or CA file rewritten under the same path changes no field of the document, yet
 * the connection must restart to use it.
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

  /** The gateway field naming the site that carries the default route (forced tunneling). */
  static final String DEFAULT_SITE = "gatewayDefaultSite";

  /**
   * The difference from {@code before} to {@code after}; {@code beforeConfig} and {@code
   * afterConfig} are the two documents validated (the credentials they loaded from files are
   * compared too).
   */
  public static ConfigDiff of(
      ConfigDocument before,
      GatewayConfig beforeConfig,
      ConfigDocument after,
      GatewayConfig afterConfig) {
    boolean gatewayWide = false;
    Map<String, Object> g0 = before.gateway();
    Map<String, Object> g1 = after.gateway();
    for (String f : CONNECTION_WIDE) {
      gatewayWide |= !Objects.equals(g0.get(f), g1.get(f));
    }
    // Forced tunneling moved: the connections of the old and the new default site restart.
    Set<Object> defaultSites = new java.util.HashSet<>();
    if (!Objects.equals(g0.get(DEFAULT_SITE), g1.get(DEFAULT_SITE))) {
      defaultSites.add(g0.get(DEFAULT_SITE));
      defaultSites.add(g1.get(DEFAULT_SITE));
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
          || defaultSites.contains(c.get("localNetworkGateway"))
          || !old.equals(c)
          || !Objects.equals(site(before, old), site(after, c))
          || !sameLoaded(connection(beforeConfig, name), connection(afterConfig, name))) {
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

  private static Connection connection(GatewayConfig config, String name) {
    for (Connection c : config.connections()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("the validated configuration has no connection " + name);
  }

  /**
   * Whether two versions of a connection agree in what validation found outside the document: the
   * address its site's FQDN resolved to, and the certificates and keys read from files.
   */
  static boolean sameLoaded(Connection a, Connection b) {
    return a.localNetworkGateway().gatewayAddress().equals(b.localNetworkGateway().gatewayAddress())
        && sameCredentials(a, b);
  }

  /**
   * Whether two versions of a connection authenticate with the same certificates and keys, byte for
   * byte (the file paths are compared with the rest of the document).
   */
  static boolean sameCredentials(Connection a, Connection b) {
    if (a.ike() == null || b.ike() == null) {
      return a.ike() == b.ike();
    }
    return Arrays.deepEquals(encoded(a.ike().localAuth()), encoded(b.ike().localAuth()))
        && Arrays.deepEquals(encoded(a.ike().remoteAuth()), encoded(b.ike().remoteAuth()));
  }

  /** A credential's certificates and key in their encodings, one after the other; PSKs: none. */
  private static byte[][] encoded(IkeConnectionConfig.Auth auth) {
    List<byte[]> out = new ArrayList<>();
    switch (auth) {
      case IkeConnectionConfig.Psk psk -> {}
      case IkeConnectionConfig.Certificate cert -> {
        cert.chain().forEach(x -> out.add(der(x)));
        out.add(cert.key().getEncoded());
      }
      case IkeConnectionConfig.CertificateAuthority ca ->
          ca.trusted().forEach(x -> out.add(der(x)));
    }
    return out.toArray(byte[][]::new);
  }

  private static byte[] der(X509Certificate x) {
    try {
      return x.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a loaded certificate has no DER encoding", e);
    }
  }

  /** Whether no connection starts, stops or restarts. */
  public boolean touchesNoConnection() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }
}
