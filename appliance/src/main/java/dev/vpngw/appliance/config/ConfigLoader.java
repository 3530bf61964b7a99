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
  private static final Set<String> TOP = Set.of("gateway", "localNetworkGateways", "connections");
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
          "natKeepalive");
  private static final Set<String> SITE = Set.of("name", "gatewayAddress", "addressPrefixes");
  private static final Set<String> CONNECTION =
      Set.of("name", "localNetworkGateway", "encapsulation", "manualKeys", "ike");
  private static final Set<String> MANUAL = Set.of("outbound", "inbound", "esn", "replayWindow");
  private static final Set<String> SA = Set.of("spi", "encryption", "key", "integrityKey");

  private ConfigLoader() {}

  /** Loads and validates {@code file}. */
  public static GatewayConfig load(Path file) throws ConfigException, IOException {
    return parse(Files.readString(file));
  }

  /** Parses and validates YAML text. */
  public static GatewayConfig parse(String yaml) throws ConfigException {
    Object document;
    try {
      document =
          // No marks: an error message must not quote the offending line (it may hold a key).
          new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setUseMarks(false).build())
              .loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new ConfigException("(document)", "not valid YAML: " + e.getMessage());
    }
    YamlNode root = YamlNode.root(document);
    root.onlyKeys(TOP);
    Gateway gateway = gateway(root.node("gateway"));
    Map<String, LocalNetworkGateway> sites = new HashMap<>();
    List<LocalNetworkGateway> siteList = new ArrayList<>();
    for (YamlNode n : root.nodes("localNetworkGateways")) {
      LocalNetworkGateway site = site(n, gateway);
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
    return new GatewayConfig(gateway, List.copyOf(siteList), List.copyOf(connections));
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
    Duration natKeepalive = IkeConfigLoader.duration(n, "natKeepalive", Duration.ofSeconds(20));
    if (natKeepalive.compareTo(Duration.ofSeconds(1)) < 0
        || natKeepalive.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(n.field("natKeepalive"), "between 1s and 1h");
    }
    return new Gateway(
        name,
        address(n, "publicAddress"),
        prefixes(n, "vnetPrefixes", true),
        tun,
        (int) n.number("wanMtu", 1280, 9000, 1500),
        (int) n.number("workers", 1, 64, Math.max(1, cores - 1)),
        Path.of(n.string("runDirectory", "/run/vpngw/" + name)),
        n.has("keyLogDirectory") ? Path.of(n.string("keyLogDirectory")) : null,
        (int) n.number("ikeCookieThreshold", 0, 1_000_000, 100),
        n.bool("tunOffload", true),
        n.bool("wanOffload", true),
        natKeepalive);
  }

  private static LocalNetworkGateway site(YamlNode n, Gateway gateway) throws ConfigException {
    n.onlyKeys(SITE);
    List<IpPrefix> prefixes = prefixes(n, "addressPrefixes", true);
    for (IpPrefix p : prefixes) {
      for (IpPrefix v : gateway.vnetPrefixes()) {
        if (overlaps(p, v)) {
          throw new ConfigException(
              n.field("addressPrefixes"), p + " overlaps the virtual network's " + v);
        }
      }
    }
    return new LocalNetworkGateway(n.string("name"), address(n, "gatewayAddress"), prefixes);
  }

  private static void checkSitesDisjoint(YamlNode root, List<LocalNetworkGateway> sites)
      throws ConfigException {
    for (int i = 0; i < sites.size(); i++) {
      for (int j = 0; j < i; j++) {
        for (IpPrefix a : sites.get(i).addressPrefixes()) {
          for (IpPrefix b : sites.get(j).addressPrefixes()) {
            if (overlaps(a, b)) {
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
    if (n.has("manualKeys") == n.has("ike")) {
      throw new ConfigException(
          n.field("ike"), "give either ike (negotiated keys) or manualKeys (static SAs)");
    }
    String name = n.string("name");
    boolean udp = encapsulation.equals("udp");
    if (n.has("manualKeys")) {
      return new Connection(name, site, udp, manualKeys(n.node("manualKeys")), null);
    }
    return new Connection(
        name, site, udp, null, IkeConfigLoader.load(n.node("ike"), name, gateway, site, udp));
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

  private static InetAddress address(YamlNode n, String key) throws ConfigException {
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

  private static List<IpPrefix> prefixes(YamlNode n, String key, boolean required)
      throws ConfigException {
    List<String> raw = n.strings(key);
    if (required && raw.isEmpty()) {
      throw new ConfigException(n.field(key), "needs at least one prefix");
    }
    List<IpPrefix> out = new ArrayList<>();
    for (String s : raw) {
      IpPrefix prefix;
      try {
        prefix = IpPrefix.parse(s);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(n.field(key), e.getMessage());
      }
      // A route's host bits are zero; "10.2.0.1/16" is almost always a typo for something else.
      String written = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
      if (!sameAddress(written, prefix.address())) {
        throw new ConfigException(
            n.field(key), "'" + s + "': host bits set after /" + prefix.length());
      }
      out.add(prefix);
    }
    return List.copyOf(out);
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
