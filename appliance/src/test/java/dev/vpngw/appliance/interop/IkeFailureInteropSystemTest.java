package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.Interop.LAN_A;
import static dev.vpngw.appliance.interop.Interop.LAN_B;
import static dev.vpngw.appliance.interop.Interop.OUR_ADDRESS;
import static dev.vpngw.appliance.interop.Interop.PEER_ADDRESS;
import static dev.vpngw.appliance.interop.Interop.why;
import static dev.vpngw.appliance.interop.Interop.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import dev.vpngw.appliance.interop.TestPki.Credential;
import dev.vpngw.appliance.interop.TestPki.KeyType;
import dev.vpngw.appliance.interop.TestPki.San;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Refused tunnels against strongSwan 5.9 (RFC 7296 2.21): a wrong pre-shared key, a wrong identity,
 * no IKE proposal in common, no ESP proposal in common and traffic selectors outside the policy,
 * with charon initiating to our gateway and with our gateway initiating to charon; and a
 * certificate the other side does not trust, both ways round, where the refusing initiator tells
 * the responder, which already holds the IKE SA as established, in an INFORMATIONAL of its own.
 * Each is refused with the notify the RFC names, which charon's log shows it sent or received; our
 * log line says why; charon keeps nothing of the failed attempt (or, when only the child SA failed,
 * the IKE SA alone); and nothing else is disturbed: a good connection, up with traffic before the
 * failing attempt, still has the same SAs afterwards and still carries pings. A refused child SA is
 * tried both in IKE_AUTH of a new IKE SA and in CREATE_CHILD_SA on the good IKE SA.
 *
 * <p>The good connection is charon's {@code good} (192.0.2.2) initiating to our {@code to-b}. When
 * charon initiates the failing attempt from that address, under another connection name, our {@code
 * to-b} answers it too. Otherwise the failing attempt is between our second connection {@code to-c}
 * and a second site that charon serves on a second address, 192.0.2.3. When {@code to-c} initiates,
 * our gateway tries it when it starts and every 10 s after a failure, so the case loads charon's
 * side of it only once the good connection is up, and the next try meets it.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IkeFailureInteropSystemTest {
  private static final String PSK = "failure-interop-psk-of-decent-length";
  private static final String WRONG_PSK = "not-the-psk-the-gateway-has-configured";
  private static final String SITE_C_ADDRESS = "192.0.2.3";
  private static final String LAN_C = "10.3.0.0/24";
  private static final String IKE = "aes256-sha256-modp2048";
  private static final String ESP = "aes128gcm16";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** Our gateway retries a failed connection after 10 s; the attempt itself takes a few more. */
  private static final Duration RETRY = Duration.ofSeconds(40);

  // Static: with one test instance for the class, the directory must exist before @BeforeAll.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private Topology topology;
  private StrongSwan peer;
  private GatewayProcess ours;

  /**
   * One refusal.
   *
   * @param ourConnection our {@code to-c}'s {@code ike} block (given the case's directory, for
   *     certificate files), or null for none
   * @param charon adds charon's side of the failing connection to the swanctl.conf
   * @param charonInitiates the charon connection that starts the failing attempt; null when our
   *     {@code to-c} does (when our gateway starts, and every 10 s after a failure)
   * @param charonSays what charon's log must show after the attempt
   * @param ourEvent the event of our log line that says why, on {@code ourSide}
   * @param ourReason a part of that line's {@code reason}
   * @param ourSide our connection that refuses or is refused
   * @param charonKeeps what charon still holds of the failing connection afterwards
   */
  record FailureCase(
      String name,
      Function<Path, String> ourConnection,
      BiConsumer<SwanctlConf, Path> charon,
      String charonInitiates,
      List<String> charonSays,
      String ourEvent,
      String ourReason,
      String ourSide,
      Predicate<List<IkeSaInfo>> charonKeeps) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Charon holds no IKE_SA of its connection {@code name}. */
  private static Predicate<List<IkeSaInfo>> nothingOf(String name) {
    return sas -> sas.stream().noneMatch(s -> s.name().equals(name));
  }

  /** Charon holds one established IKE_SA of its connection {@code name}, without a CHILD_SA. */
  private static Predicate<List<IkeSaInfo>> ikeSaOnly(String name) {
    return sas -> {
      List<IkeSaInfo> of = sas.stream().filter(s -> s.name().equals(name)).toList();
      return of.size() == 1 && of.get(0).established() && of.get(0).children().isEmpty();
    };
  }

  static Stream<FailureCase> cases() {
    return Stream.of(
        // ---- charon initiates to our to-b (PSK, expecting identity 192.0.2.2) ----
        new FailureCase(
            "charon initiates with a wrong PSK",
            null,
            (conf, swanctl) ->
                conf.connection(
                        bad(IKE, ESP, LAN_A).localPsk(PEER_ADDRESS).remotePsk("alias.vpngw.test"))
                    // A secret of its own for this pair of identities, so charon uses it.
                    .ikeSecret(WRONG_PSK, PEER_ADDRESS, "alias.vpngw.test"),
            "bad",
            List.of("received AUTHENTICATION_FAILED notify error"),
            "exchange_failed",
            "does not verify (wrong pre-shared key)",
            "to-b",
            nothingOf("bad")),
        new FailureCase(
            "charon initiates under an identity we do not expect",
            null,
            (conf, swanctl) ->
                conf.connection(
                        bad(IKE, ESP, LAN_A).localPsk("intruder.vpngw.test").remotePsk(OUR_ADDRESS))
                    .ikeSecret(PSK, "intruder.vpngw.test", OUR_ADDRESS),
            "bad",
            List.of("received AUTHENTICATION_FAILED notify error"),
            "exchange_failed",
            "peer identity intruder.vpngw.test is not the configured 192.0.2.2",
            "to-b",
            nothingOf("bad")),
        new FailureCase(
            "charon initiates with no IKE proposal in common",
            null,
            (conf, swanctl) ->
                conf.connection(
                    bad("aes128-sha512-ecp521", ESP, LAN_A)
                        .localPsk(PEER_ADDRESS)
                        .remotePsk(OUR_ADDRESS)),
            "bad",
            List.of("received NO_PROPOSAL_CHOSEN notify error"),
            "exchange_failed",
            "no IKE proposal in common",
            "to-b",
            nothingOf("bad")),
        new FailureCase(
            "charon initiates a new IKE SA with no ESP proposal in common",
            null,
            (conf, swanctl) ->
                conf.connection(
                    bad(IKE, "aes256-sha384", LAN_A)
                        .localPsk(PEER_ADDRESS)
                        .remotePsk(OUR_ADDRESS)
                        // Any difference from the good connection's IKE settings, or charon
                        // would ask for the child SA on the good IKE SA (the next case).
                        .dpdDelay(Duration.ofSeconds(300))),
            "bad",
            List.of("received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"),
            "child_sa_failed",
            "no ESP proposal in common",
            "to-b",
            ikeSaOnly("bad")),
        new FailureCase(
            "charon asks on the good IKE SA for a child SA with traffic selectors outside our"
                + " policy",
            null,
            (conf, swanctl) ->
                conf.connection(
                    bad(IKE, ESP, "10.9.0.0/24").localPsk(PEER_ADDRESS).remotePsk(OUR_ADDRESS)),
            "bad",
            List.of("received TS_UNACCEPTABLE notify, no CHILD_SA built"),
            "exchange_failed",
            "outside our policy",
            "to-b",
            nothingOf("bad")),
        new FailureCase(
            "charon initiates and does not trust our certificate",
            caseDir -> ourCertificate(caseDir, OUR_UNTRUSTED_CERT, "responderOnly"),
            (conf, swanctl) -> {
              TRUSTED.writeCa(swanctl);
              TestPki.writeCredential(swanctl, CHARON_TRUSTED_CERT);
              conf.connection(
                  siteC(IKE, ESP, LAN_A)
                      .localCert(CHARON_TRUSTED_CERT.fileName(), SITE_C_ADDRESS)
                      .remoteCert(OUR_ADDRESS, TRUSTED.ca().fileName()));
            },
            "c",
            List.of("generating INFORMATIONAL request 2 [ N(AUTH_FAILED) ]"),
            "ike_sa_down",
            "peer refused our authentication (AUTHENTICATION_FAILED)",
            "to-c",
            nothingOf("c")),
        // ---- our to-c initiates to charon's second address ----
        new FailureCase(
            "we initiate with a wrong PSK",
            caseDir -> toC("sharedKey: " + yaml(PSK) + "\nlocalId: \"@gw-a.vpngw.test\"", IKE, ESP),
            (conf, swanctl) ->
                conf.connection(
                        siteC(IKE, ESP, LAN_A)
                            .localPsk(SITE_C_ADDRESS)
                            .remotePsk("gw-a.vpngw.test"))
                    .ikeSecret(WRONG_PSK, SITE_C_ADDRESS, "gw-a.vpngw.test"),
            null,
            List.of(
                "- 'gw-a.vpngw.test', but MAC mismatched",
                "generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]"),
            "exchange_failed",
            "peer answered AUTHENTICATION_FAILED",
            "to-c",
            nothingOf("c")),
        new FailureCase(
            "we initiate asking for an identity charon does not have",
            caseDir ->
                toC("sharedKey: " + yaml(PSK) + "\nremoteId: \"@gw-c.vpngw.test\"", IKE, ESP),
            (conf, swanctl) ->
                conf.connection(
                        siteC(IKE, ESP, LAN_A).localPsk(SITE_C_ADDRESS).remotePsk(OUR_ADDRESS))
                    .ikeSecret(PSK, SITE_C_ADDRESS, OUR_ADDRESS),
            null,
            List.of(
                "no matching peer config found",
                "generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]"),
            "exchange_failed",
            "peer answered AUTHENTICATION_FAILED",
            "to-c",
            nothingOf("c")),
        new FailureCase(
            "we initiate with no IKE proposal in common",
            caseDir -> toC("sharedKey: " + yaml(PSK), IKE, ESP),
            (conf, swanctl) ->
                conf.connection(
                        siteC("aes128gcm16-prfsha384-ecp384", ESP, LAN_A)
                            .localPsk(SITE_C_ADDRESS)
                            .remotePsk(OUR_ADDRESS))
                    .ikeSecret(PSK, SITE_C_ADDRESS, OUR_ADDRESS),
            null,
            List.of(
                "received proposals unacceptable",
                "generating IKE_SA_INIT response 0 [ N(NO_PROP) ]"),
            "exchange_failed",
            "peer answered NO_PROPOSAL_CHOSEN",
            "to-c",
            nothingOf("c")),
        new FailureCase(
            "we initiate with no ESP proposal in common",
            caseDir -> toC("sharedKey: " + yaml(PSK), IKE, ESP),
            (conf, swanctl) ->
                conf.connection(
                        siteC(IKE, "aes256-sha384", LAN_A)
                            .localPsk(SITE_C_ADDRESS)
                            .remotePsk(OUR_ADDRESS))
                    .ikeSecret(PSK, SITE_C_ADDRESS, OUR_ADDRESS),
            null,
            List.of("no acceptable proposal found", "failed to establish CHILD_SA, keeping IKE_SA"),
            "exchange_failed",
            "peer refused the child SA: NO_PROPOSAL_CHOSEN",
            "to-c",
            ikeSaOnly("c")),
        new FailureCase(
            "we initiate with traffic selectors outside charon's policy",
            caseDir -> toC("sharedKey: " + yaml(PSK), IKE, ESP),
            (conf, swanctl) ->
                conf.connection(
                        siteC(IKE, ESP, "10.9.0.0/24")
                            .localPsk(SITE_C_ADDRESS)
                            .remotePsk(OUR_ADDRESS))
                    .ikeSecret(PSK, SITE_C_ADDRESS, OUR_ADDRESS),
            null,
            List.of("N(TS_UNACCEPT)", "failed to establish CHILD_SA, keeping IKE_SA"),
            "exchange_failed",
            "peer refused the child SA: TS_UNACCEPTABLE",
            "to-c",
            ikeSaOnly("c")),
        new FailureCase(
            "we initiate and charon's certificate is not from our CA",
            caseDir -> ourCertificate(caseDir, OUR_CERT, "initiatorOnly"),
            (conf, swanctl) -> {
              TRUSTED.writeCa(swanctl);
              TestPki.writeCredential(swanctl, CHARON_UNTRUSTED_CERT);
              conf.connection(
                  siteC(IKE, ESP, LAN_A)
                      .localCert(CHARON_UNTRUSTED_CERT.fileName(), SITE_C_ADDRESS)
                      .remoteCert(OUR_ADDRESS, TRUSTED.ca().fileName()));
            },
            null,
            List.of("parsed INFORMATIONAL request 2 [ N(AUTH_FAILED) ]"),
            "exchange_failed",
            "peer's certificate does not validate",
            "to-c",
            nothingOf("c")));
  }

  /** Charon's failing connection towards our {@code to-b}, from the good one's address. */
  private static Connection bad(String ike, String esp, String remoteTs) {
    return new Connection("bad")
        .localAddrs(PEER_ADDRESS)
        .remoteAddrs(OUR_ADDRESS)
        .proposals(ike)
        .child(
            new Child("net")
                .localTs(LAN_B)
                .remoteTs(remoteTs)
                .espProposals(esp)
                .startAction("none"));
  }

  /** Charon's side of our {@code to-c}, on the second address. */
  private static Connection siteC(String ike, String esp, String remoteTs) {
    return new Connection("c")
        .localAddrs(SITE_C_ADDRESS)
        .remoteAddrs(OUR_ADDRESS)
        .proposals(ike)
        .child(
            new Child("net")
                .localTs(LAN_C)
                .remoteTs(remoteTs)
                .espProposals(esp)
                .startAction("none"));
  }

  /** Our {@code to-c}'s {@code ike} block: initiates, and the given authentication. */
  private static String toC(String auth, String ike, String esp) {
    return toC(auth, ike, esp, "initiatorOnly");
  }

  private static String toC(String auth, String ike, String esp, String mode) {
    return """
        %s
        connectionMode: %s
        ikeProposals: [%s]
        espProposals: [%s]
        """
        .formatted(auth, mode, ike, esp);
  }

  // The certificate cases' PKIs: the one both sides trust, and another one, which neither does.
  private static final TestPki TRUSTED =
      TestPki.create(
          "failure-trusted-ca", "C=CH, O=vpngw interop, CN=Trusted CA", KeyType.ECDSA_P256);
  private static final TestPki UNTRUSTED =
      TestPki.create("failure-other-ca", "C=CH, O=vpngw interop, CN=Other CA", KeyType.ECDSA_P256);
  private static final Credential OUR_CERT = gatewayCert(TRUSTED, "a", OUR_ADDRESS);
  private static final Credential OUR_UNTRUSTED_CERT = gatewayCert(UNTRUSTED, "a", OUR_ADDRESS);
  private static final Credential CHARON_TRUSTED_CERT = gatewayCert(TRUSTED, "c", SITE_C_ADDRESS);
  private static final Credential CHARON_UNTRUSTED_CERT =
      gatewayCert(UNTRUSTED, "c", SITE_C_ADDRESS);

  private static Credential gatewayCert(TestPki pki, String side, String address) {
    String ca = pki == TRUSTED ? "trusted" : "other";
    return pki.issue(
        "failure-gw-" + side + "-" + ca,
        "C=CH, O=vpngw interop, CN=gw-" + side,
        KeyType.ECDSA_P256,
        List.of(San.ip(address)));
  }

  /**
   * Our {@code to-c} with certificate {@code mine}, trusting only the CA charon's trusted
   * certificate comes from, expecting charon's second address as its identity.
   */
  private static String ourCertificate(Path caseDir, Credential mine, String mode) {
    Path cert = caseDir.resolve("cert.pem");
    Path key = caseDir.resolve("key.pem");
    Path ca = caseDir.resolve("ca.pem");
    TestPki.writeCertificates(cert, mine);
    TestPki.writePrivateKey(key, mine);
    TestPki.writeCertificates(ca, TRUSTED.ca());
    return toC(
        "certificate: {file: %s, key: %s, ca: %s}\nlocalId: %s\nremoteId: %s"
            .formatted(
                yaml(cert.toString()),
                yaml(key.toString()),
                yaml(ca.toString()),
                OUR_ADDRESS,
                SITE_C_ADDRESS),
        IKE,
        ESP,
        mode);
  }

  @BeforeAll
  void upTopologyAndCharon() throws IOException {
    topology = Topology.up(false);
    // Charon's second address, for the site our to-c connection reaches.
    Shell.check(
        Duration.ofSeconds(10),
        List.of(
            "ip", "-n", topology.ns("gwB"), "addr", "add", SITE_C_ADDRESS + "/24", "dev", "wan0"));
    peer =
        StrongSwan.start(
            topology.ns("gwB"),
            dir.resolve("charon"),
            new SwanctlConf().render(),
            StrongSwan.Options.defaults());
  }

  @AfterEach
  void deleteEverySa() throws IOException {
    try {
      peer.terminateAll();
    } finally {
      if (ours != null) {
        ours.close();
        ours = null;
      }
    }
  }

  @AfterAll
  void down() throws IOException {
    try {
      if (peer != null) {
        peer.close();
      }
    } finally {
      if (topology != null) {
        topology.close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedAndDisturbsNothing(FailureCase c) throws Exception {
    Path caseDir = Files.createDirectories(dir.resolve(c.name().replace(' ', '-')));
    Path swanctl = StrongSwan.swanctlDir(peer.stateDir());
    SwanctlConf goodOnly = good();
    peer.load(goodOnly.render());
    String toC = c.ourConnection() == null ? null : c.ourConnection().apply(caseDir);
    ours = GatewayProcess.start(topology.ns("gwA"), caseDir, "ours", gatewayConfig(caseDir, toC));

    // The good connection, up and carrying traffic before anything fails.
    peer.initiate("good", "net");
    assertTrue(peer.waitFor(Interop.established("good", "net"), SETTLE), why(ours, peer));
    Interop.awaitOurTunnel(ours, peer, SETTLE);
    Interop.assertPingsBothWays(topology, 2, ours, peer);
    IkeSaInfo before = Interop.onlySa(peer, "good");

    SwanctlConf withFailing = good();
    c.charon().accept(withFailing, swanctl);
    int charonMark = peer.log().length();
    int ourMark = ours.log().length();
    peer.load(withFailing.render());
    if (c.charonInitiates() != null) {
      assertThrows(
          IOException.class, () -> peer.initiate(c.charonInitiates(), "net"), why(ours, peer));
    }
    // Both logs tell the same story: charon's that the notify went out or came in, ours why.
    Shell.await(
        c.charonInitiates() == null ? RETRY : SETTLE,
        () -> {
          String charonSaw = peer.log().substring(charonMark);
          return c.charonSays().stream().allMatch(charonSaw::contains)
              && ourLine(c, ourMark) != null;
        },
        () -> "expected " + c.charonSays() + " and our " + c.ourEvent() + why(ours, peer));
    String line = ourLine(c, ourMark);
    assertEquals(c.ourSide(), Interop.field(line, "connection"), line);
    assertTrue(
        peer.waitFor(c.charonKeeps(), SETTLE),
        "charon keeps the wrong SAs: " + peer.listSas() + why(ours, peer));

    // Nothing else disturbed: the good connection has the same SAs and still carries traffic.
    Interop.assertPingsBothWays(topology, 2, ours, peer);
    IkeSaInfo after = Interop.onlySa(peer, "good");
    assertEquals(before.uniqueId(), after.uniqueId(), "the good IKE_SA was replaced");
    assertEquals(before.localSpi(), after.localSpi());
    assertEquals(before.installed("net").get(0).spiIn(), after.installed("net").get(0).spiIn());
    assertEquals(before.installed("net").get(0).spiOut(), after.installed("net").get(0).spiOut());
    assertTrue(
        ours.events("ike_sa_down").stream()
            .noneMatch(l -> l.contains(before.remoteSpi()) || l.contains(before.localSpi())),
        "our side took the good IKE SA down" + why(ours, peer));
    assertTrue(ours.events("child_sa_deleted").isEmpty(), why(ours, peer));
    Interop.assertNoKeyMaterial(ours.log(), peer.espKeys());
  }

  /** Our log line of {@code c.ourEvent()} after {@code mark} whose reason says why, or null. */
  private String ourLine(FailureCase c, int mark) {
    return ours.log()
        .substring(mark)
        .lines()
        .filter(l -> l.contains(" event=" + c.ourEvent() + " "))
        .filter(l -> String.valueOf(Interop.field(l, "reason")).contains(c.ourReason()))
        .findFirst()
        .orElse(null);
  }

  /** Charon's good connection to our {@code to-b}. */
  private static SwanctlConf good() {
    return new SwanctlConf()
        .connection(
            new Connection("good")
                .localAddrs(PEER_ADDRESS)
                .remoteAddrs(OUR_ADDRESS)
                .proposals(IKE)
                .localPsk(PEER_ADDRESS)
                .remotePsk(OUR_ADDRESS)
                .child(
                    new Child("net")
                        .localTs(LAN_B)
                        .remoteTs(LAN_A)
                        .espProposals(ESP)
                        .startAction("none")))
        .ikeSecret(PSK, PEER_ADDRESS, OUR_ADDRESS);
  }

  /**
   * Our gateway: {@code to-b} answers charon (PSK, expecting charon's address as identity), and,
   * when given, {@code to-c} with that {@code ike} block initiates to the second site.
   */
  private static String gatewayConfig(Path caseDir, String toC) {
    String yaml =
        """
        gateway:
          name: ours
          publicAddress: %s
          vnetPrefixes: [%s]
          runDirectory: %s
          workers: 1
        localNetworkGateways:
          - name: site-b
            gatewayAddress: %s
            addressPrefixes: [%s]
          - name: site-c
            gatewayAddress: %s
            addressPrefixes: [%s]
        connections:
          - name: to-b
            localNetworkGateway: site-b
            ike:
              sharedKey: %s
              remoteId: %s
              connectionMode: responderOnly
              ikeProposals: [%s]
              espProposals: [%s]
        """
            .formatted(
                OUR_ADDRESS,
                LAN_A,
                caseDir.resolve("run"),
                PEER_ADDRESS,
                LAN_B,
                SITE_C_ADDRESS,
                LAN_C,
                yaml(PSK),
                PEER_ADDRESS,
                IKE,
                ESP);
    if (toC == null) {
      return yaml;
    }
    return yaml
        + """
          - name: to-c
            localNetworkGateway: site-c
            ike:
        %s
        """
            .formatted(toC.indent(6).stripTrailing());
  }
}
