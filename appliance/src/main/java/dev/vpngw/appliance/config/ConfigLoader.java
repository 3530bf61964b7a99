package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.Connection;
import dev.vpngw.appliance.config.GatewayConfig.Gateway;
import dev.vpngw.appliance.config.GatewayConfig.LocalNetworkGateway;
import dev.vpngw.appliance.config.GatewayConfig.ManualKeys;
import dev.vpngw.appliance.config.GatewayConfig.ManualSa;
import dev.vpngw.crypto.CryptoEngines;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.sa.SaConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads and validates a gateway's YAML configuration (docs/CONFIG.md). Every refusal is a {@link
 * ConfigException} naming the field and the reason; nothing is applied until the whole file is
 * valid.
 */
public final class ConfigLoader {
  private static final Set<String> TOP =
      Set.of(
          "gateway",
          "localNetworkGateways",
          "connections",
          "monitoring",
          "expressRouteCircuits",
          "ha");
  private static final Set<String> GATEWAY =
      Set.of(
          "name",
          "publicAddress",
          "vnetPrefixes",
          "tunnelInterface",
          "wanMtu",
          "workers",
          "runDirectory",
          "keyLogDirectory",
          "ikeCookieThreshold",
          "tunOffload",
          "wanOffload",
          "gatewayType",
          "vpnType",
          "sku",
          "activeActive",
          "secondaryPublicAddress",
          "gatewaySubnet",
          "apiAddress",
          "apiPort",
          "apiTokenFile",
          "natKeepalive",
          "gatewayDefaultSite");
  private static final Set<String> SITE =
      Set.of("name", "gatewayAddress", "fqdn", "addressPrefixes", "bgpSettings");
  private static final Set<String> BGP = Set.of("asn", "peeringAddress");
  private static final Set<String> CONNECTION =
      Set.of(
          "name",
          "localNetworkGateway",
          "connectionType",
          "encapsulation",
          "manualKeys",
          "ike",
          "sharedKey",
          "ikeVersion",
          "ipsecPolicies",
          "usePolicyBasedTrafficSelectors",
          "routingWeight",
          "dpdTimeoutSeconds",
          "connectionMode");

  /** The default TCP port of the management API. */
  public static final int DEFAULT_API_PORT = 8480;

  private static final Set<String> MANUAL = Set.of("outbound", "inbound", "esn", "replayWindow");
  private static final Set<String> SA = Set.of("spi", "encryption", "key", "integrityKey");

  private ConfigLoader() {}

  /**
   * Turns a local network gateway's FQDN into an address: the system's resolver in the gateway, a
   * table in tests.
   */
  @FunctionalInterface
  public interface Resolver {
    /**
     * The addresses {@code fqdn} resolves to now (at least one), the one to use first; a site gets
     * the first.
     */
    List<InetAddress> resolve(String fqdn) throws UnknownHostException;

    /** The system's resolver ({@link InetAddress#getAllByName}). */
    Resolver SYSTEM = fqdn -> List.of(InetAddress.getAllByName(fqdn));
  }

  /** Loads and validates {@code file}. */
  public static GatewayConfig load(Path file) throws ConfigException, IOException {
    return parse(Files.readString(file));
  }

  /** Parses and validates YAML text. */
  public static GatewayConfig parse(String yaml) throws ConfigException {
    return parse(read(yaml));
  }

  /**
   * Reads YAML (or JSON, which is YAML) text into its tree of maps, lists and scalars, without
   * checking what it says.
   */
  public static Object read(String yaml) throws ConfigException {
    try {
      // No marks: an error message must not quote the offending line (it may hold a key).
      return new Load(
              LoadSettings.builder().setAllowDuplicateKeys(false).setUseMarks(false).build())
          .loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new ConfigException("(document)", "not valid YAML: " + e.getMessage());
    }
  }

  /** Validates a document tree as {@link #read} returns it. */
  public static GatewayConfig parse(Object document) throws ConfigException {
    return parse(document, Resolver.SYSTEM);
  }

