package dev.vpngw.io.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a classic libpcap file with link type RAW (101): every record is a bare IPv4 or IPv6
 * packet, which tshark, tcpdump and scapy all read. Used to hand what our dataplane produced to an
 * independent decoder. Not for the hot path: it copies.
 *
 * <pre>
 *  global header (24 B): magic a1b2c3d4 | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype
 *  record header (16 B): ts_sec | ts_usec | incl_len | orig_len, then incl_len bytes
 * </pre>
 */
public final class PcapWriter implements AutoCloseable {
  /** LINKTYPE_RAW: the packet starts with an IP header, version from its first nibble. */
  public static final int LINKTYPE_RAW = 101;

  private static final int SNAPLEN = 262_144;
  private final OutputStream out;
  private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
  private long packets;

  /** Creates (or truncates) {@code file} and writes the global header. */
  public PcapWriter(Path file) throws IOException {
    out = new BufferedOutputStream(Files.newOutputStream(file));
    header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    header.putInt(SNAPLEN).putInt(LINKTYPE_RAW);
    out.write(header.array(), 0, 24);
  }

  /** Appends one IP packet with the given capture time in microseconds since the epoch. */
  public void write(byte[] packet, int offset, int length, long timestampMicros)
      throws IOException {
    header.clear();
    header.putInt((int) (timestampMicros / 1_000_000)).putInt((int) (timestampMicros % 1_000_000));
    header.putInt(length).putInt(length);
    out.write(header.array(), 0, 16);
    out.write(packet, offset, length);
    packets++;
  }

  /** Number of packets written so far. */
  public long packets() {
    return packets;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
