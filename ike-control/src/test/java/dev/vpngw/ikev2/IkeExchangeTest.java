package dev.vpngw.ikev2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import dev.vpngw.sa.SaConfig;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two of our IKE daemons talking through an in-memory wire, step by step, as RFC 7296 describes
 * each exchange. Interop with strongSwan is proven by the system tests; this proves the logic,
 * including the cases a real peer rarely produces on demand (collisions, lost messages, cookies).
 */
class IkeExchangeTest {
  private static IkePair pair(IkePair.Builder a, IkePair.Builder b) {
    return new IkePair(a.build(), b.build(), IkePair.settings());
  }

  private static IkePair.Builder a() {
    return IkePair.connection("a-to-b", IkePair.A_ADDRESS, IkePair.B_ADDRESS);
  }

  private static IkePair.Builder b() {
    return IkePair.connection("b-to-a", IkePair.B_ADDRESS, IkePair.A_ADDRESS)
        .mode(ConnectionMode.RESPONDER_ONLY);
  }

  private static IkeSa only(IkeDaemon d) {
    List<IkeSa> sas = d.ikeSas();
    assertEquals(1, sas.size(), "IKE SAs: " + sas);
    return sas.get(0);
  }

  /** A's outbound SA is B's inbound SA with the same keys, and the other way round. */
  private static void assertPaired(MemoryInstaller x, MemoryInstaller y) {
    assertEquals(1, x.tunnels.size(), "tunnels " + x.tunnels.keySet());
    assertEquals(1, y.tunnels.size(), "tunnels " + y.tunnels.keySet());
    MemoryInstaller.Tunnel tx = x.tunnels.values().iterator().next();
    MemoryInstaller.Tunnel ty = y.tunnels.values().iterator().next();
    assertNotNull(tx.outbound);
    assertNotNull(ty.outbound);
    SaConfig yIn = ty.inbound.get(tx.outbound.spi());
    SaConfig xIn = tx.inbound.get(ty.outbound.spi());
    assertNotNull(yIn, "peer has no inbound SA for our outbound SPI");
    assertNotNull(xIn, "we have no inbound SA for the peer's outbound SPI");
    assertArrayEquals(tx.outbound.encryptionKey(), yIn.encryptionKey());
    assertArrayEquals(ty.outbound.encryptionKey(), xIn.encryptionKey());
    assertArrayEquals(tx.outbound.integrityKey(), yIn.integrityKey());
    assertNotEquals(
        ByteBuffer.wrap(tx.outbound.encryptionKey()), ByteBuffer.wrap(ty.outbound.encryptionKey()));
  }