  /** Validates a document tree, resolving the sites' FQDNs with {@code resolver}. */
  public static GatewayConfig parse(Object document, Resolver resolver) throws ConfigException {
    YamlNode root = YamlNode.root(document);
    root.onlyKeys(TOP);
    Gateway gateway = gateway(root.node("gateway"));
    Map<String, LocalNetworkGateway> sites = new HashMap<>();
    List<LocalNetworkGateway> siteList = new ArrayList<>();
    for (YamlNode n : root.nodes("localNetworkGateways")) {
      LocalNetworkGateway site = site(n, gateway, resolver);
      if (sites.putIfAbsent(site.name(), site) != null) {
        throw new ConfigException(
            n.field("name"), "duplicate local network gateway " + site.name());
      }
      siteList.add(site);
    }
    checkSitesDisjoint(root, siteList);
    List<Connection> connections = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<Integer> inboundSpis = new HashSet<>();
    for (YamlNode n : root.nodes("connections")) {
      Connection c = connection(n, sites, gateway);
      if (!names.add(c.name())) {
        throw new ConfigException(n.field("name"), "duplicate connection " + c.name());
      }
      if (c.manualKeys() != null && !inboundSpis.add(c.manualKeys().inbound().spi())) {
        throw new ConfigException(
            n.field("manualKeys.inbound.spi"),
            String.format(
                "SPI 0x%08x is already used by another connection",
                c.manualKeys().inbound().spi()));
      }
      connections.add(c);
    }
    MonitoringConfig monitoring =
        root.has("monitoring")
            ? MonitoringConfig.parse(root.node("monitoring"), gateway.runDirectory())
            : MonitoringConfig.defaults(gateway.runDirectory());
    GatewayConfig config =
        new GatewayConfig(
            gateway,
            List.copyOf(siteList),
            List.copyOf(connections),
            monitoring,
            ExpressRouteLoader.circuits(root, gateway));
    ModelRules.check(root, config);
    return config;
  }

