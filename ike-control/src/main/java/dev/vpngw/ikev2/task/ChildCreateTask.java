package dev.vpngw.ikev2.task;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.crypto.ChildKeys;
import dev.vpngw.ikev2.crypto.DhGroup;
import dev.vpngw.ikev2.crypto.InvalidKeyExchangeException;
import dev.vpngw.ikev2.crypto.KeyExchange;
import dev.vpngw.ikev2.message.ExchangeType;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.KePayload;
import dev.vpngw.ikev2.message.NoncePayload;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.SaPayload;
import dev.vpngw.ikev2.message.Transform;
import dev.vpngw.ikev2.message.TransformType;
import dev.vpngw.ikev2.message.TsPayload;
import dev.vpngw.ikev2.proposal.EspSuites;
import dev.vpngw.ikev2.proposal.ProposalMatcher;
import dev.vpngw.ikev2.proposal.TsNarrowing;
import dev.vpngw.ikev2.sa.ChildSa;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import dev.vpngw.selector.TrafficSelector;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Creates one child SA (RFC 7296 1.3, 2.9, 2.17), in IKE_AUTH or in CREATE_CHILD_SA: the ESP
 * proposal with our inbound SPI, traffic selectors (narrowed by the responder), in CREATE_CHILD_SA
 * fresh nonces and an optional PFS key exchange, then the keys (KEYMAT) and the SA pair in the
 * dataplane. A child SA failure in IKE_AUTH leaves the IKE SA up (1.2): the responder answers with
 * the error notify instead of the SA and TS payloads. For a rekey ({@link ChildRekeyTask}) it
 * reuses the predecessor's dataplane tunnel, and as responder it keys the new outbound SA only once
 * the old one is deleted, so the initiator is ready for it.
 */
public final class ChildCreateTask implements IkeTask {
  /**
   * Anti-replay window for negotiated SAs: wide, as our workers reorder nothing but the WAN may.
   */
  static final int REPLAY_WINDOW = 1024;

  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private final int exchangeType;
  private final ChildSa predecessor;
  private List<TrafficSelector> proposedLocal;
  private List<TrafficSelector> proposedRemote;
  private int localSpi;
  private int pfsGroup;
  private KeyExchange keyExchange;
  private byte[] ourKePublic;
  private byte[] nonce;
  private byte[] peerNonce;
  private byte[] peerKe;
  private Proposal chosen;
  private List<TrafficSelector> localTs;
  private List<TrafficSelector> remoteTs;
  private IkeFailure failure;
  private ChildSa child;

