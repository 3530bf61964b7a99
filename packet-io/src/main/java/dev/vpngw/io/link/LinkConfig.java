package dev.vpngw.io.link;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures links in the current network namespace at setup time: MTU, addresses, up, routes to a
 * device, and the one per-device sysctl the gateway needs. It runs iproute2's {@code ip} rather
 * than speaking rtnetlink itself. This is a deliberate choice: these calls happen a handful of
 * times per gateway start or tunnel change, never per packet; {@code ip} is on every Linux machine
 * the appliance targets, already validates and reports errors in words operators know ("RTNETLINK
 * answers: File exists"), and the same commands can be replayed by hand from a log. A netlink
 * binding would be hundreds of lines of message building for no run-time gain.
 *
 * <p>Arguments are checked here (interface names, address literals and prefix lengths) and passed
 * as separate argv entries, never through a shell. A failure is an {@link IOException} carrying the
 * command line, its exit status and its stderr.
 */
public final class LinkConfig {
  private static final long TIMEOUT_SECONDS = 30;
  private static final String IP = findIp();

  private LinkConfig() {}

  /** {@code ip link set dev DEVICE mtu MTU}. */
  public static void setMtu(String device, int mtu) throws IOException {
    if (mtu < 68 || mtu > 65535) {
      throw new IllegalArgumentException("MTU must be 68..65535: " + mtu);
    }
    run("link", "set", "dev", checkDevice(device), "mtu", Integer.toString(mtu));
  }

  /** {@code ip link set dev DEVICE up}. */
  public static void up(String device) throws IOException {
    run("link", "set", "dev", checkDevice(device), "up");
  }

  /**
   * {@code ip address add ADDRESS/PREFIX dev DEVICE}, as in "10.1.0.1/24" or "fd00:1::1/64". IPv6
   * addresses are added with {@code nodad}: duplicate address detection would hold the address
   * tentative (unusable as a source) for a second or more, and on a gateway's own tunnel interface
   * there is nobody to collide with.
   */
  public static void addAddress(String device, String cidr) throws IOException {
    boolean ipv6 = checkPrefix(cidr);
    String dev = checkDevice(device);
    if (ipv6) {
      run("address", "add", cidr, "dev", dev, "nodad");
    } else {
      run("address", "add", cidr, "dev", dev);
    }
  }

  /**
   * {@code ip address replace ADDRESS/PREFIX dev DEVICE valid_lft S preferred_lft S}: adds the
   * address, or renews it, with a lifetime of S seconds after which the kernel removes it by
   * itself. An HA node holds the virtual address as such a lease and renews it while it is active,
   * so a node whose process dies without stepping down loses the address within S seconds (IPv6
   * with {@code nodad}, as in {@link #addAddress}).
   */
  public static void leaseAddress(String device, String cidr, int seconds) throws IOException {
    if (seconds < 1) {
      throw new IllegalArgumentException("address lifetime must be at least 1 s: " + seconds);
    }
    boolean ipv6 = checkPrefix(cidr);
    String dev = checkDevice(device);
    String s = Integer.toString(seconds);
    if (ipv6) {
      run("address", "replace", cidr, "dev", dev, "valid_lft", s, "preferred_lft", s, "nodad");
    } else {
      run("address", "replace", cidr, "dev", dev, "valid_lft", s, "preferred_lft", s);
    }
  }

  /**
   * {@code ip address del ADDRESS/PREFIX dev DEVICE}: the reverse of {@link #addAddress}, as when
   * an HA node steps down and gives up the virtual public address.
   */
  public static void deleteAddress(String device, String cidr) throws IOException {
    checkPrefix(cidr);
    run("address", "del", cidr, "dev", checkDevice(device));
  }

  /** {@code ip route add PREFIX dev DEVICE}: send the prefix into the device (as a tunnel's). */
  public static void addRoute(String prefix, String device) throws IOException {
    deviceRoute("add", prefix, device, NO_MTU);
  }

  /** {@code ip route del PREFIX dev DEVICE}. */
  public static void deleteRoute(String prefix, String device) throws IOException {
    deviceRoute("del", prefix, device, NO_MTU);
  }

  /**
   * {@code ip route add PREFIX dev DEVICE mtu MTU metric METRIC}: a route with its own path MTU, so
   * the kernel itself fragments or sends "fragmentation needed" for packets too big for that one
   * tunnel, beside other routes to the same prefix that the kernel prefers by lower metric.
   */
  public static void addRoute(String prefix, String device, int mtu, int metric)
      throws IOException {
    deviceRoute("add", prefix, device, checkMtu(mtu), "metric", checkMetric(metric));
  }

  /**
   * {@code ip route replace PREFIX dev DEVICE mtu MTU metric METRIC}: the MTU changed in place,
   * without a moment in which the prefix has no route.
   */
  public static void replaceRoute(String prefix, String device, int mtu, int metric)
      throws IOException {
    deviceRoute("replace", prefix, device, checkMtu(mtu), "metric", checkMetric(metric));
  }

  /** {@code ip route del PREFIX dev DEVICE metric METRIC}. */
  public static void deleteRoute(String prefix, String device, int metric) throws IOException {
    deviceRoute("del", prefix, device, NO_MTU, "metric", checkMetric(metric));
  }

  /**
   * {@code ip route add PREFIX dev DEVICE mtu MTU table TABLE}: a route in a routing table of its
   * own, which only the policy rules that look it up consult.
   */
  public static void addTableRoute(String prefix, String device, int mtu, int table)
      throws IOException {
    deviceRoute("add", prefix, device, checkMtu(mtu), "table", checkTable(table));
  }

  /** {@code ip route replace PREFIX dev DEVICE mtu MTU table TABLE}: its MTU changed in place. */
  public static void replaceTableRoute(String prefix, String device, int mtu, int table)
      throws IOException {
    deviceRoute("replace", prefix, device, checkMtu(mtu), "table", checkTable(table));
  }

  /** {@code ip route del PREFIX dev DEVICE table TABLE}. */
  public static void deleteTableRoute(String prefix, String device, int table) throws IOException {
    deviceRoute("del", prefix, device, NO_MTU, "table", checkTable(table));
  }

  /**
   * {@code ip route replace PREFIX via NEXTHOP dev DEVICE metric METRIC}: the prefix reached
   * through a neighbour on a link (a private circuit's far end), added or made so.
   */
  public static void replaceRouteVia(String prefix, String nexthop, String device, int metric)
      throws IOException {
    checkPrefix(prefix);
    run(
        "route",
        "replace",
        prefix,
        "via",
        checkAddress(nexthop),
        "dev",
        checkDevice(device),
        "metric",
        checkMetric(metric));
  }

  /**
   * {@code ip route del PREFIX via NEXTHOP dev DEVICE metric METRIC}; true if it was deleted, false
   * if there was no such route (the kernel drops a device's routes itself when the device goes
   * down).
   */
  public static boolean deleteRouteVia(String prefix, String nexthop, String device, int metric)
      throws IOException {
    checkPrefix(prefix);
    try {
      run(
          "route",
          "del",
          prefix,
          "via",
          checkAddress(nexthop),
          "dev",
          checkDevice(device),
          "metric",
          checkMetric(metric));
      return true;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("No such process")) {
        return false;
      }
      throw e;
    }
  }

  private static final int NO_MTU = 0;

  /** {@code ip route VERB PREFIX dev DEVICE [mtu MTU] [KEY VALUE]...}, the arguments checked. */
  private static void deviceRoute(
      String verb, String prefix, String device, int mtu, String... more) throws IOException {
    checkPrefix(prefix);
    List<String> args = new ArrayList<>(List.of("route", verb, prefix, "dev", checkDevice(device)));
    if (mtu != NO_MTU) {
      args.add("mtu");
      args.add(Integer.toString(mtu));
    }
    args.addAll(List.of(more));
    run(args.toArray(String[]::new));
  }

  private static int checkMtu(int mtu) {
    if (mtu < 68 || mtu > 65_535) {
      throw new IllegalArgumentException("route MTU " + mtu + " outside 68..65535");
    }
    return mtu;
  }

  private static String checkMetric(int metric) {
    if (metric < 0) {
      throw new IllegalArgumentException("route metric " + metric + " is negative");
    }
    return Integer.toString(metric);
  }

  private static String checkAddress(String address) {
    return InetAddress.ofLiteral(address).getHostAddress();
  }

  /**
   * {@code ip -4|-6 rule add priority PRIORITY from PREFIX lookup TABLE}: packets from the prefix
   * (say, forwarded from a virtual network) consult TABLE at that point of the rule list. A rule
   * left behind by a run that was killed (rules outlive the process and its TUN device) is taken
   * over rather than refused as existing.
   */
  public static void addSourceRule(String fromPrefix, int table, int priority) throws IOException {
    ensureRule(sourceRule(fromPrefix, table, priority));
  }

  /** Removes a rule {@link #addSourceRule} added. */
  public static void deleteSourceRule(String fromPrefix, int table, int priority)
      throws IOException {
    rule("del", sourceRule(fromPrefix, table, priority));
  }

  /**
   * {@code ip -4|-6 rule add priority PRIORITY lookup main suppress_prefixlength 0}: the main table
   * decides for every packet, unless all it has is a default route; then the rules after this one
   * (a default of their own) get their turn, while every more specific route of the main table
   * keeps winning (WireGuard's wg-quick routes a default into its tunnel the same way). Taken over
   * if a killed run left it, as {@link #addSourceRule}.
   */
  public static void addMainUnlessDefaultRule(boolean ipv6, int priority) throws IOException {
    ensureRule(mainUnlessDefaultRule(ipv6, priority));
  }

  /** Removes a rule {@link #addMainUnlessDefaultRule} added. */
  public static void deleteMainUnlessDefaultRule(boolean ipv6, int priority) throws IOException {
    rule("del", mainUnlessDefaultRule(ipv6, priority));
  }

  private static List<String> sourceRule(String fromPrefix, int table, int priority) {
    boolean ipv6 = checkPrefix(fromPrefix);
    return List.of(
        ipv6 ? "-6" : "-4",
        "priority",
        checkPriority(priority),
        "from",
        fromPrefix,
        "lookup",
        checkTable(table));
  }

  private static List<String> mainUnlessDefaultRule(boolean ipv6, int priority) {
    return List.of(
        ipv6 ? "-6" : "-4",
        "priority",
        checkPriority(priority),
        "lookup",
        "main",
        "suppress_prefixlength",
        "0");
  }

  /** Adds the rule; one identical to it already there (the kernel refuses a duplicate) is kept. */
  private static void ensureRule(List<String> rule) throws IOException {
    try {
      rule("add", rule);
    } catch (IOException e) {
      if (!e.getMessage().endsWith("File exists")) {
        throw e;
      }
    }
  }

  /** {@code ip FAMILY rule VERB SPEC...}, with the family flag first as ip(8) wants it. */
  private static void rule(String verb, List<String> rule) throws IOException {
    List<String> args = new ArrayList<>();
    args.add(rule.get(0));
    args.add("rule");
    args.add(verb);
    args.addAll(rule.subList(1, rule.size()));
    run(args.toArray(String[]::new));
  }

  private static String checkTable(int table) {
    // 253..255 are the kernel's default, main and local tables; 0 is unspecified.
    if (table < 1 || table > 252 && table < 256) {
      throw new IllegalArgumentException("not a table of our own: " + table);
    }
    return Integer.toString(table);
  }

  private static String checkPriority(int priority) {
    if (priority < 1 || priority > 32_765) {
      throw new IllegalArgumentException("rule priority " + priority + " outside 1..32765");
    }
    return Integer.toString(priority);
  }

  /**
   * Lets DEVICE deliver IPv4 packets whose source is one of this host's own addresses ({@code
   * net.ipv4.conf.DEVICE.accept_local = 1}). Linux otherwise drops them as martians, whatever
   * {@code rp_filter} says; but the ICMP errors the dataplane writes into its TUN device
   * ("fragmentation needed" for a packet too big for its tunnel) come from the gateway's own
   * address, as RFC 1812 4.3.2.4 wants a router's errors to.
   *
   * @throws IOException if the setting cannot be written (no such device, or not root)
   */
  public static void acceptLocalSource(String device) throws IOException {
    Path setting = Path.of("/proc/sys/net/ipv4/conf", checkDevice(device), "accept_local");
    if (!Files.exists(setting)) {
      throw new IOException(setting + " does not exist: no IPv4 device " + device);
    }
    Files.writeString(setting, "1");
  }

  /** The {@code ip} binary used: the first of the usual sbin/bin paths that exists. */
  public static String ipCommand() {
    return IP;
  }

  private static void run(String... args) throws IOException {
    List<String> command = new ArrayList<>(args.length + 1);
    command.add(IP);
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String stderr;
    try (InputStream err = process.getErrorStream()) {
      stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " timed out after " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", command) + " interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command)
              + " failed (exit "
              + process.exitValue()
              + ")"
              + (stderr.isEmpty() ? "" : ": " + stderr));
    }
  }

  private static String checkDevice(String device) {
    if (device.isEmpty()
        || device.length() > 15
        || device.charAt(0) == '-'
        || !device.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '/')) {
      throw new IllegalArgumentException("not an interface name: " + device);
    }
    return device;
  }

  /** Checks "ADDRESS/LENGTH" without any name lookup and returns whether it is IPv6. */
  private static boolean checkPrefix(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("not ADDRESS/PREFIX-LENGTH: " + cidr);
    }
    InetAddress address;
    int length;
    try {
      address = InetAddress.ofLiteral(cidr.substring(0, slash));
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not ADDRESS/PREFIX-LENGTH: " + cidr, e);
    }
    int bits = address.getAddress().length * 8;
    if (length < 0 || length > bits) {
      throw new IllegalArgumentException("prefix length must be 0.." + bits + ": " + cidr);
    }
    return bits == 128;
  }

  private static String findIp() {
    for (String candidate : new String[] {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    // Leave it to PATH; a failure to start names the command.
    return "ip";
  }
}
