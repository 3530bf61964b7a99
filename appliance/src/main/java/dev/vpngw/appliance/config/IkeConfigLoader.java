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

  static final List<String> DEFAULT_IKE = List.of("aes256-aes128-sha256-sha1-modp1024");
  static final List<String> DEFAULT_IKE_LEGACY = List.of("aes256-aes128-3des-sha256-sha1-modp1024");
  static final List<String> DEFAULT_ESP = List.of("aes256gcm16", "aes256-sha1-sha256");

  private IkeConfigLoader() {}

  static IkeConnectionConfig load(
      YamlNode n, String name, Gateway gateway, LocalNetworkGateway site, boolean forceUdp)
      throws ConfigException {
    n.onlyKeys(IKE);
    int version = (int) n.number("version", 2, 2, 2);
    if (version != 2) {
      throw new ConfigException(n.field("version"), "only IKEv2 is supported");
    }
    boolean legacy = n.bool("allowLegacyCiphers", false);
    List<Proposal> ike =
        proposals(n, "ikeProposals", legacy ? DEFAULT_IKE_LEGACY : DEFAULT_IKE, true, legacy);
    List<Proposal> esp = proposals(n, "espProposals", DEFAULT_ESP, false, legacy);
    IkeConnectionConfig.Auth local;
    IkeConnectionConfig.Auth remote;
    Identity defaultLocalId = Identity.of(gateway.publicAddress());
    if (n.has("sharedKey") == n.has("certificate")) {
      throw new ConfigException(n.field("sharedKey"), "give either sharedKey or certificate");
    }
    if (n.has("sharedKey")) {
      String psk = n.string("sharedKey");
      if (psk.length() < 8) {
        throw new ConfigException(n.field("sharedKey"), "at least 8 characters");
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
              duration(n, "childLifetime", defaults.child()),
              n.number(
                  "childLifetimeKilobytes", 0, Long.MAX_VALUE / 1024, defaults.childKilobytes()),
              duration(n, "rekeyMargin", defaults.margin()),
              duration(n, "rekeyJitter", defaults.jitter()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.field("rekeyMargin"), e.getMessage());
    }
    String ts = n.string("trafficSelectors", "policy");
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
    String mode = n.string("connectionMode", "both");
    ConnectionMode connectionMode =
        switch (mode) {
          case "both" -> ConnectionMode.BOTH;
          case "initiatorOnly" -> ConnectionMode.INITIATOR_ONLY;
          case "responderOnly" -> ConnectionMode.RESPONDER_ONLY;
          default ->
              throw new ConfigException(
                  n.field("connectionMode"), "both, initiatorOnly or responderOnly");
        };
    String action = n.string("dpdAction", "restart");
    DpdAction dpdAction =
        switch (action) {
          case "restart" -> DpdAction.RESTART;
          case "clear" -> DpdAction.CLEAR;
          default -> throw new ConfigException(n.field("dpdAction"), "restart or clear");
        };
    Duration dpdDelay = duration(n, "dpdDelay", Duration.ofSeconds(30));
    Duration dpdTimeout = duration(n, "dpdTimeout", Duration.ofSeconds(45));
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
      throw new ConfigException(n.field("version").replace(".version", ""), e.getMessage());
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
