package dev.vpngw.ikev2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpngw.ikev2.config.ConnectionMode;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A peer's garbage against the whole daemon, not just the parser: every datagram of a real exchange
 * (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, fragments of none) is mutated over and
 * over and fed to both ends of an established pair. Nothing may throw, the IKE SA must stay up with
 * its child SA untouched, the mutants must be counted as dropped, and the pair must still rekey
 * afterwards (RFC 7296 2.21: a message that fails its integrity check changes nothing).
 */
class IkeDaemonFuzzTest {
  private static final int MUTANTS = 200_000;

  @Test
  void mutatedDatagramsAreDroppedAndChangeNothing() {
    IkePair p =
        new IkePair(
            IkePair.connection("a-to-b", IkePair.A_ADDRESS, IkePair.B_ADDRESS).build(),
            IkePair.connection("b-to-a", IkePair.B_ADDRESS, IkePair.A_ADDRESS)
                .mode(ConnectionMode.RESPONDER_ONLY)
                .build(),
            IkePair.settings());
    p.a.start();
    p.deliver();
    p.a.rekeyChildren("a-to-b");
    p.deliver();
    p.a.rekeyIke("a-to-b");
    p.deliver();
    List<IkePair.Datagram> corpus = new ArrayList<>(p.sent);
    IkeSa a = p.a.ikeSas().get(0);
    IkeSa b = p.b.ikeSas().get(0);
    int outA = p.installerA.tunnels.values().iterator().next().outbound.spi();
    long droppedBefore = p.a.dropped() + p.b.dropped();
    SplittableRandom random = new SplittableRandom(7296);
    for (int i = 0; i < MUTANTS; i++) {
      IkePair.Datagram d = corpus.get(random.nextInt(corpus.size()));
      byte[] m = mutate(d.data(), random);
      IkeDaemon target = d.to().getAddress().equals(IkePair.A_ADDRESS) ? p.a : p.b;
      InetSocketAddress from = d.from();
      target.onDatagram(from, d.to().getPort(), m, 0, m.length);
      p.wire.clear(); // answers to garbage (e.g. a refused IKE_SA_INIT) are not delivered
    }
    assertEquals(IkeSaState.ESTABLISHED, a.state());
    assertEquals(IkeSaState.ESTABLISHED, b.state());
    assertEquals(outA, p.installerA.tunnels.values().iterator().next().outbound.spi());
    assertTrue(p.a.dropped() + p.b.dropped() - droppedBefore > MUTANTS / 2, "mutants counted");
    // Mutated IKE_SA_INIT requests may have opened responder SAs; they expire unauthenticated.
    p.advance(java.time.Duration.ofSeconds(31));
    assertEquals(1, p.b.ikeSas().size(), "half-open SAs left: " + p.b.ikeSas());
    p.a.rekeyChildren("a-to-b");
    p.deliver();
    assertTrue(outA != p.installerA.tunnels.values().iterator().next().outbound.spi());
    assertEquals(1, p.a.ikeSas().stream().filter(s -> s.state() == IkeSaState.ESTABLISHED).count());
  }

  private static byte[] mutate(byte[] in, SplittableRandom r) {
    byte[] b = in.clone();
    switch (r.nextInt(5)) {
      case 0 -> {
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
          int i = r.nextInt(b.length);
          b[i] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
      case 2 -> {
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) r.nextInt(256);
        }
        b = longer;
      }
      case 3 -> {
        // A length field (the header's or a payload's) overwritten.
        int i = r.nextBoolean() ? 24 + r.nextInt(4) : 28 + r.nextInt(Math.max(1, b.length - 28));
        if (i < b.length) {
          b[i] = (byte) r.nextInt(256);
        }
      }
      default -> {
        int i = 16 + r.nextInt(4); // next payload, version, exchange type, flags
        if (i < b.length) {
          b[i] = (byte) r.nextInt(256);
        }
      }
    }
    return b;
  }
}
