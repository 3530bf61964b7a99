package dev.vpngw.ikev2.sa;

import dev.vpngw.ikev2.config.IkeConnectionConfig;
import dev.vpngw.ikev2.crypto.IkeKeys;
import dev.vpngw.ikev2.crypto.Prf;
import dev.vpngw.ikev2.message.FragmentReassembler;
import dev.vpngw.ikev2.message.Proposal;
import dev.vpngw.ikev2.message.SkCipher;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One IKE SA (RFC 7296 1.1): its SPIs and role, the peer's address as last seen, the negotiated
 * proposal and keys, NAT state, the nonces and IKE_SA_INIT messages that AUTH signs, its child SAs
 * and timers. A coarse {@link IkeSaState}; the exchanges that move it live in the tasks, and the
 * message ids in the {@code TaskManager}. Used by the IKE thread only.
 */
public final class IkeSa {
  private final IkeConnectionConfig config;
  private final boolean originalInitiator;
  private long initiatorSpi;
  private long responderSpi;
  private IkeSaState state = IkeSaState.CONNECTING;
  private InetSocketAddress peer;
  private int localPort;
  private boolean natLocal;
  private boolean natRemote;
  private Proposal proposal;
  private Prf prf;
  private IkeKeys keys;
  private byte[] initiatorNonce;
  private byte[] responderNonce;
  private byte[] initRequest;
  private byte[] initResponse;
  private boolean peerSupportsFragmentation;
  private boolean peerSupportsSignatureHashes;
  private final List<ChildSa> children = new ArrayList<>();
  private final FragmentReassembler reassembler = new FragmentReassembler();
  private long createdNanos;
  private long establishedNanos;
  private long lastInboundNanos;
  private long rekeyAtNanos = Long.MAX_VALUE;
  private long expireAtNanos = Long.MAX_VALUE;

  /** A new IKE SA; the initiator's SPI is known, the responder's follows. */
  public IkeSa(
      IkeConnectionConfig config,
      boolean originalInitiator,
      long initiatorSpi,
      long responderSpi,
      InetSocketAddress peer,
      int localPort) {
    this.config = config;
    this.originalInitiator = originalInitiator;
    this.initiatorSpi = initiatorSpi;
    this.responderSpi = responderSpi;
    this.peer = peer;
    this.localPort = localPort;
  }

  public IkeConnectionConfig config() {
    return config;
  }

  /** Whether we started this IKE SA (we send with the I flag, RFC 7296 3.1). */
  public boolean originalInitiator() {
    return originalInitiator;
  }

  public long initiatorSpi() {
    return initiatorSpi;
  }

  public long responderSpi() {
    return responderSpi;
  }

  public void responderSpi(long spi) {
    this.responderSpi = spi;
  }

  /** Our SPI of the pair: the one the SA is filed under. */
  public long localSpi() {
    return originalInitiator ? initiatorSpi : responderSpi;
  }

  /** The peer's SPI of the pair. */
  public long remoteSpi() {
    return originalInitiator ? responderSpi : initiatorSpi;
  }

  public IkeSaState state() {
    return state;
  }

  public void state(IkeSaState state) {
    this.state = state;
  }

  public InetSocketAddress peer() {
    return peer;
  }

  public void peer(InetSocketAddress peer) {
    this.peer = peer;
  }

  public int localPort() {
    return localPort;
  }

  public void localPort(int port) {
    this.localPort = port;
  }

  public boolean natLocal() {
    return natLocal;
  }

  public boolean natRemote() {
    return natRemote;
  }

  /** Records what NAT detection (RFC 7296 2.23) found. */
  public void nat(boolean local, boolean remote) {
    this.natLocal = local;
    this.natRemote = remote;
  }

  /** Whether ESP goes inside UDP: a NAT on either side, or forced by the configuration. */
  public boolean udpEncapsulation() {
    return natLocal || natRemote;
  }

  public Proposal proposal() {
    return proposal;
  }

  public Prf prf() {
    return prf;
  }

  public IkeKeys keys() {
    return keys;
  }

  /** Installs the negotiated proposal and keys (IKE_SA_INIT done, or an IKE SA rekey). */
  public void keys(Proposal proposal, Prf prf, IkeKeys keys) {
    this.proposal = proposal;
    this.prf = prf;
    this.keys = keys;
  }

  /** The cipher for messages we send. */
  public SkCipher sendCipher() {
    return originalInitiator ? keys.initiatorCipher() : keys.responderCipher();
  }

  /** The cipher for messages the peer sends. */
  public SkCipher receiveCipher() {
    return originalInitiator ? keys.responderCipher() : keys.initiatorCipher();
  }

  public byte[] initiatorNonce() {
    return initiatorNonce;
  }

  public byte[] responderNonce() {
    return responderNonce;
  }

  /** The nonces of IKE_SA_INIT, which AUTH and the first child SA's keys use. */
  public void nonces(byte[] initiator, byte[] responder) {
    this.initiatorNonce = initiator;
    this.responderNonce = responder;
  }

  public byte[] initRequest() {
    return initRequest;
  }

  public byte[] initResponse() {
    return initResponse;
  }

  /** The IKE_SA_INIT messages as sent on the wire (RFC 7296 2.15: AUTH signs them). */
  public void initMessages(byte[] request, byte[] response) {
    this.initRequest = request;
    this.initResponse = response;
  }

  public boolean peerSupportsFragmentation() {
    return peerSupportsFragmentation;
  }

  public void peerSupportsFragmentation(boolean on) {
    this.peerSupportsFragmentation = on;
  }

  public boolean peerSupportsSignatureHashes() {
    return peerSupportsSignatureHashes;
  }

  public void peerSupportsSignatureHashes(boolean on) {
    this.peerSupportsSignatureHashes = on;
  }

  /** The child SAs, live and rekeyed. */
  public List<ChildSa> children() {
    return children;
  }

  /** The child SA with this inbound or outbound SPI, or null. */
  public ChildSa child(int spi, boolean inbound) {
    for (ChildSa c : children) {
      if ((inbound ? c.inboundSpi() : c.outboundSpi()) == spi) {
        return c;
      }
    }
    return null;
  }

  public FragmentReassembler reassembler() {
    return reassembler;
  }

  /** When the SA was made (a half-open responder SA expires by it). */
  public long createdNanos() {
    return createdNanos;
  }

  public void createdNanos(long nanos) {
    this.createdNanos = nanos;
  }

  public long establishedNanos() {
    return establishedNanos;
  }

  public void establishedNanos(long nanos) {
    this.establishedNanos = nanos;
  }

  public long lastInboundNanos() {
    return lastInboundNanos;
  }

  public void lastInboundNanos(long nanos) {
    this.lastInboundNanos = nanos;
  }

  public long rekeyAtNanos() {
    return rekeyAtNanos;
  }

  public long expireAtNanos() {
    return expireAtNanos;
  }

  /** Sets when the IKE SA is rekeyed and when it expires. */
  public void timers(long rekeyAtNanos, long expireAtNanos) {
    this.rekeyAtNanos = rekeyAtNanos;
    this.expireAtNanos = expireAtNanos;
  }

  /** Zeroes the keys. */
  public void destroy() {
    state = IkeSaState.DESTROYED;
    if (keys != null) {
      keys.destroy();
    }
    reassembler.reset();
  }

  @Override
  public String toString() {
    return String.format(
        "IkeSa[%s %016x_i %016x_r %s %s]",
        config.name(), initiatorSpi, responderSpi, state, originalInitiator ? "I" : "R");
  }
}
