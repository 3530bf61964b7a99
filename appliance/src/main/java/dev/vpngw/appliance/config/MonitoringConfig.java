package dev.vpngw.appliance.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code monitoring} section of a gateway's configuration (docs/CONFIG.md): where the
 * Prometheus endpoint and the SNMP agent listen, and whether IKE events go to the event journal.
 * Everything here reads the counters file or the IKE thread's events; none of it touches the packet
 * path.
 *
 * @param metrics the Prometheus endpoint, or null for none (the default)
 * @param eventJournal the directory of the event journal, or null for none
 * @param eventJournalDays how many days (daily files) the event journal keeps
 * @param snmp the SNMP agent, or null for none (the default)
 */
public record MonitoringConfig(
    Metrics metrics, Path eventJournal, int eventJournalDays, Snmp snmp) {
  /** Days the event journal keeps by default. */
  public static final int DEFAULT_JOURNAL_DAYS = 14;

  /**
   * The Prometheus {@code /metrics} endpoint.
   *
   * @param address the address it listens on
   * @param port its TCP port
   */
  public record Metrics(InetAddress address, int port) {}

  /**
   * The SNMP agent: IF-MIB (one interface per connection) and VPNGW-MIB, read-only.
   *
   * @param address the address it listens on (UDP)
   * @param port its UDP port
   * @param community the SNMPv2c community, or null for no SNMPv2c (v3 only)
   * @param users SNMPv3 USM users (SHA-256 authentication, AES-128 privacy), possibly none
   * @param trapTargets where SNMPv2c linkUp/linkDown notifications go (with the community)
   */
  public record Snmp(
      InetAddress address,
      int port,
      String community,
      List<SnmpUser> users,
      List<InetSocketAddress> trapTargets) {
    /** Never prints the community. */
    @Override
    public String toString() {
      return "Snmp[" + address.getHostAddress() + ":" + port + ", users " + users + "]";
    }
  }

  /**
   * An SNMPv3 user (USM, authPriv).
   *
   * @param name the user (security) name
   * @param authPassword the SHA-256 authentication passphrase (at least 8 characters)
   * @param privPassword the AES-128 privacy passphrase (at least 8 characters)
   */
  public record SnmpUser(String name, String authPassword, String privPassword) {
    /** Never prints the passphrases. */
    @Override
    public String toString() {
      return "SnmpUser[" + name + "]";
    }
  }

  private static final Set<String> KEYS =
      Set.of("metrics", "eventJournal", "eventJournalDays", "snmp");
  private static final Set<String> METRICS = Set.of("address", "port");
  private static final Set<String> SNMP =
      Set.of("address", "port", "community", "users", "trapTargets");
  private static final Set<String> USER = Set.of("name", "authPassword", "privPassword");

  /** No endpoint; the journal in the run directory's {@code events}. */
  static MonitoringConfig defaults(Path runDirectory) {
    return new MonitoringConfig(null, runDirectory.resolve("events"), DEFAULT_JOURNAL_DAYS, null);
  }

  private static Snmp snmp(YamlNode n) throws ConfigException {
    n.onlyKeys(SNMP);
    String community = n.has("community") ? n.string("community") : null;
    List<SnmpUser> users = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode u : n.nodes("users")) {
      u.onlyKeys(USER);
      String name = u.string("name");
      if (!names.add(name)) {
        throw new ConfigException(u.field("name"), "duplicate user " + name);
      }
      users.add(new SnmpUser(name, passphrase(u, "authPassword"), passphrase(u, "privPassword")));
    }
    if (community == null && users.isEmpty()) {
      throw new ConfigException(
          n.field("community"), "give a community (SNMPv2c) or users (SNMPv3), or both");
    }
    List<InetSocketAddress> targets = new ArrayList<>();
    List<String> texts = n.strings("trapTargets");
    for (int i = 0; i < texts.size(); i++) {
      targets.add(target(n.field("trapTargets") + "[" + i + "]", texts.get(i)));
    }
    if (!targets.isEmpty() && community == null) {
      throw new ConfigException(
          n.field("trapTargets"), "notifications are sent as SNMPv2c traps: they need a community");
    }
    return new Snmp(
        listenAddress(n, "address", "127.0.0.1"),
        (int) n.number("port", 1, 65_535, 161),
        community,
        List.copyOf(users),
        List.copyOf(targets));
  }

  private static String passphrase(YamlNode n, String key) throws ConfigException {
    String p = n.string(key);
    if (p.length() < 8) {
      // The length only: a passphrase is never echoed.
      throw new ConfigException(n.field(key), "at least 8 characters (USM, RFC 3414 11.2)");
    }
    return p;
  }

  private static InetSocketAddress target(String field, String text) throws ConfigException {
    int colon = text.lastIndexOf(':');
    String host = text;
    int port = 162;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new ConfigException(field, "not ADDRESS, ADDRESS:PORT or [IPv6]:PORT: " + text);
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        port = port(field, text.substring(close + 1), text);
      }
    } else if (colon > 0 && text.indexOf(':') == colon) {
      host = text.substring(0, colon);
      port = port(field, text.substring(colon), text);
    }
    if (!host.matches("[0-9a-fA-F:.]+")) {
      throw new ConfigException(field, "not an IP address: " + host);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new ConfigException(field, "not an IP address: " + host);
    }
  }

  private static int port(String field, String colonPort, String text) throws ConfigException {
    if (!colonPort.matches(":\\d{1,5}")) {
      throw new ConfigException(field, "not ADDRESS, ADDRESS:PORT or [IPv6]:PORT: " + text);
    }
    int port = Integer.parseInt(colonPort.substring(1));
    if (port < 1 || port > 65_535) {
      throw new ConfigException(field, "port " + port + " outside 1..65535");
    }
    return port;
  }

  static MonitoringConfig parse(YamlNode n, Path runDirectory) throws ConfigException {
    n.onlyKeys(KEYS);
    Metrics metrics = null;
    if (n.has("metrics")) {
      YamlNode m = n.node("metrics");
      m.onlyKeys(METRICS);
      metrics =
          new Metrics(listenAddress(m, "address", "127.0.0.1"), (int) m.number("port", 1, 65_535));
    }
    Path journal = n.bool("eventJournal", true) ? runDirectory.resolve("events") : null;
    int days = (int) n.number("eventJournalDays", 1, 3_650, DEFAULT_JOURNAL_DAYS);
    Snmp snmp = n.has("snmp") ? snmp(n.node("snmp")) : null;
    return new MonitoringConfig(metrics, journal, days, snmp);
  }

  /** An IP address literal (no name lookups: a config must not depend on DNS). */
  static InetAddress listenAddress(YamlNode n, String key, String defaultValue)
      throws ConfigException {
    String s = n.string(key, defaultValue);
    if (!s.matches("[0-9a-fA-F:.]+")) {
      throw new ConfigException(n.field(key), "not an IP address: " + s);
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new ConfigException(n.field(key), "not an IP address: " + s);
    }
  }
}
