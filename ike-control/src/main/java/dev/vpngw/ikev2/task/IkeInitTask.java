package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.crypto.DhGroup;
import dev.vpngw.ikev2.crypto.IkeEncryption;
import dev.vpngw.ikev2.crypto.IkeIntegrity;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.crypto.InvalidKeyExchangeException;
import dev.vpngw.ikev2.crypto.KeyExchange;
import dev.vpngw.ikev2.crypto.Prf;
import dev.vpngw.ikev2.crypto.SignatureAuth;
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
import java.util.ArrayList;
import java.util.List;

/**
 * IKE_SA_INIT (RFC 7296 1.2): the IKE proposal, the key exchange and the nonces, then the keys of
 * the IKE SA (2.14). As initiator it follows a COOKIE (2.6) and an INVALID_KE_PAYLOAD (1.2) by
 * sending the request again. It also announces IKE fragmentation (RFC 7383) and RFC 7427 signature
 * hashes, and asks for the peer's certificate when the peer authenticates with one.
 */
public final class IkeInitTask implements IkeTask {
  static final int NONCE_LENGTH = 32;

  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private DhGroup group;
  private KeyExchange keyExchange;
  private byte[] nonce;
  private byte[] cookie;
  private Proposal chosen;

  /** The task for one side of the SA's IKE_SA_INIT. */
  public IkeInitTask(IkeSa sa, IkeContext ctx, boolean initiator) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
    if (initiator) {
      group = firstGroup(sa.config());
    }
  }

  private static DhGroup firstGroup(IkeConnectionConfig config) {
    for (int id : ProposalMatcher.groups(config.ikeProposals())) {
      DhGroup g = DhGroup.byId(id);
      if (g != null) {
        return g;
      }
    }
    throw new IllegalArgumentException(config.name() + ": no supported DH group in IKE proposals");
  }

  @Override
  public void build(List<Payload> out) throws IkeFailure {
    if (initiator) {
      buildRequest(out);
    } else {
      buildResponse(out);
    }
  }

  private void buildRequest(List<Payload> out) {
    if (cookie != null) {
      out.add(NotifyPayload.of(NotifyType.COOKIE, cookie)); // must come first (RFC 7296 2.6)
    }
    out.add(new SaPayload(numbered(sa.config().ikeProposals())));
    if (keyExchange == null || keyExchange.group() != group) {
      if (keyExchange != null) {
        keyExchange.destroy();
      }
      keyExchange = group.newKeyExchange(ctx.random());
    }
    out.add(new KePayload(group.id(), keyExchange.publicValue()));
    if (nonce == null) {
      nonce = randomNonce();
    }
    out.add(new NoncePayload(nonce));
    addCapabilities(out);
  }

  private void addCapabilities(List<Payload> out) {
    out.add(NotifyPayload.of(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    out.add(
        NotifyPayload.of(
            NotifyType.SIGNATURE_HASH_ALGORITHMS, SignatureAuth.hashAlgorithmsNotifyData()));
  }

  private void buildResponse(List<Payload> out) {
    out.add(new SaPayload(List.of(chosen)));
    out.add(new KePayload(group.id(), keyExchange.publicValue()));
    out.add(new NoncePayload(nonce));
    addCapabilities(out);
    if (sa.config().remoteAuth() instanceof IkeConnectionConfig.CertificateAuthority ca) {
      out.addAll(IkeAuthTask.certificateRequests(ca));
    }
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) throws IkeFailure {
    return initiator ? processResponse(message) : processRequest(message);
  }

  private Status processResponse(IkeMessage response) throws IkeFailure {
    NotifyPayload cookieNotify = response.notify(NotifyType.COOKIE);
    if (cookieNotify != null) {
      if (cookie != null && java.util.Arrays.equals(cookie, cookieNotify.data())) {
        throw IkeFailure.fatal(0, "responder sent the same COOKIE twice");
      }
      cookie = cookieNotify.data();
      ctx.log().event("cookie_requested", sa.config().name());
      return Status.RETRY;
    }
    NotifyPayload invalidKe = response.notify(NotifyType.INVALID_KE_PAYLOAD);
    if (invalidKe != null) {
      byte[] d = invalidKe.data();
      int suggested = d.length == 2 ? ((d[0] & 0xff) << 8) | (d[1] & 0xff) : -1;
      DhGroup g = DhGroup.byId(suggested);
      if (g == null
          || g == group
          || !ProposalMatcher.groups(sa.config().ikeProposals()).contains(suggested)) {
        throw IkeFailure.fatal(
            0, "INVALID_KE_PAYLOAD suggests group " + suggested + ", which we did not offer");
      }
      ctx.log()
          .event("invalid_ke", sa.config().name(), "offered", group.id(), "suggested", suggested);
      group = g;
      return Status.RETRY;
    }
    failOnErrorNotify(response);
    SaPayload saPayload = response.first(SaPayload.class);
    KePayload ke = response.first(KePayload.class);
    NoncePayload nr = response.first(NoncePayload.class);
    if (saPayload == null || ke == null || nr == null || saPayload.proposals().size() != 1) {
      throw IkeFailure.fatal(0, "IKE_SA_INIT response lacks SA, KE or Nonce");
    }
    Proposal answer = saPayload.proposals().get(0);
    if (!ProposalMatcher.acceptable(answer, sa.config().ikeProposals(), false)) {
      throw IkeFailure.fatal(0, "responder chose a proposal we did not offer");
    }
    if (ProposalMatcher.get(answer, TransformType.DH).id() != group.id()
        || ke.dhGroup() != group.id()) {
      throw IkeFailure.fatal(0, "responder's KE group differs from the chosen proposal's");
    }
    sa.responderSpi(response.responderSpi());
    capabilities(response);
    deriveKeys(answer, nonce, nr.nonce(), ke.data());
    return Status.DONE;
  }

  private Status processRequest(IkeMessage request) throws IkeFailure {
    SaPayload saPayload = request.first(SaPayload.class);
    KePayload ke = request.first(KePayload.class);
    NoncePayload ni = request.first(NoncePayload.class);
    if (saPayload == null || ke == null || ni == null) {
      throw IkeFailure.fatal(
          NotifyType.INVALID_SYNTAX, "IKE_SA_INIT request lacks SA, KE or Nonce");
    }
    chosen = ProposalMatcher.choose(sa.config().ikeProposals(), saPayload.proposals(), false);
    if (chosen == null) {
      throw IkeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "no IKE proposal in common");
    }
    Transform dh = ProposalMatcher.get(chosen, TransformType.DH);
    group = DhGroup.byId(dh.id());
    if (ke.dhGroup() != dh.id()) {
      throw new IkeFailure(
          NotifyType.INVALID_KE_PAYLOAD,
          new byte[] {(byte) (dh.id() >> 8), (byte) dh.id()},
          true,
          "initiator's KE uses group " + ke.dhGroup() + ", we chose " + dh.id());
    }
    chosen = new Proposal(chosen.number(), chosen.protocolId(), new byte[0], chosen.transforms());
    capabilities(request);
    keyExchange = group.newKeyExchange(ctx.random());
    nonce = randomNonce();
    deriveKeys(chosen, ni.nonce(), nonce, ke.data());
    return Status.DONE;
  }

  private void capabilities(IkeMessage m) {
    sa.peerSupportsFragmentation(m.notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) != null);
    sa.peerSupportsSignatureHashes(m.notify(NotifyType.SIGNATURE_HASH_ALGORITHMS) != null);
  }

  private void deriveKeys(Proposal proposal, byte[] ni, byte[] nr, byte[] peerPublic)
      throws IkeFailure {
    byte[] shared;
    try {
      shared = keyExchange.sharedSecret(peerPublic);
    } catch (InvalidKeyExchangeException e) {
      throw IkeFailure.fatal(
          initiator ? 0 : NotifyType.INVALID_SYNTAX, "invalid KE payload: " + e.getMessage());
    } finally {
      keyExchange.destroy();
    }
    Transform encr = ProposalMatcher.get(proposal, TransformType.ENCR);
    Transform integ = ProposalMatcher.get(proposal, TransformType.INTEG);
    Prf prf = Prf.byId(ProposalMatcher.get(proposal, TransformType.PRF).id());
    IkeEncryption encryption = IkeEncryption.byId(encr.id());
    IkeIntegrity integrity = integ == null ? IkeIntegrity.NONE : IkeIntegrity.byId(integ.id());
    if (prf == null || encryption == null || integrity == null) {
      throw IkeFailure.fatal(NotifyType.NO_PROPOSAL_CHOSEN, "unsupported transform chosen");
    }
    IkeKeys keys =
        IkeKeys.derive(
            prf,
            encryption,
            Math.max(encr.keyLength(), 0),
            integrity,
            ni,
            nr,
            shared,
            sa.initiatorSpi(),
            sa.responderSpi());
    java.util.Arrays.fill(shared, (byte) 0);
    ctx.keyLog()
        .ike(
            sa.initiatorSpi(),
            sa.responderSpi(),
            encryption,
            Math.max(encr.keyLength(), 0),
            keys.skEi(),
            keys.skEr(),
            integrity,
            keys.skAi(),
            keys.skAr());
    sa.keys(proposal, prf, keys);
    sa.nonces(ni, nr);
    ctx.log()
        .event(
            "ike_keys_derived",
            sa.config().name(),
            "proposal",
            describe(proposal),
            "spi_i",
            dev.vpngw.ikev2.IkeLog.spi(sa.initiatorSpi()),
            "spi_r",
            dev.vpngw.ikev2.IkeLog.spi(sa.responderSpi()));
  }

  /** A proposal as strongSwan names its parts, for logs. */
  static String describe(Proposal p) {
    List<String> parts = new ArrayList<>();
    for (Transform t : p.transforms()) {
      parts.add(
          TransformType.name(t.type(), t.id()) + (t.keyLength() > 0 ? "_" + t.keyLength() : ""));
    }
    return String.join("/", parts);
  }

  static void failOnErrorNotify(IkeMessage response) throws IkeFailure {
    for (NotifyPayload n : response.all(NotifyPayload.class)) {
      if (NotifyType.isError(n.notifyType())) {
        throw IkeFailure.fatal(0, "peer answered " + NotifyType.name(n.notifyType()));
      }
    }
  }

  private byte[] randomNonce() {
    byte[] n = new byte[NONCE_LENGTH];
    ctx.random().nextBytes(n);
    return n;
  }

  /** Numbers proposals 1..n (RFC 7296 3.3.1); the SPI is empty in IKE_SA_INIT. */
  static List<Proposal> numbered(List<Proposal> proposals) {
    List<Proposal> out = new ArrayList<>();
    int n = 1;
    for (Proposal p : proposals) {
      out.add(new Proposal(n++, p.protocolId(), new byte[0], p.transforms()));
    }
    return out;
  }
}
