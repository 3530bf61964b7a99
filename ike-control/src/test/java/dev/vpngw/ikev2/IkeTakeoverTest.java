package dev.vpngw.ikev2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An HA standby takes over A's side of an established IKE SA from what the {@link IkeStateListener}
 * reported (issue 6), and B, the peer, never notices: its next requests are answered, ours carry
 * the message ids it expects, and a request that was in flight when A died is resolved whether B
 * saw it or not.
 */
class IkeTakeoverTest {
  /** What the listener last reported: the state a standby would hold. */
  static final class Recorder implements IkeStateListener {
    IkeSa sa;
    int next;
    boolean inFlight;
    int expected;
    final Map<Integer, ChildSa> children = new LinkedHashMap<>();
    int sends;

    @Override
    public void ikeSaChanged(
        IkeSa s, boolean added, int nextRequestId, boolean requestInFlight, int exp) {
      sa = s;
      next = nextRequestId;
      inFlight = requestInFlight;
      expected = exp;
    }

    @Override
    public void ikeSaDeleted(IkeSa s) {
      if (sa == s) {
        sa = null;
      }
    }

    @Override
    public void childSaAdded(IkeSa parent, ChildSa child) {
      children.put(child.inboundSpi(), child);
    }

    @Override
    public void childSaDeleted(IkeSa parent, ChildSa child) {
      children.remove(child.inboundSpi());
    }

    @Override
    public void beforeSend() {
      sends++;
    }
  }

