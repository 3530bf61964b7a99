package dev.vpngw.ikev2;

import dev.vpngw.sa.SaConfig;
import dev.vpngw.selector.SelectorSet;
import java.net.InetSocketAddress;

/**
 * The IKE thread's only way into the dataplane (RFC 4301's SAD and SPD, kept by the crypto
 * workers): commands that create a tunnel for a child SA, key its SAs, and take them down. The
 * appliance implements it on the running dataplane (and its routes); tests implement it in memory.
 * Calls come from the IKE thread only.
 */
public interface ChildSaInstaller {
  /**
   * Creates the dataplane tunnel that carries one child SA (and, after rekeys, its successors).
   *
   * @param connection the connection's name
   * @param peer where ESP goes: the peer's address and UDP port, port 0 for plain ESP
   * @param selectors the negotiated traffic selectors
   * @return the tunnel id
   */
  int addTunnel(String connection, InetSocketAddress peer, SelectorSet selectors);

  /** Keys an inbound SA of the tunnel (the peer may send on it at once). */
  void installInbound(int tunnel, SaConfig sa);

  /** Keys an outbound SA and makes it the tunnel's sender, replacing the previous one. */
  void installOutbound(int tunnel, SaConfig sa);

  /** Removes one inbound SA (after a rekey). */
  void deleteInbound(int spi);

  /** Removes the tunnel, its routes and all its SAs. */
  void removeTunnel(int tunnel);

  /** The peer's address or NAT mapping changed: send ESP there from now on. */
  void updatePeer(int tunnel, InetSocketAddress peer);

  /**
   * Bytes carried so far by an SA (both directions count for lifetimes: RFC 4301 4.4.2.1), or -1
   * when unknown.
   */
  long bytes(int spi);
}
