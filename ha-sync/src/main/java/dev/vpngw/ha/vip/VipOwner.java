package dev.vpngw.ha.vip;

import dev.vpngw.io.link.LinkConfig;
import dev.vpngw.io.packet.PacketSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Takes and gives up the pair's virtual public address on the public interface: {@link #acquire}
 * adds it ({@code ip address}, like every address the gateway configures) and announces it from our
 * own code through an {@code AF_PACKET} socket (gratuitous ARP request and reply for IPv4, an
 * unsolicited neighbour advertisement for IPv6); {@link #release} removes it.
 *
 * <p>The address is held as a lease: added with a lifetime of {@code leaseSeconds} and {@link
 * #renew renewed} while the node is active. A process killed outright cannot step down, and the
 * address would otherwise stay on the interface, its kernel still answering ARP for it; with the
 * lease the kernel drops it by itself within {@code leaseSeconds}.
 */
public final class VipOwner implements AutoCloseable {
  private final String device;
  private final InetAddress vip;
  private final int prefixLength;
  private final int leaseSeconds;
  private final PacketSocket socket;

  /**
   * The VIP as an address and prefix length on DEVICE, as in 192.0.2.10/24. Opens the announcement
   * socket now, so that a takeover pays for no socket and no native binding set-up.
   */
  public VipOwner(String device, InetAddress vip, int prefixLength, int leaseSeconds)
      throws IOException {
    int max = vip instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 1 || prefixLength > max) {
      throw new IllegalArgumentException(
          "ha.vip prefix length " + prefixLength + " outside 1.." + max);
    }
    this.device = device;
    this.vip = vip;
    this.prefixLength = prefixLength;
    if (leaseSeconds < 1) {
      throw new IllegalArgumentException("ha.vipLeaseSeconds must be at least 1: " + leaseSeconds);
    }
    this.leaseSeconds = leaseSeconds;
    this.socket =
        PacketSocket.open(
            device, vip instanceof Inet4Address ? PacketSocket.ETH_P_ARP : PacketSocket.ETH_P_IPV6);
  }

  private String cidr() {
    return vip.getHostAddress() + "/" + prefixLength;
  }

  /** Adds the address (or renews it) and announces it. */
  public void acquire() throws IOException {
    renew();
    announce();
  }

  /** Renews the address lease (call well within {@code leaseSeconds} while active). */
  public void renew() throws IOException {
    LinkConfig.leaseAddress(device, cidr(), leaseSeconds);
  }

  /** Sends the announcement frames once more (a takeover sends them a few times). */
  public void announce() throws IOException {
    byte[] mac = socket.mac();
    if (vip instanceof Inet4Address v4) {
      socket.send(Announcements.gratuitousArp(mac, v4, 1));
      socket.send(Announcements.gratuitousArp(mac, v4, 2));
    } else {
      socket.send(Announcements.unsolicitedNeighbourAdvertisement(mac, (Inet6Address) vip));
    }
  }

  /** Removes the address (if present). */
  public void release() throws IOException {
    try {
      LinkConfig.deleteAddress(device, cidr());
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      // absent already: "Address not found" (current iproute2) or EADDRNOTAVAIL (older)
      if (!m.contains("Address not found") && !m.contains("Cannot assign requested address")) {
        throw e;
      }
    }
  }

  /** Closes the announcement socket (the address is left as it is). */
  @Override
  public void close() throws IOException {
    socket.close();
  }

  @Override
  public String toString() {
    return "VIP " + cidr() + " on " + device;
  }
}