  private static int exchanges(IkePair p, int exchangeType, boolean response) {
    int n = 0;
    for (IkePair.Datagram d : p.sent) {
      if (d.keepalive()) {
        continue;
      }
      int type = d.data()[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff;
      boolean r = (d.data()[IkeHeader.FLAGS_OFFSET] & IkeHeader.FLAG_RESPONSE) != 0;
      if (type == exchangeType && r == response) {
        n++;
      }
    }
    return n;
  }

  @Test
  void pskInitiatorAndResponderEstablishOneChildSaWithMatchingKeys() {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    IkeSa sa = only(p.a);
    IkeSa sb = only(p.b);
    assertEquals(IkeSaState.ESTABLISHED, sa.state());
    assertEquals(IkeSaState.ESTABLISHED, sb.state());
    assertEquals(sa.initiatorSpi(), sb.initiatorSpi());
    assertEquals(sa.responderSpi(), sb.responderSpi());
    assertPaired(p.installerA, p.installerB);
    assertEquals(1, exchanges(p, ExchangeType.IKE_SA_INIT, false));
    assertEquals(1, exchanges(p, ExchangeType.IKE_AUTH, true));
  }

  @Test
  void everyProposalFamilyNegotiates() {
    for (String[] c :
        new String[][] {
          {"aes128-sha1-modp1024", "aes256-sha1"},
          {"aes256-sha384-modp3072", "aes256-sha256"},
          {"aes128gcm16-prfsha256-ecp256", "aes256gcm16"},
          {"aes256gcm16-prfsha384-ecp384", "chacha20poly1305"},
          {"chacha20poly1305-prfsha512-curve25519", "aes128gcm16-esn"},
          {"aes256-sha512-ecp521", "aes128-sha512"},
          {"aes128-sha256-modp2048s256", "aes256gcm16"},
          {"3des-sha1-modp1024", "3des-sha1"},
        }) {
      IkePair p = pair(a().ike(c[0]).esp(c[1]), b().ike(c[0]).esp(c[1]));
      p.a.start();
      p.deliver();
      assertEquals(IkeSaState.ESTABLISHED, only(p.a).state(), String.join(" / ", c) + " " + p.logA);
      assertPaired(p.installerA, p.installerB);
    }
  }

  @Test
  void wrongPskIsRefusedWithAuthenticationFailedAndLeavesNothing() {
    IkePair p = pair(a(), b().psk("a different secret entirely"));
    p.a.start();
    p.deliver();
    assertTrue(p.b.ikeSas().isEmpty(), "responder keeps no SA");
    assertTrue(p.a.ikeSas().isEmpty(), "initiator keeps no SA");
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
    assertTrue(
        p.logB.stream().anyMatch(l -> l.contains("AUTHENTICATION_FAILED") && l.contains("PSK")),
        String.join("\n", p.logB));
  }

  @Test
  void anInitiatorThatRefusesTheResponderTellsItSoNeitherKeepsAnSa() {
    // A expects an identity B does not have: B authenticates fine and sees the IKE SA up when it
    // sends its IKE_AUTH response, A refuses it.
    IkePair p = pair(a().remoteId(Identity.parse("@not-b.example")), b());
    p.a.start();
    p.deliver();
    /* INFORMATIONAL { N(AUTHENTICATION_FAILED) } --> (RFC 7296 2.21.2) */
    assertEquals(1, exchanges(p, ExchangeType.INFORMATIONAL, false));
    assertTrue(p.a.ikeSas().isEmpty(), "initiator keeps no SA");
    assertTrue(p.b.ikeSas().isEmpty(), "responder keeps no SA: " + String.join("\n", p.logB));
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
    assertTrue(
        p.logA.stream()
            .anyMatch(
                l -> l.contains("notify=AUTHENTICATION_FAILED") && l.contains("not-b.example")),
        String.join("\n", p.logA));
    assertTrue(
        p.logB.stream()
            .anyMatch(
                l ->
                    l.contains("event=ike_sa_down")
                        && l.contains("peer refused our authentication")),
        String.join("\n", p.logB));
  }

  @Test
  void noCommonProposalIsRefusedWithNoProposalChosen() {
    IkePair p = pair(a().ike("aes128-sha1-modp2048"), b().ike("aes256gcm16-prfsha384-ecp384"));
    p.a.start();
    p.deliver();
    assertTrue(p.a.ikeSas().isEmpty() && p.b.ikeSas().isEmpty());
    assertTrue(
        p.logA.stream().anyMatch(l -> l.contains("NO_PROPOSAL_CHOSEN")), String.join("\n", p.logA));
  }

  @Test
  void invalidKePayloadMakesTheInitiatorRetryWithTheSuggestedGroup() {
    IkePair p =
        pair(
            a().ikeProposals(List.of("aes256-sha256-modp2048-ecp256")),
            b().ike("aes256-sha256-ecp256"));
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.ESTABLISHED, only(p.a).state(), String.join("\n", p.logA));
    assertEquals(2, exchanges(p, ExchangeType.IKE_SA_INIT, false), "one retry");
    assertTrue(p.logA.stream().anyMatch(l -> l.contains("invalid_ke")));
  }

