package dev.vpngw.ikev2.sa;

import dev.vpngw.crypto.EspSuite;
import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.TrafficSelector;
import java.util.List;

/**
 * One negotiated child SA pair (RFC 7296 1.3): the SPIs of both directions, the suite, the
 * negotiated selectors and its timers. The keys went to the dataplane when it was installed; the
 * SaConfigs that hold them are kept for switching senders and for an HA standby. A rekeyed child
 * SA's successor carries the same dataplane tunnel.
 */
public final class ChildSa {
  /** Where a child SA is in its life. */
  public enum State {
    /** Keyed in the dataplane and carrying traffic. */
    INSTALLED,
    /** A rekey of it is in progress. */
    REKEYING,
    /** Replaced by a successor; waiting for its delete. */
    REKEYED,
    /** Being deleted. */
    DELETING
  }

  private final int inboundSpi;
  private final int outboundSpi;
  private final EspSuite suite;
  private final boolean esn;
  private final int pfsGroup;
  private final List<TrafficSelector> localTs;
  private final List<TrafficSelector> remoteTs;
  private final long createdNanos;
  private final int tunnel;
  private State state = State.INSTALLED;
  private long rekeyAtNanos;
  private long expireAtNanos;
  private final SaConfig outbound;
  private SaConfig inbound;
  private boolean outboundActive;
  private Collision collision;

  /**
   * A rekey of this SA started by the peer while ours was in flight (RFC 7296 2.8.1): the child SA
   * the peer's exchange made and that exchange's nonces.
   *
   * @param peerChild the child SA the peer's rekey created (we answered it)
   * @param peerNonce the peer's nonce in that exchange
   * @param ourNonce our nonce in that exchange
   */
  public record Collision(ChildSa peerChild, byte[] peerNonce, byte[] ourNonce) {}

  /** A child SA installed now. */
  public ChildSa(
      int inboundSpi,
      int outboundSpi,
      EspSuite suite,
      boolean esn,
      int pfsGroup,
      List<TrafficSelector> localTs,
      List<TrafficSelector> remoteTs,
      int tunnel,
      SaConfig outbound,
      boolean outboundActive,
      long nowNanos) {
    this.inboundSpi = inboundSpi;
    this.outboundSpi = outboundSpi;
    this.suite = suite;
    this.esn = esn;
    this.pfsGroup = pfsGroup;
    this.localTs = List.copyOf(localTs);
    this.remoteTs = List.copyOf(remoteTs);
    this.tunnel = tunnel;
    this.outbound = outbound;
    this.outboundActive = outboundActive;
    this.createdNanos = nowNanos;
  }

  public int inboundSpi() {
    return inboundSpi;
  }

  public int outboundSpi() {
    return outboundSpi;
  }

  public EspSuite suite() {
    return suite;
  }

  public boolean esn() {
    return esn;
  }

  /** The DH group used for PFS when this SA was made, 0 for none. */
  public int pfsGroup() {
    return pfsGroup;
  }

  public List<TrafficSelector> localTs() {
    return localTs;
  }

  public List<TrafficSelector> remoteTs() {
    return remoteTs;
  }

  /** The dataplane tunnel carrying it. */
  public int tunnel() {
    return tunnel;
  }

  public long createdNanos() {
    return createdNanos;
  }

  public State state() {
    return state;
  }

  public void state(State state) {
    this.state = state;
  }

  public long rekeyAtNanos() {
    return rekeyAtNanos;
  }

  public long expireAtNanos() {
    return expireAtNanos;
  }

  /** Sets when it is rekeyed and when it expires. */
  public void timers(long rekeyAtNanos, long expireAtNanos) {
    this.rekeyAtNanos = rekeyAtNanos;
    this.expireAtNanos = expireAtNanos;
  }

  /**
   * The keyed outbound SA, kept so that the tunnel can switch back to it (after a rekey collision
   * removes a newer one) or switch to it late (when we answered its rekey: the peer may not have
   * the matching inbound SA until it has our response, so we switch when it deletes the old SA).
   */
  public SaConfig outbound() {
    return outbound;
  }

  /**
   * The keyed inbound SA, kept (like the outbound one) only so that an HA standby can be given it;
   * null when nobody asked for it.
   */
  public SaConfig inbound() {
    return inbound;
  }

  public void inbound(SaConfig inbound) {
    this.inbound = inbound;
  }

  /** Whether the tunnel sends on this SA's outbound SA now. */
  public boolean outboundActive() {
    return outboundActive;
  }

  public void outboundActive(boolean active) {
    this.outboundActive = active;
  }

  public Collision collision() {
    return collision;
  }

  public void collision(Collision collision) {
    this.collision = collision;
  }

  @Override
  public String toString() {
    return String.format("ChildSa[in=%08x out=%08x %s %s]", inboundSpi, outboundSpi, suite, state);
  }
}
