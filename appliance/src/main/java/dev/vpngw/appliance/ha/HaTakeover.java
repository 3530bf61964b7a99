package dev.vpngw.appliance.ha;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import dev.vpngw.fib.IpPrefix;
import dev.vpngw.ha.journal.HaRecord;
import dev.vpngw.ikev2.IkeDaemon;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.crypto.IkeEncryption;
import dev.vpngw.ikev2.crypto.IkeIntegrity;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.crypto.Prf;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The new active's import of the replicated state (issue 6), on the IKE thread: every journaled IKE
 * SA of a connection this node serves is filed in the daemon with its keys, peer, NAT state and
 * message ids, and its child SAs are installed in the dataplane; each outbound SA starts right
 * after its last replicated sequence mark, so no (SPI, sequence number) the old active sent can be
 * sent again and the peer's replay window accepts the new packets.
 */
final class HaTakeover {
  /**
   * The inbound replay window of a child SA (as ike-control negotiates them). It starts empty: no
   * inbound high-water mark is replicated (docs/ARCHITECTURE.md, HA "Known limits").
   */
  private static final int REPLAY_WINDOW = 1024;

  private HaTakeover() {}

  /** What was taken over. */
  record Result(int ikeSas, int childSas, List<String> refused) {}

  /**
   * Imports RECORDS (a snapshot of the replicated state) into DAEMON on node SELF_NODE. An outbound
   * SA handed over by the peer in a planned switchover starts right above what the peer sent and is
   * granted (GRANT, before it is installed and fenced) the numbers up to the handover's mark.
   */
  static Result restore(
      IkeDaemon daemon,
      List<HaRecord> records,
      int selfNode,
      java.util.function.BiConsumer<Integer, Long> grant) {
    Map<String, IkeConnectionConfig> connections = new HashMap<>();
    for (IkeConnectionConfig c : daemon.connections()) {
      connections.put(c.name(), c);
    }
    Map<Integer, Long> marks = new HashMap<>();
    Map<Integer, Long> handedOver = new HashMap<>();
    Map<HaRecord.IkeSaId, List<HaRecord.ChildSa>> children = new HashMap<>();
    List<HaRecord.IkeSa> ikeSas = new ArrayList<>();
    for (HaRecord r : records) {
      switch (r) {
        case HaRecord.IkeSaAdded a -> ikeSas.add(a.sa());
        case HaRecord.ChildSaAdded c ->
            children.computeIfAbsent(c.sa().parent(), k -> new ArrayList<>()).add(c.sa());
        case HaRecord.SequenceMark m -> marks.put(m.outboundSpi(), m.mark());
        case HaRecord.SequenceHandover h -> {
          marks.put(h.outboundSpi(), h.mark());
          // A handover this node wrote itself (as the old active) is only a mark for it.
          if (h.fromNode() != selfNode) {
            handedOver.put(h.outboundSpi(), h.sentUpTo());
          }
        }
        default -> {}
      }
    }
    int ikeCount = 0;
    int childCount = 0;
    List<String> refused = new ArrayList<>();
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    for (HaRecord.IkeSa r : ikeSas) {
      IkeConnectionConfig c = connections.get(r.connection());
      if (c == null) {
        refused.add(r.id() + ": connection " + r.connection() + " is not served here");
        continue;
      }
      try {
        IkeSa sa = ikeSa(c, r);
        List<HaRecord.ChildSa> kids =
            marked(children.getOrDefault(r.id(), List.of()), marks, refused);
        List<IkeDaemon.RestoredChild> restored =
            restoredChildren(sa, c, kids, marks, handedOver, grant, nowNanos, nowMillis);
        daemon.restore(sa, r.nextRequestId(), r.requestInFlight(), r.nextExpectedId(), restored);
        ikeCount++;
        childCount += restored.size();
      } catch (RuntimeException e) {
        refused.add(r.id() + ": " + e.getMessage());
      }
    }
    return new Result(ikeCount, childCount, refused);
  }

  /**
   * The child SAs of KIDS that have a replicated sequence mark. One without (its first mark was
   * never journaled, or the journal lost it) cannot be taken over: restarting its outbound SA at
   * sequence 1 would repeat every number the old active sent, each an AES-GCM nonce. It is added to
   * REFUSED instead; the peers notice its absence and rekey or renegotiate it.
   */
  static List<HaRecord.ChildSa> marked(
      List<HaRecord.ChildSa> kids, Map<Integer, Long> marks, List<String> refused) {
    List<HaRecord.ChildSa> out = new ArrayList<>();
    for (HaRecord.ChildSa k : kids) {
      if (marks.containsKey(k.outboundSpi())) {
        out.add(k);
      } else {
        refused.add(
            "child SA "
                + Integer.toHexString(k.inboundSpi())
                + "/"
                + Integer.toHexString(k.outboundSpi())
                + " of "
                + k.connection()
                + ": no sequence mark replicated");
      }
    }
    return out;
  }

  private static IkeSa ikeSa(IkeConnectionConfig c, HaRecord.IkeSa r) {
    IkeSa sa =
        new IkeSa(
            c,
            r.initiator(),
            r.id().initiatorSpi(),
            r.id().responderSpi(),
            new InetSocketAddress(r.remote().address(), r.remote().port()),
            r.local().port());
    Prf prf = Prf.byId(r.prf());
    IkeKeys keys =
        IkeKeys.restore(
            prf,
            IkeEncryption.byId(r.encryption()),
            r.encryptionKeyBits(),
            IkeIntegrity.byId(r.integrity()),
            r.skD(),
            r.skAi(),
            r.skAr(),
            r.skEi(),
            r.skEr(),
            r.skPi(),
            r.skPr());
    sa.keys(null, prf, keys);
    sa.nat(r.natLocal(), r.natRemote());
    return sa;
  }

