package dev.vpngw.io.tun;

import java.nio.ByteOrder;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over the {@code struct virtio_net_hdr} that leads every read from and every write to a
 * TUN device opened with {@code IFF_VNET_HDR} (the kernel's {@code include/uapi/linux/virtio_net.h}
 * and {@code Documentation/networking/tuntap.rst}; the virtio 1.x specification, 5.1.6). It tells
 * the reader that a packet is a GSO "super-packet" to be cut into {@link #gsoSize()}-byte segments,
 * and that its transport checksum is only partial ({@link #FLAG_NEEDS_CSUM}: the field at {@link
 * #csumStart()} + {@link #csumOffset()} holds the pseudo-header sum, the rest is for the device to
 * add). The TUN device uses little-endian fields (virtio 1.x; {@code TUNSETVNETBE} is not used).
 *
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+-------------------------------+
 *  |     flags     |   gso_type    |            hdr_len            |
 *  +---------------+---------------+-------------------------------+
 *  |           gso_size            |          csum_start           |
 *  +-------------------------------+-------------------------------+
 *  |          csum_offset          |
 *  +-------------------------------+
 * </pre>
 *
 * <p>{@code hdr_len} is only a hint (the kernel fills in the length of the skb's linear part, which
 * need not be the headers' length): the segmenter finds the headers itself.
 */
public final class VirtioNetHeader {
  /** The header's length: the 10-byte {@code struct virtio_net_hdr}, set with TUNSETVNETHDRSZ. */
  public static final int LENGTH = 10;

  /** Flags byte. */
  public static final int FLAGS_OFFSET = 0;

  /** GSO type byte. */
  public static final int GSO_TYPE_OFFSET = 1;

  /** Length of the headers to repeat in front of each segment (a hint). */
  public static final int HDR_LEN_OFFSET = 2;

  /** Payload bytes per segment. */
  public static final int GSO_SIZE_OFFSET = 4;

  /** Where the checksummed range starts (the transport header). */
  public static final int CSUM_START_OFFSET = 6;

  /** Where in that range the checksum field is. */
  public static final int CSUM_OFFSET_OFFSET = 8;

  /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum from csum_start on is still to be done. */
  public static final int FLAG_NEEDS_CSUM = 1;

  /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the checksum was verified already. */
  public static final int FLAG_DATA_VALID = 2;

  /** {@code VIRTIO_NET_HDR_GSO_NONE}: one plain packet. */
  public static final int GSO_NONE = 0;

  /** {@code VIRTIO_NET_HDR_GSO_TCPV4}: an IPv4 TCP super-packet. */
  public static final int GSO_TCPV4 = 1;

  /** {@code VIRTIO_NET_HDR_GSO_TCPV6}: an IPv6 TCP super-packet. */
  public static final int GSO_TCPV6 = 4;

  /** {@code VIRTIO_NET_HDR_GSO_UDP_L4}: a UDP super-packet (UDP_SEGMENT), IPv4 or IPv6. */
  public static final int GSO_UDP_L4 = 5;

  /** {@code VIRTIO_NET_HDR_GSO_ECN}: or-ed into the GSO type when the first segment has CWR. */
  public static final int GSO_ECN = 0x80;

  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private MutableDirectBuffer buffer;
  private int offset;

  /** Points the flyweight at a header starting at {@code offset}. */
  public VirtioNetHeader wrap(MutableDirectBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** The flags ({@link #FLAG_NEEDS_CSUM}, {@link #FLAG_DATA_VALID}). */
  public int flags() {
    return buffer.getByte(offset + FLAGS_OFFSET) & 0xff;
  }

  /** Sets the flags. */
  public VirtioNetHeader flags(int flags) {
    buffer.putByte(offset + FLAGS_OFFSET, (byte) flags);
    return this;
  }

  /** The GSO type, {@link #GSO_ECN} included. */
  public int gsoType() {
    return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xff;
  }

  /** Sets the GSO type. */
  public VirtioNetHeader gsoType(int gsoType) {
    buffer.putByte(offset + GSO_TYPE_OFFSET, (byte) gsoType);
    return this;
  }

  /** The header-length hint. */
  public int hdrLen() {
    return buffer.getShort(offset + HDR_LEN_OFFSET, ORDER) & 0xffff;
  }

  /** Sets the header length. */
  public VirtioNetHeader hdrLen(int hdrLen) {
    buffer.putShort(offset + HDR_LEN_OFFSET, (short) hdrLen, ORDER);
    return this;
  }

  /** Payload bytes per segment of a GSO packet. */
  public int gsoSize() {
    return buffer.getShort(offset + GSO_SIZE_OFFSET, ORDER) & 0xffff;
  }

  /** Sets the segment payload size. */
  public VirtioNetHeader gsoSize(int gsoSize) {
    buffer.putShort(offset + GSO_SIZE_OFFSET, (short) gsoSize, ORDER);
    return this;
  }

  /** Where the checksummed range starts, from the start of the IP packet. */
  public int csumStart() {
    return buffer.getShort(offset + CSUM_START_OFFSET, ORDER) & 0xffff;
  }

  /** Sets where the checksummed range starts. */
  public VirtioNetHeader csumStart(int csumStart) {
    buffer.putShort(offset + CSUM_START_OFFSET, (short) csumStart, ORDER);
    return this;
  }

  /** Where the checksum field is, from {@link #csumStart()}. */
  public int csumOffset() {
    return buffer.getShort(offset + CSUM_OFFSET_OFFSET, ORDER) & 0xffff;
  }

  /** Sets where the checksum field is. */
  public VirtioNetHeader csumOffset(int csumOffset) {
    buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short) csumOffset, ORDER);
    return this;
  }

  /** Zeroes the header: a plain packet with a complete checksum (what a non-GSO write carries). */
  public VirtioNetHeader clear() {
    buffer.setMemory(offset, LENGTH, (byte) 0);
    return this;
  }
}
