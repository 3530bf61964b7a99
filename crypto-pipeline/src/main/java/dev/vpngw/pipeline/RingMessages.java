package dev.vpngw.pipeline;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout of the messages the pipeline's agents hand each other through Agrona ring buffers (a
 * layout descriptor in the manner of Agrona's {@code RingBufferDescriptor}: offsets and nothing
 * else). All integers are in the ring's native order; the packet bytes follow the fixed part.
 *
 * <pre>
 *  OUTBOUND_PLAIN  RX (TUN) -> worker   | tunnel id (4) | inner IP packet ...
 *  INBOUND_ESP     RX (UDP) -> worker   | peer (24)     | ESP packet (from the SPI) ...
 *  ESP_OUT         worker -> TX         | peer (24)     | ESP packet ...
 *  TUN_OUT         worker -> TX         | inner IP packet ...
 *
 *  peer: | family (4): 4 or 6 | port (4): UDP port, 0 for raw ESP | address (16): IPv4 in the first 4 |
 * </pre>
 */
final class RingMessages {
  static final int OUTBOUND_PLAIN = 1;
  static final int INBOUND_ESP = 2;
  static final int ESP_OUT = 3;
  static final int TUN_OUT = 4;

  static final int TUNNEL_ID_LENGTH = 4;
  static final int PEER_FAMILY_OFFSET = 0;
  static final int PEER_PORT_OFFSET = 4;
  static final int PEER_ADDRESS_OFFSET = 8;
  static final int PEER_LENGTH = 24;

  private RingMessages() {}

  /** Writes a peer (family, port, address bytes of length 4 or 16) at {@code offset}. */
  static void putPeer(UnsafeBuffer ring, int offset, int family, int port, byte[] address) {
    ring.putInt(offset + PEER_FAMILY_OFFSET, family);
    ring.putInt(offset + PEER_PORT_OFFSET, port);
    ring.putBytes(offset + PEER_ADDRESS_OFFSET, address);
  }
}
