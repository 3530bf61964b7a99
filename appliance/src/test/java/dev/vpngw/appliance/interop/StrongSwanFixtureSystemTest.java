package dev.vpngw.appliance.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.appliance.interop.EspKey.Direction;
import dev.vpngw.appliance.interop.SwanctlConf.Child;
import dev.vpngw.appliance.interop.SwanctlConf.Connection;
import dev.vpngw.appliance.interop.TestPki.Credential;
import dev.vpngw.appliance.interop.TestPki.KeyType;
import dev.vpngw.appliance.interop.TestPki.San;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the strongSwan fixture itself, two charons talking to each other in the namespaces of
 * scripts/topology.sh: a PSK tunnel carries pings and both sides' logs yield the same ESP keys,
 * also after a rekey the responder started; an initiation towards a silent peer fails after the
 * configured retransmissions, with charon's words; ECDSA certificates from {@link TestPki}
 * authenticate; and a peer behind an nftables masquerade initiates, finds itself behind the NAT and
 * carries traffic from its LAN.
 */
@Tag("system")
class StrongSwanFixtureSystemTest {
  private static final String PSK = "interop-fixture-only-psk-0123456789";
  private static final Duration SETTLE = Duration.ofSeconds(15);

  /** Kept when a test fails: the charon logs and configurations are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private static Predicate<List<IkeSaInfo>> established(String child) {
    return sas ->
        sas.size() == 1 && sas.get(0).established() && sas.get(0).installed(child).size() == 1;
  }

  private static SwanctlConf pskConf(
      String local,
      String remote,
      String localId,
      String remoteId,
      String localTs,
      String remoteTs) {
    return new SwanctlConf()
        .connection(
            new Connection("s2s")
                .localAddrs(local)
                .remoteAddrs(remote)
                .proposals("aes256-sha256-modp2048")
                .localPsk(localId)
                .remotePsk(remoteId)
                .child(
                    new Child("net")
                        .localTs(localTs)
                        .remoteTs(remoteTs)
                        .espProposals("aes128gcm16")))
        .ikeSecret(PSK, localId, remoteId);
  }

  private static String logs(StrongSwan... swans) {
    StringBuilder b = new StringBuilder();
    for (StrongSwan s : swans) {
      b.append("\n===== charon in ").append(s.namespace()).append('\n').append(s.log());
    }
    return b.toString();
  }

  private static void assertEstablished(String child, StrongSwan... swans) {
    for (StrongSwan s : swans) {
      assertTrue(s.waitFor(established(child), SETTLE), "no established " + child + logs(swans));
    }
  }

  private static ChildSaInfo onlyChild(StrongSwan s) throws IOException {
    return s.listSas().get(0).installed("net").get(0);
  }

  private static EspKey key(StrongSwan s, String spi, Direction direction) {
    return s.espKeys().stream()
        .filter(k -> k.spi().equals(spi) && k.direction() == direction)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + direction + " key for " + spi + " in\n" + s.log()));
  }

  /** Both sides hold one key per SPI and direction, and A's outbound key is B's inbound one. */
  private static void assertKeysAgree(StrongSwan a, StrongSwan b) throws IOException {
    ChildSaInfo childA = onlyChild(a);
    ChildSaInfo childB = onlyChild(b);
    assertEquals(childA.spiOut(), childB.spiIn());
    assertEquals(childA.spiIn(), childB.spiOut());
    EspKey aOut = key(a, childA.spiOut(), Direction.OUTBOUND);
    EspKey aIn = key(a, childA.spiIn(), Direction.INBOUND);
    EspKey bIn = key(b, childB.spiIn(), Direction.INBOUND);
    EspKey bOut = key(b, childB.spiOut(), Direction.OUTBOUND);
    assertTrue(aOut.sameKeysAs(bIn), aOut + " vs " + bIn);
    assertTrue(aIn.sameKeysAs(bOut), aIn + " vs " + bOut);
    assertFalse(aOut.sameKeysAs(aIn), "both directions with one key: " + aOut);
    // AES-128-GCM: 16 key bytes and the 4-byte salt (RFC 4106 section 8.1).
    assertEquals("AES_GCM_16", aOut.encryption());
    assertEquals(20, aOut.encryptionKey().length);
    assertArrayEquals(new byte[0], aOut.integrityKey());
    assertEquals("192.0.2.1", aOut.source());
    assertEquals("192.0.2.2", aOut.destination());
    assertEquals("192.0.2.2", aIn.source());
  }

