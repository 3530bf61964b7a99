package dev.vpngw.appliance.interop;

import static dev.vpngw.appliance.interop.IkeDrops.CREATE_CHILD_SA;
import static dev.vpngw.appliance.interop.IkeDrops.IKE_AUTH;
import static dev.vpngw.appliance.interop.IkeDrops.deleteTable;
import static dev.vpngw.appliance.interop.IkeDrops.dropIn;
import static dev.vpngw.appliance.interop.IkeDrops.dropped;
import static dev.vpngw.appliance.interop.IkeDrops.ikeFrom;
import static dev.vpngw.appliance.interop.IkeDrops.replaceDrop;
import static dev.vpngw.appliance.interop.Interop.field;
import static dev.vpngw.appliance.interop.Interop.why;
import static dev.vpngw.appliance.interop.OurSide.assertNoEspDrops;
import static dev.vpngw.appliance.interop.OurSide.awaitPairs;
import static dev.vpngw.appliance.interop.OurSide.charonSaid;
import static dev.vpngw.appliance.interop.OurSide.ourChildren;
import static dev.vpngw.appliance.interop.OurSide.outboundPackets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child SAs against strongSwan 5.9 (charon with kernel-libipsec) beyond the first one: rekeys with
 * PFS started by either side, several child SAs under one IKE SA, duplicate requests answered from
 * the cached response, and rekey collisions (RFC 7296 2.8.1). Our gateway runs in gwA in front of
 * LAN A (10.1.0.0/24), charon in gwB in front of LAN B (10.2.0.0/24), as in {@link
 * IkeInteropSystemTest}. Where a case needs messages lost or held back, nftables rules in the
 * gateway namespaces drop IKE messages by exchange type and response flag, read from the IKE header
 * behind the non-ESP marker on port 4500 (kernel-libipsec always encapsulates, so after IKE_SA_INIT
 * every IKE message goes there). Its length (over the usual 600 lines) is the phases of these
 * scenarios, each spelled out where it happens; the shared parts are in {@link OurSide} and {@link
 * IkeDrops}.
 */
@Tag("system")
class IkeChildInteropSystemTest {
  static final String PSK = IkeInteropSystemTest.PSK;
  static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  // ---- configurations, also of IkeNatRouteInteropSystemTest ----