  private static List<IkeDaemon.RestoredChild> restoredChildren(
      IkeSa sa,
      IkeConnectionConfig c,
      List<HaRecord.ChildSa> kids,
      Map<Integer, Long> marks,
      Map<Integer, Long> handedOver,
      java.util.function.BiConsumer<Integer, Long> grant,
      long nowNanos,
      long nowMillis) {
    // The newest child SA of each selector pair sends; older ones (a rekey's overlap) only receive.
    Map<List<List<HaRecord.Selector>>, HaRecord.ChildSa> newest = new HashMap<>();
    for (HaRecord.ChildSa k : kids) {
      newest.merge(
          List.of(k.localSelectors(), k.remoteSelectors()),
          k,
          (a, b) -> a.createdMillis() >= b.createdMillis() ? a : b);
    }
    List<HaRecord.ChildSa> sorted = new ArrayList<>(kids);
    sorted.sort(Comparator.comparingLong(HaRecord.ChildSa::createdMillis));
    List<IkeDaemon.RestoredChild> out = new ArrayList<>();
    for (HaRecord.ChildSa k : sorted) {
      EspSuite suite =
          new EspSuite(Encryption.values()[k.encryption()], Integrity.values()[k.integrity()]);
      boolean encap = k.udpEncapsulation();
      SaConfig.Builder base =
          SaConfig.builder()
              .suite(suite)
              .tunnel(c.localAddress(), sa.peer().getAddress())
              .udpEncapsulation(encap)
              .esn(k.esn())
              .allowLegacyCiphers(true);
      if (encap) {
        base.localPort(SaConfig.DEFAULT_NAT_T_PORT).remotePort(sa.peer().getPort());
      }
      if (k.hardLifetimeBytes() > 0) {
        base.lifetimeBytes(k.softLifetimeBytes(), k.hardLifetimeBytes());
      }
      int encLength = suite.encryption().keyMaterialLength();
      SaConfig inbound =
          keyed(base, k.inboundSpi(), k.inboundKey(), encLength)
              .replayWindowSize(REPLAY_WINDOW)
              .build();
      long mark = marks.get(k.outboundSpi());
      Long sentUpTo = handedOver.get(k.outboundSpi());
      long first = firstSequence(mark, sentUpTo);
      if (sentUpTo != null) {
        grant.accept(k.outboundSpi(), mark);
      }
      SaConfig outbound =
          keyed(base, k.outboundSpi(), k.outboundKey(), encLength)
              .replayWindowSize(SaConfig.DEFAULT_REPLAY_WINDOW)
              .initialSequenceNumber(first)
              .build();
      out.add(
          new IkeDaemon.RestoredChild(
              k.inboundSpi(),
              k.outboundSpi(),
              suite,
              k.esn(),
              selectors(k.localSelectors()),
              selectors(k.remoteSelectors()),
              inbound,
              outbound,
              newest.get(List.of(k.localSelectors(), k.remoteSelectors())) == k,
              due(k.createdMillis(), k.softLifetimeSeconds(), nowNanos, nowMillis),
              due(k.createdMillis(), k.hardLifetimeSeconds(), nowNanos, nowMillis)));
    }
    return out;
  }

  /**
   * Where a taken-over outbound SA starts: right above its last replicated MARK, or right above
   * what the old active sent (SENT_UP_TO) when it handed the SA over in a planned switchover.
   */
  static long firstSequence(long mark, Long sentUpTo) {
    return sentUpTo != null ? sentUpTo + 1 : mark + 1;
  }

  private static SaConfig.Builder keyed(SaConfig.Builder base, int spi, byte[] key, int encLength) {
    if (key.length < encLength) {
      throw new IllegalArgumentException(
          "child SA " + Integer.toHexString(spi) + ": key material too short");
    }
    byte[] enc = Arrays.copyOfRange(key, 0, encLength);
    byte[] integ = Arrays.copyOfRange(key, encLength, key.length);
    SaConfig.Builder b = base.spi(spi).encryptionKey(enc).integrityKey(integ);
    Arrays.fill(enc, (byte) 0);
    Arrays.fill(integ, (byte) 0);
    return b;
  }

  /** When a lifetime of SECONDS from CREATED ends, on the nano clock; never (0) stays never. */
  private static long due(long createdMillis, long seconds, long nowNanos, long nowMillis) {
    if (seconds <= 0) {
      return Long.MAX_VALUE;
    }
    long leftMillis = createdMillis + seconds * 1000 - nowMillis;
    return nowNanos + Math.max(1000, leftMillis) * 1_000_000L;
  }

  private static List<TrafficSelector> selectors(List<HaRecord.Selector> list) {
    List<TrafficSelector> out = new ArrayList<>();
    for (HaRecord.Selector s : list) {
      out.add(
          TrafficSelector.of(
              IpPrefix.of(s.address().getAddress(), s.prefixLength()),
              s.protocol(),
              s.portLow(),
              s.portHigh()));
    }
    return out;
  }
}
