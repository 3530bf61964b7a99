package dev.vpngw.sa;

import dev.vpngw.crypto.CryptoEngine;
import dev.vpngw.crypto.EspCipher;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One unidirectional ESP SA as the dataplane holds it, split like VPP's {@code ipsec_sa_t}: an
 * immutable control part (the {@link SaConfig}, the keyed {@link EspCipher}, the tunnel addresses
 * as raw bytes ready to copy into headers) and a mutable runtime part (the outbound sequence
 * counter or the inbound {@link ReplayWindow}, and the lifetime counters).
 *
 * <p>Lifetimes (RFC 4301 4.4.2.1) count inner packets and their bytes: those protected outbound,
 * those delivered inbound (never a packet that failed its ICV, so forgeries cannot age an SA).
 * Reaching a soft limit asks IKE for a rekey ({@link #needsRekey()}); reaching a hard limit ends
 * the SA ({@link #isExpired()}) and every later packet is dropped. Like Linux xfrm the limit is
 * tested before a packet and charged after it, so with a hard limit of N packets exactly N pass.
 *
 * <p>The outbound counter never wraps (RFC 4303 3.3.3: a sender must not cycle the counter, and
 * assumes anti-replay is on): once the last number (2^32 - 1, or 2^64 - 1 with ESN) is used, the SA
 * refuses to send and asks for a rekey.
 *
 * <p>{@link SaConfig#initialSequenceNumber()} is the first number on the wire in both directions:
 * the outbound counter starts there, the inbound window starts just below it.
 *
 * <p>Owned by one worker thread: the runtime part is plain fields, no locks, no volatile.
 */
public final class SecurityAssociation implements AutoCloseable {
  /** The direction an SA protects. */
  public enum Direction {
    /** Received traffic: decapsulated and checked against the replay window. */
    INBOUND,
    /** Sent traffic: encapsulated with a fresh sequence number. */
    OUTBOUND
  }

  /** Where an SA is in its lifetime. */
  public enum LifetimeState {
    /** Within its soft limits. */
    ACTIVE,
    /** Past a soft limit: still usable, a rekey is wanted. */
    SOFT_EXPIRED,
    /** Past a hard limit: unusable, every packet is dropped. */
    HARD_EXPIRED
  }

  private static final long MAX_SEQUENCE_32 = 0xffff_ffffL;
  private static final long MAX_SEQUENCE_64 = -1L;

  // Control part: fixed when the SA is installed.
  private final SaConfig config;
  private final Direction direction;
  private final EspCipher cipher;
  private final int spi;
  private final boolean esn;
  private final byte[] localAddress;
  private final byte[] remoteAddress;
  private final long maxSequence;
  private final long softBytes;
  private final long hardBytes;
  private final long softPackets;
  private final long hardPackets;

  // Runtime part: changed per packet by the owning worker.
  private final ReplayWindow replayWindow;
  private long nextSequence;
  private boolean sequenceExhausted;
  private final SequenceFence fence;
  private long packets;
  private long bytes;
  private LifetimeState lifetimeState = LifetimeState.ACTIVE;

  private SecurityAssociation(SaConfig config, CryptoEngine engine, Direction direction) {
    if (!engine.supports(config.suite())) {
      throw new IllegalArgumentException(
          "crypto engine " + engine.name() + " does not support " + config.suite());
    }
    byte[] encryptionKey = config.encryptionKey();
    byte[] integrityKey = config.integrityKey();
    try {
      this.cipher =
          engine.newCipher(
              config.suite(), encryptionKey, integrityKey, direction == Direction.OUTBOUND);
    } finally {
      Arrays.fill(encryptionKey, (byte) 0);
      Arrays.fill(integrityKey, (byte) 0);
    }
    this.config = config;
    this.direction = direction;
    this.spi = config.spi();
    this.esn = config.esn();
    this.localAddress = config.localAddress().getAddress();
    this.remoteAddress = config.remoteAddress().getAddress();
    this.maxSequence = esn ? MAX_SEQUENCE_64 : MAX_SEQUENCE_32;
    this.softBytes = config.softLifetimeBytes();
    this.hardBytes = config.hardLifetimeBytes();
    this.softPackets = config.softLifetimePackets();
    this.hardPackets = config.hardLifetimePackets();
    this.replayWindow =
        direction == Direction.INBOUND
            ? new ReplayWindow(
                config.replayWindowSize(), config.esn(), config.initialSequenceNumber() - 1)
            : null;
    this.nextSequence = config.initialSequenceNumber();
    this.fence = direction == Direction.OUTBOUND ? config.sequenceFence() : null;
  }

  /**
   * An outbound SA: keys a sealing cipher on {@code engine}.
   *
   * @throws IllegalArgumentException if the engine does not support the suite
   */
  public static SecurityAssociation outbound(SaConfig config, CryptoEngine engine) {
    return new SecurityAssociation(config, engine, Direction.OUTBOUND);
  }

  /**
   * An inbound SA: keys an opening cipher on {@code engine} and starts an empty replay window.
   *
   * @throws IllegalArgumentException if the engine does not support the suite
   */
  public static SecurityAssociation inbound(SaConfig config, CryptoEngine engine) {
    return new SecurityAssociation(config, engine, Direction.INBOUND);
  }

  /** The configuration this SA was made from. */
  public SaConfig config() {
    return config;
  }

  /** Inbound or outbound. */
  public Direction direction() {
    return direction;
  }

  /** The keyed cipher. */
  public EspCipher cipher() {
    return cipher;
  }

  /** The SPI. */
  public int spi() {
    return spi;
  }

  /** Whether the SA uses 64-bit extended sequence numbers. */
  public boolean esn() {
    return esn;
  }

  /** Copies the local tunnel address (4 or 16 bytes) into {@code buffer} at {@code index}. */
  public void copyLocalAddress(UnsafeBuffer buffer, int index) {
    buffer.putBytes(index, localAddress);
  }

  /** Copies the remote tunnel address (4 or 16 bytes) into {@code buffer} at {@code index}. */
  public void copyRemoteAddress(UnsafeBuffer buffer, int index) {
    buffer.putBytes(index, remoteAddress);
  }

  /** The inbound replay window. */
  public ReplayWindow replayWindow() {
    if (replayWindow == null) {
      throw new IllegalStateException("outbound SA 0x" + Integer.toHexString(spi) + " has none");
    }
    return replayWindow;
  }

  /** The sequence number the next outbound packet gets (unsigned). */
  public long nextSequence() {
    return nextSequence;
  }

  /** True once the last sequence number was used: nothing more can be sent on this SA. */
  public boolean isSequenceExhausted() {
    return sequenceExhausted;
  }

  /**
   * Takes the next outbound sequence number. The caller checks {@link #isSequenceExhausted()}
   * first; taking the last number marks the SA exhausted, so no number is ever handed out twice.
   */
  public long takeSequence() {
    long seq = nextSequence;
    if (seq == maxSequence) {
      sequenceExhausted = true;
    } else {
      nextSequence = seq + 1;
    }
    if (fence != null) {
      fence.published(seq + 1);
    }
    return seq;
  }

  /**
   * True when an HA fence bounds this SA and the next sequence number is past its limit: the
   * standby could not yet skip past it, so it must not be sent.
   */
  public boolean isSequenceFenced() {
    return fence != null && Long.compareUnsigned(nextSequence, fence.limit()) > 0;
  }

  /**
   * Charges one inner packet of {@code innerBytes} to the lifetime and moves the lifetime state
   * when a limit is reached.
   */
  public void chargeLifetime(int innerBytes) {
    packets++;
    bytes += innerBytes;
    if ((hardPackets != 0 && packets >= hardPackets) || (hardBytes != 0 && bytes >= hardBytes)) {
      lifetimeState = LifetimeState.HARD_EXPIRED;
    } else if ((softPackets != 0 && packets >= softPackets)
        || (softBytes != 0 && bytes >= softBytes)) {
      lifetimeState = LifetimeState.SOFT_EXPIRED;
    }
  }

  /** Inner packets charged so far. */
  public long packets() {
    return packets;
  }

  /** Inner bytes charged so far. */
  public long bytes() {
    return bytes;
  }

  /** The lifetime state. */
  public LifetimeState lifetimeState() {
    return lifetimeState;
  }

  /** True when IKE should rekey: past a soft or hard limit, or out of sequence numbers. */
  public boolean needsRekey() {
    return lifetimeState != LifetimeState.ACTIVE || sequenceExhausted;
  }

  /** True past a hard limit: the SA must not protect or accept any more packets. */
  public boolean isExpired() {
    return lifetimeState == LifetimeState.HARD_EXPIRED;
  }

  /** Frees the cipher (wiping its keys). Idempotent. */
  @Override
  public void close() {
    cipher.close();
  }

  @Override
  public String toString() {
    return direction + " SA 0x" + Integer.toHexString(spi) + " " + config.suite();
  }
}
