package dev.vpngw.appliance.config;

import dev.vpngw.ha.HaConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The {@code ha} section of a gateway's configuration (docs/CONFIG.md): this node's half of an
 * active-standby pair. The pair's virtual public address is {@code gateway.publicAddress}: both
 * nodes carry the same gateway section and differ only here. Every refusal names the field.
 *
 * @param node the settings of the HA agent, the replication and the public virtual address
 * @param vnetInterface the interface facing the virtual network, or null (no inside address)
 * @param vnetVirtualAddress the inside virtual address the virtual network routes through, with its
 *     prefix length, or null
 * @param vnetPrefixLength the prefix length of {@code vnetVirtualAddress}
 */
public record HaSection(
    HaConfig node, String vnetInterface, InetAddress vnetVirtualAddress, int vnetPrefixLength) {
  private static final Set<String> KEYS =
      Set.of(
          "nodeId",
          "priority",
          "interval",
          "misses",
          "key",
          "haLink",
          "public",
          "publicInterface",
          "virtualAddress",
          "vipLeaseSeconds",
          "replication",
          "stateDirectory",
          "vnetInterface",
          "vnetVirtualAddress");
  private static final Set<String> PATH = Set.of("local", "peer");

  /** The {@code ha} section of DOCUMENT (as {@link ConfigLoader#read} returns it), or null. */
  public static HaSection parse(Object document, GatewayConfig.Gateway gateway)
      throws ConfigException {
    YamlNode root = YamlNode.root(document);
    if (!root.has("ha")) {
      return null;
    }
    YamlNode n = root.node("ha");
    n.onlyKeys(KEYS);
    int nodeId = (int) n.number("nodeId", 1, Integer.MAX_VALUE);
    int priority = (int) n.number("priority", 0, 65535, 100);
    long interval = millis(n, "interval", HaConfig.DEFAULT_INTERVAL_MILLIS);
    int misses = (int) n.number("misses", 1, 100, HaConfig.DEFAULT_MISSES);
    byte[] key;
    String keyText = n.string("key");
    try {
      key = HexFormat.of().parseHex(keyText.startsWith("0x") ? keyText.substring(2) : keyText);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.field("key"), "not hexadecimal");
    }
    if (key.length < 16) {
      throw new ConfigException(n.field("key"), "at least 16 bytes needed, got " + key.length);
    }
    YamlNode ha = n.node("haLink");
    ha.onlyKeys(PATH);
    YamlNode pub = n.node("public");
    pub.onlyKeys(PATH);
    YamlNode repl = n.node("replication");
    repl.onlyKeys(PATH);
    String vipText = n.string("virtualAddress");
    int slash = vipText.indexOf('/');
    if (slash < 0) {
      throw new ConfigException(
          n.field("virtualAddress"), "'" + vipText + "' is not address/prefix");
    }
    InetAddress vip = literal(n, "virtualAddress", vipText.substring(0, slash));
    int prefix = prefixLength(n, "virtualAddress", vipText.substring(slash + 1), vip);
    if (!vip.equals(gateway.publicAddress())) {
      throw new ConfigException(
          n.field("virtualAddress"),
          "must be the gateway's publicAddress "
              + gateway.publicAddress().getHostAddress()
              + ": the pair shares it");
    }
    String vnetInterface = n.has("vnetInterface") ? n.string("vnetInterface") : null;
    InetAddress vnetVip = null;
    int vnetPrefix = 0;
    if (n.has("vnetVirtualAddress")) {
      if (vnetInterface == null) {
        throw new ConfigException(n.field("vnetInterface"), "is required with vnetVirtualAddress");
      }
      String t = n.string("vnetVirtualAddress");
      int s = t.indexOf('/');
      if (s < 0) {
        throw new ConfigException(
            n.field("vnetVirtualAddress"), "'" + t + "' is not address/prefix");
      }
      vnetVip = literal(n, "vnetVirtualAddress", t.substring(0, s));
      vnetPrefix = prefixLength(n, "vnetVirtualAddress", t.substring(s + 1), vnetVip);
    } else if (vnetInterface != null) {
      throw new ConfigException(n.field("vnetVirtualAddress"), "is required with vnetInterface");
    }
    Path state =
        n.has("stateDirectory")
            ? Path.of(n.string("stateDirectory"))
            : gateway.runDirectory().resolve("ha");
    HaConfig config =
        new HaConfig(
            nodeId,
            priority,
            interval,
            misses,
            key,
            List.of(
                new HaConfig.HeartbeatPath("ha-link", endpoint(ha, "local"), endpoint(ha, "peer")),
                new HaConfig.HeartbeatPath(
                    "public", endpoint(pub, "local"), endpoint(pub, "peer"))),
            n.string("publicInterface"),
            vip,
            prefix,
            (int) n.number("vipLeaseSeconds", 1, 3600, 2),
            endpoint(repl, "local"),
            endpoint(repl, "peer"),
            state,
            0);
    return new HaSection(config, vnetInterface, vnetVip, vnetPrefix);
  }

  private static long millis(YamlNode n, String key, long dflt) throws ConfigException {
    if (!n.has(key)) {
      return dflt;
    }
    String s = n.string(key);
    String digits = s.endsWith("ms") ? s.substring(0, s.length() - 2).trim() : s;
    long v;
    try {
      v = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ConfigException(n.field(key), "'" + s + "' is not milliseconds (e.g. 100ms)");
    }
    if (v < 10 || v > 10_000) {
      throw new ConfigException(n.field(key), v + " ms outside 10..10000");
    }
    return v;
  }

  private static InetAddress literal(YamlNode n, String key, String text) throws ConfigException {
    if (!text.matches("[0-9a-fA-F:.]+")) {
      throw new ConfigException(n.field(key), "'" + text + "' is not an IP address literal");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new ConfigException(n.field(key), "'" + text + "' is not an IP address literal");
    }
  }

  private static int prefixLength(YamlNode n, String key, String text, InetAddress a)
      throws ConfigException {
    int max = a.getAddress().length * 8;
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= max) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(n.field(key), "prefix length '" + text + "' outside 1.." + max);
  }

  private static InetSocketAddress endpoint(YamlNode n, String key) throws ConfigException {
    String s = n.string(key);
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new ConfigException(n.field(key), "'" + s + "' is not address:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress a = literal(n, key, host);
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(n.field(key), "port in '" + s + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new ConfigException(n.field(key), "port " + port + " outside 1..65535");
    }
    return new InetSocketAddress(a, port);
  }
}
