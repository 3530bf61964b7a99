package dev.vpngw.sa;

import dev.vpngw.crypto.Encryption;
import dev.vpngw.crypto.EspSuite;
import dev.vpngw.crypto.Integrity;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The control part of one ESP SA in tunnel mode (RFC 4301 4.4.2.1, the SAD entry): SPI, transforms
 * and keys, tunnel endpoints, UDP encapsulation (RFC 3948), extended sequence numbers, anti-replay
 * window and lifetimes. Immutable and validated when built, so a bad value fails at configuration
 * time with a message naming the field and the reason, never on the packet path.
 *
 * <p>One config describes one unidirectional SA; the same config makes either the outbound SA of
 * one gateway or the inbound SA of its peer. The tunnel addresses are seen from the side that uses
 * the config: an outbound SA sends from {@link #localAddress()} to {@link #remoteAddress()}. The
 * inbound side finds its SA by SPI alone (RFC 4301 4.1: a unicast SPI is unique per receiver) and
 * does not insist on the outer addresses, since a NAT may change them (RFC 3948).
 *
 * <p>{@link #toString()} never prints key material.
 */
public final class SaConfig {
  /** The NAT-T port of RFC 3948, the default for both ends. */
  public static final int DEFAULT_NAT_T_PORT = 4500;

  /** The anti-replay window RFC 4303 3.4.3 recommends as the default. */
  public static final int DEFAULT_REPLAY_WINDOW = 64;

  /** Smallest enabled anti-replay window: one 64-bit word. */
  public static final int MIN_REPLAY_WINDOW = 64;

  /** Largest anti-replay window. */
  public static final int MAX_REPLAY_WINDOW = 8192;

  /** The highest SPI value IANA reserves (RFC 4303 2.1: 1 to 255 are reserved, 0 is local). */
  private static final long MAX_RESERVED_SPI = 255;

  private final int spi;
  private final EspSuite suite;
  private final byte[] encryptionKey;
  private final byte[] integrityKey;
  private final InetAddress localAddress;
  private final InetAddress remoteAddress;
  private final boolean udpEncapsulation;
  private final int localPort;
  private final int remotePort;
  private final boolean esn;
  private final int replayWindowSize;
  private final long softLifetimeBytes;
  private final long hardLifetimeBytes;
  private final long softLifetimePackets;
  private final long hardLifetimePackets;
  private final boolean allowLegacyCiphers;
  private final long initialSequenceNumber;
  private final SequenceFence sequenceFence;

  private SaConfig(Builder b) {
    this.spi = b.spi;
    this.suite = b.suite;
    this.encryptionKey = b.encryptionKey == null ? null : b.encryptionKey.clone();
    this.integrityKey = b.integrityKey == null ? new byte[0] : b.integrityKey.clone();
    this.localAddress = b.localAddress;
    this.remoteAddress = b.remoteAddress;
    this.udpEncapsulation = b.udpEncapsulation;
    this.localPort = b.localPort;
    this.remotePort = b.remotePort;
    this.esn = b.esn;
    this.replayWindowSize = b.replayWindowSize;
    this.softLifetimeBytes = b.softLifetimeBytes;
    this.hardLifetimeBytes = b.hardLifetimeBytes;
    this.softLifetimePackets = b.softLifetimePackets;
    this.hardLifetimePackets = b.hardLifetimePackets;
    this.allowLegacyCiphers = b.allowLegacyCiphers;
    this.initialSequenceNumber = b.initialSequenceNumber;
    this.sequenceFence = b.sequenceFence;
    validate();
  }

  /**
   * A builder with the defaults: NAT-T ports 4500/4500 (off), 32-bit sequence numbers, window 64.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.spi = spi;
    b.suite = suite;
    b.encryptionKey = encryptionKey.clone();
    b.integrityKey = integrityKey.clone();
    b.localAddress = localAddress;
    b.remoteAddress = remoteAddress;
    b.udpEncapsulation = udpEncapsulation;
    b.localPort = localPort;
    b.remotePort = remotePort;
    b.esn = esn;
    b.replayWindowSize = replayWindowSize;
    b.softLifetimeBytes = softLifetimeBytes;
    b.hardLifetimeBytes = hardLifetimeBytes;
    b.softLifetimePackets = softLifetimePackets;
    b.hardLifetimePackets = hardLifetimePackets;
    b.allowLegacyCiphers = allowLegacyCiphers;
    b.initialSequenceNumber = initialSequenceNumber;
    b.sequenceFence = sequenceFence;
    return b;
  }

  private void validate() {
    if (spi == 0 || Integer.toUnsignedLong(spi) <= MAX_RESERVED_SPI) {
      throw invalid(
          "spi",
          Integer.toUnsignedString(spi)
              + " is reserved (RFC 4303 2.1: 0 is for local use, 1-255 are reserved by IANA)");
    }
    if (suite == null) {
      throw invalid("suite", "is required");
    }
    Encryption encryption = suite.encryption();
    if (encryption == Encryption.TDES_CBC && !allowLegacyCiphers) {
      throw invalid("suite", "3DES is legacy; enable allowLegacyCiphers");
    }
    if (encryptionKey == null) {
      throw invalid("encryptionKey", "is required");
    }
    if (encryptionKey.length != encryption.keyMaterialLength()) {
      throw invalid(
          "encryptionKey",
          encryption
              + " needs "
              + encryption.keyMaterialLength()
              + " bytes ("
              + encryption.keyLength()
              + "-byte key + "
              + encryption.saltLength()
              + "-byte salt), got "
              + encryptionKey.length);
    }
    Integrity integrity = suite.integrity();
    if (integrityKey.length != integrity.keyLength()) {
      throw invalid(
          "integrityKey",
          integrity + " needs " + integrity.keyLength() + " bytes, got " + integrityKey.length);
    }
    if (localAddress == null) {
      throw invalid("localAddress", "is required");
    }
    if (remoteAddress == null) {
      throw invalid("remoteAddress", "is required");
    }
    if ((localAddress instanceof Inet4Address) != (remoteAddress instanceof Inet4Address)) {
      throw invalid(
          "remoteAddress",
          remoteAddress.getHostAddress()
              + " is not of the same family as localAddress "
              + localAddress.getHostAddress());
    }
    checkPort("localPort", localPort);
    checkPort("remotePort", remotePort);
    if (replayWindowSize != 0
        && (replayWindowSize < MIN_REPLAY_WINDOW
            || replayWindowSize > MAX_REPLAY_WINDOW
            || Integer.bitCount(replayWindowSize) != 1)) {
      throw invalid(
          "replayWindowSize",
          replayWindowSize
              + " must be 0 (disabled) or a power of two from "
              + MIN_REPLAY_WINDOW
              + " to "
              + MAX_REPLAY_WINDOW);
    }
    if (esn && replayWindowSize == 0) {
      throw invalid(
          "replayWindowSize",
          "0 (disabled) cannot go with ESN: the receiver infers the high 32 bits of the sequence"
              + " number from the window (RFC 4303 2.2.1, Appendix A)");
    }
    checkLifetime("LifetimeBytes", softLifetimeBytes, hardLifetimeBytes);
    checkLifetime("LifetimePackets", softLifetimePackets, hardLifetimePackets);
    if (initialSequenceNumber == 0) {
      throw invalid(
          "initialSequenceNumber", "0 is never sent (RFC 4303 3.3.3: the first packet has 1)");
    }
    if (!esn && Long.compareUnsigned(initialSequenceNumber, 0xffff_ffffL) > 0) {
      throw invalid(
          "initialSequenceNumber",
          Long.toUnsignedString(initialSequenceNumber)
              + " exceeds the 32-bit sequence space (ESN is off)");
    }
  }

  private static void checkPort(String field, int port) {
    if (port < 1 || port > 65_535) {
      throw invalid(field, port + " is not a UDP port (1-65535)");
    }
  }

  private static void checkLifetime(String name, long soft, long hard) {
    if (soft < 0) {
      throw invalid("soft" + name, soft + " is negative (0 means no limit)");
    }
    if (hard < 0) {
      throw invalid("hard" + name, hard + " is negative (0 means no limit)");
    }
    if (hard != 0 && soft > hard) {
      throw invalid("soft" + name, soft + " exceeds the hard limit " + hard);
    }
  }

  private static IllegalArgumentException invalid(String field, String reason) {
    return new IllegalArgumentException("SA config " + field + ": " + reason);
  }

  /** The SPI, as the 32-bit value it is on the wire (compare unsigned). */
  public int spi() {
    return spi;
  }

  /** The transforms. */
  public EspSuite suite() {
    return suite;
  }

  /** A copy of the encryption key material (key, then salt for AEAD/GMAC). */
  public byte[] encryptionKey() {
    return encryptionKey.clone();
  }

  /** A copy of the integrity key; empty for combined transforms. */
  public byte[] integrityKey() {
    return integrityKey.clone();
  }

  /** This gateway's tunnel endpoint: the outer source address of outbound packets. */
  public InetAddress localAddress() {
    return localAddress;
  }

  /** The peer's tunnel endpoint: the outer destination address of outbound packets. */
  public InetAddress remoteAddress() {
    return remoteAddress;
  }

  /** True when the tunnel endpoints are IPv6 addresses. */
  public boolean isIpv6() {
    return !(localAddress instanceof Inet4Address);
  }

  /** Whether ESP travels inside UDP (RFC 3948). */
  public boolean udpEncapsulation() {
    return udpEncapsulation;
  }

  /** This gateway's UDP port for encapsulated ESP (source of outbound, destination of inbound). */
  public int localPort() {
    return localPort;
  }

  /** The peer's UDP port for encapsulated ESP. */
  public int remotePort() {
    return remotePort;
  }

  /** Whether the SA uses 64-bit extended sequence numbers (RFC 4303 2.2.1). */
  public boolean esn() {
    return esn;
  }

  /** The inbound anti-replay window in packets; 0 when anti-replay is disabled. */
  public int replayWindowSize() {
    return replayWindowSize;
  }

  /** Inner bytes after which a rekey is wanted; 0 for none. */
  public long softLifetimeBytes() {
    return softLifetimeBytes;
  }

  /** Inner bytes after which the SA is no longer used; 0 for none. */
  public long hardLifetimeBytes() {
    return hardLifetimeBytes;
  }

  /** Packets after which a rekey is wanted; 0 for none. */
  public long softLifetimePackets() {
    return softLifetimePackets;
  }

  /** Packets after which the SA is no longer used; 0 for none. */
  public long hardLifetimePackets() {
    return hardLifetimePackets;
  }

  /** Whether legacy transforms (3DES) were explicitly allowed. */
  public boolean allowLegacyCiphers() {
    return allowLegacyCiphers;
  }

  /**
   * The sequence number of the first packet (unsigned; 1 unless set): the outbound SA sends it
   * first, the inbound SA's replay window starts just below it.
   */
  public long initialSequenceNumber() {
    return initialSequenceNumber;
  }

  /** The HA pair's bound on the outbound sequence numbers, or null for none. */
  public SequenceFence sequenceFence() {
    return sequenceFence;
  }

  @Override
  public String toString() {
    return "SaConfig[spi=0x"
        + Integer.toHexString(spi)
        + ", suite="
        + suite
        + ", "
        + localAddress.getHostAddress()
        + (udpEncapsulation ? ":" + localPort : "")
        + " -> "
        + remoteAddress.getHostAddress()
        + (udpEncapsulation ? ":" + remotePort : "")
        + (udpEncapsulation ? ", udp" : "")
        + (esn ? ", esn" : "")
        + ", window="
        + replayWindowSize
        + "]";
  }

  /** Collects the values of an {@link SaConfig}; {@link #build()} validates them all. */
  public static final class Builder {
    private int spi;
    private EspSuite suite;
    private byte[] encryptionKey;
    private byte[] integrityKey;
    private InetAddress localAddress;
    private InetAddress remoteAddress;
    private boolean udpEncapsulation;
    private int localPort = DEFAULT_NAT_T_PORT;
    private int remotePort = DEFAULT_NAT_T_PORT;
    private boolean esn;
    private int replayWindowSize = DEFAULT_REPLAY_WINDOW;
    private long softLifetimeBytes;
    private long hardLifetimeBytes;
    private long softLifetimePackets;
    private long hardLifetimePackets;
    private boolean allowLegacyCiphers;
    private long initialSequenceNumber = 1;
    private SequenceFence sequenceFence;

    private Builder() {}

    /** The SPI (non-zero, not 1-255). */
    public Builder spi(int spi) {
      this.spi = spi;
      return this;
    }

    /** The transforms. */
    public Builder suite(EspSuite suite) {
      this.suite = suite;
      return this;
    }

    /** The transforms, as an encryption and an integrity transform. */
    public Builder suite(Encryption encryption, Integrity integrity) {
      return suite(new EspSuite(encryption, integrity));
    }

    /** The encryption key material: key, then salt for AEAD/GMAC (copied). */
    public Builder encryptionKey(byte[] key) {
      this.encryptionKey = key == null ? null : key.clone();
      return this;
    }

    /** The integrity key for CBC suites (copied); leave unset for combined transforms. */
    public Builder integrityKey(byte[] key) {
      this.integrityKey = key == null ? null : key.clone();
      return this;
    }

    /** This gateway's tunnel endpoint. */
    public Builder localAddress(InetAddress address) {
      this.localAddress = address;
      return this;
    }

    /** The peer's tunnel endpoint (same family as the local one). */
    public Builder remoteAddress(InetAddress address) {
      this.remoteAddress = address;
      return this;
    }

    /** Both tunnel endpoints. */
    public Builder tunnel(InetAddress local, InetAddress remote) {
      return localAddress(local).remoteAddress(remote);
    }

    /** Whether ESP travels inside UDP (RFC 3948); off by default. */
    public Builder udpEncapsulation(boolean on) {
      this.udpEncapsulation = on;
      return this;
    }

    /** This gateway's UDP port (default 4500). */
    public Builder localPort(int port) {
      this.localPort = port;
      return this;
    }

    /** The peer's UDP port (default 4500; a NAT may have mapped it to another). */
    public Builder remotePort(int port) {
      this.remotePort = port;
      return this;
    }

    /** Whether to use 64-bit extended sequence numbers; off by default. */
    public Builder esn(boolean on) {
      this.esn = on;
      return this;
    }

    /** The anti-replay window: 0 to disable, else a power of two from 64 to 8192 (default 64). */
    public Builder replayWindowSize(int packets) {
      this.replayWindowSize = packets;
      return this;
    }

    /** Byte lifetimes over inner packets; 0 for no limit, soft at most hard. */
    public Builder lifetimeBytes(long soft, long hard) {
      this.softLifetimeBytes = soft;
      this.hardLifetimeBytes = hard;
      return this;
    }

    /** Packet lifetimes; 0 for no limit, soft at most hard. */
    public Builder lifetimePackets(long soft, long hard) {
      this.softLifetimePackets = soft;
      this.hardLifetimePackets = hard;
      return this;
    }

    /** Allows legacy transforms (3DES); off by default. */
    public Builder allowLegacyCiphers(boolean allow) {
      this.allowLegacyCiphers = allow;
      return this;
    }

    /**
     * The sequence number of the first packet, unsigned (default 1, RFC 4303 3.3.3): an outbound SA
     * sends it first; an inbound SA starts its replay window just below it, treating everything
     * lower as already received. A standby taking over an SA jumps ahead of the last replicated
     * value with it; tests use it to reach the end of the sequence space. Must fit in 32 bits
     * unless ESN is on.
     */
    public Builder initialSequenceNumber(long seq) {
      this.initialSequenceNumber = seq;
      return this;
    }

    /**
     * Bounds an outbound SA's sequence numbers by an HA pair's fence (null: unbounded). Packets
     * past the fence's limit are dropped as {@code SEQUENCE_FENCED} until the limit rises.
     */
    public Builder sequenceFence(SequenceFence fence) {
      this.sequenceFence = fence;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first invalid field and why
     */
    public SaConfig build() {
      return new SaConfig(this);
    }
  }
}
