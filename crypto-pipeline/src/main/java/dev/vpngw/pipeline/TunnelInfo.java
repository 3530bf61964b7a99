package dev.vpngw.pipeline;

import dev.vpngw.selector.SelectorSet;
import java.net.InetAddress;

/**
 * What the receive agents need to know about one tunnel (a connection's child SA pair), fixed for
 * the tunnel's life: which worker owns it, where its ESP goes, its MTU and MSS clamp, and the
 * traffic selectors an inbound inner packet must match.
 *
 * @param id the tunnel id (the FIB's value), small and dense
 * @param name the connection name, for counters and status
 * @param worker index of the crypto worker that owns the tunnel's SAs
 * @param peer the remote gateway's public address
 * @param peerPort the remote UDP port (4500) for ESP-in-UDP, 0 for plain ESP (IP protocol 50)
 * @param mtu the largest inner packet the tunnel carries without fragmenting the outer one
 * @param clampMss whether TCP SYNs into the tunnel get their MSS clamped to fit {@code mtu}
 * @param selectors the child SA's traffic selectors
 */
public record TunnelInfo(
    int id,
    String name,
    int worker,
    InetAddress peer,
    int peerPort,
    int mtu,
    boolean clampMss,
    SelectorSet selectors) {
  /** Validates the fields that would break the dataplane if wrong. */
  public TunnelInfo {
    if (id < 0) {
      throw new IllegalArgumentException("tunnel id must be >= 0, not " + id);
    }
    if (mtu < 576 || mtu > 65_535) {
      throw new IllegalArgumentException("tunnel " + name + ": mtu " + mtu + " outside 576..65535");
    }
    if (peerPort < 0 || peerPort > 65_535) {
      throw new IllegalArgumentException("tunnel " + name + ": peer port " + peerPort);
    }
  }

  /**
   * The largest TCP MSS that fits the tunnel MTU: the MTU less the IP header (20 or 40 bytes) and
   * the TCP header (20 bytes).
   */
  public int maxMss(int ipVersion) {
    return mtu - (ipVersion == 4 ? 40 : 60);
  }

  /** Whether ESP goes inside UDP (RFC 3948) rather than as IP protocol 50. */
  public boolean udpEncapsulated() {
    return peerPort != 0;
  }
}
