package dev.vpngw.ikev2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeHeader;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Connections added to and removed from a running daemon (the management API's live changes): a
 * removed connection's IKE SA is deleted at the peer and never comes back, an added one starts at
 * once, and the peer's attempts for a removed connection are refused.
 */
class IkeDaemonReconfigureTest {
  private static IkePair.Builder a() {
    return IkePair.connection("a-to-b", IkePair.A_ADDRESS, IkePair.B_ADDRESS);
  }

  private static IkePair.Builder b() {
    return IkePair.connection("b-to-a", IkePair.B_ADDRESS, IkePair.A_ADDRESS)
        .mode(ConnectionMode.RESPONDER_ONLY);
  }

  private static IkePair established() {
    IkePair p = new IkePair(a().build(), b().build(), IkePair.settings());
    p.a.start();
    p.deliver();
    assertEquals(IkeSaState.ESTABLISHED, p.a.ikeSas().get(0).state());
    return p;
  }

  private static long requests(IkePair p, int exchangeType) {
    return p.sent.stream()
        .filter(d -> !d.keepalive())
        .filter(d -> (d.data()[IkeHeader.EXCHANGE_TYPE_OFFSET] & 0xff) == exchangeType)
        .filter(d -> (d.data()[IkeHeader.FLAGS_OFFSET] & IkeHeader.FLAG_RESPONSE) == 0)
        .count();
  }

  @Test
  void removingAConnectionDeletesItsIkeSaAtThePeerAndNeverRestartsIt() {
    IkePair p = established();
    assertTrue(p.a.removeConnection("a-to-b"));
    p.deliver();
    // INFORMATIONAL { D(IKE) } --> and its answer: both sides let go of everything.
    assertTrue(p.a.ikeSas().isEmpty(), "ours: " + p.a.ikeSas());
    assertTrue(p.b.ikeSas().isEmpty(), "peer: " + p.b.ikeSas());
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
    assertEquals(1, requests(p, ExchangeType.INFORMATIONAL));
    long inits = requests(p, ExchangeType.IKE_SA_INIT);
    p.run(Duration.ofSeconds(60), Duration.ofMillis(500));
    assertEquals(inits, requests(p, ExchangeType.IKE_SA_INIT), "a removed connection restarted");
    assertTrue(p.a.connections().isEmpty());
    assertFalse(p.a.removeConnection("a-to-b"), "removed twice");
  }

  @Test
  void aConnectionAddedAtRuntimeStartsAtOnceAndANameIsServedOnlyOnce() {
    IkePair p = established();
    IkeSa first = p.a.ikeSas().get(0);
    p.a.removeConnection("a-to-b");
    // The changed connection comes back under the same name before the old SA's delete is even
    // answered: the old one goes, the new one is set up beside it.
    p.a.addConnection(a().build());
    p.deliver();
    assertEquals(1, p.a.ikeSas().size(), "ours: " + p.a.ikeSas());
    IkeSa second = p.a.ikeSas().get(0);
    assertEquals(IkeSaState.ESTABLISHED, second.state());
    assertNotEquals(first.initiatorSpi(), second.initiatorSpi());
    assertEquals(IkeSaState.DESTROYED, first.state());
    assertEquals(1, p.installerA.tunnels.size());
    assertEquals(1, p.installerB.tunnels.size());
    assertThrows(IllegalArgumentException.class, () -> p.a.addConnection(a().build()));
  }

  @Test
  void aPeerOfARemovedConnectionIsRefused() {
    IkePair p = established();
    // The responder drops the connection: its Delete reaches the initiator, which does not retry
    // (deleted by the peer), and a new attempt finds no connection at the responder.
    p.b.removeConnection("b-to-a");
    p.deliver();
    assertTrue(p.a.ikeSas().isEmpty() && p.b.ikeSas().isEmpty());
    p.a.initiate(p.a.connections().get(0));
    p.deliver();
    assertTrue(p.b.ikeSas().isEmpty(), "peer: " + p.b.ikeSas());
    assertTrue(
        p.logB.stream().anyMatch(l -> l.contains("no connection for this peer")),
        String.join("\n", p.logB));
    assertTrue(p.installerA.tunnels.isEmpty());
  }

  @Test
  void aConnectionRemovedDuringAnIkeRekeyLosesTheSuccessorToo() {
    IkePair p = established();
    // CREATE_CHILD_SA { SA, Ni, KEi } --> is on the wire when the connection goes.
    p.a.rekeyIke("a-to-b");
    assertTrue(p.a.removeConnection("a-to-b"));
    p.deliver();
    // The rekey finished and made a successor; the timers find it serves no connection.
    p.run(Duration.ofSeconds(2), Duration.ofMillis(100));
    assertTrue(p.a.ikeSas().isEmpty(), "ours: " + p.a.ikeSas());
    assertTrue(p.b.ikeSas().isEmpty(), "peer: " + p.b.ikeSas());
    assertTrue(p.installerA.tunnels.isEmpty() && p.installerB.tunnels.isEmpty());
    assertTrue(p.logA.stream().anyMatch(l -> l.contains("rekey")), String.join("\n", p.logA));
  }
}