  @Test
  void cookieIsDemandedAboveTheThresholdAndTheRetryIsAccepted() {
    IkeSettings s = IkePair.settings();
    IkeSettings always =
        new IkeSettings(s.retransmission(), 0, s.natKeepalive(), s.retryInterval());
    IkePair p = new IkePair(a().build(), b().build(), always);
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.ESTABLISHED, only(p.a).state(), String.join("\n", p.logA));
    assertEquals(2, exchanges(p, ExchangeType.IKE_SA_INIT, false));
    assertTrue(p.logA.stream().anyMatch(l -> l.contains("cookie_requested")));
  }

  @Test
  void lostResponseIsAnsweredFromTheCacheOnRetransmission() {
    IkePair p = pair(a(), b());
    AtomicInteger authResponses = new AtomicInteger();
    p.drop =
        d ->
            (d.data()[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff) == ExchangeType.IKE_AUTH
                && (d.data()[IkeHeader.FLAGS_OFFSET] & IkeHeader.FLAG_RESPONSE) != 0
                && authResponses.getAndIncrement() == 0;
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.CONNECTING, only(p.a).state());
    p.advance(Duration.ofMillis(1100));
    assertEquals(IkeSaState.ESTABLISHED, only(p.a).state(), String.join("\n", p.logA));
    assertPaired(p.installerA, p.installerB);
    assertEquals(1, p.installerB.tunnels.size(), "the responder installed the child SA once");
    assertEquals(
        1,
        p.logB.stream()
            .filter(
                l ->
                    l.contains("event=duplicate_request")
                        && l.contains("exchange=IKE_AUTH")
                        && l.contains("message_id=1")
                        && l.contains("answer=\"cached response\""))
            .count(),
        "the retransmitted request is logged as answered from the cache: "
            + String.join("\n", p.logB));
  }

  @Test
  void childRekeyIsMakeBeforeBreakAndDeletesTheOldPair() {
    for (String esp :
        new String[] {"aes128gcm16", "aes128gcm16-modp2048", "aes256-sha256-ecp256"}) {
      IkePair p = pair(a().esp(esp), b().esp(esp));
      p.a.start();
      p.deliver();
      int oldOut = p.installerA.tunnels.values().iterator().next().outbound.spi();
      p.a.rekeyChildren("a-to-b");
      p.deliver();
      MemoryInstaller.Tunnel ta = p.installerA.tunnels.values().iterator().next();
      MemoryInstaller.Tunnel tb = p.installerB.tunnels.values().iterator().next();
      assertNotEquals(oldOut, ta.outbound.spi(), esp);
      // The old inbound SAs stay a few seconds for packets still in flight, then go.
      assertEquals(2, ta.inbound.size(), "old inbound kept for a grace period");
      assertEquals(2, tb.inbound.size(), "old inbound kept for a grace period");
      p.advance(Duration.ofSeconds(6));
      assertEquals(1, ta.inbound.size(), "old inbound deleted: " + ta.inbound.keySet());
      assertEquals(1, tb.inbound.size(), "old inbound deleted: " + tb.inbound.keySet());
      assertPaired(p.installerA, p.installerB);
      assertEquals(1, only(p.a).children().size());
      assertEquals(1, only(p.b).children().size());
      boolean pfs = esp.contains("modp") || esp.contains("ecp");
      assertEquals(pfs ? 1 : 0, only(p.a).children().get(0).pfsGroup() == 0 ? 0 : 1, esp);
      // The responder switched its outbound SA only when the old SA's delete arrived.
      assertEquals(2, tb.outboundHistory.size());
    }
  }

  @Test
  void childRekeyByLifetimeHappensBeforeExpiry() {
    IkeConnectionConfig.Lifetimes l =
        new IkeConnectionConfig.Lifetimes(
            Duration.ofHours(1),
            Duration.ofSeconds(20),
            0,
            Duration.ofSeconds(5),
            Duration.ofSeconds(2));
    IkePair p = pair(a().lifetimes(l), b().lifetimes(l));
    p.a.start();
    p.deliver();
    int first = p.installerA.tunnels.values().iterator().next().outbound.spi();
    p.run(Duration.ofSeconds(16), Duration.ofMillis(200));
    int second = p.installerA.tunnels.values().iterator().next().outbound.spi();
    assertNotEquals(first, second, "rekeyed before the 20 s lifetime");
    assertPaired(p.installerA, p.installerB);
  }

  @Test
  void simultaneousChildRekeysKeepExactlyOnePair() {
    IkePair p = pair(a(), b().mode(ConnectionMode.BOTH));
    p.a.start();
    p.deliver();
    p.a.rekeyChildren("a-to-b");
    p.b.rekeyChildren("b-to-a");
    p.deliver();
    p.run(Duration.ofSeconds(8), Duration.ofMillis(500));
    IkeSa sa = only(p.a);
    IkeSa sb = only(p.b);
    assertEquals(
        1, sa.children().size(), "A children " + sa.children() + "\n" + String.join("\n", p.logA));
    assertEquals(1, sb.children().size(), "B children " + sb.children());
    ChildSa ca = sa.children().get(0);
    ChildSa cb = sb.children().get(0);
    assertEquals(ca.inboundSpi(), cb.outboundSpi());
    assertEquals(ca.outboundSpi(), cb.inboundSpi());
    assertPaired(p.installerA, p.installerB);
    assertTrue(p.logA.stream().anyMatch(l -> l.contains("collision")));
  }

  /**
   * RFC 7296 2.8.1 when one response is late: the rekeys cross, one side's exchange completes first
   * and, if it won, deletes the old SA while the other side's exchange is still open. Whichever
   * side has to wait, both end with one pair that sends on the surviving SA, even though the loser
   * installed its own (redundant) successor after the winner's had taken over.
   */
  @Test
  void crossingRekeysWithOneResponseLateKeepExactlyOnePairEitherWay() {
    for (InetAddress late : List.of(IkePair.A_ADDRESS, IkePair.B_ADDRESS)) {
      IkePair p = pair(a(), b().mode(ConnectionMode.BOTH));
      p.a.start();
      p.deliver();
      AtomicInteger responses = new AtomicInteger();
      // The first CREATE_CHILD_SA response that `late` sends is lost; its peer retransmits.
      p.drop =
          d ->
              d.from().getAddress().equals(late)
                  && (d.data()[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff)
                      == ExchangeType.CREATE_CHILD_SA
                  && (d.data()[IkeHeader.FLAGS_OFFSET] & IkeHeader.FLAG_RESPONSE) != 0
                  && responses.getAndIncrement() == 0;
      p.a.rekeyChildren("a-to-b");
      p.b.rekeyChildren("b-to-a");
      p.deliver();
      p.run(Duration.ofSeconds(8), Duration.ofMillis(500));
      String logs = String.join("\n", p.logA) + "\n----\n" + String.join("\n", p.logB);
      IkeSa sa = only(p.a);
      IkeSa sb = only(p.b);
      assertEquals(1, sa.children().size(), "late " + late + ": A " + sa.children() + logs);
      assertEquals(1, sb.children().size(), "late " + late + ": B " + sb.children() + logs);
      assertEquals(sa.children().get(0).inboundSpi(), sb.children().get(0).outboundSpi());
      assertPaired(p.installerA, p.installerB);
      assertTrue(sa.children().get(0).outboundActive(), logs);
      assertTrue(sb.children().get(0).outboundActive(), logs);
    }
  }

  @Test
  void ikeRekeyMovesTheChildSasAndTheNewSaWorks() {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    long oldSpi = only(p.a).initiatorSpi();
    int childOut = p.installerA.tunnels.values().iterator().next().outbound.spi();
    p.a.rekeyIke("a-to-b");
    p.deliver();
    IkeSa sa = only(p.a);
    IkeSa sb = only(p.b);
    assertNotEquals(oldSpi, sa.initiatorSpi());
    assertEquals(sa.initiatorSpi(), sb.initiatorSpi());
    assertEquals(sa.responderSpi(), sb.responderSpi());
    assertEquals(1, sa.children().size());
    assertEquals(
        childOut, p.installerA.tunnels.values().iterator().next().outbound.spi(), "ESP untouched");
    // The new IKE SA carries exchanges: a child rekey on it works.
    p.a.rekeyChildren("a-to-b");
    p.deliver();
    assertNotEquals(childOut, p.installerA.tunnels.values().iterator().next().outbound.spi());
    assertPaired(p.installerA, p.installerB);
  }

  @Test
  void responderCanRekeyTheIkeSaToo() {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    p.b.rekeyIke("b-to-a");
    p.deliver();
    IkeSa sa = only(p.a);
    IkeSa sb = only(p.b);
    assertTrue(sb.originalInitiator(), "B initiated the new IKE SA");
    assertEquals(sa.initiatorSpi(), sb.initiatorSpi());
    p.b.rekeyChildren("b-to-a");
    p.deliver();
    assertPaired(p.installerA, p.installerB);
  }

  @Test
  void deadPeerIsDetectedWithinTheTimeoutAndTheConnectionRestarts() {
    IkePair p = pair(a().dpdDelay(Duration.ofSeconds(2)).dpdTimeout(Duration.ofSeconds(5)), b());
    p.a.start();
    p.deliver();
    long spi = only(p.a).initiatorSpi();
    p.drop = d -> d.to().getAddress().equals(IkePair.B_ADDRESS);
    p.run(Duration.ofSeconds(8), Duration.ofMillis(100));
    assertTrue(
        p.logA.stream().anyMatch(l -> l.contains("peer_unreachable")), String.join("\n", p.logA));
    assertTrue(p.installerA.tunnels.isEmpty(), "child SA cleared after DPD");
    p.drop = d -> false;
    p.run(Duration.ofSeconds(8), Duration.ofMillis(100));
    assertEquals(IkeSaState.ESTABLISHED, p.a.ikeSas().get(p.a.ikeSas().size() - 1).state());
    assertNotEquals(spi, p.a.ikeSas().get(p.a.ikeSas().size() - 1).initiatorSpi());
  }

  @Test
  void deleteFromThePeerRemovesEverything() {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    p.b.terminate("b-to-a");
    p.deliver();
    assertTrue(p.a.ikeSas().isEmpty());
    assertTrue(p.b.ikeSas().isEmpty());
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
  }

  @Test
  void narrowedTrafficSelectorsAreInstalled() {
    IkePair p = pair(a(), b().localTs("10.2.1.0/24"));
    p.a.start();
    p.deliver();
    MemoryInstaller.Tunnel ta = p.installerA.tunnels.values().iterator().next();
    assertEquals(
        List.of(dev.vpngw.selector.TrafficSelector.parse("10.2.1.0/24")), ta.selectors.remote());
  }

  @Test
  void forcedEncapsulationMovesToPort4500() {
    IkePair p = pair(a().forceEncap(true), b());
    p.a.start();
    p.deliver();
    IkeSa sa = only(p.a);
    assertEquals(4500, sa.localPort());
    assertTrue(sa.udpEncapsulation());
    assertTrue(only(p.b).natRemote(), "B sees A as behind a NAT");
    MemoryInstaller.Tunnel tb = p.installerB.tunnels.values().iterator().next();
    assertEquals(4500, tb.peer.getPort());
    assertTrue(tb.outbound.udpEncapsulation());
  }

  @Test
  void policyBasedConnectionMakesOneChildSaPerPairUnderOneIkeSa() {
    IkePair p =
        pair(
            a().localTs("10.1.1.0/24,10.1.2.0/24").remoteTs("10.2.1.0/24").childPerPair(true),
            b().localTs("10.2.0.0/16").remoteTs("10.1.0.0/16"));
    p.a.start();
    p.deliver();
    IkeSa sa = only(p.a);
    assertEquals(2, sa.children().size(), String.join("\n", p.logA));
    assertEquals(2, only(p.b).children().size());
    assertEquals(2, p.installerA.tunnels.size());
    assertEquals(
        List.of(
            List.of(dev.vpngw.selector.TrafficSelector.parse("10.1.1.0/24")),
            List.of(dev.vpngw.selector.TrafficSelector.parse("10.1.2.0/24"))),
        p.installerA.tunnels.values().stream().map(t -> t.selectors.local()).toList());
    // Each pair rekeys in its own tunnel.
    List<Integer> before = sa.children().stream().map(ChildSa::outboundSpi).toList();
    p.a.rekeyChildren("a-to-b");
    p.deliver();
    assertEquals(2, only(p.a).children().size());
    assertEquals(2, p.installerA.tunnels.size());
    assertTrue(only(p.a).children().stream().noneMatch(c -> before.contains(c.outboundSpi())));
    for (MemoryInstaller.Tunnel t : p.installerA.tunnels.values()) {
      assertEquals(1, t.selectors.local().size());
      assertTrue(only(p.a).children().stream().anyMatch(c -> c.outboundSpi() == t.outbound.spi()));
    }
  }

  @Test
  void aDataplaneThatRefusesTheChildSaLeavesTheIkeSaUpAndNothingHalfInstalled() {
    IkePair p = pair(a(), b());
    p.installerB.capacity = 0;
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.ESTABLISHED, only(p.a).state());
    assertEquals(IkeSaState.ESTABLISHED, only(p.b).state());
    assertTrue(only(p.a).children().isEmpty() && only(p.b).children().isEmpty());
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
    assertTrue(
        p.logB.stream().anyMatch(l -> l.contains("NO_ADDITIONAL_SAS")), String.join("\n", p.logB));
  }

  /** The peer's next request, protected with its real keys, made of {@code payloads}. */
  private static byte[] requestFromA(
      IkePair p, int messageId, List<dev.vpngw.ikev2.message.Payload> payloads) {
    IkeSa sa = only(p.a);
    return new dev.vpngw.ikev2.message.IkeMessage(
            sa.initiatorSpi(),
            sa.responderSpi(),
            ExchangeType.INFORMATIONAL,
            IkeHeader.FLAG_INITIATOR,
            messageId,
            payloads)
        .encodeProtected(sa.sendCipher());
  }

  private static dev.vpngw.ikev2.message.IkeMessage lastResponseOfB(IkePair p) throws Exception {
    IkePair.Datagram d = p.sent.get(p.sent.size() - 1);
    return dev.vpngw.ikev2.message.IkeMessage.decodeProtected(
        d.data(), 0, d.data().length, only(p.a).receiveCipher());
  }

  @Test
  void authenticatedGarbageIsAnsweredAsTheRfcSays() throws Exception {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    // An unknown payload with the critical bit: UNSUPPORTED_CRITICAL_PAYLOAD (RFC 7296 2.5).
    int id = p.a.manager(only(p.a)).nextRequestId();
    byte[] critical =
        requestFromA(
            p,
            id,
            List.of(new dev.vpngw.ikev2.message.UnknownPayload(200, true, new byte[] {1, 2})));
    p.b.onDatagram(
        new java.net.InetSocketAddress(IkePair.A_ADDRESS, 500), 500, critical, 0, critical.length);
    var answer = lastResponseOfB(p);
    assertNotNull(answer.notify(dev.vpngw.ikev2.message.NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD));
    // A Delete payload that counts an SPI of zero bytes: INVALID_SYNTAX (2.21).
    byte[] bad =
        requestFromA(
            p,
            id + 1,
            List.of(new dev.vpngw.ikev2.message.DeletePayload(3, 0, List.of(new byte[0]))));
    p.b.onDatagram(new java.net.InetSocketAddress(IkePair.A_ADDRESS, 500), 500, bad, 0, bad.length);
    answer = lastResponseOfB(p);
    assertNotNull(
        answer.notify(dev.vpngw.ikev2.message.NotifyType.INVALID_SYNTAX), answer.toString());
    assertEquals(IkeSaState.ESTABLISHED, only(p.b).state());
    assertPaired(p.installerA, p.installerB);
  }

  @Test
  void deadPeerWithDpdActionClearIsNotRestarted() {
    IkePair p =
        pair(
            a().dpdDelay(Duration.ofSeconds(2))
                .dpdTimeout(Duration.ofSeconds(5))
                .dpdAction(dev.vpngw.ikev2.config.DpdAction.CLEAR),
            b());
    p.a.start();
    p.deliver();
    p.drop = d -> d.to().getAddress().equals(IkePair.B_ADDRESS);
    p.run(Duration.ofSeconds(8), Duration.ofMillis(100));
    assertTrue(p.a.ikeSas().isEmpty(), "cleared");
    p.drop = d -> false;
    p.run(Duration.ofSeconds(20), Duration.ofMillis(200));
    assertTrue(p.a.ikeSas().isEmpty(), "not restarted: " + p.a.ikeSas());
    assertTrue(p.installerA.tunnels.isEmpty());
  }

  @Test
  void shutdownDeletesTheIkeSasSoThePeerTearsDownAtOnce() {
    IkePair p = pair(a(), b());
    p.a.start();
    p.deliver();
    p.a.shutdown();
    p.deliver();
    assertTrue(p.b.ikeSas().isEmpty(), "peer kept " + p.b.ikeSas());
    assertTrue(p.installerB.tunnels.isEmpty());
    p.run(Duration.ofSeconds(20), Duration.ofSeconds(1));
    assertTrue(p.a.ikeSas().isEmpty(), "not restarted after a shutdown");
  }

  @Test
  void childRekeyByVolumeHappensBeforeTheKilobyteLimit() {
    IkeConnectionConfig.Lifetimes l =
        new IkeConnectionConfig.Lifetimes(
            Duration.ofHours(1),
            Duration.ofHours(1),
            100,
            Duration.ofSeconds(5),
            Duration.ofSeconds(2));
    IkePair p = pair(a().lifetimes(l), b());
    p.a.start();
    p.deliver();
    ChildSa child = only(p.a).children().get(0);
    p.installerA.bytes.put(child.inboundSpi(), 50_000L);
    p.advance(Duration.ofMillis(1100));
    assertEquals(child.outboundSpi(), only(p.a).children().get(0).outboundSpi(), "under 90%");
    p.installerA.bytes.put(child.outboundSpi(), 45_000L); // 95,000 of 102,400 bytes together
    p.advance(Duration.ofMillis(1100));
    assertTrue(
        only(p.a).children().stream().noneMatch(c -> c.outboundSpi() == child.outboundSpi()),
        "rekeyed by volume: " + String.join("\n", p.logA));
  }
}