  /**
   * Our gateway's configuration: one IKE connection to one site.
   *
   * @param gatewayExtra extra {@code gateway:} fields, one per line, unindented
   */
  static String ourConfig(
      Path dir,
      String publicAddress,
      String vnetPrefixes,
      String peerAddress,
      String sitePrefixes,
      String ike,
      String gatewayExtra) {
    return """
        gateway:
          name: ours
          publicAddress: %s
          vnetPrefixes: [%s]
          runDirectory: %s
          keyLogDirectory: %s
          workers: 1
        %s
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
            publicAddress,
            vnetPrefixes,
            dir.resolve("run"),
            dir.resolve("keys/wireshark"),
            gatewayExtra.indent(2).stripTrailing(),
            peerAddress,
            sitePrefixes,
            Interop.OUR_CONNECTION,
            ike.indent(6).stripTrailing());
  }

  /** Our gateway A in gwA, LAN A behind it, charon's gwB as the one site with LAN B. */
  static GatewayProcess ours(Topology t, Path dir, String ike) throws IOException {
    return GatewayProcess.start(
        t.ns("gwA"),
        dir,
        "ours",
        ourConfig(
            dir, Interop.OUR_ADDRESS, Interop.LAN_A, Interop.PEER_ADDRESS, Interop.LAN_B, ike, ""));
  }

  /** A PSK {@code ike} block with these ESP proposals and extra lines. */
  static String ike(String espProposal, String extra) {
    return """
        sharedKey: "%s"
        ikeProposals: [aes256-sha256-modp2048]
        espProposals: [%s]
        %s"""
        .formatted(PSK, espProposal, extra.strip());
  }

  /** Charon's connection {@code s2s} to our gateway A, PSK by addresses, without children. */
  static Connection peerConnection() {
    return new Connection("s2s")
        .localAddrs(Interop.PEER_ADDRESS)
        .remoteAddrs(Interop.OUR_ADDRESS)
        .proposals("aes256-sha256-modp2048")
        .localPsk(Interop.PEER_ADDRESS)
        .remotePsk(Interop.OUR_ADDRESS);
  }

  static SwanctlConf peerConf(Connection c) {
    return new SwanctlConf()
        .connection(c)
        .ikeSecret(PSK, Interop.PEER_ADDRESS, Interop.OUR_ADDRESS);
  }

  static StrongSwan charon(Topology t, Path dir, SwanctlConf conf, StrongSwan.Options options)
      throws IOException {
    return StrongSwan.start(t.ns("gwB"), dir.resolve("charon"), conf.render(), options);
  }

  // ---- 1: child SA rekey with PFS ----

  /**
   * RFC 7296 1.3.3 with PFS: charon rekeys the child SA (swanctl --rekey), then our side does (its
   * child lifetime), each CREATE_CHILD_SA carrying a KE of MODP-2048 both ways. tshark, given only
   * our key log, decrypts the exchanges and finds the KE payloads; each rekey ends with new SPIs
   * and exactly one child SA pair on both sides, and traffic flows.
   */
  @Test
  void childRekeyWithPfsStartedByEitherSide() throws Exception {
    try (Topology t = Topology.up(false)) {
      Capture capture;
      try (Capture c = Capture.start(t.ns("gwA"), "wan0", dir.resolve("wan.pcap"), "udp");
          StrongSwan peer =
              charon(
                  t,
                  dir,
                  peerConf(
                      peerConnection()
                          .child(
                              new Child("net")
                                  .localTs(Interop.LAN_B)
                                  .remoteTs(Interop.LAN_A)
                                  .espProposals("aes128gcm16-modp2048")
                                  .startAction("none"))),
                  StrongSwan.Options.defaults());
          GatewayProcess ours =
              ours(
                  t,
                  dir,
                  ike(
                      "aes128gcm16-modp2048",
                      """
                      connectionMode: initiatorOnly
                      childLifetime: 30s
                      rekeyMargin: 18s
                      rekeyJitter: 0s"""))) {
        capture = c;
        awaitPairs(ours, peer, 1);
        ChildSaInfo first = Interop.onlySa(peer, "s2s").children().get(0);
        assertEquals("", first.dhGroup(), "no PFS group in IKE_AUTH: " + first);

        // (a) charon rekeys; we answer.
        peer.rekeyChild("net");
        Shell.await(
            SETTLE,
            () -> rekeysInstalled(ours, 1),
            () -> "charon's rekey not installed on our side" + why(ours, peer));
        awaitPairs(ours, peer, 1);
        ChildSaInfo second = Interop.onlySa(peer, "s2s").children().get(0);
        assertNotEquals(first.spiIn(), second.spiIn());
        assertNotEquals(first.spiOut(), second.spiOut());
        assertEquals("MODP_2048", second.dhGroup(), second.toString());
        assertFalse(
            charonSaid(peer, "generating CREATE_CHILD_SA request").stream()
                .filter(l -> l.contains("N(REKEY_SA)") && l.contains(" KE "))
                .toList()
                .isEmpty(),
            "charon's rekey request carried no KE" + why(ours, peer));
        Interop.assertPingsBothWays(t, 3, ours, peer);

        // (b) our child lifetime runs out (rekey 12 s after the child came); charon answers.
        Shell.await(
            SETTLE,
            () -> rekeysInstalled(ours, 2),
            () -> "our rekey did not happen" + why(ours, peer));
        awaitPairs(ours, peer, 1);
        ChildSaInfo third = Interop.onlySa(peer, "s2s").children().get(0);
        assertNotEquals(second.spiIn(), third.spiIn());
        assertNotEquals(second.spiOut(), third.spiOut());
        assertEquals("MODP_2048", third.dhGroup(), third.toString());
        assertFalse(
            charonSaid(peer, "parsed CREATE_CHILD_SA request").stream()
                .filter(l -> l.contains("N(REKEY_SA)") && l.contains(" KE "))
                .toList()
                .isEmpty(),
            "our rekey request carried no KE" + why(ours, peer));
        for (String line : ours.events("child_sa_installed").subList(1, 3)) {
          assertEquals("14", field(line, "pfs_group"), line);
        }
        Interop.assertPingsBothWays(t, 3, ours, peer);
        c.awaitFrames("isakmp.exchangetype == 36", 4);
      }
      // Two CREATE_CHILD_SA exchanges, each with a KE of group 14 in request and response.
      List<String> kes =
          capture.tshark(
              dir.resolve("keys"),
              "isakmp.exchangetype == 36",
              "ip.src",
              "isakmp.flag_r",
              "isakmp.key_exchange.dh_group");
      Set<String> withKe = new java.util.TreeSet<>();
      for (String l : kes) {
        String[] f = l.split("\t", -1);
        assertTrue(f.length == 3 && f[2].equals("14"), "a CREATE_CHILD_SA without a KE: " + kes);
        withKe.add(f[0] + (f[1].equals("1") ? " response" : " request"));
      }
      assertEquals(
          Set.of(
              "192.0.2.1 request", "192.0.2.1 response", "192.0.2.2 request", "192.0.2.2 response"),
          withKe,
          "KE payloads in the decrypted CREATE_CHILD_SA exchanges: " + kes);
    }
  }

  /** Our log shows {@code n} rekeys installed (child SAs with a {@code rekey_of}). */
  private static boolean rekeysInstalled(GatewayProcess ours, int n) {
    return ours.events("child_sa_installed").stream()
            .filter(l -> !"-".equals(field(l, "rekey_of")))
            .count()
        >= n;
  }

  // ---- 2: several child SAs under one IKE SA ----

  /** LAN B split in two halves, one child SA each; the second half gets hosts of its own. */
  private static void splitLanB(Topology t) throws IOException {
    // charon's route for the second child needs a source address inside its local selector.
    Shell.check(
        Duration.ofSeconds(10),
        Shell.inNamespace(t.ns("gwB"), "ip", "addr", "add", "10.2.0.129/24", "dev", "lan0"));
    Shell.check(
        Duration.ofSeconds(10),
        Shell.inNamespace(t.ns("lanB"), "ip", "addr", "add", "10.2.0.130/24", "dev", "lan0"));
  }

  private static SwanctlConf twoChildren() {
    return peerConf(
        peerConnection()
            .child(
                new Child("low")
                    .localTs("10.2.0.0/25")
                    .remoteTs(Interop.LAN_A)
                    .espProposals("aes128gcm16")
                    .startAction("none"))
            .child(
                new Child("high")
                    .localTs("10.2.0.128/25")
                    .remoteTs(Interop.LAN_A)
                    .espProposals("aes128gcm16")
                    .startAction("none")));
  }

  private static GatewayProcess oursWithPairs(Topology t, Path dir, String mode)
      throws IOException {
    return GatewayProcess.start(
        t.ns("gwA"),
        dir,
        "ours",
        ourConfig(
            dir,
            Interop.OUR_ADDRESS,
            Interop.LAN_A,
            Interop.PEER_ADDRESS,
            "10.2.0.0/25, 10.2.0.128/25",
            ike("aes128gcm16", "trafficSelectors: pairs\nconnectionMode: " + mode),
            ""));
  }

  @Test
  void oneChildSaPerPairUnderOneIkeSaWithUsInitiating() throws Exception {
    try (Topology t = Topology.up(false)) {
      splitLanB(t);
      try (StrongSwan peer = charon(t, dir, twoChildren(), StrongSwan.Options.defaults());
          GatewayProcess ours = oursWithPairs(t, dir, "initiatorOnly")) {
        assertEachPairCarriesItsOwnTraffic(t, ours, peer);
      }
    }
  }

  @Test
  void oneChildSaPerPairUnderOneIkeSaWithStrongSwanInitiating() throws Exception {
    try (Topology t = Topology.up(false)) {
      splitLanB(t);
      try (GatewayProcess ours = oursWithPairs(t, dir, "responderOnly");
          StrongSwan peer = charon(t, dir, twoChildren(), StrongSwan.Options.defaults())) {
        peer.initiate("low");
        peer.initiate("high");
        assertEachPairCarriesItsOwnTraffic(t, ours, peer);
      }
    }
  }

  /**
   * Charon lists both children installed under one IKE SA, we have two child SAs with one remote
   * half each, and pings to (and from) a host in each half go out on that half's child SA only: its
   * outbound packet counter in {@code gateway status --json} moves, the other's does not.
   */
  private void assertEachPairCarriesItsOwnTraffic(Topology t, GatewayProcess ours, StrongSwan peer)
      throws IOException {
    awaitPairs(ours, peer, 2);
    IkeSaInfo sa = Interop.onlySa(peer, "s2s");
    assertEquals(1, sa.installed("low").size(), sa.toString());
    assertEquals(1, sa.installed("high").size(), sa.toString());
    assertEquals(List.of("10.2.0.0/25"), sa.installed("low").get(0).localTs());
    assertEquals(List.of("10.2.0.128/25"), sa.installed("high").get(0).localTs());
    assertEquals(1, ours.events("ike_sa_established").size(), ours.log());
    Map<String, String> outByHalf = new HashMap<>();
    for (OurSide.OurChild c : ourChildren(ours)) {
      outByHalf.put(c.remoteTs(), c.spiOut());
    }
    String low = outByHalf.get("[10.2.0.0-10.2.0.127]");
    String high = outByHalf.get("[10.2.0.128-10.2.0.255]");
    assertTrue(low != null && high != null, "our child SAs: " + ourChildren(ours));
    assertEquals(sa.installed("low").get(0).spiIn(), low);
    assertEquals(sa.installed("high").get(0).spiIn(), high);

    Map<String, Long> before = outboundPackets(dir);
    assertTrue(t.ping("lanA", "10.2.0.2", 5), "lanA -> low half" + why(ours, peer));
    Map<String, Long> afterLow = outboundPackets(dir);
    assertTrue(afterLow.get(low) - before.get(low) >= 5, before + " -> " + afterLow);
    assertEquals(before.get(high), afterLow.get(high), "the high half's SA carried low traffic");

    assertTrue(t.ping("lanA", "10.2.0.130", 5), "lanA -> high half" + why(ours, peer));
    Map<String, Long> afterHigh = outboundPackets(dir);
    assertTrue(afterHigh.get(high) - afterLow.get(high) >= 5, afterLow + " -> " + afterHigh);
    assertEquals(afterLow.get(low), afterHigh.get(low), "the low half's SA carried high traffic");

    // And from each half: charon picks the child by the source, our replies by the destination.
    assertTrue(t.ping("lanB", "10.1.0.2", 3), "low half -> lanA" + why(ours, peer));
    assertTrue(
        t.exec(
                "lanB",
                Duration.ofSeconds(15),
                "ping",
                "-n",
                "-q",
                "-c",
                "3",
                "-i",
                "0.2",
                "-w",
                "6",
                "-I",
                "10.2.0.130",
                "10.1.0.2")
            .ok(),
        "high half -> lanA" + why(ours, peer));
    IkeSaInfo after = Interop.onlySa(peer, "s2s");
    assertTrue(after.installed("low").get(0).packetsIn() >= 8, after.toString());
    assertTrue(after.installed("high").get(0).packetsIn() >= 8, after.toString());
  }

  // ---- 3: duplicate requests answered from the cache ----

  /**
   * RFC 7296 2.1: our responses to charon's IKE_AUTH, and later to its CREATE_CHILD_SA (a rekey),
   * are dropped in gwB until charon has retransmitted the request and we have answered the
   * retransmission from our cache; then the path opens and charon's next retransmission gets the
   * cached response. Every response we sent for one message id is the same datagram, and neither
   * request was processed twice: one IKE SA, one child SA, then exactly one successor.
   */
  @Test
  void retransmittedRequestsAreAnsweredFromTheCachedResponse() throws Exception {
    try (Topology t = Topology.up(false)) {
      Capture capture;
      try (Capture c = Capture.start(t.ns("gwA"), "wan0", dir.resolve("wan.pcap"), "udp");
          GatewayProcess ours = ours(t, dir, ike("aes128gcm16", "connectionMode: responderOnly"));
          StrongSwan peer =
              charon(
                  t,
                  dir,
                  peerConf(
                      peerConnection()
                          .child(
                              new Child("net")
                                  .localTs(Interop.LAN_B)
                                  .remoteTs(Interop.LAN_A)
                                  .espProposals("aes128gcm16")
                                  .startAction("none"))),
                  // Retransmissions after 1, 2.5, 4.75 s and 8.1 s: enough to lose two answers.
                  StrongSwan.Options.defaults().withRetransmit(4, 1.0, 1.5))) {
        capture = c;
        dropIn(t, "gwB", "lossy", ikeFrom(Interop.OUR_ADDRESS, IKE_AUTH, true));
        CompletableFuture<Void> initiate =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    peer.initiate("net");
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                },
                task -> Thread.ofPlatform().daemon().start(task));
        awaitDuplicateAnswered(t, ours, peer, "IKE_AUTH");
        deleteTable(t, "gwB", "lossy");
        initiate.join();
        awaitPairs(ours, peer, 1);
        assertEquals(1, ours.events("ike_sa_established").size(), ours.log());
        assertEquals(1, ours.events("child_sa_installed").size(), ours.log());
        ChildSaInfo first = Interop.onlySa(peer, "s2s").children().get(0);

        dropIn(t, "gwB", "lossy", ikeFrom(Interop.OUR_ADDRESS, CREATE_CHILD_SA, true));
        peer.rekeyChild("net");
        awaitDuplicateAnswered(t, ours, peer, "CREATE_CHILD_SA");
        deleteTable(t, "gwB", "lossy");
        awaitPairs(ours, peer, 1);
        assertNotEquals(first.spiIn(), Interop.onlySa(peer, "s2s").children().get(0).spiIn());
        assertEquals(
            2, ours.events("child_sa_installed").size(), "one successor only" + ours.log());
        Interop.assertPingsBothWays(t, 3, ours, peer);
        c.awaitFrames("isakmp.exchangetype == 36 && isakmp.flag_r == 1", 3);
      }
      for (int exchange : new int[] {IKE_AUTH, CREATE_CHILD_SA}) {
        List<String> responses =
            capture.tshark(
                dir.resolve("keys"),
                "ip.src == 192.0.2.1 && isakmp.exchangetype == "
                    + exchange
                    + " && isakmp.flag_r == 1",
                "isakmp.messageid",
                "udp.payload");
        Map<String, Set<String>> byId =
            responses.stream()
                .map(l -> l.split("\t"))
                .collect(
                    Collectors.groupingBy(
                        f -> f[0], Collectors.mapping(f -> f[1], Collectors.toSet())));
        assertEquals(1, byId.size(), "responses of one message id only: " + byId.keySet());
        assertTrue(responses.size() >= 3, "three responses or more: " + responses.size());
        assertEquals(
            1,
            byId.values().iterator().next().size(),
            "every response to the retransmitted request is the same datagram");
      }
    }
  }

  /**
   * Waits until our log says a retransmission of charon's {@code exchange} request was answered
   * from the cache, after charon logged the retransmission.
   */
  private static void awaitDuplicateAnswered(
      Topology t, GatewayProcess ours, StrongSwan peer, String exchange) {
    Shell.await(
        Duration.ofSeconds(20),
        () -> {
          try {
            return ours.events("duplicate_request").stream()
                    .anyMatch(
                        l ->
                            exchange.equals(field(l, "exchange"))
                                && "cached response".equals(field(l, "answer")))
                // Our first response and the cached one, both lost on the way.
                && dropped(t, "gwB", "lossy") >= 2;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        () -> "no " + exchange + " answered from the cache and lost" + why(ours, peer));
    assertFalse(
        charonSaid(peer, "retransmit 1 of request").isEmpty(),
        "charon logged no retransmission" + why(ours, peer));
  }

  // ---- 4: rekey collisions ----

  /**
   * RFC 7296 2.8.1: both sides rekey the same child SA and the requests cross. Our rekey comes from
   * the child lifetime; once it is sent (and dropped), charon's is started with swanctl and dropped
   * too; then only responses are dropped, so each side receives the other's request while its own
   * is unanswered; once both have answered, the path opens and the retransmissions complete both
   * exchanges. Both sides then keep exactly one pair (the redundant SA of the lower nonce is
   * deleted by whoever made it), traffic flows, and no ESP reached us for an SA we had dropped.
   */
  @Test
  void simultaneousChildRekeysLeaveExactlyOnePair() throws Exception {
    try (Topology t = Topology.up(false);
        StrongSwan peer =
            charon(
                t,
                dir,
                peerConf(
                    peerConnection()
                        .child(
                            new Child("net")
                                .localTs(Interop.LAN_B)
                                .remoteTs(Interop.LAN_A)
                                .espProposals("aes128gcm16")
                                .startAction("none"))),
                // Its request waits for ours for a while: retransmit after 2, 5, 9.5, 16 s, ...
                StrongSwan.Options.defaults().withRetransmit(6, 2.0, 1.5));
        GatewayProcess ours =
            ours(
                t,
                dir,
                ike(
                    "aes128gcm16",
                    """
                    connectionMode: initiatorOnly
                    childLifetime: 90s
                    rekeyMargin: 75s
                    rekeyJitter: 0s
                    dpdDelay: 0s"""))) {
      awaitPairs(ours, peer, 1);
      ChildSaInfo first = Interop.onlySa(peer, "s2s").children().get(0);
      // Traffic both ways all along, so that an SA deleted too early would show as drops.
      Process pings =
          new ProcessBuilder(
                  Shell.inNamespace(t.ns("lanA"), "ping", "-n", "-q", "-i", "0.2", "10.2.0.2"))
              .redirectInput(Shell.NO_INPUT)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("ping.log").toFile())
              .start();
      dropIn(t, "gwA", "held", ikeFrom(Interop.PEER_ADDRESS, CREATE_CHILD_SA, null));
      dropIn(t, "gwB", "held", ikeFrom(Interop.OUR_ADDRESS, CREATE_CHILD_SA, null));
      // Our lifetime rekey (15 s after the child came) goes out and is held back.
      Shell.await(
          Duration.ofSeconds(30),
          () -> heldBack(t, "gwB"),
          () -> "our rekey request never left" + why(ours, peer));
      peer.rekeyChild("net");
      Shell.await(
          Duration.ofSeconds(10),
          () -> heldBack(t, "gwA"),
          () -> "charon's rekey request never left" + why(ours, peer));
      // Requests may pass now, responses not yet: both see the other's rekey with their own open.
      replaceDrop(t, "gwA", "held", ikeFrom(Interop.PEER_ADDRESS, CREATE_CHILD_SA, true));
      replaceDrop(t, "gwB", "held", ikeFrom(Interop.OUR_ADDRESS, CREATE_CHILD_SA, true));
      Shell.await(
          Duration.ofSeconds(30),
          () -> !ours.events("child_rekey_collision").isEmpty() && heldBack(t, "gwB"),
          () -> "we never answered charon's rekey with ours open" + why(ours, peer));
      Shell.await(
          Duration.ofSeconds(30),
          () -> !charonSaid(peer, "parsed CREATE_CHILD_SA request").isEmpty() && heldBack(t, "gwA"),
          () -> "charon never answered our rekey" + why(ours, peer));
      deleteTable(t, "gwA", "held");
      deleteTable(t, "gwB", "held");
      Shell.await(
          Duration.ofSeconds(40),
          () -> !ours.events("child_rekey_collision_resolved").isEmpty(),
          () -> "our rekey never completed" + why(ours, peer));
      awaitPairs(ours, peer, 1);
      ChildSaInfo kept = Interop.onlySa(peer, "s2s").children().get(0);
      assertNotEquals(first.spiIn(), kept.spiIn());
      assertFalse(
          charonSaid(peer, "collision").isEmpty(), "charon saw no collision" + why(ours, peer));
      // Both exchanges made a child SA; one of the two was deleted as redundant.
      assertEquals(3, ours.events("child_sa_installed").size(), ours.log());
      Interop.assertPingsBothWays(t, 5, ours, peer);
      pings.destroy();
      awaitPairs(ours, peer, 1);
      assertNoEspDrops(dir);
    }
  }

  /**
   * Both sides rekey the IKE SA at once (RFC 7296 2.8.1, 2.25), the requests crossing as in the
   * child case. Our rule: while our own IKE rekey is in flight a peer's is answered with
   * TEMPORARY_FAILURE, so only our new IKE SA comes about; charon detects the collision, takes the
   * answer ("peer did not notice IKE_SA rekey collision, abort active rekeying") and adopts our new
   * IKE SA; both sides end with one IKE SA, a new one, that carries the child SA and new exchanges.
   */
  @Test
  void simultaneousIkeRekeysLeaveExactlyOneIkeSa() throws Exception {
    try (Topology t = Topology.up(false);
        StrongSwan peer =
            charon(
                t,
                dir,
                peerConf(
                    peerConnection()
                        .child(
                            new Child("net")
                                .localTs(Interop.LAN_B)
                                .remoteTs(Interop.LAN_A)
                                .espProposals("aes128gcm16")
                                .startAction("none"))),
                StrongSwan.Options.defaults().withRetransmit(6, 2.0, 1.5));
        GatewayProcess ours =
            ours(
                t,
                dir,
                ike(
                    "aes128gcm16",
                    """
                    connectionMode: initiatorOnly
                    ikeLifetime: 90s
                    rekeyMargin: 80s
                    rekeyJitter: 0s
                    dpdDelay: 0s"""))) {
      awaitPairs(ours, peer, 1);
      IkeSaInfo first = Interop.onlySa(peer, "s2s");
      dropIn(t, "gwA", "held", ikeFrom(Interop.PEER_ADDRESS, CREATE_CHILD_SA, null));
      dropIn(t, "gwB", "held", ikeFrom(Interop.OUR_ADDRESS, CREATE_CHILD_SA, null));
      Shell.await(
          Duration.ofSeconds(30),
          () -> heldBack(t, "gwB"),
          () -> "our IKE rekey request never left" + why(ours, peer));
      peer.rekeyIke("s2s");
      Shell.await(
          Duration.ofSeconds(10),
          () -> heldBack(t, "gwA"),
          () -> "charon's IKE rekey request never left" + why(ours, peer));
      replaceDrop(t, "gwA", "held", ikeFrom(Interop.PEER_ADDRESS, CREATE_CHILD_SA, true));
      replaceDrop(t, "gwB", "held", ikeFrom(Interop.OUR_ADDRESS, CREATE_CHILD_SA, true));
      Shell.await(
          Duration.ofSeconds(30),
          () ->
              ours.log().contains("our own IKE SA rekey is in flight")
                  && !charonSaid(peer, "parsed CREATE_CHILD_SA request").isEmpty()
                  && heldBack(t, "gwA")
                  && heldBack(t, "gwB"),
          () -> "no crossing IKE rekeys" + why(ours, peer));
      deleteTable(t, "gwA", "held");
      deleteTable(t, "gwB", "held");
      Shell.await(
          Duration.ofSeconds(40),
          () -> ours.events("ike_sa_rekeyed").size() == 1,
          () -> "our IKE rekey never completed" + why(ours, peer));
      assertTrue(
          peer.waitFor(
              sas ->
                  sas.size() == 1
                      && sas.get(0).established()
                      && !sas.get(0).localSpi().equals(first.localSpi()),
              SETTLE),
          "charon keeps other than one new IKE SA: " + peer.listSas() + why(ours, peer));
      awaitPairs(ours, peer, 1);
      Interop.assertPingsBothWays(t, 3, ours, peer);
      // The new IKE SA carries exchanges: a child rekey over it.
      peer.rekeyChild("net");
      Shell.await(
          SETTLE,
          () -> rekeysInstalled(ours, 1),
          () -> "no child rekey on the new IKE SA" + why(ours, peer));
      awaitPairs(ours, peer, 1);
      assertEquals(1, Interop.sasOf(peer, "s2s").size(), peer.listSas().toString());
      assertEquals(1, ours.events("ike_sa_rekeyed").size(), ours.log());
      // The only IKE SA that went is the old one, deleted by us after our rekey.
      assertEquals(
          List.of("rekeyed"),
          ours.events("ike_sa_down").stream().map(l -> field(l, "reason")).toList(),
          ours.log());
      assertFalse(
          charonSaid(peer, "detected IKE_REKEY collision").isEmpty(),
          "charon saw no collision" + why(ours, peer));
    }
  }

  /** Whether the hold rules in {@code role} dropped anything yet. */
  private static boolean heldBack(Topology t, String role) {
    try {
      return dropped(t, role, "held") >= 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
