package dev.vpngw.appliance.config;

import dev.vpngw.appliance.config.GatewayConfig.Gateway;
import dev.vpngw.appliance.config.GatewayConfig.LocalNetworkGateway;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.DpdAction;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.crypto.KeyFiles;
import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.Transform;
import dev.vpngw.ikev2.message.TransformType;
import dev.vpngw.ikev2.proposal.ProposalParser;
import dev.vpngw.selector.TrafficSelector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a connection's {@code ike} block (docs/CONFIG.md): authentication, identities, proposals,
 * lifetimes, DPD and which side starts. The defaults are Azure's default policy set (MISSION.md),
 * less 3DES unless the connection allows legacy ciphers.
 */
final class IkeConfigLoader {
  private static final Set<String> IKE =
      Set.of(
          "version",
          "sharedKey",
          "certificate",
          "localId",
          "remoteId",
          "ikeProposals",
          "espProposals",
          "ikeLifetime",
          "childLifetime",
          "childLifetimeKilobytes",
          "rekeyMargin",
          "rekeyJitter",
          "dpdDelay",
          "dpdTimeout",
          "dpdAction",
          "connectionMode",
          "trafficSelectors",
          "allowLegacyCiphers");
  private static final Set<String> CERT = Set.of("file", "key", "ca");

  /**
   * The cloud's connection-level settings (docs/CONFIG.md), each standing for one or more fields of
   * the {@code ike} block; a connection gives each setting in one place only.
   */
  static final List<Map.Entry<String, List<String>>> CONNECTION_LEVEL_EQUIVALENTS =
      List.of(
          Map.entry("sharedKey", List.of("sharedKey", "certificate")),
          Map.entry("ikeVersion", List.of("version")),
          Map.entry(
              "ipsecPolicies",
              List.of("ikeProposals", "espProposals", "childLifetime", "childLifetimeKilobytes")),
          Map.entry("usePolicyBasedTrafficSelectors", List.of("trafficSelectors")),
          Map.entry("dpdTimeoutSeconds", List.of("dpdTimeout")),
          Map.entry("connectionMode", List.of("connectionMode")));

  /** The connection-level IKE settings. */
  static final List<String> CONNECTION_LEVEL =
      CONNECTION_LEVEL_EQUIVALENTS.stream().map(Map.Entry::getKey).toList();

  static final List<String> DEFAULT_IKE = List.of("aes256-aes128-sha256-sha1-modp1024");
  static final List<String> DEFAULT_IKE_LEGACY = List.of("aes256-aes128-3des-sha256-sha1-modp1024");
  static final List<String> DEFAULT_ESP = List.of("aes256gcm16", "aes256-sha1-sha256");

  private IkeConfigLoader() {}

