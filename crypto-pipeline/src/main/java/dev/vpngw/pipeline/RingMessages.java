package dev.vpngw.pipeline;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout of the messages the pipeline's agents hand each other through Agrona ring buffers (a
 * layout descriptor in the manner of Agrona's {@code RingBufferDescriptor}: offsets and nothing
 * else). All integers are in the ring's native order; the packet bytes follow the fixed part.
 *
 * <pre>
 *  OUTBOUND_PLAIN  RX (TUN) -> worker   | tunnel id (4) | generation (4) | inner IP packet ...
 *  INBOUND_ESP     RX (UDP) -> worker   | peer (24)     | ESP packet (from the SPI) ...
 *  ESP_OUT         worker -> TX         | peer (24)     | ESP packet ...
 *  TUN_OUT         worker -> TX         | inner IP packet ...
 *  CONTROL_IN      RX (UDP) -> IKE      | peer (24)     | local port (4) | IKE message (marker stripped) ...
 *
 *  peer: | family (4): 4 or 6 | port (4): UDP port, 0 for raw ESP | address (16): IPv4 in the first 4 |
 * </pre>
 *
 * <p>The generation in {@code OUTBOUND_PLAIN} is the one the tunnel had when the packet was routed:
 * a tunnel id can be reused after {@code removeTunnel}, and a packet still queued for the old
 * tunnel must not leave through the new one's SA.
 */
final class RingMessages {
  static final int OUTBOUND_PLAIN = 1;
  static final int INBOUND_ESP = 2;
  static final int ESP_OUT = 3;
  static final int TUN_OUT = 4;
  static final int CONTROL_IN = 5;

  static final int TUNNEL_ID_OFFSET = 0;
  static final int GENERATION_OFFSET = 4;
  static final int OUTBOUND_HEADER_LENGTH = 8;
  static final int PEER_FAMILY_OFFSET = 0;
  static final int PEER_PORT_OFFSET = 4;
  static final int PEER_ADDRESS_OFFSET = 8;
  static final int PEER_LENGTH = 24;
  static final int LOCAL_PORT_OFFSET = PEER_LENGTH;
  static final int CONTROL_HEADER_LENGTH = PEER_LENGTH + 4;

  private RingMessages() {}

  /** Writes a peer (family, port, address bytes of length 4 or 16) at {@code offset}. */
  static void putPeer(UnsafeBuffer ring, int offset, int family, int port, byte[] address) {
    ring.putInt(offset + PEER_FAMILY_OFFSET, family);
    ring.putInt(offset + PEER_PORT_OFFSET, port);
    ring.putBytes(offset + PEER_ADDRESS_OFFSET, address);
  }

  /** The peer at {@code offset} as a JDK address: allocates, so for the control path only. */
  static InetSocketAddress peer(DirectBuffer ring, int offset) {
    byte[] address = new byte[ring.getInt(offset + PEER_FAMILY_OFFSET) == 6 ? 16 : 4];
    ring.getBytes(offset + PEER_ADDRESS_OFFSET, address);
    try {
      return new InetSocketAddress(
          InetAddress.getByAddress(address), ring.getInt(offset + PEER_PORT_OFFSET));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
    }
  }
}
