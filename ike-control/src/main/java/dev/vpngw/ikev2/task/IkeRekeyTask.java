package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.crypto.DhGroup;
import dev.vpngw.ikev2.crypto.IkeEncryption;
import dev.vpngw.ikev2.crypto.IkeIntegrity;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.crypto.InvalidKeyExchangeException;
import dev.vpngw.ikev2.crypto.KeyExchange;
import dev.vpngw.ikev2.crypto.Prf;
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
import dev.vpngw.ikev2.proposal.ProposalMatcher;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rekeys the IKE SA (RFC 7296 1.3.2, 2.18): CREATE_CHILD_SA with an IKE proposal carrying the new
 * SPI, fresh nonces and a new key exchange; the new SA's keys come from the old SK_d. The child SAs
 * move to the new IKE SA untouched (their ESP keys do not change), and the rekey's initiator
 * deletes the old IKE SA. While one of our own IKE rekeys is in flight, a peer's is answered with
 * TEMPORARY_FAILURE (2.25), so that exactly one successor results; the peer tries again later.
 */
public final class IkeRekeyTask implements IkeTask {
  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private long newSpi;
  private KeyExchange keyExchange;
  private byte[] nonce;
  private Proposal chosen;
  private IkeSa successor;

  /** One side of a rekey of {@code sa}. */
  public IkeRekeyTask(IkeSa sa, IkeContext ctx, boolean initiator) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
  }

  @Override
  public void build(List<Payload> out) throws IkeFailure {
    if (initiator) {
      sa.state(IkeSaState.REKEYING);
      newSpi = ctx.newIkeSpi();
      List<Proposal> offered = new ArrayList<>();
      for (Proposal p : IkeInitTask.numbered(sa.config().ikeProposals())) {
        offered.add(new Proposal(p.number(), p.protocolId(), spiBytes(newSpi), p.transforms()));
      }
      out.add(new SaPayload(offered));
      nonce = randomNonce();
      out.add(new NoncePayload(nonce));
      DhGroup group = DhGroup.byId(ProposalMatcher.groups(sa.config().ikeProposals()).get(0));
      keyExchange = group.newKeyExchange(ctx.random());
      out.add(new KePayload(group.id(), keyExchange.publicValue()));
      return;
    }
    out.add(
        new SaPayload(
            List.of(
                new Proposal(
                    chosen.number(),
                    TransformType.PROTOCOL_IKE,
                    spiBytes(newSpi),
                    chosen.transforms()))));
    out.add(new NoncePayload(nonce));
    out.add(new KePayload(keyExchange.group().id(), keyExchange.publicValue()));
    keyExchange.destroy();
    ctx.adopt(successor);
    sa.state(IkeSaState.REKEYED);
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) throws IkeFailure {
    return initiator ? processResponse(message) : processRequest(message);
  }

  private Status processRequest(IkeMessage request) throws IkeFailure {
    if (sa.state() == IkeSaState.REKEYING) {
      throw new IkeFailure(
          NotifyType.TEMPORARY_FAILURE, null, false, "our own IKE SA rekey is in flight");
    }
    SaPayload saPayload = request.first(SaPayload.class);
    NoncePayload ni = request.first(NoncePayload.class);
    KePayload ke = request.first(KePayload.class);
    if (saPayload == null || ni == null || ke == null) {
      throw IkeFailure.child(NotifyType.INVALID_SYNTAX, "IKE rekey lacks SA, Nonce or KE");
    }
    Proposal choice =
        ProposalMatcher.choose(sa.config().ikeProposals(), saPayload.proposals(), false);
    if (choice == null || choice.spi().length != 8) {
      throw IkeFailure.child(NotifyType.NO_PROPOSAL_CHOSEN, "no IKE proposal in common for rekey");
    }
    Transform dh = ProposalMatcher.get(choice, TransformType.DH);
    if (ke.dhGroup() != dh.id()) {
      throw new IkeFailure(
          NotifyType.INVALID_KE_PAYLOAD,
          new byte[] {(byte) (dh.id() >> 8), (byte) dh.id()},
          false,
          "IKE rekey KE uses group " + ke.dhGroup() + ", we chose " + dh.id());
    }
    chosen = choice;
    newSpi = ctx.newIkeSpi();
    nonce = randomNonce();
    keyExchange = DhGroup.byId(dh.id()).newKeyExchange(ctx.random());
    long peerSpi = ByteBuffer.wrap(choice.spi()).getLong();
    successor = successor(false, peerSpi, newSpi, choice, ni.nonce(), nonce, ke.data());
    return Status.DONE;
  }

  private Status processResponse(IkeMessage response) throws IkeFailure {
    for (NotifyPayload n : response.all(NotifyPayload.class)) {
      if (NotifyType.isError(n.notifyType())) {
        sa.state(IkeSaState.ESTABLISHED);
        sa.timers(ctx.nanoTime() + ChildRekeyTask.RETRY_NANOS, sa.expireAtNanos());
        abandoned();
        throw IkeFailure.child(
            0, "peer refused the IKE SA rekey: " + NotifyType.name(n.notifyType()));
      }
    }
    SaPayload saPayload = response.first(SaPayload.class);
    NoncePayload nr = response.first(NoncePayload.class);
    KePayload ke = response.first(KePayload.class);
    if (saPayload == null || nr == null || ke == null || saPayload.proposals().size() != 1) {
      throw IkeFailure.fatal(0, "IKE rekey response lacks SA, Nonce or KE");
    }
    Proposal answer = saPayload.proposals().get(0);
    if (answer.spi().length != 8
        || !ProposalMatcher.acceptable(answer, sa.config().ikeProposals(), false)
        || ProposalMatcher.get(answer, TransformType.DH).id() != keyExchange.group().id()
        || ke.dhGroup() != keyExchange.group().id()) {
      throw IkeFailure.fatal(0, "IKE rekey response does not match what we offered");
    }
    long peerSpi = ByteBuffer.wrap(answer.spi()).getLong();
    IkeSa next = successor(true, newSpi, peerSpi, answer, nonce, nr.nonce(), ke.data());
    keyExchange.destroy();
    ctx.adopt(next);
    sa.state(IkeSaState.REKEYED);
    ctx.manager(sa)
        .queue(
            new Exchange(
                ExchangeType.INFORMATIONAL,
                List.of(DeleteTask.ike(sa, ctx, "rekeyed")),
                "delete-ike"));
    return Status.DONE;
  }

  /** The new IKE SA: keys from the old SK_d (2.18), the child SAs and NAT state carried over. */
  private IkeSa successor(
      boolean weInitiate,
      long spiI,
      long spiR,
      Proposal proposal,
      byte[] ni,
      byte[] nr,
      byte[] peerPublic)
      throws IkeFailure {
    byte[] shared;
    try {
      shared = keyExchange.sharedSecret(peerPublic);
    } catch (InvalidKeyExchangeException e) {
      throw IkeFailure.child(
          NotifyType.INVALID_SYNTAX, "invalid KE in IKE rekey: " + e.getMessage());
    }
    Transform encr = ProposalMatcher.get(proposal, TransformType.ENCR);
    Transform integ = ProposalMatcher.get(proposal, TransformType.INTEG);
    Prf prf = Prf.byId(ProposalMatcher.get(proposal, TransformType.PRF).id());
    IkeKeys keys =
        IkeKeys.rekey(
            prf,
            sa.keys().skD(),
            sa.prf(),
            IkeEncryption.byId(encr.id()),
            Math.max(encr.keyLength(), 0),
            integ == null ? IkeIntegrity.NONE : IkeIntegrity.byId(integ.id()),
            ni,
            nr,
            shared,
            spiI,
            spiR);
    Arrays.fill(shared, (byte) 0);
    ctx.keyLog()
        .ike(
            spiI,
            spiR,
            IkeEncryption.byId(encr.id()),
            Math.max(encr.keyLength(), 0),
            keys.skEi(),
            keys.skEr(),
            integ == null ? IkeIntegrity.NONE : IkeIntegrity.byId(integ.id()),
            keys.skAi(),
            keys.skAr());
    IkeSa next = new IkeSa(sa.config(), weInitiate, spiI, spiR, sa.peer(), sa.localPort());
    next.keys(proposal, prf, keys);
    next.nonces(ni, nr);
    next.nat(sa.natLocal(), sa.natRemote());
    next.peerSupportsFragmentation(sa.peerSupportsFragmentation());
    next.peerSupportsSignatureHashes(sa.peerSupportsSignatureHashes());
    next.children().addAll(sa.children());
    sa.children().clear();
    long now = ctx.nanoTime();
    next.state(IkeSaState.ESTABLISHED);
    next.establishedNanos(now);
    next.lastInboundNanos(now);
    ctx.log()
        .event(
            "ike_sa_rekeyed",
            sa.config().name(),
            "old_spi_i",
            IkeLog.spi(sa.initiatorSpi()),
            "old_spi_r",
            IkeLog.spi(sa.responderSpi()),
            "spi_i",
            IkeLog.spi(spiI),
            "spi_r",
            IkeLog.spi(spiR),
            "proposal",
            IkeInitTask.describe(proposal));
    return next;
  }

  @Override
  public void abandoned() {
    if (keyExchange != null) {
      keyExchange.destroy();
    }
  }

  private byte[] randomNonce() {
    byte[] n = new byte[IkeInitTask.NONCE_LENGTH];
    ctx.random().nextBytes(n);
    return n;
  }

  private static byte[] spiBytes(long spi) {
    return ByteBuffer.allocate(8).putLong(spi).array();
  }
}
