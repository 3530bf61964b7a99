package dev.vpngw.esp;

import dev.vpngw.sa.SecurityAssociation;

/**
 * What one call to the codec produced, in a holder the caller allocates once and reuses for every
 * packet. Offsets are into the caller's {@link dev.vpngw.io.buffer.PacketBuffer}.
 *
 * <p>After {@link EspEncapsulator#encapsulate}: the outer packet ({@link #packetOffset()}, {@link
 * #packetLength()}, from the outer IP header on, for a raw socket or a TAP/XDP path) and its ESP
 * part ({@link #espOffset()}, {@link #espLength()}, for a UDP socket where the kernel adds IP and
 * UDP). After {@link EspDecapsulator}: additionally the inner packet ({@link #innerOffset()},
 * {@link #innerLength()}) and the next header it came with. {@link #sa()} and {@link #spi()} are
 * set as soon as they are known, so drops after the SA lookup can be attributed to the SA.
 */
public final class EspResult {
  /** The codec's return value for success; anything else is a {@link DropReason#id()}. */
  public static final int OK = 0;

  private int packetOffset;
  private int packetLength;
  private int espOffset;
  private int espLength;
  private int innerOffset;
  private int innerLength;
  private int nextHeader;
  private int spi;
  private long sequence;
  private SecurityAssociation sa;

  void reset() {
    packetOffset = 0;
    packetLength = 0;
    espOffset = 0;
    espLength = 0;
    innerOffset = 0;
    innerLength = 0;
    nextHeader = 0;
    spi = 0;
    sequence = 0;
    sa = null;
  }

  void packet(int offset, int length) {
    packetOffset = offset;
    packetLength = length;
  }

  void esp(int offset, int length) {
    espOffset = offset;
    espLength = length;
  }

  void inner(int offset, int length, int nextHeader) {
    innerOffset = offset;
    innerLength = length;
    this.nextHeader = nextHeader;
  }

  void spi(int spi) {
    this.spi = spi;
  }

  void sa(SecurityAssociation sa) {
    this.sa = sa;
  }

  void sequence(long sequence) {
    this.sequence = sequence;
  }

  /** Where the outer packet starts: its IP header (decapsulate() leaves it equal to the ESP). */
  public int packetOffset() {
    return packetOffset;
  }

  /** Length of the outer packet from its IP header on. */
  public int packetLength() {
    return packetLength;
  }

  /** Where the ESP header (SPI) starts. */
  public int espOffset() {
    return espOffset;
  }

  /** Length of the ESP packet: header, IV, ciphertext, ICV. */
  public int espLength() {
    return espLength;
  }

  /** Where the decapsulated inner IP packet starts. */
  public int innerOffset() {
    return innerOffset;
  }

  /** Length of the inner packet per its own IP header (TFC padding excluded). */
  public int innerLength() {
    return innerLength;
  }

  /** The ESP next header of the inner packet: 4 (IPv4) or 41 (IPv6). */
  public int nextHeader() {
    return nextHeader;
  }

  /** The SPI of the packet, once read (0 before). */
  public int spi() {
    return spi;
  }

  /** The full (unsigned 64-bit) sequence number sent or inferred, once known (0 before). */
  public long sequence() {
    return sequence;
  }

  /** The SA the packet used, or null if the drop came before one was found. */
  public SecurityAssociation sa() {
    return sa;
  }
}
