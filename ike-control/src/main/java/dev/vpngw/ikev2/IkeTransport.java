package dev.vpngw.ikev2;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Sends IKE datagrams from our port 500 or 4500 (RFC 7296 2.23, RFC 3948: on 4500 the non-ESP
 * marker is the transport's business, not the message's).
 */
public interface IkeTransport {
  /** Sends one IKE message to {@code to} from our {@code localPort} (500 or 4500). */
  void send(InetSocketAddress to, int localPort, byte[] datagram) throws IOException;

  /** Sends one NAT-keepalive (RFC 3948 2.3) from port 4500. */
  void sendKeepalive(InetSocketAddress to) throws IOException;
}