  @Test
  void pskTunnelCarriesPingsAndBothLogsGiveTheSameEspKeys() throws Exception {
    try (Topology t = Topology.up(false);
        StrongSwan a =
            StrongSwan.start(
                t.ns("gwA"),
                dir.resolve("A"),
                pskConf("192.0.2.1", "192.0.2.2", "gw-a", "gw-b", "10.1.0.0/24", "10.2.0.0/24")
                    .render(),
                StrongSwan.Options.defaults());
        StrongSwan b =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("B"),
                pskConf("192.0.2.2", "192.0.2.1", "gw-b", "gw-a", "10.2.0.0/24", "10.1.0.0/24")
                    .render(),
                StrongSwan.Options.defaults())) {
      a.initiate("net");
      assertEstablished("net", a, b);

      IkeSaInfo ikeA = a.listSas().get(0);
      IkeSaInfo ikeB = b.listSas().get(0);
      assertTrue(ikeA.initiator());
      assertFalse(ikeB.initiator());
      assertEquals(ikeA.localSpi(), ikeB.remoteSpi());
      assertEquals(ikeA.remoteSpi(), ikeB.localSpi());
      assertEquals("AES_CBC-256", ikeA.encryption());
      assertEquals("HMAC_SHA2_256_128", ikeA.integrity());
      assertEquals("PRF_HMAC_SHA2_256", ikeA.prf());
      assertEquals("MODP_2048", ikeA.dhGroup());
      assertEquals("gw-b", ikeA.remoteId());
      // kernel-libipsec fakes NAT detection (both see a "NATed" remote) but nobody is really
      // behind one, and IKE moved to 4500 on both ends.
      assertTrue(ikeA.natRemote() && ikeB.natRemote());
      assertFalse(ikeA.natLocal() || ikeB.natLocal());
      assertEquals(4500, ikeA.remotePort());
      ChildSaInfo childA = onlyChild(a);
      assertEquals("AES_GCM_16-128", childA.encryption());
      assertEquals("", childA.integrity());
      assertEquals("TUNNEL", childA.mode());
      assertTrue(childA.encap());
      assertEquals(List.of("10.1.0.0/24"), childA.localTs());
      assertEquals(List.of("10.2.0.0/24"), childA.remoteTs());

      assertTrue(t.ping("lanA", "10.2.0.2", 3), "ping lanA -> lanB" + logs(a, b));
      for (StrongSwan s : List.of(a, b)) {
        ChildSaInfo c = onlyChild(s);
        assertTrue(c.packetsIn() >= 3 && c.packetsOut() >= 3, c.toString());
        assertTrue(c.bytesIn() >= 3 * 84 && c.bytesOut() >= 3 * 84, c.toString());
      }
      assertKeysAgree(a, b);

      // A rekey started by the responder: the new outbound SA is installed by another thread
      // than the one that derived its keys, which the key recovery must not be fooled by.
      String oldSpi = childA.spiIn();
      b.rekeyChild("net");
      Predicate<List<IkeSaInfo>> rekeyed =
          established("net")
              .and(sas -> sas.get(0).children().size() == 1)
              .and(sas -> !sas.get(0).children().get(0).spiIn().equals(oldSpi))
              .and(sas -> !sas.get(0).children().get(0).spiOut().equals(oldSpi));
      assertTrue(a.waitFor(rekeyed, SETTLE), "child not rekeyed on A" + logs(a, b));
      assertTrue(b.waitFor(rekeyed, SETTLE), "child not rekeyed on B" + logs(a, b));
      assertKeysAgree(a, b);
      assertTrue(t.ping("lanA", "10.2.0.2", 2), "ping after the rekey" + logs(a, b));
    }
  }

  @Test
  void initiatingTowardsASilentPeerFailsAfterTheConfiguredRetransmissions() throws Exception {
    StrongSwan.Options quick = StrongSwan.Options.defaults().withRetransmit(2, 0.5, 1.5);
    try (Topology t = Topology.up(false);
        StrongSwan a =
            StrongSwan.start(
                t.ns("gwA"),
                dir.resolve("A"),
                pskConf("192.0.2.1", "192.0.2.2", "gw-a", "gw-b", "10.1.0.0/24", "10.2.0.0/24")
                    .render(),
                quick)) {
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, () -> a.initiate("net"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // 0.5 + 0.75 + 1.125 s of retransmissions, not charon's default of minutes.
      assertTrue(e.getMessage().contains("giving up after 2 retransmits"), e.getMessage());
      assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
      assertTrue(a.waitFor(List::isEmpty, SETTLE), "the failed IKE_SA is gone\n" + a.log());
    }
  }

  @Test
  void ecdsaCertificatesFromTestPkiAuthenticate() throws Exception {
    String caDn = "C=CH, O=vpngw interop, CN=Test CA";
    String dnB = "C=CH, O=vpngw interop, CN=gw-b";
    TestPki pki = TestPki.create("ca", caDn, KeyType.ECDSA_P256);
    Credential gwA =
        pki.issue(
            "gw-a",
            "C=CH, O=vpngw interop, CN=gw-a.vpngw.test",
            KeyType.ECDSA_P256,
            List.of(San.ip("192.0.2.1"), San.dns("gw-a.vpngw.test"), San.email("gw-a@vpngw.test")));
    Credential gwB =
        pki.issue(
            "gw-b",
            dnB,
            KeyType.ECDSA_P384,
            List.of(San.ip("192.0.2.2"), San.dns("gw-b.vpngw.test")));
    Path stateA = dir.resolve("A");
    Path stateB = dir.resolve("B");
    pki.writeCa(StrongSwan.swanctlDir(stateA));
    pki.writeCa(StrongSwan.swanctlDir(stateB));
    TestPki.writeCredential(StrongSwan.swanctlDir(stateA), gwA);
    TestPki.writeCredential(StrongSwan.swanctlDir(stateB), gwB);
    String confA =
        new SwanctlConf()
            .connection(
                new Connection("s2s")
                    .localAddrs("192.0.2.1")
                    .remoteAddrs("192.0.2.2")
                    .proposals("aes128gcm16-prfsha256-x25519")
                    .localCert(gwA.fileName(), "gw-a.vpngw.test")
                    .remoteCert(dnB, pki.ca().fileName())
                    .child(
                        new Child("net")
                            .localTs("10.1.0.0/24")
                            .remoteTs("10.2.0.0/24")
                            .espProposals("aes256gcm16")))
            .render();
    String confB =
        new SwanctlConf()
            .connection(
                new Connection("s2s")
                    .localAddrs("192.0.2.2")
                    .remoteAddrs("192.0.2.1")
                    .proposals("aes128gcm16-prfsha256-x25519")
                    .localCert(gwB.fileName(), dnB)
                    .remoteCert("gw-a.vpngw.test", pki.ca().fileName())
                    .child(
                        new Child("net")
                            .localTs("10.2.0.0/24")
                            .remoteTs("10.1.0.0/24")
                            .espProposals("aes256gcm16")))
            .render();
    try (Topology t = Topology.up(false);
        StrongSwan a = StrongSwan.start(t.ns("gwA"), stateA, confA, StrongSwan.Options.defaults());
        StrongSwan b =
            StrongSwan.start(t.ns("gwB"), stateB, confB, StrongSwan.Options.defaults())) {
      a.initiate("net");
      assertEstablished("net", a, b);
      IkeSaInfo ikeA = a.listSas().get(0);
      assertEquals(dnB, ikeA.remoteId());
      assertEquals("gw-a.vpngw.test", b.listSas().get(0).remoteId());
      assertEquals("CURVE_25519", ikeA.dhGroup());
      assertTrue(
          a.log().contains("authentication of '" + dnB + "' with ECDSA"),
          "B did not sign with ECDSA" + logs(a, b));
      assertTrue(t.ping("lanA", "10.2.0.2", 2), "ping lanA -> lanB" + logs(a, b));
    }
  }

  @Test
  void peerBehindMasqueradeInitiatesAndFindsItselfBehindTheNat() throws Exception {
    try (Topology t = Topology.up(true);
        StrongSwan a =
            StrongSwan.start(
                t.ns("gwA"),
                dir.resolve("A"),
                pskConf("192.0.2.1", "%any", "gw-a", "gw-b", "10.1.0.0/24", "10.2.0.0/24").render(),
                StrongSwan.Options.defaults());
        StrongSwan b =
            StrongSwan.start(
                t.ns("gwB"),
                dir.resolve("B"),
                pskConf("172.16.0.2", "192.0.2.1", "gw-b", "gw-a", "10.2.0.0/24", "10.1.0.0/24")
                    .render(),
                StrongSwan.Options.defaults())) {
      b.initiate("net");
      assertEstablished("net", a, b);
      IkeSaInfo ikeA = a.listSas().get(0);
      IkeSaInfo ikeB = b.listSas().get(0);
      assertFalse(ikeA.initiator());
      assertTrue(ikeA.natRemote(), "A does not see B behind a NAT: " + ikeA);
      assertEquals("192.0.2.2", ikeA.remoteHost(), "A sees B at the NAT's public address");
      // What kernel-libipsec's faked NAT detection cannot produce: B's own address did not
      // survive the trip, so B knows that it is the one behind the NAT.
      assertTrue(ikeB.natLocal(), "B does not find itself behind the NAT: " + ikeB);
      assertFalse(ikeA.natLocal(), "A is not behind a NAT: " + ikeA);
      assertEquals("172.16.0.2", ikeB.localHost());
      assertNotEquals(ikeB.localHost(), ikeA.remoteHost());
      assertTrue(t.ping("lanB", "10.1.0.2", 3), "ping lanB -> lanA" + logs(a, b));
      assertTrue(
          t.ping("lanA", "10.2.0.2", 2), "ping lanA -> lanB through the tunnel" + logs(a, b));
    }
  }
}
