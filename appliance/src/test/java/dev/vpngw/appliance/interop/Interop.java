package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the interop test classes against strongSwan share beyond the fixtures: our gateway A's
 * configuration around an {@code ike} block, the predicates and listings that find one connection's
 * SAs in charon's view, traffic both ways between the LANs, and the check that our log holds no key
 * material. The addresses are those of scripts/topology.sh without NAT: our gateway at 192.0.2.1 in
 * front of LAN A (10.1.0.0/24), charon at 192.0.2.2 in front of LAN B (10.2.0.0/24).
 */
final class Interop {
  static final String OUR_ADDRESS = "192.0.2.1";
  static final String PEER_ADDRESS = "192.0.2.2";
  static final String LAN_A = "10.1.0.0/24";
  static final String LAN_B = "10.2.0.0/24";

  private static final Pattern FIELD = Pattern.compile(" (\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");

  /** The name of our gateway's one connection in these configurations. */
  static final String OUR_CONNECTION = "to-b";

  private Interop() {}

  /**
   * Our gateway A's configuration with one IKE connection to charon's gateway; {@code ike} is the
   * connection's {@code ike} block (YAML, unindented). Counters and key log go under {@code dir}.
   */
  static String gatewayConfig(Path dir, String ike) {
    return """
        gateway:
          name: ours
          publicAddress: %s
          vnetPrefixes: [%s]
          runDirectory: %s
          keyLogDirectory: %s
          workers: 1
        localNetworkGateways:
          - name: site-b
            gatewayAddress: %s
            addressPrefixes: [%s]
        connections:
          - name: %s
            localNetworkGateway: site-b
            ike:
        %s
        """
        .formatted(
            OUR_ADDRESS,
            LAN_A,
            dir.resolve("run"),
            dir.resolve("keys/wireshark"),
            PEER_ADDRESS,
            LAN_B,
            OUR_CONNECTION,
            ike.indent(6).stripTrailing());
  }

  /** A YAML double-quoted scalar (DNs hold commas, identities '@'). */
  static String yaml(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** The IKE_SAs of charon's connection {@code ike}. */
  static List<IkeSaInfo> sasOf(StrongSwan peer, String ike) throws IOException {
    return peer.listSas().stream().filter(s -> s.name().equals(ike)).toList();
  }

  /**
   * Charon's connection {@code ike} has exactly one IKE_SA, established, with exactly one installed
   * CHILD_SA of {@code child}.
   */
  static Predicate<List<IkeSaInfo>> established(String ike, String child) {
    return sas -> {
      List<IkeSaInfo> mine = sas.stream().filter(s -> s.name().equals(ike)).toList();
      return mine.size() == 1
          && mine.get(0).established()
          && mine.get(0).installed(child).size() == 1;
    };
  }

  /** The one IKE_SA of charon's connection {@code ike}; fails if there is not exactly one. */
  static IkeSaInfo onlySa(StrongSwan peer, String ike) throws IOException {
    List<IkeSaInfo> sas = sasOf(peer, ike);
    if (sas.size() != 1) {
      fail("expected one IKE_SA of " + ike + ", charon has " + sas + "\n" + peer.log());
    }
    return sas.get(0);
  }

  /**
   * Waits until our gateway logged an established IKE SA and an installed child SA: charon lists
   * its SAs as soon as it sent its last IKE_AUTH message, which we may not have processed yet.
   */
  static void awaitOurTunnel(GatewayProcess ours, StrongSwan peer, Duration timeout) {
    Shell.await(
        timeout,
        () ->
            !ours.events("ike_sa_established").isEmpty()
                && !ours.events("child_sa_installed").isEmpty(),
        () -> "our gateway has no tunnel" + why(ours, peer));
  }

  /** The value of {@code key} in one of our gateway's key=value log lines, unquoted; or null. */
  static String field(String line, String key) {
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      if (m.group(1).equals(key)) {
        String v = m.group(2);
        return v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"") : v;
      }
    }
    return null;
  }

  /** Both logs, for failure messages. */
  static String why(GatewayProcess ours, StrongSwan peer) {
    return "\n===== our gateway\n"
        + (ours == null ? "(not running)" : ours.log())
        + "\n===== charon\n"
        + peer.log();
  }

  /** {@code count} pings each way between the LAN hosts, every one answered. */
  static void assertPingsBothWays(Topology t, int count, GatewayProcess ours, StrongSwan peer)
      throws IOException {
    assertTrue(t.ping("lanA", "10.2.0.2", count), "lanA -> lanB" + why(ours, peer));
    assertTrue(t.ping("lanB", "10.1.0.2", count), "lanB -> lanA" + why(ours, peer));
  }

  /**
   * Fails if {@code log} holds any of these keys: their hex (either case, also with the bytes
   * separated by spaces or colons, as dumps print them) or their base64. ESP keys are 16 bytes or
   * more; finding one by chance in a log is as unlikely as guessing it.
   */
  static void assertNoKeyMaterial(String log, List<EspKey> keys) {
    if (keys.isEmpty()) {
      fail("charon's log yielded no ESP keys to look for");
    }
    String lower = log.toLowerCase(Locale.ROOT);
    String joined = lower.replaceAll("[\\s:]", "");
    List<String> leaked = new ArrayList<>();
    for (EspKey k : keys) {
      for (byte[] key : List.of(k.encryptionKey(), k.integrityKey())) {
        if (key.length == 0) {
          continue;
        }
        String hex = HexFormat.of().formatHex(key);
        if (lower.contains(hex)
            || joined.contains(hex)
            || log.contains(Base64.getEncoder().encodeToString(key))
            || log.contains(Base64.getEncoder().withoutPadding().encodeToString(key))) {
          leaked.add(k.toString());
        }
      }
    }
    assertTrue(leaked.isEmpty(), "key material in our gateway's log: " + leaked);
  }
}
