package dev.vpngw.ha;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one HA node (docs/CONFIG.md, {@code ha}). Built by {@link #parse} from {@code
 * --name=value} arguments (what {@link HaNode} takes); every mistake names its field.
 *
 * @param paths the heartbeat paths: the HA link first, then the public (GatewaySubnet) side
 * @param replication the local address the replication server listens on (the HA link)
 * @param peerReplication the peer's replication address
 * @param probePort the UDP port {@link HaNode} answers probes on at the VIP while active, 0 none
 */
public record HaConfig(
    int nodeId,
    int priority,
    long intervalMillis,
    int misses,
    byte[] key,
    List<HeartbeatPath> paths,
    String publicDevice,
    InetAddress vip,
    int vipPrefixLength,
    int vipLeaseSeconds,
    InetSocketAddress replication,
    InetSocketAddress peerReplication,
    Path stateDirectory,
    int probePort) {

  /** One heartbeat path: a name, the local address to send from, the peer's address. */
  public record HeartbeatPath(String name, InetSocketAddress local, InetSocketAddress peer) {}

  /** Default heartbeat interval. */
  public static final long DEFAULT_INTERVAL_MILLIS = 100;

  /** Default number of missed intervals before the peer is declared failed. */
  public static final int DEFAULT_MISSES = 3;

  /** Never prints the key. */
  @Override
  public String toString() {
    return "HaConfig[node "
        + nodeId
        + " priority "
        + priority
        + " interval "
        + intervalMillis
        + " ms x "
        + misses
        + ", paths "
        + paths
        + ", vip "
        + vip.getHostAddress()
        + "/"
        + vipPrefixLength
        + " on "
        + publicDevice
        + ", key redacted]";
  }

  /**
   * Parses {@code --name=value} arguments. Fields: node-id, priority (default 100), interval-ms
   * (100), misses (3), key-hex (at least 16 bytes), ha-local, ha-peer, public-local, public-peer
   * (address:port), public-device, vip (address/prefix), vip-lease-s (2), repl-local, repl-peer
   * (address:port), state-dir, probe-port (0: none).
   */
  public static HaConfig parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("argument '" + a + "' is not --name=value");
      }
      v.put(a.substring(2, eq), a.substring(eq + 1));
    }
    int nodeId = intField(v, "node-id", null, 1, Integer.MAX_VALUE);
    int priority = intField(v, "priority", "100", 0, 65535);
    long interval = intField(v, "interval-ms", "" + DEFAULT_INTERVAL_MILLIS, 10, 10_000);
    int misses = intField(v, "misses", "" + DEFAULT_MISSES, 1, 100);
    byte[] key;
    try {
      key = HexFormat.of().parseHex(required(v, "key-hex"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key-hex: not hexadecimal");
    }
    if (key.length < 16) {
      throw new IllegalArgumentException("key-hex: at least 16 bytes needed, got " + key.length);
    }
    List<HeartbeatPath> paths = new ArrayList<>();
    paths.add(new HeartbeatPath("ha-link", endpoint(v, "ha-local"), endpoint(v, "ha-peer")));
    paths.add(new HeartbeatPath("public", endpoint(v, "public-local"), endpoint(v, "public-peer")));
    String vipText = required(v, "vip");
    int slash = vipText.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("vip: '" + vipText + "' is not address/prefix");
    }
    InetAddress vip = address("vip", vipText.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(vipText.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("vip: prefix length is not a number in '" + vipText + "'");
    }
    int lease = intField(v, "vip-lease-s", "2", 1, 3600);
    HaConfig c =
        new HaConfig(
            nodeId,
            priority,
            interval,
            misses,
            key,
            List.copyOf(paths),
            required(v, "public-device"),
            vip,
            prefix,
            lease,
            endpoint(v, "repl-local"),
            endpoint(v, "repl-peer"),
            Path.of(required(v, "state-dir")),
            intField(v, "probe-port", "0", 0, 65535));
    v.keySet()
        .removeAll(
            List.of(
                "node-id",
                "priority",
                "interval-ms",
                "misses",
                "key-hex",
                "ha-local",
                "ha-peer",
                "public-local",
                "public-peer",
                "public-device",
                "vip",
                "vip-lease-s",
                "repl-local",
                "repl-peer",
                "state-dir",
                "probe-port"));
    if (!v.isEmpty()) {
      throw new IllegalArgumentException("unknown settings: " + v.keySet());
    }
    return c;
  }

  private static String required(Map<String, String> v, String name) {
    String s = v.get(name);
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(name + ": required");
    }
    return s;
  }

  private static int intField(Map<String, String> v, String name, String dflt, int min, int max) {
    String s = v.getOrDefault(name, dflt);
    if (s == null) {
      throw new IllegalArgumentException(name + ": required");
    }
    int n;
    try {
      n = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + s + "' is not a number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + ": " + n + " outside " + min + ".." + max);
    }
    return n;
  }

  private static InetAddress address(String name, String text) {
    if (!text.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException(name + ": '" + text + "' is not an IP address literal");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(name + ": '" + text + "' is not an IP address literal");
    }
  }

  private static InetSocketAddress endpoint(Map<String, String> v, String name) {
    String s = required(v, name);
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(name + ": '" + s + "' is not address:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": port in '" + s + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + ": port " + port + " outside 1..65535");
    }
    return new InetSocketAddress(address(name, host), port);
  }
}
