package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.Interop.LAN_A;
import static dev.vpngw.appliance.interop.Interop.LAN_B;
import static dev.vpngw.appliance.interop.Interop.OUR_ADDRESS;
import static dev.vpngw.appliance.interop.Interop.PEER_ADDRESS;
import static dev.vpngw.appliance.interop.Interop.why;
import static dev.vpngw.appliance.interop.Interop.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IKE_AUTH against strongSwan 5.9 (RFC 7296 2.15, 3.5-3.8): our gateway as initiator and as
 * responder, authenticating with a pre-shared key, RSA certificates and ECDSA certificates on P-256
 * and P-384 (also with the two sides on different key types), under identities of every type we
 * support, IP address, FQDN, RFC 822 address and DN, which the certificates carry as subject and
 * subjectAltNames. Each case must end with an IKE_SA whose identities charon lists as configured, a
 * log line from charon saying our AUTH verified with the expected method, and pings both ways.
 *
 * <p>Two more cases send certificate chains (RSA 4096, an intermediate CA per side, each side
 * trusting only the root) that do not fit one datagram, so IKE_AUTH is fragmented (RFC 7383) both
 * ways: charon's log shows it reassembled our fragments and split its own, and that it could only
 * reach its root through the intermediate we sent, as we could only through charon's.
 *
 * <p>One topology and one charon serve all cases: each loads its own swanctl.conf and credentials
 * and starts our gateway afresh (it initiates only when it starts), and ends by deleting every SA.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IkeAuthInteropSystemTest {
  private static final String PSK = "auth-interop-psk-of-decent-length-7";
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String IKE_PROPOSAL = "aes256-sha256-ecp256";
  private static final String ESP_PROPOSAL = "aes256gcm16";
  private static final String DN_PREFIX = "C=CH, O=vpngw interop, CN=";

  // Static: with one test instance for the class, the directory must exist before @BeforeAll.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private Topology topology;
  private StrongSwan peer;
  private GatewayProcess ours;

  /** Which side starts the IKE_SA: we initiate, or charon does and we respond. */
  enum Role {
    INITIATOR,
    RESPONDER
  }

  /** An identity type, with the identity each side uses for it (as strongSwan writes it). */
  enum IdKind {
    IP(OUR_ADDRESS, PEER_ADDRESS),
    FQDN("gw-a.vpngw.test", "gw-b.vpngw.test"),
    RFC822("gw-a@vpngw.test", "gw-b@vpngw.test"),
    DN(DN_PREFIX + "gw-a", DN_PREFIX + "gw-b");

    final String ours;
    final String theirs;

    IdKind(String ours, String theirs) {
      this.ours = ours;
      this.theirs = theirs;
    }

    /** Our configuration's form: FQDNs with '@', so that the documented syntax is exercised. */
    String ourConfigForm(String id) {
      return this == FQDN ? "@" + id : id;
    }
  }

  /**
   * One case.
   *
   * @param ourKey our certificate's key, null for PSK
   * @param peerKey charon's certificate's key, null for PSK
   * @param mode our connectionMode
   */
  record AuthCase(Role role, IdKind id, KeyType ourKey, KeyType peerKey, String mode) {
    boolean psk() {
      return ourKey == null;
    }

    String name() {
      String auth =
          psk()
              ? "psk"
              : ourKey == peerKey ? keyName(ourKey) : keyName(ourKey) + "-" + keyName(peerKey);
      return role.name().toLowerCase() + "-" + auth + "-" + id.name().toLowerCase();
    }

    @Override
    public String toString() {
      return name() + " (" + mode + ")";
    }
  }

  static String keyName(KeyType k) {
    return switch (k) {
      case RSA_2048 -> "rsa";
      case RSA_4096 -> "rsa4096";
      case ECDSA_P256 -> "p256";
      case ECDSA_P384 -> "p384";
    };
  }

  /**
   * Every identity type and every authentication in both roles, each key type signing and verifying
   * on our side in both roles, and both initiating modes.
   */
  static Stream<AuthCase> cases() {
    return Stream.of(
        new AuthCase(Role.RESPONDER, IdKind.IP, null, null, "responderOnly"),
        new AuthCase(Role.RESPONDER, IdKind.FQDN, null, null, "responderOnly"),
        new AuthCase(
            Role.RESPONDER, IdKind.DN, KeyType.RSA_2048, KeyType.RSA_2048, "responderOnly"),
        new AuthCase(
            Role.RESPONDER, IdKind.RFC822, KeyType.ECDSA_P256, KeyType.ECDSA_P256, "responderOnly"),
        new AuthCase(
            Role.RESPONDER, IdKind.FQDN, KeyType.ECDSA_P384, KeyType.ECDSA_P384, "responderOnly"),
        new AuthCase(
            Role.RESPONDER, IdKind.IP, KeyType.RSA_2048, KeyType.ECDSA_P384, "responderOnly"),
        new AuthCase(Role.INITIATOR, IdKind.RFC822, null, null, "initiatorOnly"),
        new AuthCase(Role.INITIATOR, IdKind.DN, null, null, "both"),
        new AuthCase(
            Role.INITIATOR, IdKind.FQDN, KeyType.RSA_2048, KeyType.RSA_2048, "initiatorOnly"),
        new AuthCase(Role.INITIATOR, IdKind.DN, KeyType.ECDSA_P256, KeyType.ECDSA_P256, "both"),
        new AuthCase(
            Role.INITIATOR, IdKind.IP, KeyType.ECDSA_P384, KeyType.ECDSA_P384, "initiatorOnly"),
        new AuthCase(Role.INITIATOR, IdKind.RFC822, KeyType.ECDSA_P256, KeyType.RSA_2048, "both"));
  }

  @BeforeAll
  void upTopologyAndCharon() throws IOException {
    topology = Topology.up(false);
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
      // While our gateway still runs, so that it hears charon's deletes and keeps no SA either.
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
  void authenticates(AuthCase c) throws Exception {
    Path caseDir = Files.createDirectories(dir.resolve(c.name()));
    String conn = c.name();
    Path swanctl = StrongSwan.swanctlDir(peer.stateDir());
    Connection connection =
        new Connection(conn)
            .localAddrs(PEER_ADDRESS)
            .remoteAddrs(OUR_ADDRESS)
            .proposals(IKE_PROPOSAL)
            .child(
                new Child("net")
                    .localTs(LAN_B)
                    .remoteTs(LAN_A)
                    .espProposals(ESP_PROPOSAL)
                    .startAction("none"));
    SwanctlConf conf = new SwanctlConf().connection(connection);
    String auth;
    if (c.psk()) {
      connection.localPsk(c.id().theirs).remotePsk(c.id().ours);
      conf.ikeSecret(PSK, c.id().theirs, c.id().ours);
      auth = "sharedKey: " + yaml(PSK);
    } else {
      TestPki pki = TestPki.create(conn + "-ca", DN_PREFIX + conn + " CA", c.ourKey());
      Credential mine = pki.issue(conn + "-gw-a", IdKind.DN.ours, c.ourKey(), sans("a"));
      Credential theirs = pki.issue(conn + "-gw-b", IdKind.DN.theirs, c.peerKey(), sans("b"));
      pki.writeCa(swanctl);
      TestPki.writeCredential(swanctl, theirs);
      connection
          .localCert(theirs.fileName(), c.id().theirs)
          .remoteCert(c.id().ours, pki.ca().fileName());
      auth = ourCertificate(caseDir, pki, mine);
    }
    peer.load(conf.render());
    int mark = peer.log().length();

    ours =
        GatewayProcess.start(
            topology.ns("gwA"),
            caseDir,
            "ours",
            Interop.gatewayConfig(
                caseDir,
                """
                %s
                localId: %s
                remoteId: %s
                connectionMode: %s
                ikeProposals: [%s]
                espProposals: [%s]
                """
                    .formatted(
                        auth,
                        yaml(c.id().ourConfigForm(c.id().ours)),
                        yaml(c.id().theirs),
                        c.mode(),
                        IKE_PROPOSAL,
                        ESP_PROPOSAL)));
    if (c.role() == Role.RESPONDER) {
      peer.initiate(conn, "net");
    }
    assertTrue(peer.waitFor(Interop.established(conn, "net"), SETTLE), why(ours, peer));
    Interop.awaitOurTunnel(ours, peer, SETTLE);

    IkeSaInfo sa = Interop.onlySa(peer, conn);
    assertEquals(c.role() == Role.RESPONDER, sa.initiator(), sa.toString());
    assertEquals(c.id().theirs, sa.localId());
    assertEquals(c.id().ours, sa.remoteId(), "the identity we proved" + why(ours, peer));
    assertEquals("AES_CBC-256", sa.encryption());
    assertEquals("PRF_HMAC_SHA2_256", sa.prf());
    assertEquals("ECP_256", sa.dhGroup());
    assertEquals("AES_GCM_16-256", sa.installed("net").get(0).encryption());
    String charonSaw = peer.log().substring(mark);
    // RFC 7427 signatures (both sides announce SIGNATURE_HASH_ALGORITHMS), by our key's type.
    String method =
        c.psk()
            ? "pre-shared key"
            : switch (c.ourKey()) {
              case RSA_2048, RSA_4096 -> "RSA_EMSA_PKCS1_SHA2_256";
              case ECDSA_P256 -> "ECDSA_WITH_SHA256_DER";
              case ECDSA_P384 -> "ECDSA_WITH_SHA384_DER";
            };
    assertTrue(
        charonSaw.contains(
            "authentication of '" + c.id().ours + "' with " + method + " successful"),
        "charon did not verify our AUTH with " + method + why(ours, peer));

    String line = ourEstablishedLine(c);
    assertEquals(
        c.id().theirs, Interop.field(line, "peer_id"), "our log names the peer as charon does");
    assertEquals(c.psk() ? "psk" : "pubkey", Interop.field(line, "auth"), line);

    Interop.assertPingsBothWays(topology, 3, ours, peer);
    Interop.assertNoKeyMaterial(ours.log(), peer.espKeys());
  }

  @Test
  void fragmentedCertificateChainsWithUsResponding() throws Exception {
    fragmentedChains(Role.RESPONDER);
  }

  @Test
  void fragmentedCertificateChainsWithUsInitiating() throws Exception {
    fragmentedChains(Role.INITIATOR);
  }

  /**
   * The PKI of the fragmentation cases, made once (RSA 4096 keys take seconds on a busy machine):
   * one root, an intermediate per side, and RSA 4096 end entities under them.
   */
  private record ChainPki(
      TestPki root, TestPki subA, TestPki subB, Credential mine, Credential theirs) {}

  private ChainPki chainPki;

  private ChainPki chainPki() {
    if (chainPki == null) {
      TestPki root = TestPki.create("frag-root", DN_PREFIX + "Root CA", KeyType.ECDSA_P256);
      TestPki subA = root.intermediate("frag-sub-a", DN_PREFIX + "Sub A", KeyType.RSA_2048);
      TestPki subB = root.intermediate("frag-sub-b", DN_PREFIX + "Sub B", KeyType.RSA_2048);
      chainPki =
          new ChainPki(
              root,
              subA,
              subB,
              subA.issue("frag-gw-a", DN_PREFIX + "gw-a", KeyType.RSA_4096, sans("a")),
              subB.issue("frag-gw-b", DN_PREFIX + "gw-b", KeyType.RSA_4096, sans("b")));
    }
    return chainPki;
  }

  /**
   * RSA 4096 end entities under an intermediate each, one root trusted by both sides: each IKE_AUTH
   * carries two certificates and a 512-byte signature, far over our 1200-byte fragment size and
   * charon's 1280.
   */
  private void fragmentedChains(Role role) throws Exception {
    String conn = "frag-" + role.name().toLowerCase();
    Path caseDir = Files.createDirectories(dir.resolve(conn));
    Path swanctl = StrongSwan.swanctlDir(peer.stateDir());
    ChainPki pki = chainPki();
    TestPki root = pki.root();
    TestPki subA = pki.subA();
    TestPki subB = pki.subB();
    Credential mine = pki.mine();
    Credential theirs = pki.theirs();
    String idA = DN_PREFIX + "gw-a";
    String idB = DN_PREFIX + "gw-b";
    // charon holds its own intermediate (to build its chain) and the root, not ours: it can only
    // validate us with the intermediate we send. We trust the root alone, likewise.
    root.writeCa(swanctl);
    subB.writeCa(swanctl);
    TestPki.writeCredential(swanctl, theirs);
    peer.load(
        new SwanctlConf()
            .connection(
                new Connection(conn)
                    .localAddrs(PEER_ADDRESS)
                    .remoteAddrs(OUR_ADDRESS)
                    .proposals(IKE_PROPOSAL)
                    .fragmentation("yes")
                    .localCert(theirs.fileName(), idB)
                    .remoteCert(idA, root.ca().fileName())
                    .child(
                        new Child("net")
                            .localTs(LAN_B)
                            .remoteTs(LAN_A)
                            .espProposals(ESP_PROPOSAL)
                            .startAction("none")))
            .render());
    Path chain = caseDir.resolve("chain.pem");
    Path key = caseDir.resolve("key.pem");
    Path ca = caseDir.resolve("ca.pem");
    TestPki.writeCertificates(chain, mine, subA.ca());
    TestPki.writePrivateKey(key, mine);
    TestPki.writeCertificates(ca, root.ca());
    int mark = peer.log().length();

    ours =
        GatewayProcess.start(
            topology.ns("gwA"),
            caseDir,
            "ours",
            Interop.gatewayConfig(
                caseDir,
                """
                certificate: {file: %s, key: %s, ca: %s}
                remoteId: %s
                connectionMode: %s
                ikeProposals: [%s]
                espProposals: [%s]
                """
                    .formatted(
                        yaml(chain.toString()),
                        yaml(key.toString()),
                        yaml(ca.toString()),
                        yaml(idB),
                        role == Role.RESPONDER ? "responderOnly" : "initiatorOnly",
                        IKE_PROPOSAL,
                        ESP_PROPOSAL)));
    if (role == Role.RESPONDER) {
      peer.initiate(conn, "net");
    }
    assertTrue(peer.waitFor(Interop.established(conn, "net"), SETTLE), why(ours, peer));
    Interop.awaitOurTunnel(ours, peer, SETTLE);
    String charonSaw = peer.log().substring(mark);
    // Our IKE_AUTH arrived in pieces and was put together again...
    assertTrue(
        Pattern.compile("received fragment #\\d+ of [2-9]").matcher(charonSaw).find(),
        "charon received no fragments from us" + why(ours, peer));
    assertTrue(charonSaw.contains("reassembled fragmented IKE message"), why(ours, peer));
    // ... charon's was split, and we reassembled it (or nothing would be established) ...
    assertTrue(
        charonSaw.contains("splitting IKE message"),
        "charon sent its IKE_AUTH unfragmented" + why(ours, peer));
    // ... and each side reached the root only through the other's intermediate.
    assertTrue(
        charonSaw.contains("received issuer cert \"" + DN_PREFIX + "Sub A\""),
        "we did not send our intermediate" + why(ours, peer));
    assertTrue(
        charonSaw.contains("sending issuer cert \"" + DN_PREFIX + "Sub B\""),
        "charon did not send its intermediate" + why(ours, peer));
    assertTrue(
        charonSaw.contains("authentication of '" + idA + "' with RSA_EMSA_PKCS1_SHA2_256"),
        "charon did not verify our RSA AUTH" + why(ours, peer));
    assertEquals(idA, Interop.onlySa(peer, conn).remoteId());
    Interop.assertPingsBothWays(topology, 3, ours, peer);
    Interop.assertNoKeyMaterial(ours.log(), peer.espKeys());
  }

  /** subjectAltNames of every identity type for gateway {@code side} ("a" or "b"). */
  private static List<San> sans(String side) {
    return List.of(
        San.ip(side.equals("a") ? OUR_ADDRESS : PEER_ADDRESS),
        San.dns("gw-" + side + ".vpngw.test"),
        San.email("gw-" + side + "@vpngw.test"));
  }

  /** Writes our certificate, key and CA files and returns the {@code certificate} YAML line. */
  private static String ourCertificate(Path caseDir, TestPki pki, Credential mine) {
    Path cert = caseDir.resolve("cert.pem");
    Path key = caseDir.resolve("key.pem");
    Path ca = caseDir.resolve("ca.pem");
    TestPki.writeCertificates(cert, mine);
    TestPki.writePrivateKey(key, mine);
    TestPki.writeCertificates(ca, pki.ca());
    return "certificate: {file: %s, key: %s, ca: %s}"
        .formatted(yaml(cert.toString()), yaml(key.toString()), yaml(ca.toString()));
  }

  private String ourEstablishedLine(AuthCase c) {
    List<String> lines = ours.events("ike_sa_established");
    assertEquals(1, lines.size(), "one IKE SA established" + why(ours, peer));
    String line = lines.get(0);
    assertEquals(
        c.role() == Role.INITIATOR ? "initiator" : "responder", Interop.field(line, "role"), line);
    return line;
  }
}
