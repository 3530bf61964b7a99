package dev.vpngw.esp;

/**
 * Why the ESP codec dropped a packet, one counter each, declared once with a stable id and a
 * description like VPP's {@code ipsec.api} error counters. The ids are what the counters file,
 * exporters and the CLI key on: never renumber one, only add new ids at the end. Id 0 is {@link
 * EspResult#OK}, not a drop.
 */
public enum DropReason {
  /** The caller's offset and length do not lie within the packet buffer. */
  OUT_OF_BUFFER(1, "offset or length outside the packet buffer"),
  /** Too short for the headers, IV, trailer and ICV it must hold. */
  TRUNCATED(2, "packet too short for its headers, IV, ESP trailer and ICV"),
  /** An outer IP or UDP header is invalid or its length field disagrees with the real length. */
  MALFORMED_HEADER(3, "outer IP/UDP header invalid or its length field disagrees with the packet"),
  /** The outer IPv4 header checksum is wrong. */
  BAD_IP_CHECKSUM(4, "outer IPv4 header checksum mismatch"),
  /** An outer IPv4 fragment: reassembly happens before the codec, not in it. */
  FRAGMENT(5, "outer IPv4 fragment (not reassembled on this path)"),
  /** An outer IPv6 packet with extension headers, which this path does not walk. */
  IPV6_EXTENSION_HEADER(6, "outer IPv6 extension header not supported"),
  /** Neither ESP (protocol 50) nor UDP to the SA's NAT-T port. */
  NOT_ESP(7, "not ESP: other IP protocol, or UDP to another port than the SA's"),
  /** An RFC 3948 NAT-keepalive: a single 0xFF byte, consumed here. */
  NAT_KEEPALIVE(8, "NAT-keepalive (RFC 3948 2.3) consumed"),
  /** A UDP payload with the non-ESP marker: an IKE message, for the IKE daemon. */
  NON_ESP_MARKER(9, "non-ESP marker (RFC 3948 2.2): IKE, not ESP"),
  /** No inbound SA has this SPI. */
  UNKNOWN_SPI(10, "no inbound SA for the SPI"),
  /** The ciphertext does not meet the cipher's block size or ESP's 4-byte alignment. */
  MISALIGNED(11, "ciphertext length not a multiple of the block size / 4-byte alignment"),
  /** Sequence number already received (inside the window). */
  REPLAYED(12, "replayed sequence number (RFC 4303 3.4.3)"),
  /** Sequence number left of the replay window. */
  TOO_OLD(13, "sequence number left of the replay window"),
  /** ICV verification failed. */
  BAD_ICV(14, "integrity check failed"),
  /** Padding bytes are not 1, 2, 3, ... or the pad length runs past the payload. */
  BAD_PADDING(15, "padding not 1, 2, 3, ... or pad length too long (RFC 4303 2.4)"),
  /** Next header is not 4 or 41, or disagrees with the inner IP version. */
  BAD_NEXT_HEADER(16, "next header not IPv4/IPv6 or disagrees with the inner IP version"),
  /** A dummy packet (next header 59, RFC 4303 2.6): authenticated, then discarded. */
  DUMMY_PACKET(17, "dummy packet (next header 59) discarded"),
  /** The inner packet's IP header is invalid or claims more bytes than there are. */
  BAD_INNER_PACKET(18, "inner IP header invalid or its length exceeds the payload"),
  /** The outbound SA used its last sequence number: it must be rekeyed. */
  SEQUENCE_EXHAUSTED(19, "outbound sequence number would wrap; rekey needed"),
  /** The SA is past its hard lifetime. */
  SA_EXPIRED(20, "SA past its hard lifetime"),
  /** Not enough headroom before or tailroom after the inner packet for the ESP overhead. */
  NO_ROOM(21, "not enough headroom/tailroom in the buffer for ESP"),
  /** The outer packet would not fit the 16-bit IP/UDP length fields. */
  INNER_TOO_BIG(22, "encapsulated packet would exceed 65535 bytes"),
  /** HA: the next sequence number is past the mark the standby holds (issue 6). */
  SEQUENCE_FENCED(23, "outbound sequence number past the HA standby's mark; waiting for it");

  /** The largest id in use: counters arrays are this plus one long. */
  public static final int MAX_ID = 23;

  private static final DropReason[] BY_ID = new DropReason[MAX_ID + 1];

  static {
    for (DropReason reason : values()) {
      if (BY_ID[reason.id] != null) {
        throw new IllegalStateException("duplicate drop reason id " + reason.id);
      }
      BY_ID[reason.id] = reason;
    }
  }

  private final int id;
  private final String description;

  DropReason(int id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The stable id; never 0 (that is {@link EspResult#OK}). */
  public int id() {
    return id;
  }

  /** One line for people: what happened to the packet. */
  public String description() {
    return description;
  }

  /**
   * The reason with this id, as returned by the codec.
   *
   * @throws IllegalArgumentException for 0 (OK) or an id not in use
   */
  public static DropReason fromId(int id) {
    if (id <= 0 || id > MAX_ID || BY_ID[id] == null) {
      throw new IllegalArgumentException("no drop reason has id " + id);
    }
    return BY_ID[id];
  }
}
