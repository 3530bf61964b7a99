package dev.vpngw.appliance.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nftables rules in a gateway namespace that drop chosen IKE messages, so that a test can lose a
 * response or hold requests back on purpose: each rule set is a table of its own with an input
 * chain, its rules counting what they dropped.
 */
final class IkeDrops {
  /** IKE exchange types (RFC 7296 3.1). */
  static final int IKE_AUTH = 35;

  static final int CREATE_CHILD_SA = 36;

  private IkeDrops() {}

  /** Runs an nftables script in the namespace of {@code role}. */
  static void nft(Topology t, String role, String script) throws IOException {
    Shell.check(Duration.ofSeconds(10), Shell.inNamespace(t.ns(role), "nft", script));
  }

  /**
   * An nftables rule body matching IKE messages behind the non-ESP marker on UDP 4500 (RFC 3948
   * 2.2) that arrive from {@code from}, of this exchange type; {@code responses} null for requests
   * and responses, true for responses only, false for requests only. The IKE header starts after
   * the 8-byte UDP header and the 4-byte marker: the exchange type is its byte 18 (bit 240 of the
   * transport header), the flags its byte 19 (bit 248), the response flag 0x20.
   */
  static String ikeFrom(String from, int exchangeType, Boolean responses) {
    String r =
        responses == null
            ? ""
            : responses ? " @th,248,8 & 0x20 == 0x20" : " @th,248,8 & 0x20 == 0x00";
    return "ip saddr "
        + from
        + " udp dport 4500 @th,64,32 0 @th,240,8 "
        + exchangeType
        + r
        + " counter drop";
  }

  /** Creates table {@code inet name} in {@code role} with an input chain holding {@code rule}. */
  static void dropIn(Topology t, String role, String name, String rule) throws IOException {
    nft(
        t,
        role,
        "add table inet "
            + name
            + "; add chain inet "
            + name
            + " in { type filter hook input priority -10; }; add rule inet "
            + name
            + " in "
            + rule);
  }

  /** Replaces the rules of {@code inet name}'s input chain with {@code rule}. */
  static void replaceDrop(Topology t, String role, String name, String rule) throws IOException {
    nft(t, role, "flush chain inet " + name + " in; add rule inet " + name + " in " + rule);
  }

  /** Packets the rules of table {@code inet name} in {@code role} have dropped. */
  static long dropped(Topology t, String role, String name) throws IOException {
    String listing =
        Shell.check(
                Duration.ofSeconds(10),
                Shell.inNamespace(t.ns(role), "nft", "list", "table", "inet", name))
            .output();
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(listing);
    long n = 0;
    while (m.find()) {
      n += Long.parseLong(m.group(1));
    }
    return n;
  }

  static void deleteTable(Topology t, String role, String name) throws IOException {
    nft(t, role, "delete table inet " + name);
  }
}
