package dev.vpngw.ikev2.task;

import dev.vpngw.ikev2.IkeLog;
import dev.vpngw.ikev2.config.Identity;
import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.config.IkeConnectionConfig.Certificate;
import dev.vpngw.ikev2.config.IkeConnectionConfig.CertificateAuthority;
import dev.vpngw.ikev2.config.IkeConnectionConfig.Psk;
import dev.vpngw.ikev2.crypto.Auth;
import dev.vpngw.ikev2.crypto.CertificateValidator;
import dev.vpngw.ikev2.crypto.SignatureAuth;
import dev.vpngw.ikev2.message.AuthMethod;
import dev.vpngw.ikev2.message.AuthPayload;
import dev.vpngw.ikev2.message.CertPayload;
import dev.vpngw.ikev2.message.CertReqPayload;
import dev.vpngw.ikev2.message.IdPayload;
import dev.vpngw.ikev2.message.IkeMessage;
import dev.vpngw.ikev2.message.NotifyPayload;
import dev.vpngw.ikev2.message.NotifyType;
import dev.vpngw.ikev2.message.Payload;
import dev.vpngw.ikev2.sa.IkeSa;
import dev.vpngw.ikev2.sa.IkeSaState;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * IKE_AUTH's authentication (RFC 7296 2.15, 3.5-3.8): the identities, certificates and AUTH
 * payloads of both sides, with a pre-shared key or an RSA/ECDSA signature (the RFC 7427 format when
 * the peer announced signature hashes, else the RFC 7296 methods), and the peer's certificate chain
 * checked against the configured CAs (RFC 5280 path validation) and its identity.
 */
public final class IkeAuthTask implements IkeTask {
  /** X.509 Certificate - Signature, the CERT/CERTREQ encoding (RFC 7296 3.6). */
  static final int X509_SIGNATURE = 4;

  private final IkeSa sa;
  private final IkeContext ctx;
  private final boolean initiator;
  private IdPayload peerId;

  /** The task for one side of the SA's IKE_AUTH. */
  public IkeAuthTask(IkeSa sa, IkeContext ctx, boolean initiator) {
    this.sa = sa;
    this.ctx = ctx;
    this.initiator = initiator;
  }

  @Override
  public void build(List<Payload> out) throws IkeFailure {
    IkeConnectionConfig c = sa.config();
    IdPayload id = new IdPayload(initiator, c.localId().type(), c.localId().data());
    out.add(id);
    if (c.localAuth() instanceof Certificate cert) {
      for (X509Certificate x : cert.chain()) {
        out.add(new CertPayload(X509_SIGNATURE, encoded(x)));
      }
    }
    if (initiator) {
      if (c.remoteAuth() instanceof CertificateAuthority ca) {
        out.addAll(certificateRequests(ca));
      }
      if (c.remoteId() != null) {
        out.add(new IdPayload(false, c.remoteId().type(), c.remoteId().data()));
      }
    }
    byte[] octets = octets(true, id);
    out.add(authPayload(c, octets));
    if (initiator) {
      out.add(NotifyPayload.of(NotifyType.INITIAL_CONTACT));
    } else {
      established();
    }
  }

  private AuthPayload authPayload(IkeConnectionConfig c, byte[] octets) throws IkeFailure {
    if (c.localAuth() instanceof Psk psk) {
      return new AuthPayload(
          AuthMethod.SHARED_KEY_MIC, Auth.pskAuth(sa.prf(), psk.secret(), octets));
    }
    Certificate cert = (Certificate) c.localAuth();
    int method = SignatureAuth.methodFor(cert.key(), sa.peerSupportsSignatureHashes());
    try {
      return new AuthPayload(method, SignatureAuth.sign(method, cert.key(), octets, null));
    } catch (RuntimeException e) {
      throw IkeFailure.fatal(0, "cannot sign AUTH: " + e.getMessage());
    }
  }

  /**
   * The octets an AUTH covers (RFC 7296 2.15): the sender's IKE_SA_INIT message, the other side's
   * nonce, and prf(SK_p, ID') with the sender's SK_pi or SK_pr.
   */
  private byte[] octets(boolean ours, IdPayload id) {
    boolean fromInitiator = ours == initiator;
    byte[] message = fromInitiator ? sa.initRequest() : sa.initResponse();
    byte[] nonce = fromInitiator ? sa.responderNonce() : sa.initiatorNonce();
    byte[] skP = fromInitiator ? sa.keys().skPi() : sa.keys().skPr();
    return Auth.signedOctets(message, nonce, sa.prf(), skP, id.body());
  }

