package dev.vpngw.pipeline;

import java.net.InetSocketAddress;
import org.agrona.DirectBuffer;

/**
 * Receives the IKE messages that arrived on the dataplane's NAT-T socket (UDP 4500, behind the
 * non-ESP marker of RFC 3948 2.2), for the IKE thread through {@link Dataplane#pollControl}. The
 * message bytes are valid only during the call (they sit in the control ring, which is reused):
 * copy what must be kept.
 */
@FunctionalInterface
public interface ControlPacketHandler {
  /**
   * One IKE message, the non-ESP marker already stripped.
   *
   * @param from the peer's address and port as the packet arrived (after any NAT): where replies go
   *     (RFC 7296 2.23)
   * @param localPort our port it arrived on (the NAT-T port)
   * @param buffer holds the message
   * @param offset where the IKE header starts in {@code buffer}
   * @param length the message's length
   */
  void onIkePacket(
      InetSocketAddress from, int localPort, DirectBuffer buffer, int offset, int length);
}