  private static Gateway gateway(YamlNode n) throws ConfigException {
    n.onlyKeys(GATEWAY);
    String name = n.string("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(n.field("name"), "letters, digits, '.', '_' or '-', at most 64");
    }
    String tun = n.string("tunnelInterface", "vpngw0");
    if (!tun.matches("[A-Za-z0-9_.-]{1,15}")) {
      throw new ConfigException(n.field("tunnelInterface"), "not a Linux interface name: " + tun);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path runDirectory = Path.of(n.string("runDirectory", "/run/vpngw/" + name));
    List<IpPrefix> vnet = prefixes(n, "vnetPrefixes", true);
    IpPrefix gatewaySubnet = null;
    if (n.has("gatewaySubnet")) {
      List<IpPrefix> subnet = prefixes(n.string("gatewaySubnet"), n.field("gatewaySubnet"));
      gatewaySubnet = subnet.get(0);
      IpPrefix s = gatewaySubnet;
      if (vnet.stream().noneMatch(v -> contains(v, s))) {
        throw new ConfigException(
            n.field("gatewaySubnet"), s + " is not inside the virtual network " + vnet);
      }
    }
    InetAddress publicAddress = address(n, "publicAddress");
    InetAddress secondary =
        n.has("secondaryPublicAddress") ? address(n, "secondaryPublicAddress") : null;
    Duration natKeepalive = IkeConfigLoader.duration(n, "natKeepalive", Duration.ofSeconds(20));
    if (natKeepalive.compareTo(Duration.ofSeconds(1)) < 0
        || natKeepalive.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(n.field("natKeepalive"), "between 1s and 1h");
    }
    return new Gateway(
        name,
        publicAddress,
        vnet,
        tun,
        (int) n.number("wanMtu", 1280, 9000, 1500),
        (int) n.number("workers", 1, 64, Math.max(1, cores - 1)),
        runDirectory,
        n.has("keyLogDirectory") ? Path.of(n.string("keyLogDirectory")) : null,
        (int) n.number("ikeCookieThreshold", 0, 1_000_000, 100),
        n.bool("tunOffload", true),
        n.bool("wanOffload", true),
        n.enumValue("gatewayType", GatewayConfig.GatewayType.class, GatewayConfig.GatewayType.Vpn),
        n.enumValue("vpnType", GatewayConfig.VpnType.class, GatewayConfig.VpnType.RouteBased),
        n.enumValue("sku", Sku.class, null),
        n.bool("activeActive", false),
        secondary,
        gatewaySubnet,
        new GatewayConfig.Api(
            n.has("apiAddress") ? address(n, "apiAddress") : InetAddress.getLoopbackAddress(),
            (int) n.number("apiPort", 0, 65_535, DEFAULT_API_PORT),
            n.has("apiTokenFile")
                ? Path.of(n.string("apiTokenFile"))
                : runDirectory.resolve("api-token")),
        natKeepalive,
        n.has("gatewayDefaultSite") ? n.string("gatewayDefaultSite") : null);
  }

  private static LocalNetworkGateway site(YamlNode n, Gateway gateway, Resolver resolver)
      throws ConfigException {
    n.onlyKeys(SITE);
    String name = n.string("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(n.field("name"), "letters, digits, '.', '_' or '-', at most 64");
    }
    List<IpPrefix> prefixes = prefixes(n, "addressPrefixes", true);
    for (IpPrefix p : prefixes) {
      for (IpPrefix v : gateway.vnetPrefixes()) {
        if (overlaps(p, v)) {
          throw new ConfigException(
              n.field("addressPrefixes"), p + " overlaps the virtual network's " + v);
        }
      }
    }
    if (n.has("gatewayAddress") == n.has("fqdn")) {
      throw new ConfigException(
          n.field("gatewayAddress"), "give either gatewayAddress (an IP address) or fqdn");
    }
    String fqdn = null;
    InetAddress address;
    if (n.has("gatewayAddress")) {
      address = address(n, "gatewayAddress");
    } else {
      fqdn = n.string("fqdn");
      if (!fqdn.matches("(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?)+")) {
        throw new ConfigException(n.field("fqdn"), "not a DNS name: " + fqdn);
      }
      try {
        List<InetAddress> all = resolver.resolve(fqdn);
        if (all.isEmpty()) {
          throw new UnknownHostException(fqdn);
        }
        address = all.get(0);
      } catch (UnknownHostException e) {
        throw new ConfigException(n.field("fqdn"), "cannot resolve " + fqdn);
      }
    }
    GatewayConfig.BgpSettings bgp = null;
    if (n.has("bgpSettings")) {
      YamlNode b = n.node("bgpSettings");
      b.onlyKeys(BGP);
      long asn = b.number("asn", 1, 0xffff_ffffL);
      if (asn == 23_456) {
        throw new ConfigException(b.field("asn"), "23456 is AS_TRANS (RFC 6793), not an ASN");
      }
      bgp = new GatewayConfig.BgpSettings(asn, address(b, "peeringAddress"));
    }
    return new LocalNetworkGateway(name, address, prefixes, fqdn, bgp);
  }

  private static void checkSitesDisjoint(YamlNode root, List<LocalNetworkGateway> sites)
      throws ConfigException {
    for (int i = 0; i < sites.size(); i++) {
      for (int j = 0; j < i; j++) {
        for (IpPrefix a : sites.get(i).addressPrefixes()) {
          for (IpPrefix b : sites.get(j).addressPrefixes()) {
            // The same prefix exactly is a second path to one network (routingWeight chooses);
            // a partial overlap is a configuration mistake.
            if (overlaps(a, b) && !a.equals(b)) {
              throw new ConfigException(
                  root.field("localNetworkGateways[" + i + "].addressPrefixes"),
                  a + " overlaps " + b + " of " + sites.get(j).name());
            }
          }
        }
      }
    }
  }

  private static Connection connection(
      YamlNode n, Map<String, LocalNetworkGateway> sites, Gateway gateway) throws ConfigException {
    n.onlyKeys(CONNECTION);
    String name = n.string("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(n.field("name"), "letters, digits, '.', '_' or '-', at most 64");
    }
    String siteName = n.string("localNetworkGateway");
    LocalNetworkGateway site = sites.get(siteName);
    if (site == null) {
      throw new ConfigException(
          n.field("localNetworkGateway"), "no local network gateway named " + siteName);
    }
    String encapsulation = n.string("encapsulation", "udp");
    if (!encapsulation.equals("udp") && !encapsulation.equals("esp")) {
      throw new ConfigException(
          n.field("encapsulation"), "udp (ESP-in-UDP, port 4500) or esp (IP protocol 50)");
    }
    GatewayConfig.ConnectionType type =
        n.enumValue(
            "connectionType",
            GatewayConfig.ConnectionType.class,
            GatewayConfig.ConnectionType.IPsec);
    int routingWeight = (int) n.number("routingWeight", 0, 32_000, 0);
    boolean udp = encapsulation.equals("udp");
    if (n.has("manualKeys")) {
      for (String k : IkeConfigLoader.CONNECTION_LEVEL) {
        if (n.has(k) || n.has("ike")) {
          throw new ConfigException(
              n.field(n.has("ike") ? "ike" : k), "manualKeys (static SAs) take no IKE settings");
        }
      }
      if (type == GatewayConfig.ConnectionType.Vnet2Vnet) {
        throw new ConfigException(
            n.field("manualKeys"), "a Vnet2Vnet connection negotiates its keys with IKEv2");
      }
      return new Connection(
          name, site, udp, manualKeys(n.node("manualKeys")), null, type, routingWeight);
    }
    if (!n.has("ike") && !n.has("sharedKey")) {
      throw new ConfigException(
          n.field("sharedKey"),
          "give sharedKey (or an ike block: certificates, proposals), or manualKeys (static SAs)");
    }
    YamlNode ike = n.has("ike") ? n.node("ike") : YamlNode.empty(n.field("ike"));
    return new Connection(
        name,
        site,
        udp,
        null,
        IkeConfigLoader.load(ike, n, name, gateway, site, udp),
        type,
        routingWeight);
  }

  private static ManualKeys manualKeys(YamlNode n) throws ConfigException {
    n.onlyKeys(MANUAL);
    boolean esn = n.bool("esn", false);
    int window =
        (int)
            n.number(
                "replayWindow",
                SaConfig.MIN_REPLAY_WINDOW,
                SaConfig.MAX_REPLAY_WINDOW,
                SaConfig.DEFAULT_REPLAY_WINDOW);
    return new ManualKeys(sa(n.node("outbound")), sa(n.node("inbound")), esn, window);
  }

  private static ManualSa sa(YamlNode n) throws ConfigException {
    n.onlyKeys(SA);
    int spi = (int) n.number("spi", 256, 0xffff_ffffL);
    EspSuite suite;
    try {
      suite = EspProposal.parse(n.string("encryption"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.field("encryption"), e.getMessage());
    }
    byte[] key = hex(n, "key");
    byte[] integrityKey = n.has("integrityKey") ? hex(n, "integrityKey") : new byte[0];
    try {
      CryptoEngines.checkKeys(suite, key, integrityKey);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.field("key"), e.getMessage());
    }
    return new ManualSa(spi, suite, key, integrityKey);
  }

  private static byte[] hex(YamlNode n, String key) throws ConfigException {
    String s = n.string(key);
    String digits = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    try {
      return HexFormat.of().parseHex(digits);
    } catch (IllegalArgumentException e) {
      // The message names the field but never echoes key material.
      throw new ConfigException(n.field(key), "not an even number of hex digits (0x...)");
    }
  }

  static InetAddress address(YamlNode n, String key) throws ConfigException {
    String s = n.string(key);
    if (!s.matches("[0-9a-fA-F:.]+")) {
      throw new ConfigException(n.field(key), "not an IP address: " + s);
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new ConfigException(n.field(key), "not an IP address: " + s);
    }
  }

  static List<IpPrefix> prefixes(YamlNode n, String key, boolean required) throws ConfigException {
    List<String> raw = n.strings(key);
    if (required && raw.isEmpty()) {
      throw new ConfigException(n.field(key), "needs at least one prefix");
    }
    List<IpPrefix> out = new ArrayList<>();
    for (String s : raw) {
      out.addAll(prefixes(s, n.field(key)));
    }
    return List.copyOf(out);
  }

  private static List<IpPrefix> prefixes(String s, String field) throws ConfigException {
    IpPrefix prefix;
    try {
      prefix = IpPrefix.parse(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(field, e.getMessage());
    }
    // A route's host bits are zero; "10.2.0.1/16" is almost always a typo for something else.
    String written = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
    if (!sameAddress(written, prefix.address())) {
      throw new ConfigException(field, "'" + s + "': host bits set after /" + prefix.length());
    }
    return List.of(prefix);
  }

  /** Whether {@code outer} holds every address of {@code inner}. */
  static boolean contains(IpPrefix outer, IpPrefix inner) {
    return outer.isIpv6() == inner.isIpv6()
        && outer.length() <= inner.length()
        && compare(outer.high(), outer.low(), inner.high(), inner.low()) <= 0
        && compare(inner.lastHigh(), inner.lastLow(), outer.lastHigh(), outer.lastLow()) <= 0;
  }

  private static boolean sameAddress(String literal, byte[] network) {
    try {
      return java.util.Arrays.equals(InetAddress.ofLiteral(literal).getAddress(), network);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether two prefixes of one family share an address: their 128-bit ranges intersect. */
  static boolean overlaps(IpPrefix a, IpPrefix b) {
    if (a.isIpv6() != b.isIpv6()) {
      return false;
    }
    return compare(a.high(), a.low(), b.lastHigh(), b.lastLow()) <= 0
        && compare(b.high(), b.low(), a.lastHigh(), a.lastLow()) <= 0;
  }

  private static int compare(long high1, long low1, long high2, long low2) {
    int c = Long.compareUnsigned(high1, high2);
    return c != 0 ? c : Long.compareUnsigned(low1, low2);
  }
}