  /**
   * A child SA creation.
   *
   * @param exchangeType IKE_AUTH or CREATE_CHILD_SA
   * @param predecessor the child SA being rekeyed, or null
   */
  public ChildCreateTask(
      IkeSa sa, IkeContext ctx, boolean initiator, int exchangeType, ChildSa predecessor) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
    this.exchangeType = exchangeType;
    this.predecessor = predecessor;
    if (initiator && exchangeType == ExchangeType.CREATE_CHILD_SA) {
      List<Integer> groups = ProposalMatcher.groups(sa.config().espProposals());
      pfsGroup = groups.isEmpty() ? 0 : groups.get(0);
    }
  }

  /**
   * An initiator's child SA for one pair of selectors rather than the connection's whole policy
   * (policy-based connections make one child SA per pair of prefixes).
   */
  public static ChildCreateTask forSelectors(
      IkeSa sa,
      IkeContext ctx,
      int exchangeType,
      List<TrafficSelector> local,
      List<TrafficSelector> remote) {
    ChildCreateTask t = new ChildCreateTask(sa, ctx, true, exchangeType, null);
    t.proposedLocal = List.copyOf(local);
    t.proposedRemote = List.copyOf(remote);
    return t;
  }

  /** The child SA made, once done; null if none. */
  public ChildSa child() {
    return child;
  }

  /** Our nonce of this exchange (for rekey collisions). */
  byte[] nonce() {
    return nonce;
  }

  /** The peer's nonce of this exchange. */
  byte[] peerNonce() {
    return peerNonce;
  }

  private boolean ikeAuth() {
    return exchangeType == ExchangeType.IKE_AUTH;
  }

  @Override
  public void build(List<Payload> out) throws IkeFailure {
    if (initiator) {
      buildRequest(out);
    } else if (failure != null) {
      out.add(NotifyPayload.of(failure.notifyType(), failure.notifyData()));
    } else {
      buildResponse(out);
    }
  }

  private void buildRequest(List<Payload> out) {
    IkeConnectionConfig c = sa.config();
    localSpi = ctx.newChildSpi();
    List<Proposal> offered = new ArrayList<>();
    int n = 1;
    for (Proposal p : c.espProposals()) {
      List<Transform> transforms =
          p.transforms().stream()
              .filter(t -> t.type() != TransformType.DH || (!ikeAuth() && t.id() == pfsGroup))
              .toList();
      offered.add(new Proposal(n++, TransformType.PROTOCOL_ESP, spiBytes(localSpi), transforms));
    }
    out.add(new SaPayload(offered));
    if (!ikeAuth()) {
      nonce = new byte[IkeInitTask.NONCE_LENGTH];
      ctx.random().nextBytes(nonce);
      out.add(new NoncePayload(nonce));
      if (pfsGroup != 0) {
        keyExchange = DhGroup.byId(pfsGroup).newKeyExchange(ctx.random());
        out.add(new KePayload(pfsGroup, keyExchange.publicValue()));
      }
    }
    List<TrafficSelector> ours =
        predecessor != null
            ? predecessor.localTs()
            : proposedLocal != null ? proposedLocal : c.localTs();
    List<TrafficSelector> theirs =
        predecessor != null
            ? predecessor.remoteTs()
            : proposedRemote != null ? proposedRemote : c.remoteTs();
    out.add(new TsPayload(true, TsNarrowing.entries(ours)));
    out.add(new TsPayload(false, TsNarrowing.entries(theirs)));
  }

  private void buildResponse(List<Payload> out) throws IkeFailure {
    try {
      install(
          ProposalMatcher.get(chosen, TransformType.ENCR), ByteBuffer.wrap(chosen.spi()).getInt());
    } catch (IkeFailure f) {
      if (!ikeAuth()) {
        throw f;
      }
      logFailure(f); // IKE_AUTH: the IKE SA stands; the child's answer is the notify
      out.add(NotifyPayload.of(f.notifyType(), f.notifyData()));
      return;
    }
    out.add(
        new SaPayload(
            List.of(
                new Proposal(
                    chosen.number(),
                    TransformType.PROTOCOL_ESP,
                    spiBytes(localSpi),
                    chosen.transforms()))));
    if (!ikeAuth()) {
      out.add(new NoncePayload(nonce));
      if (ourKePublic != null) {
        out.add(new KePayload(pfsGroup, ourKePublic)); // the exchange itself is done and wiped
      }
    }
    out.add(new TsPayload(true, TsNarrowing.entries(remoteTs)));
    out.add(new TsPayload(false, TsNarrowing.entries(localTs)));
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) throws IkeFailure {
    if (initiator) {
      return processResponse(message);
    }
    try {
      processRequest(message);
    } catch (IkeFailure f) {
      if (f.fatalForIkeSa() || !ikeAuth()) {
        throw f;
      }
      failure = f; // IKE_AUTH: the IKE SA stands, the child answer is the notify
      logFailure(f);
    }
    return Status.DONE;
  }

  private void processRequest(IkeMessage request) throws IkeFailure {
    IkeConnectionConfig c = sa.config();
    SaPayload saPayload = request.first(SaPayload.class);
    List<TsPayload> ts = request.all(TsPayload.class);
    TsPayload tsi = ts.stream().filter(TsPayload::initiator).findFirst().orElse(null);
    TsPayload tsr = ts.stream().filter(t -> !t.initiator()).findFirst().orElse(null);
    if (saPayload == null || tsi == null || tsr == null) {
      throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "child SA request lacks SA or TS");
    }
    if (request.notify(NotifyType.USE_TRANSPORT_MODE) != null) {
      throw IkeFailure.child(NotifyType.NO_PROPOSAL_CHOSEN, "peer asks for transport mode");
    }
    chosen = ProposalMatcher.choose(c.espProposals(), saPayload.proposals(), ikeAuth());
    if (chosen == null || chosen.spi().length != 4) {
      throw IkeFailure.child(NotifyType.NO_PROPOSAL_CHOSEN, "no ESP proposal in common");
    }
    List<TrafficSelector> offeredRemote = selectors(tsi);
    List<TrafficSelector> offeredLocal = selectors(tsr);
    remoteTs = TsNarrowing.narrow(offeredRemote, c.remoteTs());
    localTs = TsNarrowing.narrow(offeredLocal, c.localTs());
    if (remoteTs.isEmpty() || localTs.isEmpty()) {
      throw IkeFailure.child(
          NotifyType.TS_UNACCEPTABLE,
          "traffic selectors " + offeredRemote + " <=> " + offeredLocal + " outside our policy");
    }
    if (!ikeAuth()) {
      NoncePayload ni = request.first(NoncePayload.class);
      if (ni == null) {
        throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "CREATE_CHILD_SA lacks a nonce");
      }
      peerNonce = ni.nonce();
      Transform dh = ProposalMatcher.get(chosen, TransformType.DH);
      KePayload ke = request.first(KePayload.class);
      if (dh != null) {
        if (ke == null || ke.dhGroup() != dh.id()) {
          throw new IkeFailure(
              NotifyType.INVALID_KE_PAYLOAD,
              new byte[] {(byte) (dh.id() >> 8), (byte) dh.id()},
              false,
              "PFS group "
                  + dh.id()
                  + " chosen, peer's KE is "
                  + (ke == null ? "missing" : "group " + ke.dhGroup()));
        }
        pfsGroup = dh.id();
        peerKe = ke.data();
        keyExchange = DhGroup.byId(pfsGroup).newKeyExchange(ctx.random());
        ourKePublic = keyExchange.publicValue();
      }
      nonce = new byte[IkeInitTask.NONCE_LENGTH];
      ctx.random().nextBytes(nonce);
    }
    localSpi = ctx.newChildSpi();
  }

  private Status processResponse(IkeMessage response) throws IkeFailure {
    NotifyPayload invalidKe = response.notify(NotifyType.INVALID_KE_PAYLOAD);
    if (invalidKe != null && !ikeAuth()) {
      byte[] d = invalidKe.data();
      int suggested = d.length == 2 ? ((d[0] & 0xff) << 8) | (d[1] & 0xff) : -1;
      if (suggested == pfsGroup
          || !ProposalMatcher.groups(sa.config().espProposals()).contains(suggested)) {
        throw IkeFailure.child(0, "INVALID_KE_PAYLOAD suggests group " + suggested);
      }
      pfsGroup = suggested;
      destroyKeyExchange();
      return Status.RETRY;
    }
    for (NotifyPayload n : response.all(NotifyPayload.class)) {
      if (NotifyType.isError(n.notifyType())) {
        throw IkeFailure.child(0, "peer refused the child SA: " + NotifyType.name(n.notifyType()));
      }
    }
    SaPayload saPayload = response.first(SaPayload.class);
    List<TsPayload> ts = response.all(TsPayload.class);
    TsPayload tsi = ts.stream().filter(TsPayload::initiator).findFirst().orElse(null);
    TsPayload tsr = ts.stream().filter(t -> !t.initiator()).findFirst().orElse(null);
    if (saPayload == null || saPayload.proposals().size() != 1 || tsi == null || tsr == null) {
      throw IkeFailure.child(0, "child SA response lacks SA or TS");
    }
    Proposal answer = saPayload.proposals().get(0);
    if (answer.spi().length != 4
        || !ProposalMatcher.acceptable(answer, offeredProposals(), ikeAuth())) {
      throw IkeFailure.child(0, "responder chose an ESP proposal we did not offer");
    }
    chosen = answer;
    localTs = selectors(tsi);
    remoteTs = selectors(tsr);
    IkeConnectionConfig c = sa.config();
    if (!TsNarrowing.subset(localTs, c.localTs()) || !TsNarrowing.subset(remoteTs, c.remoteTs())) {
      throw IkeFailure.child(0, "responder's traffic selectors are wider than ours");
    }
    if (!ikeAuth()) {
      NoncePayload nr = response.first(NoncePayload.class);
      if (nr == null) {
        throw IkeFailure.child(0, "CREATE_CHILD_SA response lacks a nonce");
      }
      peerNonce = nr.nonce();
      Transform dh = ProposalMatcher.get(chosen, TransformType.DH);
      if ((dh == null) != (keyExchange == null)) {
        throw IkeFailure.child(0, "PFS mismatch in the CREATE_CHILD_SA response");
      }
      if (dh != null) {
        KePayload ke = response.first(KePayload.class);
        if (ke == null || ke.dhGroup() != pfsGroup) {
          throw IkeFailure.child(0, "CREATE_CHILD_SA response lacks the KE of group " + pfsGroup);
        }
        peerKe = ke.data();
      }
    }
    install(
        ProposalMatcher.get(chosen, TransformType.ENCR), ByteBuffer.wrap(answer.spi()).getInt());
    return Status.DONE;
  }

  private List<Proposal> offeredProposals() {
    return sa.config().espProposals();
  }

  private static List<TrafficSelector> selectors(TsPayload p) throws IkeFailure {
    try {
      return TsNarrowing.selectors(p.selectors());
    } catch (IllegalArgumentException e) {
      throw IkeFailure.child(
          NotifyType.TS_UNACCEPTABLE, "malformed traffic selector: " + e.getMessage());
    }
  }

  /** Derives KEYMAT (RFC 7296 2.17) and keys the SA pair in the dataplane. */
  private void install(Transform encr, int remoteSpi) throws IkeFailure {
    Transform integ = ProposalMatcher.get(chosen, TransformType.INTEG);
    Transform esnT = ProposalMatcher.get(chosen, TransformType.ESN);
    EspSuite suite = suite(encr, integ);
    boolean esn = esnT != null && esnT.id() == TransformType.ESN_YES;
    byte[] shared = null;
    int usedPfs = 0;
    if (keyExchange != null) {
      usedPfs = pfsGroup;
      try {
        shared = keyExchange.sharedSecret(peerKe);
      } catch (InvalidKeyExchangeException e) {
        throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "invalid PFS KE: " + e.getMessage());
      } finally {
        destroyKeyExchange();
      }
    }
    byte[] ni;
    byte[] nr;
    if (ikeAuth()) {
      ni = sa.initiatorNonce();
      nr = sa.responderNonce();
    } else {
      ni = initiator ? nonce : peerNonce;
      nr = initiator ? peerNonce : nonce;
    }
    int encLength = suite.encryption().keyMaterialLength();
    int integLength = suite.integrity().keyLength();
    byte[] keymat =
        ChildKeys.keymat(sa.prf(), sa.keys().skD(), shared, ni, nr, 2 * (encLength + integLength));
    ChildKeys keys = ChildKeys.split(keymat, encLength, integLength);
    Arrays.fill(keymat, (byte) 0);
    if (shared != null) {
      Arrays.fill(shared, (byte) 0);
    }
    byte[] encOut = initiator ? keys.encrInitiatorToResponder() : keys.encrResponderToInitiator();
    byte[] intOut = initiator ? keys.integInitiatorToResponder() : keys.integResponderToInitiator();
    byte[] encIn = initiator ? keys.encrResponderToInitiator() : keys.encrInitiatorToResponder();
    byte[] intIn = initiator ? keys.integResponderToInitiator() : keys.integInitiatorToResponder();
    IkeConnectionConfig c = sa.config();
    boolean encap = sa.udpEncapsulation() || c.forceEncapsulation();
    int peerPort = encap ? sa.peer().getPort() : 0;
    long hardBytes = c.lifetimes().childKilobytes() * 1024;
    SaConfig.Builder base =
        SaConfig.builder()
            .suite(suite)
            .tunnel(c.localAddress(), sa.peer().getAddress())
            .udpEncapsulation(encap)
            .esn(esn)
            .allowLegacyCiphers(true);
    if (encap) {
      base.localPort(SaConfig.DEFAULT_NAT_T_PORT).remotePort(peerPort);
    }
    if (hardBytes > 0) {
      base.lifetimeBytes(hardBytes - hardBytes / 10, hardBytes);
    }
    SaConfig inbound =
        base.spi(localSpi)
            .encryptionKey(encIn)
            .integrityKey(intIn)
            .replayWindowSize(REPLAY_WINDOW)
            .build();
    SaConfig outbound = base.spi(remoteSpi).encryptionKey(encOut).integrityKey(intOut).build();
    ctx.keyLog().esp(sa.peer().getAddress(), c.localAddress(), localSpi, suite, encIn, intIn);
    ctx.keyLog().esp(c.localAddress(), sa.peer().getAddress(), remoteSpi, suite, encOut, intOut);
    Arrays.fill(encOut, (byte) 0);
    Arrays.fill(intOut, (byte) 0);
    Arrays.fill(encIn, (byte) 0);
    Arrays.fill(intIn, (byte) 0);
    int tunnel = -1;
    boolean sendNow = predecessor == null || initiator;
    try {
      tunnel =
          predecessor != null
              ? predecessor.tunnel()
              : ctx.installer()
                  .addTunnel(
                      c.name(),
                      new InetSocketAddress(sa.peer().getAddress(), peerPort),
                      SelectorSet.of(localTs, remoteTs));
      ctx.installer().installInbound(tunnel, inbound);
      // The responder of a rekey switches when the old SA is deleted (see ChildRekeyTask).
      if (sendNow) {
        ctx.installer().installOutbound(tunnel, outbound);
        if (predecessor != null) {
          // Not only the predecessor: in a rekey collision the peer's successor may already
          // send on this tunnel, and must count as switched off so it can be switched back.
          for (ChildSa other : sa.children()) {
            if (other.tunnel() == tunnel) {
              other.outboundActive(false);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      // The dataplane refused (out of counters, a clash): nothing of this child SA may stay.
      if (predecessor == null && tunnel >= 0) {
        ctx.installer().removeTunnel(tunnel);
      } else if (tunnel >= 0) {
        ctx.installer().deleteInbound(localSpi);
      }
      throw IkeFailure.child(
          NotifyType.NO_ADDITIONAL_SAS,
          "the dataplane cannot take the child SA: " + e.getMessage());
    }
    long now = ctx.nanoTime();
    child =
        new ChildSa(
            localSpi, remoteSpi, suite, esn, usedPfs, localTs, remoteTs, tunnel, outbound, sendNow,
            now);
    child.inbound(inbound);
    scheduleRekey(child, now);
    sa.children().add(child);
    ctx.log()
        .event(
            "child_sa_installed",
            c.name(),
            "spi_in",
            IkeLog.spi(localSpi),
            "spi_out",
            IkeLog.spi(remoteSpi),
            "suite",
            suite,
            "esn",
            esn,
            "pfs_group",
            child.pfsGroup(),
            "local_ts",
            localTs,
            "remote_ts",
            remoteTs,
            "encap",
            encap ? "udp" : "esp",
            "rekey_of",
            predecessor == null ? "-" : IkeLog.spi(predecessor.inboundSpi()));
    if (predecessor != null) {
      ctx.log()
          .event(
              "child_sa_rekeyed",
              c.name(),
              "old_spi_in",
              IkeLog.spi(predecessor.inboundSpi()),
              "old_spi_out",
              IkeLog.spi(predecessor.outboundSpi()),
              "spi_in",
              IkeLog.spi(localSpi),
              "spi_out",
              IkeLog.spi(remoteSpi));
    }
  }

  private void scheduleRekey(ChildSa c, long now) {
    IkeConnectionConfig.Lifetimes l = sa.config().lifetimes();
    long jitter = l.jitter().toNanos();
    long random = jitter == 0 ? 0 : Math.floorMod(ctx.random().nextLong(), jitter);
    long life = l.child().toNanos();
    c.timers(now + life - l.margin().toNanos() - random, now + life);
  }

  private static EspSuite suite(Transform encr, Transform integ) throws IkeFailure {
    EspSuite suite = EspSuites.of(encr, integ);
    if (suite == null) {
      throw IkeFailure.child(NotifyType.NO_PROPOSAL_CHOSEN, "ESP transforms the dataplane lacks");
    }
    return suite;
  }

  private void logFailure(IkeFailure f) {
    ctx.log()
        .event(
            "child_sa_failed",
            sa.config().name(),
            "notify",
            f.notifyName(),
            "reason",
            f.getMessage());
  }

  private void destroyKeyExchange() {
    if (keyExchange != null) {
      keyExchange.destroy();
      keyExchange = null;
    }
  }

  @Override
  public void abandoned() {
    destroyKeyExchange();
  }

  static byte[] spiBytes(int spi) {
    return ByteBuffer.allocate(4).putInt(spi).array();
  }
}