  /**
   * Reads a connection's IKE settings from its {@code ike} block {@code n} (empty when left out)
   * and the cloud-style settings on the connection {@code conn} itself.
   */
  static IkeConnectionConfig load(
      YamlNode n,
      YamlNode conn,
      String name,
      Gateway gateway,
      LocalNetworkGateway site,
      boolean forceUdp)
      throws ConfigException {
    n.onlyKeys(IKE);
    for (Map.Entry<String, List<String>> e : CONNECTION_LEVEL_EQUIVALENTS) {
      for (String inner : e.getValue()) {
        if (conn.has(e.getKey()) && n.has(inner)) {
          throw new ConfigException(
              conn.field(e.getKey()),
              "also given as " + n.field(inner) + ": give the setting in one place only");
        }
      }
    }
    if (conn.has("ikeVersion")) {
      String v = conn.string("ikeVersion");
      if (v.equals("IKEv1")) {
        throw new ConfigException(conn.field("ikeVersion"), "IKEv1 is not supported yet");
      }
      if (!v.equals("IKEv2")) {
        throw new ConfigException(conn.field("ikeVersion"), "IKEv2 (or, later, IKEv1)");
      }
    }
    if (n.has("version") && n.number("version", 1, 2) == 1) {
      throw new ConfigException(n.field("version"), "IKEv1 is not supported yet");
    }
    n.number("version", 2, 2, 2);
    boolean legacy = n.bool("allowLegacyCiphers", false);
    List<Proposal> ike;
    List<Proposal> esp;
    IpsecPolicy policy = null;
    if (conn.has("ipsecPolicies")) {
      policy = IpsecPolicy.load(conn, "ipsecPolicies");
      ike = parsed(conn, "ipsecPolicies", List.of(policy.ikeProposal()), true, legacy);
      esp = parsed(conn, "ipsecPolicies", List.of(policy.espProposal()), false, legacy);
    } else {
      ike = proposals(n, "ikeProposals", legacy ? DEFAULT_IKE_LEGACY : DEFAULT_IKE, true, legacy);
      esp = proposals(n, "espProposals", DEFAULT_ESP, false, legacy);
    }
    IkeConnectionConfig.Auth local;
    IkeConnectionConfig.Auth remote;
    Identity defaultLocalId = Identity.of(gateway.publicAddress());
    YamlNode pskNode = conn.has("sharedKey") ? conn : n;
    if (pskNode.has("sharedKey") == n.has("certificate")) {
      throw new ConfigException(n.field("sharedKey"), "give either sharedKey or certificate");
    }
    if (pskNode.has("sharedKey")) {
      String psk = pskNode.string("sharedKey");
      if (psk.length() < 8) {
        throw new ConfigException(pskNode.field("sharedKey"), "at least 8 characters");
      }
      local = new IkeConnectionConfig.Psk(psk.getBytes(StandardCharsets.UTF_8));
      remote = local;
    } else {
      YamlNode c = n.node("certificate");
      c.onlyKeys(CERT);
      List<X509Certificate> chain = certificates(c, "file");
      PrivateKey key;
      try {
        key = KeyFiles.readPrivateKey(Path.of(c.string("key")));
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(c.field("key"), "cannot read the private key: " + e.getMessage());
      }
      local = new IkeConnectionConfig.Certificate(chain, key);
      remote = new IkeConnectionConfig.CertificateAuthority(certificates(c, "ca"));
      defaultLocalId =
          new Identity(
              dev.vpngw.ikev2.message.IdType.ID_DER_ASN1_DN,
              chain.get(0).getSubjectX500Principal().getEncoded());
    }
    Identity localId = n.has("localId") ? identity(n, "localId") : defaultLocalId;
    Identity remoteId = n.has("remoteId") ? identity(n, "remoteId") : null;
    IkeConnectionConfig.Lifetimes defaults = IkeConnectionConfig.Lifetimes.defaults();
    IkeConnectionConfig.Lifetimes lifetimes;
    try {
      lifetimes =
          new IkeConnectionConfig.Lifetimes(
              duration(n, "ikeLifetime", defaults.ike()),
              policy != null ? policy.lifetime() : duration(n, "childLifetime", defaults.child()),
              policy != null
                  ? policy.kilobytes()
                  : n.number(
                      "childLifetimeKilobytes",
                      0,
                      Long.MAX_VALUE / 1024,
                      defaults.childKilobytes()),
              duration(n, "rekeyMargin", defaults.margin()),
              duration(n, "rekeyJitter", defaults.jitter()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          policy != null
              ? conn.field("ipsecPolicies[0].saLifeTimeSeconds")
              : n.field("rekeyMargin"),
          e.getMessage());
    }
    // Written the cloud's way (no ike block, or usePolicyBasedTrafficSelectors), a connection of a
    // route-based gateway negotiates any-to-any selectors as the cloud's does: the routes decide,
    // and a site can reach the other sites through the gateway (transit). The ike block keeps
    // strongSwan's habit of the prefixes themselves.
    boolean cloudStyle = !conn.has("ike") || conn.has("usePolicyBasedTrafficSelectors");
    String fallback =
        cloudStyle && gateway.vpnType() == GatewayConfig.VpnType.RouteBased ? "any" : "policy";
    String ts = n.string("trafficSelectors", fallback);
    if (conn.has("usePolicyBasedTrafficSelectors")) {
      ts = conn.bool("usePolicyBasedTrafficSelectors", false) ? "pairs" : fallback;
    }
    List<TrafficSelector> localTs;
    List<TrafficSelector> remoteTs;
    switch (ts) {
      case "policy", "pairs" -> {
        localTs = gateway.vnetPrefixes().stream().map(TrafficSelector::of).toList();
        remoteTs = site.addressPrefixes().stream().map(TrafficSelector::of).toList();
      }
      case "any" -> {
        localTs = any();
        remoteTs = any();
      }
      default ->
          throw new ConfigException(
              n.field("trafficSelectors"),
              "policy (one child SA for the prefixes on both sides), pairs (one child SA per pair"
                  + " of prefixes) or any (route-based: 0.0.0.0/0 and ::/0)");
    }
    if (ts.equals("any") && gateway.vpnType() == GatewayConfig.VpnType.PolicyBased) {
      throw new ConfigException(
          n.field("trafficSelectors"),
          "a PolicyBased gateway negotiates the prefixes themselves (policy or pairs), not any");
    }
    ConnectionMode connectionMode;
    if (conn.has("connectionMode")) {
      String mode = conn.string("connectionMode");
      connectionMode =
          switch (mode) {
            case "Default" -> ConnectionMode.BOTH;
            case "InitiatorOnly" -> ConnectionMode.INITIATOR_ONLY;
            case "ResponderOnly" -> ConnectionMode.RESPONDER_ONLY;
            default ->
                throw new ConfigException(
                    conn.field("connectionMode"), "Default, InitiatorOnly or ResponderOnly");
          };
    } else {
      String mode = n.string("connectionMode", "both");
      connectionMode =
          switch (mode) {
            case "both" -> ConnectionMode.BOTH;
            case "initiatorOnly" -> ConnectionMode.INITIATOR_ONLY;
            case "responderOnly" -> ConnectionMode.RESPONDER_ONLY;
            default ->
                throw new ConfigException(
                    n.field("connectionMode"), "both, initiatorOnly or responderOnly");
          };
    }
    String action = n.string("dpdAction", "restart");
    DpdAction dpdAction =
        switch (action) {
          case "restart" -> DpdAction.RESTART;
          case "clear" -> DpdAction.CLEAR;
          default -> throw new ConfigException(n.field("dpdAction"), "restart or clear");
        };
    Duration dpdDelay = duration(n, "dpdDelay", Duration.ofSeconds(30));
    Duration dpdTimeout =
        conn.has("dpdTimeoutSeconds")
            ? Duration.ofSeconds(conn.number("dpdTimeoutSeconds", 9, 3600))
            : duration(n, "dpdTimeout", Duration.ofSeconds(45));
    if (!dpdDelay.isZero() && dpdTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(n.field("dpdTimeout"), "at least 1s when dpdDelay is set");
    }
    try {
      return new IkeConnectionConfig(
          name,
          gateway.publicAddress(),
          site.gatewayAddress(),
          localId,
          remoteId,
          local,
          remote,
          ike,
          esp,
          localTs,
          remoteTs,
          lifetimes,
          dpdDelay,
          dpdTimeout,
          dpdAction,
          connectionMode,
          forceUdp,
          ts.equals("pairs"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.path(), e.getMessage());
    }
  }

  private static List<TrafficSelector> any() {
    return List.of(
        TrafficSelector.of(IpPrefix.parse("0.0.0.0/0")),
        TrafficSelector.of(IpPrefix.parse("::/0")));
  }

  private static List<Proposal> proposals(
      YamlNode n, String key, List<String> defaults, boolean ike, boolean legacy)
      throws ConfigException {
    List<String> texts = n.has(key) ? n.strings(key) : defaults;
    if (texts.isEmpty()) {
      throw new ConfigException(n.field(key), "needs at least one proposal");
    }
    return parsed(n, key, texts, ike, legacy);
  }

  private static List<Proposal> parsed(
      YamlNode n, String key, List<String> texts, boolean ike, boolean legacy)
      throws ConfigException {
    List<Proposal> out = new ArrayList<>();
    for (String t : texts) {
      Proposal p;
      try {
        p = ike ? ProposalParser.ike(t) : ProposalParser.esp(t);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(n.field(key), e.getMessage());
      }
      for (Transform x : p.transforms()) {
        if (x.type() == TransformType.ENCR && x.id() == TransformType.ENCR_3DES && !legacy) {
          throw new ConfigException(
              n.field(key), "'" + t + "': 3DES is legacy; set allowLegacyCiphers: true");
        }
      }
      out.add(p);
    }
    return out;
  }

  private static List<X509Certificate> certificates(YamlNode n, String key) throws ConfigException {
    try {
      List<X509Certificate> certs = KeyFiles.readCertificates(Path.of(n.string(key)));
      if (certs.isEmpty()) {
        throw new ConfigException(n.field(key), "no certificate in the file");
      }
      return certs;
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(n.field(key), "cannot read certificates: " + e.getMessage());
    }
  }

  private static Identity identity(YamlNode n, String key) throws ConfigException {
    try {
      return Identity.parse(n.string(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.field(key), e.getMessage());
    }
  }

  /** "30s", "5m", "8h", "1d", or plain seconds. */
  static Duration duration(YamlNode n, String key, Duration fallback) throws ConfigException {
    if (!n.has(key)) {
      return fallback;
    }
    String s = n.string(key).trim().toLowerCase(Locale.ROOT);
    try {
      long unit = 1;
      char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
      switch (last) {
        case 's' -> s = s.substring(0, s.length() - 1);
        case 'm' -> {
          unit = 60;
          s = s.substring(0, s.length() - 1);
        }
        case 'h' -> {
          unit = 3600;
          s = s.substring(0, s.length() - 1);
        }
        case 'd' -> {
          unit = 86_400;
          s = s.substring(0, s.length() - 1);
        }
        default -> {}
      }
      long v = Long.parseLong(s);
      if (v < 0 || v > 10L * 365 * 86_400 / unit) {
        throw new NumberFormatException();
      }
      return Duration.ofSeconds(v * unit);
    } catch (NumberFormatException e) {
      throw new ConfigException(n.field(key), "a duration such as 30s, 5m, 8h or 1d");
    }
  }
}