  private static IkePair established(Recorder r) {
    IkePair p =
        new IkePair(
            IkePair.connection("a-to-b", IkePair.A_ADDRESS, IkePair.B_ADDRESS).build(),
            IkePair.connection("b-to-a", IkePair.B_ADDRESS, IkePair.A_ADDRESS)
                .mode(ConnectionMode.RESPONDER_ONLY)
                .build(),
            IkePair.settings());
    p.a.stateListener(r);
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.ESTABLISHED, only(p.b).state());
    assertNotNull(r.sa, "the established IKE SA was reported");
    assertEquals(1, r.children.size(), "its child SA was reported");
    assertTrue(r.sends >= 2, "every send was announced first");
    assertNotNull(r.children.values().iterator().next().inbound(), "inbound keys kept");
    return p;
  }

  /** The standby's import of what R reported; it serves from now on. */
  private static IkeDaemon takeOver(IkePair p, Recorder r, MemoryInstaller installer) {
    IkeSa old = r.sa;
    IkeDaemon standby = p.replaceA(installer, 7);
    IkeKeys k = old.keys();
    IkeSa sa =
        new IkeSa(
            standby.connections().get(0),
            old.originalInitiator(),
            old.initiatorSpi(),
            old.responderSpi(),
            old.peer(),
            old.localPort());
    sa.keys(
        null,
        k.prf(),
        IkeKeys.restore(
            k.prf(),
            k.encryption(),
            k.encryptionKeyBits(),
            k.integrity(),
            k.skD(),
            k.skAi(),
            k.skAr(),
            k.skEi(),
            k.skEr(),
            k.skPi(),
            k.skPr()));
    sa.nat(old.natLocal(), old.natRemote());
    List<IkeDaemon.RestoredChild> children = new ArrayList<>();
    for (ChildSa c : r.children.values()) {
      children.add(
          new IkeDaemon.RestoredChild(
              c.inboundSpi(),
              c.outboundSpi(),
              c.suite(),
              c.esn(),
              c.localTs(),
              c.remoteTs(),
              c.inbound(),
              c.outbound(),
              true,
              Long.MAX_VALUE,
              Long.MAX_VALUE));
    }
    Recorder again = new Recorder();
    standby.restore(sa, r.next, r.inFlight, r.expected, children);
    standby.stateListener(again);
    standby.hold(false);
    assertNotNull(again.sa, "the new active reports what it took over");
    return standby;
  }

  private static IkeSa only(IkeDaemon d) {
    List<IkeSa> sas = d.ikeSas();
    assertEquals(1, sas.size(), "IKE SAs: " + sas);
    return sas.get(0);
  }

  private static int requests(IkePair p, int exchangeType) {
    int n = 0;
    for (IkePair.Datagram d : p.sent) {
      if (!d.keepalive()
          && (d.data()[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff) == exchangeType
          && (d.data()[IkeHeader.FLAGS_OFFSET] & IkeHeader.FLAG_RESPONSE) == 0) {
        n++;
      }
    }
    return n;
  }

  /** Both sides keep one IKE SA with the same SPIs, and the peer saw nothing go wrong. */
  private static void assertStillOne(IkePair p, IkeSa peerBefore) {
    IkeSa sb = only(p.b);
    assertEquals(IkeSaState.ESTABLISHED, sb.state(), p.logB.toString());
    assertEquals(peerBefore.initiatorSpi(), sb.initiatorSpi());
    assertEquals(peerBefore.responderSpi(), sb.responderSpi());
    assertFalse(
        p.logB.stream().anyMatch(l -> l.contains("exchange_failed") || l.contains("dropped")),
        p.logB.toString());
  }

  @Test
  void theTakenOverSaServesThePeersRequestsAndOurs() {
    Recorder r = new Recorder();
    IkePair p = established(r);
    IkeSa peerSa = only(p.b);
    MemoryInstaller installer = new MemoryInstaller();
    IkeDaemon standby = takeOver(p, r, installer);
    assertEquals(1, installer.tunnels.size(), "the child SA is in the new dataplane");
    int inits = requests(p, ExchangeType.IKE_SA_INIT);

    // The peer's rekey of the child SA: its message id is the one we expect.
    p.b.rekeyChildren("b-to-a");
    p.deliver();
    assertStillOne(p, peerSa);
    assertEquals(2, installer.allInbound().size(), "the rekey's new inbound SA was installed");
    // Our own request: the id the peer expects.
    standby.rekeyChildren("a-to-b");
    p.deliver();
    assertStillOne(p, peerSa);
    assertFalse(p.logA.stream().anyMatch(l -> l.contains("exchange_failed")), p.logA.toString());
    assertEquals(inits, requests(p, ExchangeType.IKE_SA_INIT), "nothing renegotiated");
  }

  @Test
  void aRequestLostWithTheOldActiveIsResolvedByALivenessCheck() {
    Recorder r = new Recorder();
    IkePair p = established(r);
    IkeSa peerSa = only(p.b);
    p.a.rekeyChildren("a-to-b");
    assertTrue(r.inFlight, "the request in flight was reported before it left");
    p.wire.clear(); // A dies with its request on the wire: the peer never sees it
    IkeDaemon standby = takeOver(p, r, new MemoryInstaller());
    p.deliver();
    assertStillOne(p, peerSa);
    assertTrue(
        p.logA.stream().anyMatch(l -> l.contains("event=dpd_sent")), "a liveness check went out");
    standby.rekeyChildren("a-to-b");
    p.deliver();
    assertStillOne(p, peerSa);
    assertFalse(p.logA.stream().anyMatch(l -> l.contains("exchange_failed")), p.logA.toString());
  }

  @Test
  void aRequestThePeerAnsweredButTheOldActiveNeverSawIsResolvedToo() {
    Recorder r = new Recorder();
    IkePair p = established(r);
    IkeSa peerSa = only(p.b);
    int before = p.logB.size();
    p.a.rekeyChildren("a-to-b");
    // The peer gets the request and answers; the answer is lost with A.
    IkePair.Datagram request = p.wire.poll();
    p.b.onDatagram(
        request.from(), request.to().getPort(), request.data(), 0, request.data().length);
    p.wire.clear();
    assertTrue(p.logB.size() > before, "the peer processed the request");
    IkeDaemon standby = takeOver(p, r, new MemoryInstaller());
    p.deliver();
    // The liveness check carried the same id: the peer answered it with its cached response.
    assertTrue(
        p.logB.stream().anyMatch(l -> l.contains("duplicate_request")),
        "the peer saw a retransmission, not a new request: " + p.logB);
    IkeSa sb = only(p.b);
    assertEquals(peerSa.initiatorSpi(), sb.initiatorSpi());
    standby.rekeyIke("a-to-b");
    p.deliver();
    IkeSa rekeyed = only(p.b);
    assertEquals(IkeSaState.ESTABLISHED, rekeyed.state(), p.logB.toString());
    assertNotEquals(peerSa.initiatorSpi(), rekeyed.initiatorSpi(), "the IKE SA was rekeyed");
    assertFalse(p.logA.stream().anyMatch(l -> l.contains("exchange_failed")), p.logA.toString());
  }
}
