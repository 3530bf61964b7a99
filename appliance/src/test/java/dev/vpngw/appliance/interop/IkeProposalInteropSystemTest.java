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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The algorithms of issue 4 against strongSwan 5.9 (RFC 7296 3.3): every IKE key exchange group (2,
 * 14, 15, 16, 19, 20, 21, 24, 31), IKE encryption (AES-CBC-128/256, AES-GCM-128/256,
 * ChaCha20-Poly1305 and, as a legacy cipher, 3DES), PRF and integrity (SHA-1, SHA-256, SHA-384,
 * SHA-512) and ESP suite (AES-GCM-128/256, AES-CBC with SHA-1/SHA-256/SHA-512, ChaCha20-Poly1305,
 * which kernel-libipsec runs too), each at least once with our gateway responding and once with it
 * initiating. Our side offers everything (one configuration with all algorithms, so the responder
 * cases share one running gateway); charon offers or accepts exactly the case's proposal, so what
 * gets negotiated is what the case names, and each case checks that charon lists exactly that, that
 * we installed the same ESP suite, and that pings pass both ways.
 *
 * <p>Extended sequence numbers are not in the matrix: charon negotiates them, but its user-space
 * ESP (kernel-libipsec, the only ESP this kernel allows it) refuses to install an SA with ESN ("ESN
 * not supported"), so no such tunnel could carry traffic here.
 *
 * <p>As initiator our gateway offers its proposals in one order with one KE payload (Curve25519,
 * the first group), so most initiator cases also go through charon's INVALID_KE_PAYLOAD and our
 * retry with the group it asks for (RFC 7296 1.3).
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IkeProposalInteropSystemTest {
  private static final String PSK = "proposal-interop-psk-of-decent-length";
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String GROUPS =
      "curve25519-ecp256-ecp384-ecp521-modp2048-modp3072-modp4096-modp2048s256-modp1024";

  /** Our IKE proposals: every CBC combination, then every AEAD one, each with every group. */
  private static final List<String> OUR_IKE =
      List.of(
          "aes256-aes128-3des-sha256-sha384-sha512-sha1-" + GROUPS,
          "aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-prfsha1-"
              + GROUPS);

  /**
   * Our ESP proposals: the AEAD suites, then CBC with every integrity; without ESN preferred, as
   * charon offers it unless told otherwise.
   */
  private static final List<String> OUR_ESP =
      List.of(
          "aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn",
          "aes256-aes128-sha256-sha512-sha1-noesn-esn");

  // strongSwan's names of the algorithms, as swanctl --list-sas prints them.
  private static final Map<String, String> ENCRYPTION =
      Map.of(
          "aes128", "AES_CBC-128",
          "aes256", "AES_CBC-256",
          "3des", "3DES_CBC",
          "aes128gcm16", "AES_GCM_16-128",
          "aes256gcm16", "AES_GCM_16-256",
          "chacha20poly1305", "CHACHA20_POLY1305");
  private static final Map<String, String> INTEGRITY =
      Map.of(
          "sha1", "HMAC_SHA1_96",
          "sha256", "HMAC_SHA2_256_128",
          "sha384", "HMAC_SHA2_384_192",
          "sha512", "HMAC_SHA2_512_256");
  private static final Map<String, String> PRF =
      Map.of(
          "sha1", "PRF_HMAC_SHA1",
          "sha256", "PRF_HMAC_SHA2_256",
          "sha384", "PRF_HMAC_SHA2_384",
          "sha512", "PRF_HMAC_SHA2_512");
  private static final Map<String, Integer> GROUP_ID =
      Map.of(
          "modp1024", 2,
          "modp2048", 14,
          "modp3072", 15,
          "modp4096", 16,
          "modp2048s256", 24,
          "ecp256", 19,
          "ecp384", 20,
          "ecp521", 21,
          "curve25519", 31);
  private static final Map<String, String> GROUP =
      Map.of(
          "modp1024", "MODP_1024",
          "modp2048", "MODP_2048",
          "modp3072", "MODP_3072",
          "modp4096", "MODP_4096",
          "modp2048s256", "MODP_2048_256",
          "ecp256", "ECP_256",
          "ecp384", "ECP_384",
          "ecp521", "ECP_521",
          "curve25519", "CURVE_25519");

  // Our dataplane's names of the ESP suites, as our child_sa_installed line prints them.
  private static final Map<String, String> OUR_SUITE =
      Map.of(
          "aes128gcm16", "AES_GCM_16_128",
          "aes256gcm16", "AES_GCM_16_256",
          "chacha20poly1305", "CHACHA20_POLY1305",
          "aes128-sha1", "AES_CBC_128+HMAC_SHA1_96",
          "aes256-sha1", "AES_CBC_256+HMAC_SHA1_96",
          "aes256-sha256", "AES_CBC_256+HMAC_SHA2_256_128",
          "aes256-sha512", "AES_CBC_256+HMAC_SHA2_512_256");

  // Static: with one test instance for the class, the directory must exist before @BeforeAll.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private Topology topology;
  private StrongSwan peer;
  private GatewayProcess ours;
  private boolean oursResponds;

  /**
   * One case: charon's IKE and ESP proposal, one algorithm of each kind.
   *
   * @param weRespond whether charon initiates and we respond
   */
  record ProposalCase(boolean weRespond, String ike, String esp) {
    @Override
    public String toString() {
      return (weRespond ? "responder " : "initiator ") + ike + " / " + esp;
    }

    String connection() {
      return (weRespond ? "r-" : "i-") + ike + "-" + esp;
    }
  }

  /** Responder cases first: they share one gateway; each initiator case starts its own. */
  static Stream<ProposalCase> cases() {
    return Stream.of(
        new ProposalCase(true, "aes128-sha1-modp1024", "aes128-sha1"),
        new ProposalCase(true, "aes256-sha256-modp2048", "aes256-sha256"),
        new ProposalCase(true, "3des-sha1-modp3072", "aes128gcm16"),
        new ProposalCase(true, "aes256-sha512-modp4096", "aes256-sha512"),
        new ProposalCase(true, "aes128gcm16-prfsha256-ecp256", "aes256gcm16"),
        new ProposalCase(true, "aes256gcm16-prfsha384-ecp384", "chacha20poly1305"),
        new ProposalCase(true, "chacha20poly1305-prfsha512-ecp521", "aes128gcm16"),
        new ProposalCase(true, "aes128-sha384-modp2048s256", "aes256-sha256"),
        new ProposalCase(true, "aes256gcm16-prfsha1-curve25519", "aes256gcm16"),
        new ProposalCase(false, "aes256-sha1-modp1024", "aes256gcm16"),
        new ProposalCase(false, "3des-sha256-modp2048", "aes128-sha1"),
        new ProposalCase(false, "aes128-sha384-modp3072", "chacha20poly1305"),
        new ProposalCase(false, "aes128gcm16-prfsha512-modp4096", "aes256-sha512"),
        new ProposalCase(false, "aes256gcm16-prfsha256-ecp256", "aes128gcm16"),
        new ProposalCase(false, "chacha20poly1305-prfsha256-ecp384", "aes256-sha256"),
        new ProposalCase(false, "aes256-sha512-ecp521", "aes256gcm16"),
        new ProposalCase(false, "aes128gcm16-prfsha1-modp2048s256", "aes128gcm16"),
        new ProposalCase(false, "aes256-sha256-curve25519", "aes256-sha1"));
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
      peer.terminateAll();
    } finally {
      if (ours != null && !oursResponds) {
        ours.close();
        ours = null;
      }
    }
  }

  @AfterAll
  void down() throws IOException {
    try {
      if (ours != null) {
        ours.close();
      }
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
  void negotiates(ProposalCase c) throws Exception {
    String conn = c.connection();
    peer.load(
        new SwanctlConf()
            .connection(
                new Connection(conn)
                    .localAddrs(PEER_ADDRESS)
                    .remoteAddrs(OUR_ADDRESS)
                    .proposals(c.ike())
                    .localPsk(PEER_ADDRESS)
                    .remotePsk(OUR_ADDRESS)
                    .child(
                        new Child("net")
                            .localTs(LAN_B)
                            .remoteTs(LAN_A)
                            .espProposals(c.esp())
                            .startAction("none")))
            .ikeSecret(PSK, PEER_ADDRESS, OUR_ADDRESS)
            .render());
    int charonMark = peer.log().length();
    int ourMark;
    if (c.weRespond()) {
      responder();
      ourMark = ours.log().length();
      peer.initiate(conn, "net");
    } else {
      if (ours != null) {
        ours.close();
      }
      oursResponds = false;
      ourMark = 0;
      ours = start(conn, "initiatorOnly");
    }
    assertTrue(peer.waitFor(Interop.established(conn, "net"), SETTLE), why(ours, peer));
    String ourLog = awaitOurChild(ourMark);

    IkeSaInfo sa = Interop.onlySa(peer, conn);
    List<String> ike = List.of(c.ike().split("-"));
    boolean aead = ike.get(1).startsWith("prf");
    assertEquals(c.weRespond(), sa.initiator(), sa.toString());
    assertEquals(ENCRYPTION.get(ike.get(0)), sa.encryption(), c + why(ours, peer));
    assertEquals(aead ? "" : INTEGRITY.get(ike.get(1)), sa.integrity(), c.toString());
    assertEquals(PRF.get(aead ? ike.get(1).substring(3) : ike.get(1)), sa.prf(), c.toString());
    assertEquals(GROUP.get(ike.get(2)), sa.dhGroup(), c.toString());

    List<String> esp = List.of(c.esp().split("-"));
    ChildSaInfo child = sa.installed("net").get(0);
    assertEquals(ENCRYPTION.get(esp.get(0)), child.encryption(), c.toString());
    assertEquals(esp.size() > 1 ? INTEGRITY.get(esp.get(1)) : "", child.integrity(), c.toString());
    String installed =
        ourLog.lines().filter(l -> l.contains(" event=child_sa_installed ")).findFirst().get();
    assertEquals(OUR_SUITE.get(c.esp()), Interop.field(installed, "suite"), installed);
    assertEquals("false", Interop.field(installed, "esn"), installed);
    assertTrue(
        peer.log().substring(charonMark).contains("/NO_EXT_SEQ"),
        "charon did not select a proposal without ESN" + why(ours, peer));

    if (!c.weRespond() && !ike.get(2).equals("curve25519")) {
      // Our KE was for Curve25519; charon asked for its group and we came again with that.
      assertTrue(
          ourLog.contains(
              " event=invalid_ke connection=to-b offered=31 suggested=" + GROUP_ID.get(ike.get(2))),
          "no INVALID_KE_PAYLOAD retry" + why(ours, peer));
    }

    Interop.assertPingsBothWays(topology, 2, ours, peer);
    Interop.assertNoKeyMaterial(ours.log(), peer.espKeys());
  }

  /**
   * ESN negotiated with charon initiating: we choose it when it is all charon offers and install
   * our half with 64-bit sequence numbers; charon selects the same, fails to install its half in
   * kernel-libipsec and deletes the child SA, which we then remove too. The IKE SA stays (RFC 7296
   * 1.2: a failed child SA does not take the IKE SA with it).
   */
  @Test
  void extendedSequenceNumbersAreNegotiatedThoughKernelLibipsecCannotRunThem() throws Exception {
    String conn = "r-esn";
    peer.load(
        new SwanctlConf()
            .connection(
                new Connection(conn)
                    .localAddrs(PEER_ADDRESS)
                    .remoteAddrs(OUR_ADDRESS)
                    .proposals("aes256-sha256-modp2048")
                    .localPsk(PEER_ADDRESS)
                    .remotePsk(OUR_ADDRESS)
                    .child(
                        new Child("net")
                            .localTs(LAN_B)
                            .remoteTs(LAN_A)
                            .espProposals("aes256gcm16-esn")
                            .startAction("none")))
            .ikeSecret(PSK, PEER_ADDRESS, OUR_ADDRESS)
            .render());
    int charonMark = peer.log().length();
    responder();
    int ourMark = ours.log().length();
    IOException refused = assertThrows(IOException.class, () -> peer.initiate(conn, "net"));
    String charonSaw = peer.log().substring(charonMark);
    assertTrue(
        charonSaw.contains("selected proposal: ESP:AES_GCM_16_256/EXT_SEQ"), refused.getMessage());
    assertTrue(charonSaw.contains("IPsec SA: ESN not supported"), refused.getMessage());
    Shell.await(
        SETTLE,
        () -> {
          String since = ours.log().substring(ourMark);
          return since.contains(" esn=true ") && since.contains(" event=child_sa_deleted ");
        },
        () -> "we did not install an ESN child SA and drop it again" + why(ours, peer));
    assertTrue(
        peer.waitFor(
            sas ->
                sas.stream()
                    .anyMatch(
                        s -> s.name().equals(conn) && s.established() && s.children().isEmpty()),
            SETTLE),
        "the IKE_SA stays, without a child" + why(ours, peer));
  }

  /** Makes sure the one responding gateway of the responder cases runs. */
  private void responder() throws IOException {
    if (ours == null || !oursResponds) {
      if (ours != null) {
        ours.close();
      }
      ours = start("responder", "responderOnly");
      oursResponds = true;
    }
  }

  /** Waits for our child SA after {@code mark} in our log; returns that part of the log. */
  private String awaitOurChild(int mark) {
    List<String> seen = new ArrayList<>(1);
    Shell.await(
        SETTLE,
        () -> {
          String since = ours.log().substring(mark);
          seen.clear();
          seen.add(since);
          return since.contains(" event=ike_sa_established ")
              && since.contains(" event=child_sa_installed ");
        },
        () -> "our gateway installed no child SA" + why(ours, peer));
    return seen.get(0);
  }

  private GatewayProcess start(String name, String mode) throws IOException {
    Path caseDir = Files.createDirectories(dir.resolve(name));
    return GatewayProcess.start(
        topology.ns("gwA"),
        caseDir,
        "ours",
        Interop.gatewayConfig(
            caseDir,
            """
            sharedKey: %s
            connectionMode: %s
            allowLegacyCiphers: true
            ikeProposals: [%s]
            espProposals: [%s]
            """
                .formatted(
                    yaml(PSK), mode, String.join(", ", OUR_IKE), String.join(", ", OUR_ESP))));
  }
}