  @Override
  public Status process(IkeMessage message, Inbound inbound) throws IkeFailure {
    if (initiator && message.notify(NotifyType.AUTHENTICATION_FAILED) != null) {
      throw IkeFailure.fatal(
          0,
          "peer answered AUTHENTICATION_FAILED (check the PSK or certificate and the identities)");
    }
    peerId =
        message.all(IdPayload.class).stream()
            .filter(i -> i.initiator() != initiator)
            .findFirst()
            .orElse(null);
    AuthPayload auth = message.first(AuthPayload.class);
    if (peerId == null || auth == null) {
      if (initiator) {
        IkeInitTask.failOnErrorNotify(message);
      }
      throw IkeFailure.fatal(
          initiator ? 0 : NotifyType.AUTHENTICATION_FAILED, "IKE_AUTH lacks ID or AUTH");
    }
    IkeConnectionConfig c = sa.config();
    Identity expected = c.remoteId();
    if (expected != null && !expected.matches(peerId.idType(), peerId.data())) {
      // Both roles name the notify: a responder answers with it, an initiator sends it in an
      // INFORMATIONAL of its own (RFC 7296 2.21.2; the task manager does), so that the peer,
      // which considers the IKE SA established, does not keep it.
      throw IkeFailure.fatal(
          NotifyType.AUTHENTICATION_FAILED,
          "peer identity "
              + Identity.describe(peerId.idType(), peerId.data())
              + " is not the configured "
              + expected);
    }
    byte[] octets = octets(false, peerId);
    verify(c, auth, octets, message);
    if (initiator) {
      established();
    }
    return Status.DONE;
  }

  private void verify(IkeConnectionConfig c, AuthPayload auth, byte[] octets, IkeMessage m)
      throws IkeFailure {
    int reject = NotifyType.AUTHENTICATION_FAILED;
    if (c.remoteAuth() instanceof Psk psk) {
      if (auth.method() != AuthMethod.SHARED_KEY_MIC) {
        throw IkeFailure.fatal(reject, "peer used auth method " + auth.method() + ", expected PSK");
      }
      if (!Auth.verifyPsk(sa.prf(), psk.secret(), octets, auth.data())) {
        throw IkeFailure.fatal(reject, "peer's PSK AUTH does not verify (wrong pre-shared key)");
      }
      return;
    }
    CertificateAuthority ca = (CertificateAuthority) c.remoteAuth();
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (CertPayload p : m.all(CertPayload.class)) {
        if (p.encoding() == X509_SIGNATURE) {
          chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(p.data())));
        }
      }
    } catch (CertificateException | ClassCastException e) {
      throw IkeFailure.fatal(reject, "peer's CERT does not parse: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw IkeFailure.fatal(reject, "peer sent no certificate");
    }
    X509Certificate endEntity;
    try {
      endEntity = new CertificateValidator(ca.trusted()).validate(chain, Instant.now());
    } catch (CertificateException e) {
      throw IkeFailure.fatal(reject, "peer's certificate does not validate: " + e.getMessage());
    }
    if (!CertificateValidator.matchesIdentity(endEntity, peerId.idType(), peerId.data())) {
      throw IkeFailure.fatal(
          reject,
          "peer identity "
              + Identity.describe(peerId.idType(), peerId.data())
              + " is not in its certificate "
              + endEntity.getSubjectX500Principal());
    }
    if (!SignatureAuth.verify(auth.method(), endEntity.getPublicKey(), octets, auth.data())) {
      throw IkeFailure.fatal(
          reject, "peer's signature AUTH (method " + auth.method() + ") does not verify");
    }
  }

  private void established() {
    sa.state(IkeSaState.ESTABLISHED);
    long now = ctx.nanoTime();
    sa.establishedNanos(now);
    ctx.log()
        .event(
            "ike_sa_established",
            sa.config().name(),
            "spi_i",
            IkeLog.spi(sa.initiatorSpi()),
            "spi_r",
            IkeLog.spi(sa.responderSpi()),
            "role",
            sa.originalInitiator() ? "initiator" : "responder",
            "peer",
            sa.peer().getAddress().getHostAddress() + ":" + sa.peer().getPort(),
            "peer_id",
            peerId == null ? "?" : Identity.describe(peerId.idType(), peerId.data()),
            "auth",
            sa.config().localAuth() instanceof Psk ? "psk" : "pubkey",
            "nat",
            sa.udpEncapsulation());
  }

  /** One CERTREQ naming each trusted CA by its key's SHA-1 (RFC 7296 3.7). */
  static List<CertReqPayload> certificateRequests(CertificateAuthority ca) {
    byte[] hashes = new byte[0];
    for (X509Certificate x : ca.trusted()) {
      byte[] h = CertificateValidator.certReqAuthority(x);
      byte[] joined = java.util.Arrays.copyOf(hashes, hashes.length + h.length);
      System.arraycopy(h, 0, joined, hashes.length, h.length);
      hashes = joined;
    }
    return List.of(new CertReqPayload(X509_SIGNATURE, hashes));
  }

  private static byte[] encoded(X509Certificate x) throws IkeFailure {
    try {
      return x.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw IkeFailure.fatal(0, "own certificate does not encode: " + e.getMessage());
    }
  }
}
